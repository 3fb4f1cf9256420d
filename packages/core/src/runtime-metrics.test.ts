import { type Attributes, diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type HistogramMetricData,
  MeterProvider,
  type MetricData,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isTrisignalError } from './errors.js';
import {
  createRuntimeMetrics,
  resolveRuntimeMetricsOptions,
  RUNTIME_METRICS_DEFAULTS,
  type RuntimeMetrics,
  type RuntimeMetricsOptions,
  type SaturationSnapshot,
} from './runtime-metrics.js';

class TestReader extends MetricReader {
  constructor(temporality = AggregationTemporality.CUMULATIVE) {
    super({ aggregationTemporalitySelector: () => temporality });
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const RUNTIME_METRIC_NAMES = [
  'nodejs.eventloop.delay.min',
  'nodejs.eventloop.delay.max',
  'nodejs.eventloop.delay.mean',
  'nodejs.eventloop.delay.stddev',
  'nodejs.eventloop.delay.p50',
  'nodejs.eventloop.delay.p90',
  'nodejs.eventloop.delay.p99',
  'nodejs.eventloop.utilization',
  'nodejs.eventloop.time',
  'v8js.memory.heap.used',
  'v8js.memory.heap.space.size',
  'v8js.memory.heap.space.available_size',
  'v8js.memory.heap.space.physical_size',
  'v8js.memory.heap.max',
  'v8js.resource.active',
  'process.cpu.time',
  'process.cpu.utilization',
  'process.memory.usage',
  'process.uptime',
];

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(
  options?: RuntimeMetricsOptions,
  temporality?: AggregationTemporality,
): { reader: TestReader; runtime: RuntimeMetrics } {
  const reader = new TestReader(temporality);
  const provider = new MeterProvider({ readers: [reader] });
  const runtime = createRuntimeMetrics(provider.getMeter('@trisignal/core'), options);
  cleanups.push(
    () => provider.shutdown(),
    () => runtime.shutdown(),
  );
  return { reader, runtime };
}

async function collect(reader: TestReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const byName = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
  }
  return byName;
}

function points(metrics: Map<string, MetricData>, name: string): { attributes: Attributes; value: number }[] {
  const metric = metrics.get(name);
  if (metric === undefined || metric.dataPointType === DataPointType.HISTOGRAM) return [];
  if (metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) return [];
  return metric.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value }));
}

function single(metrics: Map<string, MetricData>, name: string): number {
  const found = points(metrics, name);
  expect(found, name).toHaveLength(1);
  return found[0]!.value;
}

function sum(metrics: Map<string, MetricData>, name: string): number {
  return points(metrics, name).reduce((total, p) => total + p.value, 0);
}

function byAttribute(metrics: Map<string, MetricData>, name: string, key: string): Map<unknown, number> {
  return new Map(points(metrics, name).map((p) => [p.attributes[key], p.value]));
}

/** Busy-waits, blocking the event loop. */
function block(millis: number): void {
  const end = performance.now() + millis;
  while (performance.now() < end) {
    // spin
  }
}

/** Polls `read` (between event-loop turns) until `done` holds or `timeoutMillis` passes; returns the last value. */
async function waitFor<TValue>(
  read: () => TValue,
  done: (value: TValue) => boolean,
  timeoutMillis = 3000,
): Promise<TValue> {
  const end = performance.now() + timeoutMillis;
  let value = read();
  while (!done(value) && performance.now() < end) {
    await sleep(5);
    value = read();
  }
  return value;
}

