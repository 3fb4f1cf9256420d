import {
  type Attributes,
  type BatchObservableCallback,
  type BatchObservableResult,
  diag,
  type Meter,
  type Observable,
  ValueType,
} from '@opentelemetry/api';
import { availableParallelism } from 'node:os';
import {
  constants as perfConstants,
  type EventLoopUtilization,
  type IntervalHistogram,
  monitorEventLoopDelay,
  performance,
  PerformanceObserver,
} from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { invalidOption } from './errors.js';
import {
  ATTR_CPU_MODE,
  ATTR_NODEJS_EVENTLOOP_STATE,
  ATTR_V8JS_GC_TYPE,
  ATTR_V8JS_HEAP_SPACE_NAME,
  ATTR_V8JS_RESOURCE_TYPE,
  METRIC_NODEJS_EVENTLOOP_DELAY_MAX,
  METRIC_NODEJS_EVENTLOOP_DELAY_MEAN,
  METRIC_NODEJS_EVENTLOOP_DELAY_MIN,
  METRIC_NODEJS_EVENTLOOP_DELAY_P50,
  METRIC_NODEJS_EVENTLOOP_DELAY_P90,
  METRIC_NODEJS_EVENTLOOP_DELAY_STDDEV,
  METRIC_NODEJS_EVENTLOOP_DELAY_P99,
  METRIC_NODEJS_EVENTLOOP_TIME,
  METRIC_NODEJS_EVENTLOOP_UTILIZATION,
  METRIC_PROCESS_CPU_TIME,
  METRIC_PROCESS_CPU_UTILIZATION,
  METRIC_PROCESS_MEMORY_USAGE,
  METRIC_PROCESS_UPTIME,
  METRIC_V8JS_GC_DURATION,
  METRIC_V8JS_MEMORY_HEAP_MAX,
  METRIC_V8JS_MEMORY_HEAP_SPACE_AVAILABLE_SIZE,
  METRIC_V8JS_MEMORY_HEAP_SPACE_PHYSICAL_SIZE,
  METRIC_V8JS_MEMORY_HEAP_SPACE_SIZE,
  METRIC_V8JS_MEMORY_HEAP_USED,
  METRIC_V8JS_RESOURCE_ACTIVE,
  OVERFLOW_VALUE,
} from './semconv.js';

/** Options of {@link createRuntimeMetrics}. */
export interface RuntimeMetricsOptions {
  /** Resolution of the event-loop delay monitor (`monitorEventLoopDelay({ resolution })`). @default 10 */
  readonly eventLoopMonitoringPrecisionMillis?: number | undefined;
  /** `v8js.gc.duration` histogram boundaries in seconds. @default [0.01, 0.1, 1, 10] (semconv advice) */
  readonly gcDurationBuckets?: readonly number[] | undefined;
  /** How often the saturation snapshot refreshes (an unref'd timer). @default 1000 */
  readonly saturationIntervalMillis?: number | undefined;
}

/** {@link RuntimeMetricsOptions} with every default applied. */
export interface ResolvedRuntimeMetricsOptions {
  readonly eventLoopMonitoringPrecisionMillis: number;
  readonly gcDurationBuckets: readonly number[];
  readonly saturationIntervalMillis: number;
}

/** Defaults of {@link RuntimeMetricsOptions}. */
export const RUNTIME_METRICS_DEFAULTS: ResolvedRuntimeMetricsOptions = Object.freeze({
  eventLoopMonitoringPrecisionMillis: 10,
  gcDurationBuckets: Object.freeze([0.01, 0.1, 1, 10]),
  saturationIntervalMillis: 1000,
});

/** Largest delay Node's timers accept (2^31 - 1 ms); beyond it setInterval silently fires every 1 ms. */
const MAX_TIMER_MILLIS = 2_147_483_647;

