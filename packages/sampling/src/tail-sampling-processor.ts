import { type Context, diag, SpanStatusCode } from '@opentelemetry/api';
import {
  type ReadableSpan,
  SamplingDecision,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type InitAware, type Observability } from '@trisignal/core';
import { DecisionCache } from './decision-cache.js';
import { checkInteger, invalidOption } from './errors.js';
import { DecisionCounts, nextComponentName } from './internal/decision-counts.js';
import {
  initMetrics,
  registerDecisions,
  registerTail,
  resolveMetrics,
  type SamplingMetrics,
  type TailStatsSource,
} from './metrics.js';
import { estimateSpanBytes } from './span-size.js';
import { type CompiledPolicies, compilePolicies, type TailPolicy, type TailTrace } from './tail-policy.js';

/** Options of {@link createTailSamplingProcessor}. */
export interface TailSamplingOptions {
  /** Receives every span of every kept trace (`onEnd` only), e.g. a BatchSpanProcessor. */
  readonly downstream: SpanProcessor;
  /** Evaluated per trace; see {@link TailPolicy}. */
  readonly policies: readonly TailPolicy[];
  /** Longest a trace waits for a decision, from its first span's end. @default 30000 (Collector `decision_wait`) */
  readonly decisionWaitMillis?: number | undefined;
  /** Wait after the local root span ended, for its stragglers. @default 1000 */
  readonly graceMillis?: number | undefined;
  /** Traces buffered at most. @default 10000 */
  readonly maxTraces?: number | undefined;
  /** Spans buffered at most. @default 100000 */
  readonly maxSpans?: number | undefined;
  /** Estimated bytes buffered at most. @default 33554432 (32 MiB) */
  readonly maxBytes?: number | undefined;
  /** Trace ids remembered as kept, for late spans. @default 10000 */
  readonly sampledCacheSize?: number | undefined;
  /** Trace ids remembered as dropped, for late spans. @default 10000 */
  readonly notSampledCacheSize?: number | undefined;
  /** How often due traces are decided. @default 100 */
  readonly checkIntervalMillis?: number | undefined;
  /** Start the unref'd check timer. `false`: call `tick()` yourself. @default true */
  readonly autoTick?: boolean | undefined;
  /** Monotonic clock in milliseconds. @default performance.now */
  readonly now?: (() => number) | undefined;
  /** Where self-metrics go. @default its own, reporting through `obs.meterProvider` once given to `init()` */
  readonly metrics?: SamplingMetrics | undefined;
  /** @default 'tail/<n>' */
  readonly name?: string | undefined;
}

/** Tail sampling defaults. */
export const TAIL_SAMPLING_DEFAULTS = Object.freeze({
  decisionWaitMillis: 30_000,
  graceMillis: 1000,
  maxTraces: 10_000,
  maxSpans: 100_000,
  maxBytes: 32 * 1024 * 1024,
  sampledCacheSize: 10_000,
  notSampledCacheSize: 10_000,
  checkIntervalMillis: 100,
  autoTick: true,
});

/** Counters and occupancy of a tail processor. */
export interface TailSamplingStats {
  readonly traces: number;
  readonly spans: number;
  readonly bytes: number;
  /** Traces kept and dropped (decided). */
  readonly sampled: number;
  readonly dropped: number;
  /** Traces a bound forced to an early decision. */
  readonly evicted: number;
  /** Spans that arrived after their trace was decided, forwarded or dropped per the cached decision. */
  readonly lateSampled: number;
  readonly lateDropped: number;
}

/** An in-process tail sampler. */
export interface TailSamplingProcessor extends SpanProcessor, InitAware, AsyncDisposable {
  /**
   * Called by `init()` with the finished handle: self-metrics without a meter report through
   * `obs.meterProvider`; forwarded to the downstream processor when it has an `onInit`.
   */
  onInit(obs: Observability): void;
  /** Decides every trace that is due now (the timer calls this every `checkIntervalMillis`). */
  tick(): void;
  stats(): TailSamplingStats;
}

type Bound = 'traces' | 'spans' | 'bytes';

class TraceBuffer implements TailTrace {
  readonly traceId: string;
  readonly spans: ReadableSpan[] = [];
  readonly firstSeen: number;
  bytes = 0;
  readyAt = Infinity;
  decided = false;
  durationMillis = 0;
  hasError = false;
  #start = Infinity;
  #end = -Infinity;

