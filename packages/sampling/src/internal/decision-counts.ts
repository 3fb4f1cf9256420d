import { SamplingDecision } from '@opentelemetry/sdk-trace-base';

/**
 * Cumulative decision counts of one sampler. Plain integer fields: counting costs an increment on the hot
 * path, and the metrics read them only when a reader collects (observable counters).
 */
export class DecisionCounts {
  sampled = 0;
  recorded = 0;
  dropped = 0;

  add(decision: SamplingDecision): void {
    if (decision === SamplingDecision.RECORD_AND_SAMPLED) this.sampled++;
    else if (decision === SamplingDecision.NOT_RECORD) this.dropped++;
    else this.recorded++;
  }
}

const sequences = new Map<string, number>();

/** A process-unique component name such as `adaptive/0`, following OpenTelemetry's `batching_span_processor/0`. */
export function nextComponentName(prefix: string): string {
  const n = sequences.get(prefix) ?? 0;
  sequences.set(prefix, n + 1);
  return `${prefix}/${n}`;
}
