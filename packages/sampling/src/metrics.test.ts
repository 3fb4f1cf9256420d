import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { type DataPoint, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { createSeededTraceIdGenerator } from '@trisignal/conformance';
import { describe, expect, it, vi } from 'vitest';
import { fakeObservability } from '../test/fake-observability.js';
import { createTailHarness } from '../test/tail-harness.js';
import { createAdaptiveSampler } from './adaptive-sampler.js';
import { createSamplingMetrics } from './metrics.js';
import { createParentBasedSampler } from './parent-based-sampler.js';
import { createProbabilitySampler } from './probability-sampler.js';
import {
  METRIC_SAMPLING_ADAPTIVE_KEYS,
  METRIC_SAMPLING_DECISIONS,
  METRIC_SAMPLING_PROBABILITY,
  METRIC_SAMPLING_TAIL_BUFFER_SIZE,
  METRIC_SAMPLING_TAIL_BUFFER_SPANS,
  METRIC_SAMPLING_TAIL_BUFFER_TRACES,
  METRIC_SAMPLING_TAIL_EVICTIONS,
  METRIC_SAMPLING_TAIL_LATE_SPANS,
} from './semconv.js';
import { VERSION } from './version.js';

class PullReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

async function collect(reader: MetricReader): Promise<Map<string, DataPoint<number>[]>> {
  const { resourceMetrics } = await reader.collect();
  const out = new Map<string, DataPoint<number>[]>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics)
      out.set(metric.descriptor.name, metric.dataPoints as DataPoint<number>[]);
  }
  return out;
}

function value(points: DataPoint<number>[] | undefined, attrs: Record<string, string>): number | undefined {
  return points?.find((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v))?.value;
}