/** Validates options and applies defaults; throws `CoreError` `TRISIGNAL_CORE_INVALID_OPTION`. */
export function resolveRuntimeMetricsOptions(o: RuntimeMetricsOptions = {}): ResolvedRuntimeMetricsOptions {
  if (typeof o !== 'object' || o === null) throw invalidOption('runtimeMetrics', o, 'an options object');
  const eventLoopMonitoringPrecisionMillis = positiveTimerMillis(
    'eventLoopMonitoringPrecisionMillis',
    o.eventLoopMonitoringPrecisionMillis ?? RUNTIME_METRICS_DEFAULTS.eventLoopMonitoringPrecisionMillis,
  );
  const saturationIntervalMillis = positiveTimerMillis(
    'saturationIntervalMillis',
    o.saturationIntervalMillis ?? RUNTIME_METRICS_DEFAULTS.saturationIntervalMillis,
  );
  const gcDurationBuckets = boundaries(
    'gcDurationBuckets',
    o.gcDurationBuckets ?? RUNTIME_METRICS_DEFAULTS.gcDurationBuckets,
  );
  return Object.freeze({ eventLoopMonitoringPrecisionMillis, gcDurationBuckets, saturationIntervalMillis });
}

function positiveTimerMillis(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TIMER_MILLIS) {
    throw invalidOption(field, value, `an integer from 1 to ${MAX_TIMER_MILLIS}`);
  }
  return value;
}

function boundaries(field: string, value: unknown): readonly number[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidOption(field, value, 'a non-empty array of increasing finite numbers');
  }
  const bounds = value as readonly unknown[];
  for (let i = 0; i < bounds.length; i++) {
    const b = bounds[i];
    if (typeof b !== 'number' || !Number.isFinite(b) || b < 0) {
      throw invalidOption(`${field}[${i}]`, b, 'a finite number of seconds, at least 0');
    }
    const prev = bounds[i - 1] as number | undefined;
    if (prev !== undefined && b <= prev) {
      throw invalidOption(`${field}[${i}]`, b, `greater than the previous boundary ${prev}`);
    }
  }
  return Object.freeze([...(bounds as number[])]);
}

/**
 * The process's saturation over the last refresh window, read by `@trisignal/slo` for its health score.
 * Delays come straight from `monitorEventLoopDelay`, which measures whole timer intervals: an idle loop
 * reads about `eventLoopDelayResolutionSeconds`, not 0.
 */
export interface SaturationSnapshot {
  readonly eventLoopDelayP50Seconds: number;
  readonly eventLoopDelayP99Seconds: number;
  readonly eventLoopDelayMaxSeconds: number;
  /** The delay monitor's resolution; subtract it for the delay in excess of an idle loop. */
  readonly eventLoopDelayResolutionSeconds: number;
  /** Share of wall time the event loop was busy over the window, 0..1. */
  readonly eventLoopUtilization: number;
  /** `v8.getHeapStatistics().used_heap_size`. */
  readonly heapUsedBytes: number;
  /** `v8.getHeapStatistics().heap_size_limit` (the OOM ceiling). */
  readonly heapLimitBytes: number;
  /** heapUsedBytes / heapLimitBytes, 0..1. */
  readonly heapUsedRatio: number;
  readonly rssBytes: number;
  /** `process.getActiveResourcesInfo().length`. */
  readonly activeResources: number;
  /** Process CPU time (user + system) over the window divided by wall time × available CPUs. */
  readonly cpuUtilization: number;
  /** Length of the window the utilisations and delays cover, in milliseconds. */
  readonly windowMillis: number;
  /** When the snapshot was taken (epoch milliseconds). */
  readonly timeMillis: number;
}