function expectPlausibleSnapshot(s: SaturationSnapshot): void {
  expect(s.heapUsedBytes).toBeGreaterThan(0);
  expect(s.heapLimitBytes).toBeGreaterThan(s.heapUsedBytes);
  expect(s.heapUsedRatio).toBeCloseTo(s.heapUsedBytes / s.heapLimitBytes, 12);
  expect(s.rssBytes).toBeGreaterThan(s.heapUsedBytes);
  expect(s.activeResources).toBeGreaterThanOrEqual(0);
  expect(s.eventLoopUtilization).toBeGreaterThanOrEqual(0);
  expect(s.eventLoopUtilization).toBeLessThanOrEqual(1);
  expect(s.cpuUtilization).toBeGreaterThanOrEqual(0);
  expect(s.cpuUtilization).toBeLessThanOrEqual(1.05);
  expect(s.eventLoopDelayP50Seconds).toBeLessThanOrEqual(s.eventLoopDelayP99Seconds);
  expect(s.eventLoopDelayP99Seconds).toBeLessThanOrEqual(s.eventLoopDelayMaxSeconds);
  expect(s.eventLoopDelayMaxSeconds).toBeLessThan(10);
  expect(s.eventLoopDelayResolutionSeconds).toBe(0.01);
  expect(s.windowMillis).toBeGreaterThan(0);
  expect(Math.abs(Date.now() - s.timeMillis)).toBeLessThan(60_000);
  expect(Object.isFrozen(s)).toBe(true);
}

describe('resolveRuntimeMetricsOptions', () => {
  it('applies the defaults, also for explicit undefined', () => {
    expect(resolveRuntimeMetricsOptions()).toEqual(RUNTIME_METRICS_DEFAULTS);
    expect(
      resolveRuntimeMetricsOptions({
        eventLoopMonitoringPrecisionMillis: undefined,
        gcDurationBuckets: undefined,
        saturationIntervalMillis: undefined,
      }),
    ).toEqual({
      eventLoopMonitoringPrecisionMillis: 10,
      gcDurationBuckets: [0.01, 0.1, 1, 10],
      saturationIntervalMillis: 1000,
    });
    expect(
      resolveRuntimeMetricsOptions({
        eventLoopMonitoringPrecisionMillis: 20,
        gcDurationBuckets: [0, 0.5],
        saturationIntervalMillis: 250,
      }),
    ).toEqual({
      eventLoopMonitoringPrecisionMillis: 20,
      gcDurationBuckets: [0, 0.5],
      saturationIntervalMillis: 250,
    });
  });

  it.each([
    ['eventLoopMonitoringPrecisionMillis', { eventLoopMonitoringPrecisionMillis: 0 }],
    ['eventLoopMonitoringPrecisionMillis', { eventLoopMonitoringPrecisionMillis: 2.5 }],
    ['eventLoopMonitoringPrecisionMillis', { eventLoopMonitoringPrecisionMillis: Number.NaN }],
    ['saturationIntervalMillis', { saturationIntervalMillis: -1 }],
    ['saturationIntervalMillis', { saturationIntervalMillis: 2 ** 31 }],
    ['saturationIntervalMillis', { saturationIntervalMillis: '1000' as unknown as number }],
    ['gcDurationBuckets', { gcDurationBuckets: [] }],
    ['gcDurationBuckets', { gcDurationBuckets: 'semconv' as unknown as number[] }],
    ['gcDurationBuckets[1]', { gcDurationBuckets: [0.1, 0.1] }],
    ['gcDurationBuckets[0]', { gcDurationBuckets: [Number.POSITIVE_INFINITY] }],
    ['gcDurationBuckets[0]', { gcDurationBuckets: [-1, 1] }],
  ] as const)('rejects an invalid %s with TRISIGNAL_CORE_INVALID_OPTION', (field, options) => {
    let thrown: unknown;
    try {
      resolveRuntimeMetricsOptions(options);
    } catch (error) {
      thrown = error;
    }
    expect(isTrisignalError(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code: 'TRISIGNAL_CORE_INVALID_OPTION' });
    expect((thrown as Error).message).toContain(`Expected \`${field}\``);
  });

  it('is applied by createRuntimeMetrics, which also rejects a missing meter', () => {
    const meter = new MeterProvider().getMeter('x');
    expect(() => createRuntimeMetrics(meter, { saturationIntervalMillis: 0 })).toThrow(
      /saturationIntervalMillis/,
    );
    expect(() => createRuntimeMetrics(undefined as never)).toThrow(/Expected `meter`/);
  });
});