describe('SamplingMetrics', () => {
  it('reports decisions by sampler and outcome, counted before the meter was set', async () => {
    const metrics = createSamplingMetrics();
    const sampler = createProbabilitySampler({ ratio: 0.5, metrics, name: 'half' });
    const ids = createSeededTraceIdGenerator(1);
    let sampled = 0;
    for (let i = 0; i < 1000; i++) {
      if (
        sampler.shouldSample(ROOT_CONTEXT, ids(), 'x', SpanKind.SERVER, {}, []).decision ===
        SamplingDecision.RECORD_AND_SAMPLED
      )
        sampled++;
    }
    const reader = new PullReader();
    const provider = new MeterProvider({ readers: [reader] });
    metrics.setMeter(provider.getMeter('@trisignal/sampling'));
    const data = await collect(reader);
    const decisions = data.get(METRIC_SAMPLING_DECISIONS);
    expect(value(decisions, { 'trisignal.sampler': 'half', 'trisignal.sampling.outcome': 'sampled' })).toBe(
      sampled,
    );
    expect(value(decisions, { 'trisignal.sampler': 'half', 'trisignal.sampling.outcome': 'dropped' })).toBe(
      1000 - sampled,
    );
    await provider.shutdown();
  });

  it('reports the probability per adaptive key and the tracked keys', async () => {
    const reader = new PullReader();
    const provider = new MeterProvider({ readers: [reader] });
    const metrics = createSamplingMetrics(provider.getMeter('@trisignal/sampling'));
    let now = 0;
    const counts = { count: 0 };
    const sampler = createAdaptiveSampler({
      metrics,
      name: 'adaptive',
      autoTick: false,
      now: () => now,
      targetTracesPerSecond: 2,
      feed: {
        forEachSeries: (kind, visit) =>
          kind === 'http.server' && visit({ operation: 'GET /a', isError: false, duration: counts }),
      },
    });
    counts.count = 500;
    now = 5000;
    sampler.tick();
    const data = await collect(reader);
    expect(value(data.get(METRIC_SAMPLING_PROBABILITY), { 'trisignal.sampling.key': 'GET /a' })).toBeCloseTo(
      0.02,
      12,
    );
    expect(value(data.get(METRIC_SAMPLING_ADAPTIVE_KEYS), { 'trisignal.sampler': 'adaptive' })).toBe(1);
    await provider.shutdown();
  });

  it('reports tail buffer occupancy, evictions and late spans', async () => {
    const reader = new PullReader();
    const provider = new MeterProvider({ readers: [reader] });
    const metrics = createSamplingMetrics(provider.getMeter('@trisignal/sampling'));
    const h = createTailHarness({
      policies: [{ type: 'always_sample' }],
      maxTraces: 2,
      metrics,
      name: 'tail',
      graceMillis: 100,
    });
    const first = h.emit();
    h.emit();
    h.emit({ openRoot: true }); // evicts the first (complete) trace
    h.straggler(first.root); // late for a kept trace
    const data = await collect(reader);
    const stats = h.tail.stats();
    expect(value(data.get(METRIC_SAMPLING_TAIL_BUFFER_TRACES), { 'trisignal.sampler': 'tail' })).toBe(2);
    expect(value(data.get(METRIC_SAMPLING_TAIL_BUFFER_SPANS), { 'trisignal.sampler': 'tail' })).toBe(
      stats.spans,
    );
    expect(value(data.get(METRIC_SAMPLING_TAIL_BUFFER_SIZE), { 'trisignal.sampler': 'tail' })).toBe(
      stats.bytes,
    );
    expect(
      value(data.get(METRIC_SAMPLING_TAIL_EVICTIONS), {
        'trisignal.sampler': 'tail',
        'trisignal.sampling.tail.bound': 'traces',
        'trisignal.sampling.outcome': 'sampled',
      }),
    ).toBe(1);
    expect(
      value(data.get(METRIC_SAMPLING_TAIL_LATE_SPANS), { 'trisignal.sampling.outcome': 'sampled' }),
    ).toBe(1);
    expect(
      value(data.get(METRIC_SAMPLING_DECISIONS), {
        'trisignal.sampler': 'tail',
        'trisignal.sampling.outcome': 'sampled',
      }),
    ).toBe(1);
    await provider.shutdown();
  });

  it('registers once per meter: setMeter is idempotent for the same meter', () => {
    const provider = new MeterProvider();
    const meter = provider.getMeter('@trisignal/sampling');
    const add = vi.spyOn(meter, 'addBatchObservableCallback');
    const metrics = createSamplingMetrics(meter);
    metrics.setMeter(meter);
    metrics.setMeter(provider.getMeter('@trisignal/sampling')); // the provider hands out the same meter
    expect(add).toHaveBeenCalledTimes(1);
  });

  it("onInit sets the handle's meter on shared metrics once, and keeps a meter the user set", async () => {
    const reader = new PullReader();
    const provider = new MeterProvider({ readers: [reader] });
    const meter = provider.getMeter('@trisignal/sampling', VERSION); // the one onInit asks for
    const add = vi.spyOn(meter, 'addBatchObservableCallback');
    const shared = createSamplingMetrics();
    const adaptive = createAdaptiveSampler({ metrics: shared, name: 'a', autoTick: false });
    const sampler = createParentBasedSampler({ root: adaptive, metrics: shared, name: 'pb' });
    sampler.onInit(fakeObservability(undefined, provider)); // reaches the adaptive sampler too
    expect(add).toHaveBeenCalledTimes(1);
    sampler.shouldSample(ROOT_CONTEXT, createSeededTraceIdGenerator(3)(), 'x', SpanKind.SERVER, {}, []);
    const data = await collect(reader);
    const decisions = data.get(METRIC_SAMPLING_DECISIONS);
    expect(value(decisions, { 'trisignal.sampler': 'pb', 'trisignal.sampling.outcome': 'sampled' })).toBe(1);
    expect(value(decisions, { 'trisignal.sampler': 'a', 'trisignal.sampling.outcome': 'sampled' })).toBe(1);

    const userReader = new PullReader();
    const userProvider = new MeterProvider({ readers: [userReader] });
    const own = createSamplingMetrics(userProvider.getMeter('mine'));
    const probability = createProbabilitySampler({ ratio: 1, metrics: own, name: 'p' });
    (probability as unknown as { onInit(obs: unknown): void }).onInit(fakeObservability(undefined, provider));
    probability.shouldSample(ROOT_CONTEXT, createSeededTraceIdGenerator(4)(), 'x', SpanKind.SERVER, {}, []);
    const mine = await collect(userReader);
    expect(
      value(mine.get(METRIC_SAMPLING_DECISIONS), {
        'trisignal.sampler': 'p',
        'trisignal.sampling.outcome': 'sampled',
      }),
    ).toBe(1);
    expect(add).toHaveBeenCalledTimes(1);
    await Promise.all([provider.shutdown(), userProvider.shutdown()]);
  });
});