/** Runtime and process metrics registered on a meter, plus a cheap saturation reader. */
export interface RuntimeMetrics {
  /** The latest snapshot, refreshed every `saturationIntervalMillis`: O(1), no allocation, never throws. */
  saturation(): SaturationSnapshot;
  /** Stops the monitors, the GC observer and the refresh timer and removes the callbacks. Idempotent. */
  shutdown(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Registers runtime and saturation metrics (`nodejs.*`, `v8js.*`, `process.*`) on `meter`, collected on
 * observable callbacks, and starts the saturation snapshot. Throws only for invalid options.
 * The windowed gauges (event-loop delay and utilisation, CPU utilisation) cover the time since the previous
 * collection by any reader of the meter's provider.
 * @example
 * const runtime = createRuntimeMetrics(meterProvider.getMeter('@trisignal/core'));
 * if (runtime.saturation().eventLoopUtilization > 0.9) shed();
 * await runtime.shutdown();
 */
export function createRuntimeMetrics(meter: Meter, options: RuntimeMetricsOptions = {}): RuntimeMetrics {
  const candidate = meter as Partial<Meter> | null | undefined;
  if (
    typeof candidate?.createObservableGauge !== 'function' ||
    typeof candidate.addBatchObservableCallback !== 'function'
  ) {
    throw invalidOption('meter', meter, 'an OpenTelemetry Meter');
  }
  return new NodeRuntimeMetrics(meter, resolveRuntimeMetricsOptions(options));
}

const NS_PER_S = 1e9;
/** Distinct `v8js.resource.type` values reported before the rest go to the `other` series. */
const MAX_RESOURCE_TYPES = 32;

const GC_TYPE_ATTRIBUTES = new Map<number, Attributes>([
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR, Object.freeze({ [ATTR_V8JS_GC_TYPE]: 'major' })],
  [perfConstants.NODE_PERFORMANCE_GC_MINOR, Object.freeze({ [ATTR_V8JS_GC_TYPE]: 'minor' })],
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL, Object.freeze({ [ATTR_V8JS_GC_TYPE]: 'incremental' })],
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB, Object.freeze({ [ATTR_V8JS_GC_TYPE]: 'weakcb' })],
]);
const IDLE: Attributes = Object.freeze({ [ATTR_NODEJS_EVENTLOOP_STATE]: 'idle' });
const ACTIVE: Attributes = Object.freeze({ [ATTR_NODEJS_EVENTLOOP_STATE]: 'active' });
const USER: Attributes = Object.freeze({ [ATTR_CPU_MODE]: 'user' });
const SYSTEM: Attributes = Object.freeze({ [ATTR_CPU_MODE]: 'system' });
const ZERO_ELU: EventLoopUtilization = Object.freeze({ idle: 0, active: 0, utilization: 0 });
/** Stands in until a first snapshot succeeds (only if a runtime API throws at construction). */
const EMPTY_SNAPSHOT: SaturationSnapshot = Object.freeze({
  eventLoopDelayP50Seconds: 0,
  eventLoopDelayP99Seconds: 0,
  eventLoopDelayMaxSeconds: 0,
  eventLoopDelayResolutionSeconds: 0,
  eventLoopUtilization: 0,
  heapUsedBytes: 0,
  heapLimitBytes: 0,
  heapUsedRatio: 0,
  rssBytes: 0,
  activeResources: 0,
  cpuUtilization: 0,
  windowMillis: 0,
  timeMillis: 0,
});

/** CPU time and wall time at the start of a window, in microseconds and milliseconds. */
interface CpuMark {
  readonly user: number;
  readonly system: number;
  readonly wallMillis: number;
}

/** Event-loop delay statistics of one window, in seconds. */
interface DelayStats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly stddev: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

type Registration = readonly [BatchObservableCallback, Observable[]];

