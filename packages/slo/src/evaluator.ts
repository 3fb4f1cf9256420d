import { ERROR_TYPE_SHED } from '@trisignal/core';
import { diag, type Meter } from '@opentelemetry/api';
import { parseDuration } from './duration.js';
import { invalidOption } from './errors.js';
import { quantileFromBuckets, quantileOf } from './histogram-quantile.js';
import { SloMetrics } from './metrics.js';
import { SnapshotRing } from './ring.js';
import { isSloSpec, type SloObjective, type SloSpec } from './spec.js';

/** The part of a core recorder series the evaluator reads (core's `GoldenSeriesView` satisfies it). */
export interface LiveSeries {
  readonly sloClass: string | undefined;
  readonly isError: boolean;
  readonly errorType?: string | undefined;
  /** Cumulative duration histogram: `counts[i]` counts values in (bounds[i-1], bounds[i]]; the last slot is above every bound. */
  readonly duration: {
    readonly bounds: readonly number[];
    readonly counts: ArrayLike<number>;
    readonly count: number;
  };
}

/** Where live golden signals come from: `obs.recorder` fits, and so does a synthetic feed in tests. */
export interface GoldenSignalSource {
  forEachSeries(kind: 'http.server' | 'rpc.server', visit: (series: LiveSeries) => void): void;
  forEachActive?(
    kind: 'http.server' | 'rpc.server',
    visit: (counter: { readonly value: number }) => void,
  ): void;
}

/** The saturation figures the health score reads (core's `SaturationSnapshot` fits). */
export interface SaturationReading {
  readonly eventLoopDelayP99Seconds: number;
  /** The delay monitor's resolution, subtracted from the p99: an idle loop reads about this much. */
  readonly eventLoopDelayResolutionSeconds: number;
  readonly eventLoopUtilization: number;
  readonly heapUsedRatio: number;
}

/** Where saturation comes from: `obs.runtime` fits. */
export interface SaturationSource {
  saturation(): SaturationReading;
}

/** Milliseconds from a monotonic clock. */
export interface SloClock {
  now(): number;
}

/** `error.type` a middleware should record on responses it shed, so shedding never feeds back into the error burn rate. */
export const SHED_ERROR_TYPE = ERROR_TYPE_SHED;

/** Options of {@link createSloEvaluator}. */
export interface SloEvaluatorOptions {
  readonly spec: SloSpec;
  /** Live series, e.g. `obs.recorder`. */
  readonly source: GoldenSignalSource;
  /** Saturation, e.g. `obs.runtime`. @default none */
  readonly saturation?: SaturationSource | undefined;
  /** @default performance (monotonic) */
  readonly clock?: SloClock | undefined;
  /** How often counters are read and windows advance; must divide 60000. @default 1000 */
  readonly tickMillis?: number | undefined;
  /** Start an unref'd timer that ticks; `false` for manual `tick()` (tests, fake clocks). @default true */
  readonly autoStart?: boolean | undefined;
  /** Rolling windows for burn rates (tick resolution up to 10m, minute resolution beyond). @default ['1m', '5m', '30m', '1h', '6h'] */
  readonly windows?: readonly string[] | undefined;
  /** Window of the live latency quantile. @default '1m' */
  readonly latencyWindow?: string | undefined;
  /** Requests a latency window needs before its quantile counts as a baseline sample. @default 20 */
  readonly minLatencySamples?: number | undefined;
  /** Minute samples the baseline needs before it is used. @default 5 */
  readonly minBaselineSamples?: number | undefined;
  /** Series to ignore. @default series whose `errorType` is SHED_ERROR_TYPE */
  readonly excludeSeries?: ((series: LiveSeries) => boolean) | undefined;
  /** Exports burn rates, budget remaining and latency as gauges. @default none */
  readonly meter?: Meter | undefined;
}