  constructor(traceId: string, now: number) {
    this.traceId = traceId;
    this.firstSeen = now;
  }

  add(span: ReadableSpan, bytes: number): void {
    this.spans.push(span);
    this.bytes += bytes;
    const start = span.startTime[0] * 1e3 + span.startTime[1] / 1e6;
    const end = span.endTime[0] * 1e3 + span.endTime[1] / 1e6;
    if (start < this.#start) this.#start = start;
    if (end > this.#end) this.#end = end;
    this.durationMillis = this.#end - this.#start;
    if (span.status.code === SpanStatusCode.ERROR) this.hasError = true;
  }
}

interface Resolved {
  readonly decisionWaitMillis: number;
  readonly graceMillis: number;
  readonly maxTraces: number;
  readonly maxSpans: number;
  readonly maxBytes: number;
  readonly checkIntervalMillis: number;
}

class TailSampler implements TailSamplingProcessor {
  readonly #downstream: SpanProcessor;
  readonly #policies: CompiledPolicies;
  readonly #o: Resolved;
  readonly #now: () => number;
  readonly #traces = new Map<string, TraceBuffer>();
  /** Traces whose local root ended, in due order (grace is constant and the clock monotonic). */
  #ready: TraceBuffer[] = [];
  #readyHead = 0;
  readonly #sampledCache: DecisionCache;
  readonly #notSampledCache: DecisionCache;
  readonly #counts = new DecisionCounts();
  readonly #evictions = new Map<string, number>();
  readonly #metrics: SamplingMetrics;
  #spans = 0;
  #bytes = 0;
  #evicted = 0;
  #lateSampled = 0;
  #lateDropped = 0;
  #timer: NodeJS.Timeout | undefined;
  #shutdown: Promise<void> | undefined;
  #warnedPolicy = false;
  #warnedDownstream = false;

  constructor(
    downstream: SpanProcessor,
    policies: CompiledPolicies,
    o: Resolved,
    caches: { sampled: number; notSampled: number },
    now: () => number,
    autoTick: boolean,
    name: string,
    metrics: SamplingMetrics,
  ) {
    this.#downstream = downstream;
    this.#policies = policies;
    this.#o = o;
    this.#now = now;
    this.#sampledCache = new DecisionCache(caches.sampled);
    this.#notSampledCache = new DecisionCache(caches.notSampled);
    this.#metrics = metrics;
    registerDecisions(metrics, name, this.#counts);
    registerTail(metrics, name, (): TailStatsSource => ({
      traces: this.#traces.size,
      spans: this.#spans,
      bytes: this.#bytes,
      evictions: this.#evictions,
      lateSampled: this.#lateSampled,
      lateDropped: this.#lateDropped,
    }));
    if (autoTick) {
      this.#timer = setInterval(() => this.tick(), o.checkIntervalMillis);
      this.#timer.unref();
    }
  }

  onInit(obs: Observability): void {
    initMetrics(this.#metrics, obs);
    // init() only sees this processor; a downstream that wants the handle gets it through us.
    const downstream = this.#downstream as Partial<InitAware>;
    if (typeof downstream.onInit === 'function') downstream.onInit(obs);
  }

  onStart(_span: Span, _parentContext: Context): void {
    // Nothing to do until spans end; the downstream processor is not told about spans that may be dropped.
  }

  onEnd(span: ReadableSpan): void {
    if (this.#shutdown !== undefined) return;
    const traceId = span.spanContext().traceId;
    if (this.#sampledCache.has(traceId)) {
      this.#lateSampled++;
      this.#forward(span);
      return;
    }
    if (this.#notSampledCache.has(traceId)) {
      this.#lateDropped++;
      return;
    }
    let trace = this.#traces.get(traceId);
    if (trace === undefined) {
      if (this.#traces.size >= this.#o.maxTraces) this.#evict('traces');
      trace = new TraceBuffer(traceId, this.#now());
      this.#traces.set(traceId, trace);
    }
    const bytes = estimateSpanBytes(span);
    trace.add(span, bytes);
    this.#spans++;
    this.#bytes += bytes;
    const parent = span.parentSpanContext;
    if ((parent === undefined || parent.isRemote === true) && trace.readyAt === Infinity) {
      // The local root ended: the trace is complete in this process, bar stragglers.
      trace.readyAt = this.#now() + this.#o.graceMillis;
      this.#ready.push(trace);
    }
    while (this.#spans > this.#o.maxSpans && this.#traces.size > 0) this.#evict('spans');
    while (this.#bytes > this.#o.maxBytes && this.#traces.size > 0) this.#evict('bytes');
    if (this.#o.graceMillis === 0 && trace.readyAt !== Infinity && !trace.decided) this.#decide(trace);
  }

  tick(): void {
    const now = this.#now();
    while (this.#readyHead < this.#ready.length) {
      const trace = this.#ready[this.#readyHead]!;
      if (!trace.decided && trace.readyAt > now) break;
      this.#readyHead++;
      if (!trace.decided) this.#decide(trace);
    }
    this.#compactReady();
    const deadline = now - this.#o.decisionWaitMillis;
    for (const trace of this.#traces.values()) {
      if (trace.firstSeen > deadline) break; // insertion order is first-seen order
      this.#decide(trace);
    }
  }

  #compactReady(): void {
    if (this.#readyHead > 1024 && this.#readyHead * 2 > this.#ready.length) {
      this.#ready = this.#ready.slice(this.#readyHead);
      this.#readyHead = 0;
    }
  }

  /**
   * Makes room by deciding one trace early: the oldest whose local root already ended (its data is
   * complete, so the decision is the one it would have had), else the oldest of all (decided on what
   * has arrived; its later spans follow that decision through the cache).
   */
  #evict(bound: Bound): void {
    let victim: TraceBuffer | undefined;
    while (this.#readyHead < this.#ready.length) {
      const candidate = this.#ready[this.#readyHead]!;
      if (!candidate.decided) {
        victim = candidate;
        break;
      }
      this.#readyHead++;
    }
    victim ??= this.#traces.values().next().value;
    if (victim === undefined) return;
    const kept = this.#decide(victim);
    this.#evicted++;
    const key = `${bound}:${kept ? 'sampled' : 'dropped'}`;
    this.#evictions.set(key, (this.#evictions.get(key) ?? 0) + 1);
  }

  #evaluate(trace: TraceBuffer): boolean {
    try {
      for (const drop of this.#policies.drops) if (drop(trace)) return false;
      for (const sample of this.#policies.samples) if (sample(trace)) return true;
      return false;
    } catch (error) {
      if (!this.#warnedPolicy) {
        this.#warnedPolicy = true;
        diag.warn('trisignal sampling: a tail policy threw; the trace is dropped', error);
      }
      return false;
    }
  }

  #decide(trace: TraceBuffer): boolean {
    trace.decided = true;
    this.#traces.delete(trace.traceId);
    this.#spans -= trace.spans.length;
    this.#bytes -= trace.bytes;
    const kept = this.#evaluate(trace);
    this.#counts.add(kept ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD);
    if (kept) {
      this.#sampledCache.add(trace.traceId);
      for (const span of trace.spans) this.#forward(span);
    } else {
      this.#notSampledCache.add(trace.traceId);
    }
    // The ready queue may still point at this buffer for a while; let its spans go now.
    trace.spans.length = 0;
    return kept;
  }

  #forward(span: ReadableSpan): void {
    try {
      this.#downstream.onEnd(span);
    } catch (error) {
      if (!this.#warnedDownstream) {
        this.#warnedDownstream = true;
        diag.warn('trisignal sampling: the downstream span processor threw in onEnd', error);
      }
    }
  }

  stats(): TailSamplingStats {
    return {
      traces: this.#traces.size,
      spans: this.#spans,
      bytes: this.#bytes,
      sampled: this.#counts.sampled,
      dropped: this.#counts.dropped,
      evicted: this.#evicted,
      lateSampled: this.#lateSampled,
      lateDropped: this.#lateDropped,
    };
  }

  /** Decides the traces whose local root ended (without waiting out the grace), then flushes downstream. */
  forceFlush(): Promise<void> {
    if (this.#shutdown !== undefined) return this.#shutdown;
    for (let i = this.#readyHead; i < this.#ready.length; i++) {
      const trace = this.#ready[i]!;
      if (!trace.decided) this.#decide(trace);
    }
    this.#ready = [];
    this.#readyHead = 0;
    return this.#downstream.forceFlush();
  }

  /** Stops the timer, decides every buffered trace on what it has, then shuts the downstream down. Idempotent. */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      if (this.#timer !== undefined) clearInterval(this.#timer);
      this.#timer = undefined;
      for (const trace of [...this.#traces.values()]) this.#decide(trace);
      this.#ready = [];
      this.#readyHead = 0;
      await this.#downstream.shutdown();
    })();
    return this.#shutdown;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  toString(): string {
    const o = this.#o;
    return `TailSamplingProcessor{decisionWaitMillis=${o.decisionWaitMillis}, graceMillis=${o.graceMillis}, maxTraces=${o.maxTraces}, maxSpans=${o.maxSpans}, maxBytes=${o.maxBytes}}`;
  }
}

function isSpanProcessor(value: unknown): value is SpanProcessor {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SpanProcessor).onEnd === 'function' &&
    typeof (value as SpanProcessor).forceFlush === 'function' &&
    typeof (value as SpanProcessor).shutdown === 'function'
  );
}

/**
 * An in-process tail sampler. Spans are buffered by trace id until the local root span has ended plus
 * `graceMillis`, or `decisionWaitMillis` after the trace's first span; then the policies keep or drop the
 * whole trace and kept spans go to `downstream`. The buffer is bounded by traces, spans and estimated
 * bytes: at a bound the oldest complete trace (else the oldest trace) is decided early and counted. A
 * decision cache routes late spans. It sees one process: across services the same job belongs to an
 * OpenTelemetry Collector behind a load balancer that routes by trace id.
 * @example
 * const tail = createTailSamplingProcessor({
 *   downstream: new BatchSpanProcessor(exporter),
 *   policies: [
 *     { type: 'status_code', statusCodes: ['ERROR'] },
 *     { type: 'latency', thresholdMillis: 500 },
 *     { type: 'probabilistic', ratio: 0.05 },
 *   ],
 * });
 * init({ spanProcessors: [tail] }); // head sampler: parent-based always-on; metrics via obs.meterProvider
 */
export function createTailSamplingProcessor(options: TailSamplingOptions): TailSamplingProcessor {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', options, 'an object');
  if (!isSpanProcessor(options.downstream)) {
    throw invalidOption('downstream', options.downstream, 'a SpanProcessor (onEnd, forceFlush, shutdown)');
  }
  const now = options.now ?? (() => performance.now());
  if (typeof now !== 'function') throw invalidOption('now', now, 'a function returning milliseconds');
  const autoTick = options.autoTick ?? TAIL_SAMPLING_DEFAULTS.autoTick;
  if (typeof autoTick !== 'boolean') throw invalidOption('autoTick', autoTick, 'a boolean');
  const d = TAIL_SAMPLING_DEFAULTS;
  const resolved: Resolved = {
    decisionWaitMillis: checkInteger(
      'decisionWaitMillis',
      options.decisionWaitMillis ?? d.decisionWaitMillis,
      0,
    ),
    graceMillis: checkInteger('graceMillis', options.graceMillis ?? d.graceMillis, 0),
    maxTraces: checkInteger('maxTraces', options.maxTraces ?? d.maxTraces, 1),
    maxSpans: checkInteger('maxSpans', options.maxSpans ?? d.maxSpans, 1),
    maxBytes: checkInteger('maxBytes', options.maxBytes ?? d.maxBytes, 1),
    checkIntervalMillis: checkInteger(
      'checkIntervalMillis',
      options.checkIntervalMillis ?? d.checkIntervalMillis,
      1,
    ),
  };
  const caches = {
    sampled: checkInteger('sampledCacheSize', options.sampledCacheSize ?? d.sampledCacheSize, 0),
    notSampled: checkInteger('notSampledCacheSize', options.notSampledCacheSize ?? d.notSampledCacheSize, 0),
  };
  const policies = compilePolicies(options.policies, now);
  return new TailSampler(
    options.downstream,
    policies,
    resolved,
    caches,
    now,
    autoTick,
    options.name ?? nextComponentName('tail'),
    resolveMetrics(options.metrics),
  );
}
