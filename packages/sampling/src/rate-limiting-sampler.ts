import { type Attributes, type Context, type Link, type SpanKind, trace } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import { type InitAware, type Observability } from '@trisignal/core';
import { NOT_RECORD, RECORD_AND_SAMPLED, validParent } from './consistent.js';
import { checkNumber, invalidOption } from './errors.js';
import { DecisionCounts, nextComponentName } from './internal/decision-counts.js';
import { initMetrics, registerDecisions, resolveMetrics, type SamplingMetrics } from './metrics.js';
import { OT_KEY, readOtValue, withOtValue } from './ot-trace-state.js';
import { TokenBucket } from './token-bucket.js';

/** Options of {@link createRateLimitingSampler}. */
export interface RateLimitingSamplerOptions {
  /** Traces (decisions) admitted per second, sustained. */
  readonly tracesPerSecond: number;
  /** Decisions admitted at once after a quiet period (the bucket's capacity). @default max(1, tracesPerSecond) */
  readonly burst?: number | undefined;
  /** Monotonic clock in milliseconds. @default performance.now */
  readonly now?: (() => number) | undefined;
  /** Where self-metrics go. @default its own, reporting through `obs.meterProvider` once given to `init()` */
  readonly metrics?: SamplingMetrics | undefined;
  /** @default 'ratelimiting/<n>' */
  readonly name?: string | undefined;
}

class RateLimitingSampler implements Sampler, InitAware {
  readonly #bucket: TokenBucket;
  readonly #now: () => number;
  readonly #counts = new DecisionCounts();
  readonly #description: string;
  readonly #metrics: SamplingMetrics;

  constructor(rate: number, burst: number, now: () => number, name: string, metrics: SamplingMetrics) {
    this.#now = now;
    this.#bucket = new TokenBucket(rate, burst, now());
    this.#description = `RateLimitingSampler{tracesPerSecond=${rate}, burst=${burst}}`;
    this.#metrics = metrics;
    registerDecisions(metrics, name, this.#counts);
  }

  shouldSample(
    context: Context,
    _traceId: string,
    _spanName: string,
    _spanKind: SpanKind,
    _attributes: Attributes,
    _links: Link[],
  ): SamplingResult {
    const keep = this.#bucket.tryTake(1, this.#now());
    this.#counts.add(keep ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD);
    const parent = trace.getSpanContext(context);
    // Rate limiting is not probability sampling: whatever `th` the parent carried no longer describes
    // this span, so it is erased (other tracestate members and `ot` sub-keys stay).
    const raw = validParent(parent) ? parent.traceState?.get(OT_KEY) : undefined;
    if (raw !== undefined) {
      const ot = readOtValue(raw);
      const value = ot.valueWith(undefined, ot.rv);
      if (value !== raw) {
        return {
          decision: keep ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD,
          traceState: withOtValue(parent!.traceState!, value),
        };
      }
    }
    return keep ? RECORD_AND_SAMPLED : NOT_RECORD;
  }

  /** Given to `init()` (alone or inside a composed sampler): reports through `obs.meterProvider`. */
  onInit(obs: Observability): void {
    initMetrics(this.#metrics, obs);
  }

  toString(): string {
    return this.#description;
  }
}

/** Rate-limiting defaults. */
export const RATE_LIMITING_DEFAULTS = Object.freeze({
  burst: (tracesPerSecond: number): number => Math.max(1, tracesPerSecond),
});

/**
 * A token-bucket sampler: at most `tracesPerSecond` sampled decisions per second sustained, plus `burst`
 * at once; over any interval of T seconds no more than tracesPerSecond·T + burst. Use it as the root of a
 * parent-based sampler so that children follow their trace's decision.
 * @example createParentBasedSampler({ root: createRateLimitingSampler({ tracesPerSecond: 100 }) })
 */
export function createRateLimitingSampler(options: RateLimitingSamplerOptions): Sampler {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', options, 'an object');
  const rate = checkNumber('tracesPerSecond', options.tracesPerSecond, 0, Infinity);
  const burst = checkNumber('burst', options.burst ?? RATE_LIMITING_DEFAULTS.burst(rate), 0, Infinity);
  if (burst < 1 && rate > 0) throw invalidOption('burst', burst, 'at least 1 when tracesPerSecond > 0');
  const now = options.now ?? (() => performance.now());
  if (typeof now !== 'function') throw invalidOption('now', now, 'a function returning milliseconds');
  return new RateLimitingSampler(
    rate,
    burst,
    now,
    options.name ?? nextComponentName('ratelimiting'),
    resolveMetrics(options.metrics),
  );
}
