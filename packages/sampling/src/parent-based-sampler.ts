import {
  type Attributes,
  type Context,
  type Link,
  type SpanKind,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import { type Observability } from '@trisignal/core';
import { checkParentThreshold, NOT_RECORD, RECORD_AND_SAMPLED, validParent } from './consistent.js';
import { invalidOption } from './errors.js';
import { DecisionCounts, nextComponentName } from './internal/decision-counts.js';
import { SamplerDelegates } from './internal/delegates.js';
import { type ManagedSampler } from './managed-sampler.js';
import { initMetrics, registerDecisions, resolveMetrics, type SamplingMetrics } from './metrics.js';
import { type SeriesFeed } from './series-feed.js';

/** Options of {@link createParentBasedSampler}. */
export interface ParentBasedSamplerOptions {
  /** Decides for spans without a (valid) parent. */
  readonly root: Sampler;
  /** For a remote sampled parent. @default follow the parent (sampled), with its `th` checked */
  readonly remoteParentSampled?: Sampler | undefined;
  /** For a remote unsampled parent. @default follow the parent (dropped) */
  readonly remoteParentNotSampled?: Sampler | undefined;
  /** For a local sampled parent. @default follow the parent (sampled), with its `th` checked */
  readonly localParentSampled?: Sampler | undefined;
  /** For a local unsampled parent. @default follow the parent (dropped) */
  readonly localParentNotSampled?: Sampler | undefined;
  /** Where self-metrics go. @default its own, reporting through `obs.meterProvider` once given to `init()` */
  readonly metrics?: SamplingMetrics | undefined;
  /** @default 'parentbased/<n>' */
  readonly name?: string | undefined;
}

function isSampler(value: unknown): value is Sampler {
  return typeof value === 'object' && value !== null && typeof (value as Sampler).shouldSample === 'function';
}

class ParentBasedSampler implements ManagedSampler {
  readonly #root: Sampler;
  readonly #remoteSampled: Sampler | undefined;
  readonly #remoteNotSampled: Sampler | undefined;
  readonly #localSampled: Sampler | undefined;
  readonly #localNotSampled: Sampler | undefined;
  readonly #counts = new DecisionCounts();
  readonly #metrics: SamplingMetrics;
  readonly #delegates: SamplerDelegates;

  constructor(options: ParentBasedSamplerOptions, name: string) {
    this.#root = options.root;
    this.#remoteSampled = options.remoteParentSampled;
    this.#remoteNotSampled = options.remoteParentNotSampled;
    this.#localSampled = options.localParentSampled;
    this.#localNotSampled = options.localParentNotSampled;
    this.#metrics = resolveMetrics(options.metrics);
    registerDecisions(this.#metrics, name, this.#counts);
    this.#delegates = new SamplerDelegates([
      this.#root,
      this.#remoteSampled,
      this.#remoteNotSampled,
      this.#localSampled,
      this.#localNotSampled,
    ]);
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    const parent = trace.getSpanContext(context);
    let result: SamplingResult;
    if (!validParent(parent)) {
      result = this.#root.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    } else {
      const sampled = (parent.traceFlags & TraceFlags.SAMPLED) !== 0;
      const delegate = parent.isRemote
        ? sampled
          ? this.#remoteSampled
          : this.#remoteNotSampled
        : sampled
          ? this.#localSampled
          : this.#localNotSampled;
      if (delegate !== undefined) {
        result = delegate.shouldSample(context, traceId, spanName, spanKind, attributes, links);
      } else {
        // Follow the parent. The tracer copies the parent's tracestate when we return none, so only a
        // `th` that contradicts the sampled flag (or a malformed one) costs a new tracestate.
        const fixed = parent.traceState === undefined ? undefined : checkParentThreshold(parent, traceId);
        if (fixed === undefined) result = sampled ? RECORD_AND_SAMPLED : NOT_RECORD;
        else
          result = {
            decision: sampled ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD,
            traceState: fixed,
          };
      }
    }
    this.#counts.add(result.decision);
    return result;
  }

  onInit(obs: Observability): void {
    initMetrics(this.#metrics, obs);
    this.#delegates.onInit(obs);
  }

  attach(feed: SeriesFeed): void {
    this.#delegates.attach(feed);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.#delegates.shutdown();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  toString(): string {
    const part = (s: Sampler | undefined): string => (s === undefined ? 'followParent' : s.toString());
    return (
      `ParentBased{root=${this.#root.toString()}, remoteParentSampled=${part(this.#remoteSampled)}, ` +
      `remoteParentNotSampled=${part(this.#remoteNotSampled)}, localParentSampled=${part(this.#localSampled)}, ` +
      `localParentNotSampled=${part(this.#localNotSampled)}}`
    );
  }
}

/**
 * A parent-based sampler: spans with a parent follow its decision, roots go to `root`. Unlike the
 * upstream one it checks an incoming `th` against the sampled flag (R ≥ T must match) and erases it when
 * it is inconsistent or malformed, as the consistent-sampling specification asks of parent-based stages.
 * It forwards `onInit`, `attach` and `shutdown` to its delegates (each once), so an adaptive root given to
 * `init()` this way is fed, metered and stopped by core.
 * @example
 * init({ sampler: createParentBasedSampler({ root: createAdaptiveSampler({ targetTracesPerSecond: 10 }) }) })
 */
export function createParentBasedSampler(options: ParentBasedSamplerOptions): ManagedSampler {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', options, 'an object');
  if (!isSampler(options.root)) throw invalidOption('root', options.root, 'a Sampler');
  for (const field of [
    'remoteParentSampled',
    'remoteParentNotSampled',
    'localParentSampled',
    'localParentNotSampled',
  ] as const) {
    const value = options[field];
    if (value !== undefined && !isSampler(value)) throw invalidOption(field, value, 'a Sampler');
  }
  return new ParentBasedSampler(options, options.name ?? nextComponentName('parentbased'));
}

export { isSampler };