/** Defaults of {@link SloEvaluatorOptions}. */
export const SLO_EVALUATOR_DEFAULTS = Object.freeze({
  tickMillis: 1000,
  autoStart: true,
  windows: Object.freeze(['1m', '5m', '30m', '1h', '6h']),
  latencyWindow: '1m',
  minLatencySamples: 20,
  minBaselineSamples: 5,
});

/** Counts of one class over a window. */
export interface WindowStats {
  requests: number;
  errors: number;
  /** Requests above each latency objective's threshold, in the class's objective order. */
  readonly slow: Float64Array;
}

/** Live state of one objective. */
export interface ObjectiveLiveState {
  readonly objective: SloObjective;
  /** Burn rate per configured window (NaN without requests). */
  readonly burnRates: readonly {
    readonly window: string;
    readonly seconds: number;
    readonly value: number;
  }[];
  /** 1 − burn over the period (since start when younger), negative once overspent; NaN without requests. */
  readonly budgetRemaining: number;
}

/** Live state of one class. */
export interface ClassLiveState {
  readonly className: string;
  /** Requests per second over the last minute. */
  readonly requestRate: number;
  /** Median requests per second of the baseline minutes (NaN until enough samples). */
  readonly baselineRequestRate: number;
  readonly latency: { readonly quantile: number; readonly value: number; readonly baseline: number };
  readonly objectives: readonly ObjectiveLiveState[];
}

/** What the evaluator knows now. */
export interface SloEvaluatorSnapshot {
  readonly timeMillis: number;
  readonly ticks: number;
  readonly classes: readonly ClassLiveState[];
  /** Requests in flight (HTTP + RPC server) at the last tick. */
  readonly inFlight: number;
  readonly saturation: SaturationReading | undefined;
  /** Recorder series the evaluator could not fully use (another bucket layout). */
  readonly skippedSeries: number;
}

/** The live, in-process SLO evaluator. */
export interface SloEvaluator extends AsyncDisposable {
  readonly spec: SloSpec;
  /** Reads the counters and advances the windows when at least one tick has elapsed. */
  tick(): void;
  /** Counts of a class over the last `seconds`, limited to the time since `sinceMillis` (clock time) when given. */
  window(className: string, seconds: number, sinceMillis?: number): WindowStats | undefined;
  /** The live pN latency of a class over `latencyWindow`, limited to the time since `sinceMillis`. */
  latency(className: string, sinceMillis?: number): { readonly value: number; readonly baseline: number };
  /** Requests per second over the last minute and its baseline. */
  traffic(className: string): { readonly rate: number; readonly baseline: number };
  snapshot(): SloEvaluatorSnapshot;
  readonly inFlight: number;
  readonly saturation: SaturationReading | undefined;
  readonly ticks: number;
  /** Called after every tick that advanced; returns an unsubscribe function. */
  onTick(listener: () => void): () => void;
  shutdown(): Promise<void>;
  forceFlush(): Promise<void>;
}

interface SeriesState {
  readonly classIndex: number;
  readonly counts: Float64Array;
  count: number;
  /** Bucket index of each latency threshold of the class in this series' bounds, -1 when absent. */
  readonly thresholdIndex: Int32Array;
  readonly sameBounds: boolean;
}

interface ClassState {
  readonly name: string;
  readonly objectives: readonly SloObjective[];
  readonly latencyThresholds: readonly number[];
  /** [requests, errors, slow_0..slow_L-1, bucket_0..bucket_B] cumulative since start. */
  readonly cum: Float64Array;
  readonly counterWidth: number;
  readonly seconds: SnapshotRing;
  readonly minutes: SnapshotRing | undefined;
  readonly hours: SnapshotRing;
  readonly latencySamples: Float64Array;
  readonly trafficSamples: Float64Array;
  baseline: number;
  baselineRate: number;
}

const defaultClock: SloClock = { now: () => performance.now() };