describe('createRuntimeMetrics', () => {
  it('reports event-loop delay and utilisation that reflect a blocked loop, one window per collection', async () => {
    const { reader } = setup();
    await collect(reader); // drains the window since creation
    await sleep(30); // lets the delay monitor tick after the collection's reset
    block(60);
    await sleep(30);
    const blocked = await collect(reader);

    const max = single(blocked, 'nodejs.eventloop.delay.max');
    const p99 = single(blocked, 'nodejs.eventloop.delay.p99');
    const p90 = single(blocked, 'nodejs.eventloop.delay.p90');
    const p50 = single(blocked, 'nodejs.eventloop.delay.p50');
    const min = single(blocked, 'nodejs.eventloop.delay.min');
    const mean = single(blocked, 'nodejs.eventloop.delay.mean');
    expect(max).toBeGreaterThanOrEqual(0.02);
    expect(max).toBeLessThan(10);
    expect(p99).toBeGreaterThanOrEqual(0.02);
    expect(min).toBeGreaterThan(0);
    expect(min).toBeLessThanOrEqual(p50);
    expect(p50).toBeLessThanOrEqual(p90);
    expect(p90).toBeLessThanOrEqual(p99);
    expect(p99).toBeLessThanOrEqual(max + 1e-3); // HDR percentiles are bucket-rounded
    expect(mean).toBeGreaterThanOrEqual(min);
    expect(mean).toBeLessThanOrEqual(max);
    expect(single(blocked, 'nodejs.eventloop.delay.stddev')).toBeGreaterThan(0);
    expect(blocked.get('nodejs.eventloop.delay.max')?.descriptor.unit).toBe('s');

    const utilization = single(blocked, 'nodejs.eventloop.utilization');
    expect(utilization).toBeGreaterThan(0);
    expect(utilization).toBeLessThanOrEqual(1);
    const time = byAttribute(blocked, 'nodejs.eventloop.time', 'nodejs.eventloop.state');
    expect([...time.keys()].sort()).toEqual(['active', 'idle']);
    expect(time.get('active')).toBeGreaterThan(0.06);

    // The collection reset the window: a delay sample recorded after a reset cannot be longer than the time since
    // that reset, so the 60 ms block must not reappear in a window shorter than it.
    const before = performance.now();
    await sleep(35);
    const quiet = await collect(reader);
    const quietWindowSeconds = (performance.now() - before) / 1000;
    const quietMax = single(quiet, 'nodejs.eventloop.delay.max');
    expect(quietMax).toBeLessThanOrEqual(quietWindowSeconds + 0.002);
    const laterTime = byAttribute(quiet, 'nodejs.eventloop.time', 'nodejs.eventloop.state');
    expect(laterTime.get('active')).toBeGreaterThanOrEqual(time.get('active')!);
  });

  it('repeats the previous delay window when a collection finds no new monitor tick (a second reader)', async () => {
    // Delta temporality: the SDK itself repeats nothing, so a point in the second collection is ours.
    const { reader } = setup({ eventLoopMonitoringPrecisionMillis: 100 }, AggregationTemporality.DELTA);
    await sleep(250);
    const first = single(await collect(reader), 'nodejs.eventloop.delay.max');
    const reset = performance.now();
    const second = await collect(reader);
    const elapsedSeconds = (performance.now() - reset) / 1000;
    // Almost always no tick fits between the two; if one did, the window is fresh and bounded by its length.
    const repeated = single(second, 'nodejs.eventloop.delay.max');
    expect(repeated === first || repeated <= elapsedSeconds + 0.002).toBe(true);
    expect(points(second, 'nodejs.eventloop.delay.p99')).toHaveLength(1);
  });

  it('reports heap, memory, CPU, uptime and active resources within plausible bounds', async () => {
    const { reader } = setup();
    const first = await collect(reader);
    block(40); // burns CPU time
    const keepAlive = setTimeout(() => undefined, 60_000);
    let second: Map<string, MetricData>;
    try {
      second = await collect(reader);
    } finally {
      clearTimeout(keepAlive);
    }

    const used = byAttribute(second, 'v8js.memory.heap.used', 'v8js.heap.space.name');
    expect(used.has('old_space')).toBe(true);
    expect(used.has('new_space')).toBe(true);
    const heapUsed = sum(second, 'v8js.memory.heap.used');
    const heapMax = single(second, 'v8js.memory.heap.max');
    expect(heapUsed).toBeGreaterThan(0);
    expect(heapUsed).toBeLessThan(heapMax);
    // "Heap total": the per-space sizes add up to getHeapStatistics().total_heap_size.
    expect(sum(second, 'v8js.memory.heap.space.size')).toBeGreaterThanOrEqual(heapUsed);
    expect(sum(second, 'v8js.memory.heap.space.physical_size')).toBeGreaterThan(0);
    expect(sum(second, 'v8js.memory.heap.space.available_size')).toBeGreaterThanOrEqual(0);
    for (const name of [
      'v8js.memory.heap.space.size',
      'v8js.memory.heap.space.available_size',
      'v8js.memory.heap.space.physical_size',
    ]) {
      expect([...byAttribute(second, name, 'v8js.heap.space.name').keys()].sort()).toEqual(
        [...used.keys()].sort(),
      );
      expect(second.get(name)?.descriptor.unit).toBe('By');
    }

    const rss = single(second, 'process.memory.usage');
    expect(rss).toBeGreaterThan(heapUsed);
    const uptime = single(second, 'process.uptime');
    expect(uptime).toBeGreaterThan(0);
    expect(uptime).toBeLessThanOrEqual(process.uptime());

    const cpuBefore = byAttribute(first, 'process.cpu.time', 'cpu.mode');
    const cpuAfter = byAttribute(second, 'process.cpu.time', 'cpu.mode');
    expect([...cpuAfter.keys()].sort()).toEqual(['system', 'user']);
    expect(cpuAfter.get('user')! + cpuAfter.get('system')!).toBeGreaterThan(
      cpuBefore.get('user')! + cpuBefore.get('system')!,
    );
    const utilization = byAttribute(second, 'process.cpu.utilization', 'cpu.mode');
    expect(utilization.get('user')).toBeGreaterThan(0);
    expect(utilization.get('user')! + utilization.get('system')!).toBeLessThanOrEqual(1.05);

    const resources = byAttribute(second, 'v8js.resource.active', 'v8js.resource.type');
    expect(resources.get('Timeout')).toBeGreaterThanOrEqual(1);
    for (const count of resources.values()) expect(Number.isInteger(count) && count > 0).toBe(true);
  });

  it('records GC pauses in v8js.gc.duration with a valid v8js.gc.type', async () => {
    const { reader } = setup({ gcDurationBuckets: [0.001, 0.01, 0.1, 1] });
    const gcPoints = async () => {
      const metric = (await collect(reader)).get('v8js.gc.duration') as HistogramMetricData | undefined;
      return metric?.dataPoints.filter((p) => p.value.count > 0) ?? [];
    };
    let found = await gcPoints();
    // Allocate garbage until V8 collects it (scavenges come every few MB); bounded at ~400 MB.
    let keep: unknown[] = [];
    for (let round = 0; round < 200 && found.length === 0; round++) {
      for (let i = 0; i < 20_000; i++) keep.push({ i, s: `garbage-${i}` });
      keep = [];
      await new Promise((resolve) => setImmediate(resolve)); // GC entries are delivered asynchronously
      if (round % 5 === 4) found = await gcPoints();
    }

    expect(found.length).toBeGreaterThan(0);
    for (const point of found) {
      expect(['major', 'minor', 'incremental', 'weakcb']).toContain(point.attributes['v8js.gc.type']);
      expect(Object.keys(point.attributes)).toEqual(['v8js.gc.type']);
      expect(point.value.sum).toBeGreaterThan(0);
      expect(point.value.sum!).toBeLessThan(60 * point.value.count); // seconds, not milliseconds
      expect(point.value.buckets.boundaries).toEqual([0.001, 0.01, 0.1, 1]);
    }
  });

  it('keeps a saturation snapshot that refreshes and is not disturbed by collections', async () => {
    const { reader, runtime } = setup({ saturationIntervalMillis: 100 });
    const initial = runtime.saturation();
    expect(runtime.saturation()).toBe(initial); // O(1): the same object until the next refresh
    expectPlausibleSnapshot(initial);

    const refreshed = await waitFor(
      () => runtime.saturation(),
      (s) => s !== initial,
    );
    expect(refreshed).not.toBe(initial);
    expect(refreshed.timeMillis).toBeGreaterThanOrEqual(initial.timeMillis);
    expectPlausibleSnapshot(refreshed);

    await sleep(20); // past the refresh's reset, so the monitor has primed
    block(60);
    await sleep(15);
    // A collection now resets the export window; the saturation window must still hold the block.
    const collected = await collect(reader);
    expect(single(collected, 'nodejs.eventloop.delay.max')).toBeGreaterThanOrEqual(0.02);

    const snapshots: SaturationSnapshot[] = [];
    await waitFor(
      () => runtime.saturation(),
      (s) => {
        if (snapshots.at(-1) !== s) snapshots.push(s);
        return s.eventLoopDelayMaxSeconds >= 0.02 || snapshots.length > 4;
      },
    );
    const sawBlock = snapshots.find((s) => s.eventLoopDelayMaxSeconds >= 0.02);
    expect(sawBlock).toBeDefined();
    expectPlausibleSnapshot(sawBlock!);
    expect(sawBlock!.eventLoopDelayP99Seconds).toBeGreaterThanOrEqual(0.02);
    expect(sawBlock!.eventLoopUtilization).toBeGreaterThan(0);
  });

  it('never throws from a callback when a runtime API fails, and warns once', async () => {
    const warnings: string[] = [];
    const logger: DiagLogger = {
      error: () => undefined,
      warn: (message: string) => void warnings.push(message),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    };
    diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    cleanups.push(() => Promise.resolve(diag.disable()));
    vi.spyOn(process, 'getActiveResourcesInfo').mockImplementation(() => {
      throw new Error('boom');
    });
    const { reader } = setup();

    const first = await collect(reader); // collect() asserts the SDK saw no callback error
    await collect(reader);
    expect(points(first, 'v8js.resource.active')).toEqual([]);
    expect(single(first, 'process.memory.usage')).toBeGreaterThan(0);
    expect(points(first, 'v8js.memory.heap.used').length).toBeGreaterThan(0);
    expect(warnings.filter((w) => w.includes('collecting active resources'))).toHaveLength(1);
  });

  it('shutdown stops timers, monitors, the GC observer and the callbacks, idempotently', async () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length;
    const before = timeouts();
    const { reader, runtime } = setup({ saturationIntervalMillis: 10 });
    expect(timeouts()).toBe(before); // the refresh timer is unref'd: it never keeps the process alive
    await sleep(20);
    const live = await collect(reader);
    expect(points(live, 'process.uptime')).toHaveLength(1);

    const first = runtime.shutdown();
    expect(runtime.shutdown()).toBe(first);
    await first;
    await runtime[Symbol.asyncDispose]();
    expect(timeouts()).toBe(before);

    const last = runtime.saturation();
    await sleep(50);
    expect(runtime.saturation()).toBe(last); // no refresh after shutdown
    // The SDK repeats the last cumulative points of callback-less instruments; values that move on their
    // own (uptime, CPU time, event-loop time) staying put shows that no callback ran after shutdown.
    const after = await collect(reader);
    for (const name of RUNTIME_METRIC_NAMES) {
      expect(points(after, name), name).toEqual(points(live, name));
    }
    expect(single(after, 'process.uptime')).toBeLessThan(process.uptime() - 0.04);
  });
});