class NodeRuntimeMetrics implements RuntimeMetrics {
  readonly #meter: Meter;
  readonly #options: ResolvedRuntimeMetricsOptions;
  readonly #cpuCount: number;
  readonly #registrations: Registration[] = [];
  readonly #warned = new Set<string>();
  readonly #spaceAttributes = new Map<string, Attributes>();
  readonly #resourceAttributes = new Map<string, Attributes>();
  // Two delay monitors, because reading a window means resetting it: the export one is reset by each
  // collection, the saturation one by each refresh, so neither consumer shortens the other's window.
  #exportDelay: IntervalHistogram | undefined;
  #saturationDelay: IntervalHistogram | undefined;
  #gcObserver: PerformanceObserver | undefined;
  #timer: NodeJS.Timeout | undefined;
  #exportElu: EventLoopUtilization;
  #saturationElu: EventLoopUtilization;
  #exportCpu: CpuMark;
  #saturationCpu: CpuMark;
  #snapshot: SaturationSnapshot;
  #lastExportDelay: DelayStats | undefined;
  #closed = false;
  #shutdown: Promise<void> | undefined;

  constructor(meter: Meter, options: ResolvedRuntimeMetricsOptions) {
    this.#meter = meter;
    this.#options = options;
    this.#cpuCount = Math.max(1, availableParallelism());
    this.#exportDelay = this.#startDelayMonitor();
    this.#saturationDelay = this.#startDelayMonitor();
    // Export windows start now; the first saturation snapshot covers the process lifetime so far.
    this.#exportElu = performance.eventLoopUtilization();
    this.#saturationElu = ZERO_ELU;
    this.#exportCpu = cpuMark();
    // Process start on the performance.now() timeline (which starts later, and per thread in workers).
    this.#saturationCpu = { user: 0, system: 0, wallMillis: performance.now() - process.uptime() * 1000 };
    this.#snapshot = EMPTY_SNAPSHOT;
    this.#refresh();

    this.#registerEventLoop();
    this.#registerHeap();
    this.#registerResources();
    this.#registerProcess();
    this.#startGcObserver();

    this.#timer = setInterval(() => this.#refresh(), options.saturationIntervalMillis);
    this.#timer.unref();
  }

  saturation(): SaturationSnapshot {
    return this.#snapshot;
  }