class Evaluator implements SloEvaluator {
  readonly spec: SloSpec;
  readonly #source: GoldenSignalSource;
  readonly #saturationSource: SaturationSource | undefined;
  readonly #clock: SloClock;
  readonly #tickMillis: number;
  readonly #ticksPerMinute: number;
  readonly #ticksPerHour: number;
  readonly #windows: readonly { window: string; seconds: number }[];
  readonly #latencyTicks: number;
  readonly #minLatencySamples: number;
  readonly #minBaselineSamples: number;
  readonly #exclude: (series: LiveSeries) => boolean;
  readonly #classes: ClassState[];
  readonly #classIndex = new Map<string, number>();
  readonly #defaultIndex: number;
  readonly #series = new WeakMap<object, SeriesState>();
  readonly #listeners = new Set<() => void>();
  readonly #metrics: SloMetrics;
  readonly #bucketCount: number;
  readonly #scratch: Float64Array;
  #prefix = new Float64Array(0);
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastTick: number | undefined;
  #ticks = 0;
  #inFlight = 0;
  #saturation: SaturationReading | undefined;
  #skipped = 0;
  #warnedSkipped = false;
  #shutdown: Promise<void> | undefined;
  #cachedSnapshot: SloEvaluatorSnapshot | undefined;

  constructor(options: SloEvaluatorOptions) {
    const spec: SloSpec = options.spec;
    if (!isSloSpec(spec)) {
      throw invalidOption('spec', spec, 'a spec returned by defineSlo()');
    }
    const source = options.source as Partial<GoldenSignalSource> | undefined;
    if (typeof source?.forEachSeries !== 'function')
      throw invalidOption('source', options.source, 'an object with forEachSeries() (obs.recorder)');
    if (
      options.saturation !== undefined &&
      typeof (options.saturation as Partial<SaturationSource>).saturation !== 'function'
    ) {
      throw invalidOption('saturation', options.saturation, 'an object with saturation() (obs.runtime)');
    }
    this.spec = spec;
    this.#source = options.source;
    this.#saturationSource = options.saturation;
    this.#clock = options.clock ?? defaultClock;
    if (typeof this.#clock.now !== 'function')
      throw invalidOption('clock', options.clock, 'an object with now()');
    const tickMillis = options.tickMillis ?? SLO_EVALUATOR_DEFAULTS.tickMillis;
    if (!Number.isInteger(tickMillis) || tickMillis < 1 || 60_000 % tickMillis !== 0) {
      throw invalidOption('tickMillis', tickMillis, 'a positive integer that divides 60000');
    }
    this.#tickMillis = tickMillis;
    this.#ticksPerMinute = 60_000 / tickMillis;
    this.#ticksPerHour = 3_600_000 / tickMillis;
    const windows = options.windows ?? SLO_EVALUATOR_DEFAULTS.windows;
    if (!Array.isArray(windows) || windows.length === 0)
      throw invalidOption('windows', windows, 'a non-empty list of durations');
    this.#windows = (windows as readonly unknown[]).map((w, i) => {
      const seconds = parseDuration(w);
      if (seconds === undefined || (seconds * 1000) % tickMillis !== 0 || seconds > 30 * 86_400) {
        throw invalidOption(
          `windows[${i}]`,
          w,
          'a duration such as "5m", a whole number of ticks, at most 30d',
        );
      }
      return { window: w as string, seconds };
    });
    const latencySeconds = parseDuration(options.latencyWindow ?? SLO_EVALUATOR_DEFAULTS.latencyWindow);
    if (latencySeconds === undefined || latencySeconds > 600 || (latencySeconds * 1000) % tickMillis !== 0) {
      throw invalidOption(
        'latencyWindow',
        options.latencyWindow,
        'a duration of at most 10m, a whole number of ticks',
      );
    }
    this.#latencyTicks = (latencySeconds * 1000) / tickMillis;
    this.#minLatencySamples = nonNegativeInteger(
      'minLatencySamples',
      options.minLatencySamples ?? SLO_EVALUATOR_DEFAULTS.minLatencySamples,
    );
    this.#minBaselineSamples = nonNegativeInteger(
      'minBaselineSamples',
      options.minBaselineSamples ?? SLO_EVALUATOR_DEFAULTS.minBaselineSamples,
    );
    this.#exclude = options.excludeSeries ?? ((s) => s.errorType === SHED_ERROR_TYPE);
    if (typeof this.#exclude !== 'function')
      throw invalidOption('excludeSeries', options.excludeSeries, 'a function');

    const maxWindow = Math.max(...this.#windows.map((w) => w.seconds));
    const secondsCapacity = Math.max(Math.min(600, maxWindow), latencySeconds, 60) * (1000 / tickMillis) + 1;
    const minutesCapacity = maxWindow > 600 ? Math.ceil(maxWindow / 60) + 2 : 0;
    const hoursCapacity = Math.ceil(spec.periodSeconds / 3600) + 2;
    const lr = spec.alerting.latencyRegression;
    const baselineMinutes = Math.ceil((lr.baselineWindowSeconds + lr.baselineOffsetSeconds) / 60);
    this.#bucketCount = spec.buckets.length + 1;
    this.#scratch = new Float64Array(this.#bucketCount);
    this.#classes = spec.classes.map((c, i) => {
      this.#classIndex.set(c.name, i);
      const latencyThresholds = c.latency.map((l) => l.thresholdSeconds);
      const counterWidth = 2 + latencyThresholds.length;
      const width = counterWidth + this.#bucketCount;
      return {
        name: c.name,
        objectives: c.objectives,
        latencyThresholds,
        cum: new Float64Array(width),
        counterWidth,
        seconds: new SnapshotRing(secondsCapacity, width),
        minutes: minutesCapacity > 0 ? new SnapshotRing(minutesCapacity, counterWidth) : undefined,
        hours: new SnapshotRing(hoursCapacity, counterWidth),
        latencySamples: new Float64Array(baselineMinutes).fill(NaN),
        trafficSamples: new Float64Array(baselineMinutes).fill(NaN),
        baseline: NaN,
        baselineRate: NaN,
      };
    });
    this.#defaultIndex = this.#classIndex.get(spec.defaultClass) ?? 0;
    this.#metrics = new SloMetrics(options.meter);
    this.#metrics.bindEvaluator(() => this.snapshot());
    if (options.autoStart ?? SLO_EVALUATOR_DEFAULTS.autoStart) {
      this.tick();
      this.#timer = setInterval(() => this.tick(), tickMillis);
      this.#timer.unref();
    }
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get saturation(): SaturationReading | undefined {
    return this.#saturation;
  }

  get ticks(): number {
    return this.#ticks;
  }

  onTick(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  tick(): void {
    try {
      this.#tick();
    } catch (error) {
      // A feed that throws must not stop the timer; the next tick tries again.
      diag.warn('trisignal slo: evaluator tick failed', error);
    }
  }

  #tick(): void {
    const now = this.#clock.now();
    if (this.#lastTick === undefined) {
      // The first tick only learns where every series stands: history before the evaluator started
      // must not land in the first second.
      this.#visitSeries(false);
      for (const c of this.#classes) {
        c.seconds.push(c.cum);
        c.minutes?.push(c.cum);
        c.hours.push(c.cum);
      }
      this.#lastTick = now;
      this.#readGauges();
      return;
    }
    const steps = Math.floor((now - this.#lastTick) / this.#tickMillis);
    if (steps < 1) return;
    this.#lastTick += steps * this.#tickMillis;
    this.#visitSeries(true);
    for (let s = 0; s < steps; s++) {
      this.#ticks++;
      for (const c of this.#classes) c.seconds.push(c.cum);
      if (this.#ticks % this.#ticksPerMinute === 0) this.#minuteBoundary();
      if (this.#ticks % this.#ticksPerHour === 0) for (const c of this.#classes) c.hours.push(c.cum);
    }
    this.#readGauges();
    this.#cachedSnapshot = undefined;
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (error) {
        diag.warn('trisignal slo: tick listener failed', error);
      }
    }
  }

  #readGauges(): void {
    let inFlight = 0;
    const add = (counter: { readonly value: number }): void => {
      inFlight += counter.value;
    };
    this.#source.forEachActive?.('http.server', add);
    this.#source.forEachActive?.('rpc.server', add);
    this.#inFlight = inFlight;
    this.#saturation = this.#saturationSource?.saturation();
  }

  #visitSeries(count: boolean): void {
    const visit = (series: LiveSeries): void => {
      if (this.#exclude(series)) return;
      let state = this.#series.get(series);
      if (state === undefined) {
        state = this.#newSeriesState(series);
        if (state === undefined) return;
        this.#series.set(series, state);
        // A series first seen after the first tick was created since the last tick: all of it is new.
        if (count) this.#account(series, state);
        else this.#remember(series, state);
        return;
      }
      if (count) this.#account(series, state);
      else this.#remember(series, state);
    };
    this.#source.forEachSeries('http.server', visit);
    this.#source.forEachSeries('rpc.server', visit);
  }

  #newSeriesState(series: LiveSeries): SeriesState | undefined {
    const classIndex =
      series.sloClass === undefined ? this.#defaultIndex : this.#classIndex.get(series.sloClass);
    if (classIndex === undefined) return undefined;
    const cls = this.#classes[classIndex]!;
    const bounds = series.duration.bounds;
    const specBuckets = this.spec.buckets;
    const sameBounds = bounds.length === specBuckets.length && bounds.every((b, i) => b === specBuckets[i]);
    const thresholdIndex = new Int32Array(cls.latencyThresholds.length);
    cls.latencyThresholds.forEach((t, j) => {
      thresholdIndex[j] = bounds.indexOf(t);
    });
    if (!sameBounds) {
      this.#skipped++;
      this.#metrics.addSkippedSeries(1);
      if (!this.#warnedSkipped) {
        this.#warnedSkipped = true;
        diag.warn(
          `trisignal slo: a recorder series uses other duration buckets than the spec (${bounds.length} vs ${specBuckets.length}); record with the spec's buckets (toCoreOptions) for exact latency SLIs`,
        );
      }
    }
    return { classIndex, counts: new Float64Array(bounds.length + 1), count: 0, thresholdIndex, sameBounds };
  }

  #remember(series: LiveSeries, state: SeriesState): void {
    const counts = series.duration.counts;
    for (let i = 0; i < state.counts.length; i++) state.counts[i] = counts[i] ?? 0;
    state.count = series.duration.count;
  }

  #account(series: LiveSeries, state: SeriesState): void {
    const delta = series.duration.count - state.count;
    if (!(delta > 0)) return;
    const cls = this.#classes[state.classIndex]!;
    const cum = cls.cum;
    cum[0]! += delta;
    if (series.isError) cum[1]! += delta;
    const counts = series.duration.counts;
    const bucketBase = cls.counterWidth;
    const n = state.counts.length;
    if (this.#prefix.length < n) this.#prefix = new Float64Array(n);
    const prefix = this.#prefix;
    let within = 0;
    for (let i = 0; i < n; i++) {
      const now = counts[i] ?? 0;
      const d = now - state.counts[i]!;
      state.counts[i] = now;
      if (state.sameBounds) cum[bucketBase + i]! += d;
      within += d;
      prefix[i] = within;
    }
    const thresholds = state.thresholdIndex;
    for (let j = 0; j < thresholds.length; j++) {
      const at = thresholds[j]!;
      // A threshold missing from this series' bounds cannot be judged: none of its requests count as slow.
      if (at >= 0) cum[2 + j]! += delta - prefix[at]!;
    }
    state.count = series.duration.count;
  }

  #minuteBoundary(): void {
    for (const c of this.#classes) {
      c.minutes?.push(c.cum, 0);
      const latency = this.#latencyOver(c, this.#latencyTicks, true);
      shift(c.latencySamples, latency);
      const lastMinute = this.#delta(c, this.#ticksPerMinute, 0);
      shift(c.trafficSamples, lastMinute);
      c.baseline = this.#baselineOf(c.latencySamples);
      c.baselineRate = this.#baselineOf(c.trafficSamples) / 60;
    }
  }

  #baselineOf(samples: Float64Array): number {
    const lr = this.spec.alerting.latencyRegression;
    const offset = Math.round(lr.baselineOffsetSeconds / 60);
    const values: number[] = [];
    for (let i = offset; i < samples.length; i++) {
      const v = samples[i]!;
      if (!Number.isNaN(v)) values.push(v);
    }
    return values.length >= Math.max(1, this.#minBaselineSamples) ? quantileOf(0.5, values) : NaN;
  }

  /** Delta of counter `index` over the last `ticks` ticks (tick ring). */
  #delta(c: ClassState, ticks: number, index: number): number {
    return c.cum[index]! - c.seconds.valueAgo(ticks, index);
  }

  #latencyOver(c: ClassState, ticks: number, forBaseline: boolean): number {
    const ring = c.seconds;
    const k = Math.min(ticks, ring.capacity - 1);
    const requests = c.cum[0]! - ring.valueAgo(k, 0);
    if (forBaseline && requests < this.#minLatencySamples) return NaN;
    const scratch = this.#scratch;
    for (let i = 0; i < this.#bucketCount; i++)
      scratch[i] = c.cum[c.counterWidth + i]! - ring.valueAgo(k, c.counterWidth + i);
    return quantileFromBuckets(this.spec.alerting.latencyRegression.quantile, this.spec.buckets, scratch);
  }

  #ticksSince(sinceMillis: number | undefined): number {
    if (sinceMillis === undefined || this.#lastTick === undefined) return Infinity;
    return Math.max(0, Math.floor((this.#lastTick - sinceMillis) / this.#tickMillis));
  }

  window(className: string, seconds: number, sinceMillis?: number): WindowStats | undefined {
    const index = this.#classIndex.get(className);
    if (index === undefined) return undefined;
    const c = this.#classes[index]!;
    const out: WindowStats = { requests: 0, errors: 0, slow: new Float64Array(c.latencyThresholds.length) };
    this.#fillWindow(
      c,
      Math.min(Math.round((seconds * 1000) / this.#tickMillis), this.#ticksSince(sinceMillis)),
      out,
    );
    return out;
  }

  #fillWindow(c: ClassState, ticks: number, out: WindowStats): void {
    let ring: SnapshotRing;
    let k: number;
    if (ticks < c.seconds.capacity) {
      ring = c.seconds;
      k = ticks;
    } else if (c.minutes !== undefined && ticks <= (c.minutes.capacity - 2) * this.#ticksPerMinute) {
      ring = c.minutes;
      k = Math.ceil((ticks - (this.#ticks % this.#ticksPerMinute)) / this.#ticksPerMinute);
    } else {
      ring = c.hours;
      k = Math.ceil((ticks - (this.#ticks % this.#ticksPerHour)) / this.#ticksPerHour);
    }
    out.requests = c.cum[0]! - ring.valueAgo(k, 0);
    out.errors = c.cum[1]! - ring.valueAgo(k, 1);
    for (let j = 0; j < c.latencyThresholds.length; j++)
      out.slow[j] = c.cum[2 + j]! - ring.valueAgo(k, 2 + j);
  }

  latency(className: string, sinceMillis?: number): { readonly value: number; readonly baseline: number } {
    const index = this.#classIndex.get(className);
    if (index === undefined) return { value: NaN, baseline: NaN };
    const c = this.#classes[index]!;
    return {
      value: this.#latencyOver(c, Math.min(this.#latencyTicks, this.#ticksSince(sinceMillis)), false),
      baseline: c.baseline,
    };
  }

  traffic(className: string): { readonly rate: number; readonly baseline: number } {
    const index = this.#classIndex.get(className);
    if (index === undefined) return { rate: NaN, baseline: NaN };
    const c = this.#classes[index]!;
    return { rate: this.#delta(c, this.#ticksPerMinute, 0) / 60, baseline: c.baselineRate };
  }

  snapshot(): SloEvaluatorSnapshot {
    if (this.#cachedSnapshot !== undefined) return this.#cachedSnapshot;
    const classes = this.#classes.map((c): ClassLiveState => {
      const stats: WindowStats = {
        requests: 0,
        errors: 0,
        slow: new Float64Array(c.latencyThresholds.length),
      };
      const perWindow = this.#windows.map((w) => {
        this.#fillWindow(c, (w.seconds * 1000) / this.#tickMillis, stats);
        return { ...w, requests: stats.requests, errors: stats.errors, slow: Float64Array.from(stats.slow) };
      });
      this.#fillWindow(c, (this.spec.periodSeconds * 1000) / this.#tickMillis, stats);
      const period = { requests: stats.requests, errors: stats.errors, slow: Float64Array.from(stats.slow) };
      const objectives = c.objectives.map((o, oi): ObjectiveLiveState => {
        const bad = (s: { errors: number; slow: Float64Array }): number =>
          oi === 0 ? s.errors : s.slow[oi - 1]!;
        return {
          objective: o,
          burnRates: perWindow.map((w) => ({
            window: w.window,
            seconds: w.seconds,
            value: bad(w) / w.requests / o.budget,
          })),
          budgetRemaining: 1 - bad(period) / period.requests / o.budget,
        };
      });
      const traffic = this.traffic(c.name);
      return {
        className: c.name,
        requestRate: traffic.rate,
        baselineRequestRate: traffic.baseline,
        latency: {
          quantile: this.spec.alerting.latencyRegression.quantile,
          value: this.#latencyOver(c, this.#latencyTicks, false),
          baseline: c.baseline,
        },
        objectives,
      };
    });
    this.#cachedSnapshot = {
      timeMillis: this.#lastTick ?? this.#clock.now(),
      ticks: this.#ticks,
      classes,
      inFlight: this.#inFlight,
      saturation: this.#saturation,
      skippedSeries: this.#skipped,
    };
    return this.#cachedSnapshot;
  }

  shutdown(): Promise<void> {
    this.#shutdown ??= Promise.resolve().then(() => {
      if (this.#timer !== undefined) clearInterval(this.#timer);
      this.#timer = undefined;
      this.#listeners.clear();
      this.#metrics.shutdown();
    });
    return this.#shutdown;
  }

  forceFlush(): Promise<void> {
    this.tick();
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }
}

function nonNegativeInteger(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw invalidOption(field, value, 'a non-negative integer');
  return value;
}

/** Shifts a per-minute sample ring: index 0 is the newest minute. */
function shift(samples: Float64Array, value: number): void {
  samples.copyWithin(1, 0, samples.length - 1);
  samples[0] = value;
}

/**
 * Creates the live evaluator: every tick it diffs the recorder's cumulative counters into per-class
 * snapshot rings, so burn rates over rolling windows, the budget left, and the pN latency against its
 * own baseline are a subtraction away. Throws only for invalid options.
 * @example
 * const evaluator = createSloEvaluator({ spec, source: obs.recorder, saturation: obs.runtime, meter: obs.meter });
 */
export function createSloEvaluator(options: SloEvaluatorOptions): SloEvaluator {
  return new Evaluator(options);
}
