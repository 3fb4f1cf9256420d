import type { Attributes, HrTime } from '@opentelemetry/api';
import type { Exemplar } from './exemplar.js';

/**
 * One histogram's state for one series: counts per bucket, sum, min, max, and optionally one exemplar
 * slot per bucket. Stored in typed arrays so recording allocates nothing.
 */
export class HistogramCell {
  readonly bounds: readonly number[];
  readonly counts: Float64Array;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  /** Exemplar slots, present when the histogram keeps exemplars. */
  readonly exTrace: (string | undefined)[] | undefined;
  readonly exSpan: string[] | undefined;
  readonly exValue: Float64Array | undefined;
  readonly exTimeMs: Float64Array | undefined;

  constructor(bounds: readonly number[], withExemplars: boolean) {
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
    if (withExemplars) {
      this.exTrace = new Array<string | undefined>(bounds.length + 1).fill(undefined);
      this.exSpan = new Array<string>(bounds.length + 1).fill('');
      this.exValue = new Float64Array(bounds.length + 1);
      this.exTimeMs = new Float64Array(bounds.length + 1);
    } else {
      this.exTrace = undefined;
      this.exSpan = undefined;
      this.exValue = undefined;
      this.exTimeMs = undefined;
    }
  }

  /** Records one value and returns the index of the bucket it fell in (upper bounds are inclusive). */
  record(value: number): number {
    const bounds = this.bounds;
    const n = bounds.length;
    let i = 0;
    // Linear scan: bucket sets are short (≤ ~20) and most observations land in the low buckets.
    while (i < n && value > (bounds[i] as number)) i++;
    this.counts[i]! += 1;
    this.count += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    return i;
  }

  /** Stores an exemplar in bucket `index` (latest sampled observation wins). */
  setExemplar(index: number, value: number, traceId: string, spanId: string, timeMs: number): void {
    if (this.exTrace === undefined) return;
    this.exTrace[index] = traceId;
    this.exSpan![index] = spanId;
    this.exValue![index] = value;
    this.exTimeMs![index] = timeMs;
  }

  /** Builds the per-bucket exemplar list (`undefined` where a bucket has none). */
  exemplars(filteredAttributes: Attributes): (Exemplar | undefined)[] | undefined {
    const trace = this.exTrace;
    if (trace === undefined) return undefined;
    const out = new Array<Exemplar | undefined>(trace.length);
    for (let i = 0; i < trace.length; i++) {
      const traceId = trace[i];
      out[i] =
        traceId === undefined
          ? undefined
          : {
              filteredAttributes,
              value: this.exValue![i]!,
              timestamp: millisToHrTime(this.exTimeMs![i]!),
              traceId,
              spanId: this.exSpan![i]!,
            };
    }
    return out;
  }
}

/** Converts epoch milliseconds (possibly fractional) to an OpenTelemetry HrTime. */
export function millisToHrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos];
}