  shutdown(): Promise<void> {
    this.#shutdown ??= this.#stop();
    return this.#shutdown;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  #stop(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#exportDelay?.disable();
    this.#saturationDelay?.disable();
    this.#exportDelay = undefined;
    this.#saturationDelay = undefined;
    this.#gcObserver?.disconnect();
    this.#gcObserver = undefined;
    for (const [callback, observables] of this.#registrations) {
      this.#guard('removing a callback', () =>
        this.#meter.removeBatchObservableCallback(callback, observables),
      );
    }
    this.#registrations.length = 0;
    return Promise.resolve();
  }

  #startDelayMonitor(): IntervalHistogram | undefined {
    try {
      const histogram = monitorEventLoopDelay({
        resolution: this.#options.eventLoopMonitoringPrecisionMillis,
      });
      histogram.enable();
      return histogram;
    } catch (error) {
      // Runtimes that mimic Node (Bun, Deno) may lack the monitor; the other metrics still work.
      this.#warnOnce('monitorEventLoopDelay', error);
      return undefined;
    }
  }

  #startGcObserver(): void {
    const histogram = this.#meter.createHistogram(METRIC_V8JS_GC_DURATION, {
      description: 'Garbage collection duration.',
      unit: 's',
      valueType: ValueType.DOUBLE,
      advice: { explicitBucketBoundaries: [...this.#options.gcDurationBuckets] },
    });
    try {
      const observer = new PerformanceObserver((list) => {
        if (this.#closed) return;
        this.#guard('recording a GC', () => {
          for (const entry of list.getEntries()) {
            const attributes = GC_TYPE_ATTRIBUTES.get(gcKind(entry));
            if (attributes !== undefined) histogram.record(entry.duration / 1000, attributes);
          }
        });
      });
      observer.observe({ entryTypes: ['gc'] });
      this.#gcObserver = observer;
    } catch (error) {
      this.#warnOnce('observing GC', error);
    }
  }

  #register(name: string, observables: Observable[], collect: (result: BatchObservableResult) => void): void {
    const callback: BatchObservableCallback = (result) => {
      if (this.#closed) return;
      this.#guard(name, () => collect(result));
    };
    this.#meter.addBatchObservableCallback(callback, observables);
    this.#registrations.push([callback, observables]);
  }

  #registerEventLoop(): void {
    const m = this.#meter;
    const gauge = (name: string, description: string) =>
      m.createObservableGauge(name, { description, unit: 's', valueType: ValueType.DOUBLE });
    const min = gauge(METRIC_NODEJS_EVENTLOOP_DELAY_MIN, 'Event loop minimum delay.');
    const max = gauge(METRIC_NODEJS_EVENTLOOP_DELAY_MAX, 'Event loop maximum delay.');
    const mean = gauge(METRIC_NODEJS_EVENTLOOP_DELAY_MEAN, 'Event loop mean delay.');
    const stddev = gauge(METRIC_NODEJS_EVENTLOOP_DELAY_STDDEV, 'Event loop standard deviation delay.');
    const p50 = gauge(METRIC_NODEJS_EVENTLOOP_DELAY_P50, 'Event loop 50 percentile delay.');
    const p90 = gauge(METRIC_NODEJS_EVENTLOOP_DELAY_P90, 'Event loop 90 percentile delay.');
    const p99 = gauge(METRIC_NODEJS_EVENTLOOP_DELAY_P99, 'Event loop 99 percentile delay.');
    const utilization = m.createObservableGauge(METRIC_NODEJS_EVENTLOOP_UTILIZATION, {
      description: 'Event loop utilization.',
      unit: '1',
      valueType: ValueType.DOUBLE,
    });
    const time = m.createObservableCounter(METRIC_NODEJS_EVENTLOOP_TIME, {
      description: 'Cumulative duration of time the event loop has been in each state.',
      unit: 's',
      valueType: ValueType.DOUBLE,
    });
    this.#register(
      'collecting event-loop metrics',
      [min, max, mean, stddev, p50, p90, p99, utilization, time],
      (r) => {
        const d = this.#readExportDelay();
        if (d !== undefined) {
          r.observe(min, d.min);
          r.observe(max, d.max);
          r.observe(mean, d.mean);
          r.observe(stddev, d.stddev);
          r.observe(p50, d.p50);
          r.observe(p90, d.p90);
          r.observe(p99, d.p99);
        }
        const elu = performance.eventLoopUtilization();
        const window = performance.eventLoopUtilization(elu, this.#exportElu);
        this.#exportElu = elu;
        if (Number.isFinite(window.utilization)) r.observe(utilization, window.utilization);
        r.observe(time, elu.idle / 1000, IDLE);
        r.observe(time, elu.active / 1000, ACTIVE);
      },
    );
  }

  /**
   * The delay statistics of the window since the previous collection, then a fresh window. A window with
   * no monitor tick yet (a second reader collecting right after the first) repeats the previous window
   * rather than reporting nothing or zeros, and is not reset: a reset makes the monitor skip its next
   * interval (Node clears the previous tick time), which would widen that blind spot for nothing.
   */
  #readExportDelay(): DelayStats | undefined {
    const h = this.#exportDelay;
    if (h === undefined || h.count === 0) return this.#lastExportDelay;
    this.#lastExportDelay = {
      min: h.min / NS_PER_S,
      max: h.max / NS_PER_S,
      mean: h.mean / NS_PER_S,
      stddev: h.stddev / NS_PER_S,
      p50: h.percentile(50) / NS_PER_S,
      p90: h.percentile(90) / NS_PER_S,
      p99: h.percentile(99) / NS_PER_S,
    };
    h.reset();
    return this.#lastExportDelay;
  }

  #registerHeap(): void {
    const m = this.#meter;
    const bytes = (name: string, description: string) =>
      m.createObservableUpDownCounter(name, { description, unit: 'By', valueType: ValueType.INT });
    const used = bytes(METRIC_V8JS_MEMORY_HEAP_USED, 'Heap Memory size allocated.');
    const size = bytes(
      METRIC_V8JS_MEMORY_HEAP_SPACE_SIZE,
      'Total heap memory size pre-allocated for a heap space.',
    );
    const available = bytes(METRIC_V8JS_MEMORY_HEAP_SPACE_AVAILABLE_SIZE, 'Heap space available size.');
    const physical = bytes(METRIC_V8JS_MEMORY_HEAP_SPACE_PHYSICAL_SIZE, 'Committed size of a heap space.');
    const heapMax = m.createObservableGauge(METRIC_V8JS_MEMORY_HEAP_MAX, {
      description:
        'Maximum heap size allowed by V8 (heap_size_limit: --max-old-space-size or the V8 default).',
      unit: 'By',
      valueType: ValueType.INT,
    });
    this.#register('collecting heap metrics', [used, size, available, physical, heapMax], (r) => {
      for (const space of getHeapSpaceStatistics()) {
        const attributes = this.#spaceAttributesFor(space.space_name);
        r.observe(used, space.space_used_size, attributes);
        r.observe(size, space.space_size, attributes);
        r.observe(available, space.space_available_size, attributes);
        r.observe(physical, space.physical_space_size, attributes);
      }
      r.observe(heapMax, getHeapStatistics().heap_size_limit);
    });
  }

  #registerResources(): void {
    const active = this.#meter.createObservableGauge(METRIC_V8JS_RESOURCE_ACTIVE, {
      description: 'Number of active resources keeping the event loop alive, by type.',
      unit: '{resource}',
      valueType: ValueType.INT,
    });
    this.#register('collecting active resources', [active], (r) => {
      const counts = new Map<string, number>();
      for (const type of process.getActiveResourcesInfo()) {
        // Types are Node's handle class names, a small set; the cap only guards against surprises.
        const key = counts.has(type) || counts.size < MAX_RESOURCE_TYPES ? type : OVERFLOW_VALUE;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      for (const [type, count] of counts) r.observe(active, count, this.#resourceAttributesFor(type));
    });
  }

  #registerProcess(): void {
    const m = this.#meter;
    const cpuTime = m.createObservableCounter(METRIC_PROCESS_CPU_TIME, {
      description: 'Total CPU seconds broken down by different CPU modes.',
      unit: 's',
      valueType: ValueType.DOUBLE,
    });
    const cpuUtilization = m.createObservableGauge(METRIC_PROCESS_CPU_UTILIZATION, {
      description:
        'Difference in process.cpu.time since the last measurement, divided by the elapsed time and number of CPUs available to the process.',
      unit: '1',
      valueType: ValueType.DOUBLE,
    });
    const memory = m.createObservableUpDownCounter(METRIC_PROCESS_MEMORY_USAGE, {
      description: 'The amount of physical memory in use (resident set size).',
      unit: 'By',
      valueType: ValueType.INT,
    });
    const uptime = m.createObservableGauge(METRIC_PROCESS_UPTIME, {
      description: 'The time the process has been running.',
      unit: 's',
      valueType: ValueType.DOUBLE,
    });
    this.#register('collecting process metrics', [cpuTime, cpuUtilization, memory, uptime], (r) => {
      const now = cpuMark();
      const last = this.#exportCpu;
      this.#exportCpu = now;
      r.observe(cpuTime, now.user / 1e6, USER);
      r.observe(cpuTime, now.system / 1e6, SYSTEM);
      const capacityMicros = (now.wallMillis - last.wallMillis) * 1000 * this.#cpuCount;
      if (capacityMicros > 0) {
        r.observe(cpuUtilization, (now.user - last.user) / capacityMicros, USER);
        r.observe(cpuUtilization, (now.system - last.system) / capacityMicros, SYSTEM);
      }
      r.observe(memory, process.memoryUsage.rss());
      r.observe(uptime, process.uptime());
    });
  }

  #refresh(): void {
    if (this.#closed) return;
    this.#guard('refreshing the saturation snapshot', () => {
      this.#snapshot = this.#takeSnapshot();
    });
  }

  #takeSnapshot(): SaturationSnapshot {
    // As for exports, a window without a monitor tick keeps the previous delays and is not reset.
    const previous = this.#snapshot;
    const h = this.#saturationDelay;
    let p50 = previous.eventLoopDelayP50Seconds;
    let p99 = previous.eventLoopDelayP99Seconds;
    let max = previous.eventLoopDelayMaxSeconds;
    if (h !== undefined && h.count > 0) {
      p50 = h.percentile(50) / NS_PER_S;
      p99 = h.percentile(99) / NS_PER_S;
      max = h.max / NS_PER_S;
      h.reset();
    }

    const elu = performance.eventLoopUtilization();
    const eluWindow = performance.eventLoopUtilization(elu, this.#saturationElu);
    this.#saturationElu = elu;

    const cpu = cpuMark();
    const last = this.#saturationCpu;
    this.#saturationCpu = cpu;
    const windowMillis = cpu.wallMillis - last.wallMillis;
    const capacityMicros = windowMillis * 1000 * this.#cpuCount;
    const cpuMicros = cpu.user - last.user + (cpu.system - last.system);

    const heap = getHeapStatistics();
    return Object.freeze({
      eventLoopDelayP50Seconds: p50,
      eventLoopDelayP99Seconds: p99,
      eventLoopDelayMaxSeconds: max,
      eventLoopDelayResolutionSeconds: this.#options.eventLoopMonitoringPrecisionMillis / 1000,
      eventLoopUtilization: Number.isFinite(eluWindow.utilization) ? eluWindow.utilization : 0,
      heapUsedBytes: heap.used_heap_size,
      heapLimitBytes: heap.heap_size_limit,
      heapUsedRatio: heap.heap_size_limit > 0 ? heap.used_heap_size / heap.heap_size_limit : 0,
      rssBytes: process.memoryUsage.rss(),
      activeResources: process.getActiveResourcesInfo().length,
      cpuUtilization: capacityMicros > 0 ? cpuMicros / capacityMicros : 0,
      windowMillis,
      timeMillis: Date.now(),
    });
  }

  #spaceAttributesFor(name: string): Attributes {
    let attributes = this.#spaceAttributes.get(name);
    if (attributes === undefined) {
      attributes = Object.freeze({ [ATTR_V8JS_HEAP_SPACE_NAME]: name });
      this.#spaceAttributes.set(name, attributes);
    }
    return attributes;
  }

  #resourceAttributesFor(type: string): Attributes {
    let attributes = this.#resourceAttributes.get(type);
    if (attributes === undefined) {
      attributes = Object.freeze({ [ATTR_V8JS_RESOURCE_TYPE]: type });
      // Bounded like the series: past the cap a fresh object per collection beats an unbounded cache.
      if (this.#resourceAttributes.size <= MAX_RESOURCE_TYPES) this.#resourceAttributes.set(type, attributes);
    }
    return attributes;
  }

  /** Runs `fn`; a failure is logged once per `what` and swallowed, so no callback or timer ever throws. */
  #guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#warnOnce(what, error);
    }
  }

  #warnOnce(what: string, error: unknown): void {
    if (this.#warned.has(what)) return;
    this.#warned.add(what);
    diag.warn(
      `trisignal: runtime metrics: ${what} failed; later failures of this kind are not logged`,
      error,
    );
  }
}

function cpuMark(): CpuMark {
  const { user, system } = process.cpuUsage();
  return { user, system, wallMillis: performance.now() };
}

/** The GC kind of a `gc` performance entry (`detail.kind` since Node 16; the types only know it on subclasses). */
function gcKind(entry: object): number {
  const detail = (entry as { detail?: unknown }).detail;
  if (typeof detail === 'object' && detail !== null) {
    const kind = (detail as { kind?: unknown }).kind;
    if (typeof kind === 'number') return kind;
  }
  return -1;
}
