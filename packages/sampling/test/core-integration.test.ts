/**
 * The samplers and the tail processor inside a real `init()`: the adaptive sampler fed by `obs.recorder`
 * (which the middlewares fill with every request whatever the sampling), self-metrics through
 * `obs.meterProvider`, timers stopped by `obs.shutdown()` — all through core's `onInit`, with no manual
 * `attach` or `setMeter`.
 */
import { SpanKind } from '@opentelemetry/api';
import { type CollectionResult, type DataPoint } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { init, type InitOptions, type Observability } from '@trisignal/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAdaptiveSampler } from '../src/adaptive-sampler.js';
import { createSamplerFromEnv } from '../src/env.js';
import { createSamplingMetrics } from '../src/metrics.js';
import { createParentBasedSampler } from '../src/parent-based-sampler.js';
import { createTailSamplingProcessor } from '../src/tail-sampling-processor.js';

const KEY = 'GET /api/items/:id';

function start(options: InitOptions): Observability {
  return init({
    service: 'orders',
    signalHooks: false,
    registerGlobals: false,
    runtimeMetrics: false,
    env: {},
    ...options,
  });
}

/** Serves `requests` requests of KEY: a server span each (the head sampler decides) and the recorder. */
function serve(obs: Observability, requests: number, failing = 0): number {
  let sampled = 0;
  for (let i = 0; i < requests; i++) {
    const span = obs.tracer.startSpan(KEY, {
      kind: SpanKind.SERVER,
      attributes: { 'http.route': '/api/items/:id' },
    });
    if (span.isRecording()) sampled++;
    span.end();
    obs.recorder.recordHttpServer({
      method: 'GET',
      route: '/api/items/:id',
      statusCode: i < failing ? 500 : 200,
      durationSeconds: 0.01,
      spanContext: span.spanContext(),
    });
  }
  return sampled;
}

function points(result: CollectionResult, name: string): DataPoint<number>[] {
  return result.resourceMetrics.scopeMetrics.flatMap((s) =>
    s.metrics.filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as DataPoint<number>[]),
  );
}

function pointValue(
  result: CollectionResult,
  name: string,
  attributes: Record<string, string>,
): number | undefined {
  return points(result, name).find((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v))
    ?.value;
}

const noopProcessor: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

describe('adaptive sampling with @trisignal/core', () => {
  let shutdown: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await shutdown?.();
  });

  it('moves the probability of a route toward target / QPS from obs.recorder', async () => {
    let now = 0;
    const metrics = createSamplingMetrics();
    const adaptive = createAdaptiveSampler({
      targetTracesPerSecond: 2,
      autoTick: false,
      now: () => now,
      metrics,
    });
    const exporter = new InMemorySpanExporter();
    const obs = init({
      service: 'orders',
      sampler: createParentBasedSampler({ root: adaptive }),
      spanExporters: [exporter],
      signalHooks: false,
      registerGlobals: false,
      runtimeMetrics: false,
      env: {},
    });
    shutdown = () => obs.shutdown();
    adaptive.attach(obs.recorder);
    metrics.setMeter(obs.meterProvider.getMeter('@trisignal/sampling'));

    const key = 'GET /api/items/:id';
    const serveWindow = (requests: number, failing = 0): number => {
      let sampled = 0;
      for (let i = 0; i < requests; i++) {
        const span = obs.tracer.startSpan(key, {
          kind: SpanKind.SERVER,
          attributes: { 'http.route': '/api/items/:id' },
        });
        if (span.isRecording()) sampled++;
        span.end();
        obs.recorder.recordHttpServer({
          method: 'GET',
          route: '/api/items/:id',
          statusCode: i < failing ? 500 : 200,
          durationSeconds: 0.01,
          spanContext: span.spanContext(),
        });
      }
      now += 5000;
      adaptive.tick();
      return sampled;
    };

    expect(adaptive.probabilityOf(key)).toBe(1);
    expect(serveWindow(1000)).toBe(1000); // unknown route: everything sampled
    expect(adaptive.probabilityOf(key)).toBeCloseTo(2 / 200, 12); // 200 req/s → 2 traces/s
    const second = serveWindow(1000);
    expect(second).toBeGreaterThan(0);
    expect(second).toBeLessThan(40); // about 10 of 1000
    expect(adaptive.keys()).toEqual([{ key, probability: 0.01, qps: 200, errorRate: 0 }]);
    // 5 % errors on the route: the probability climbs (+50 % per window).
    serveWindow(1000, 50);
    expect(adaptive.probabilityOf(key)).toBeCloseTo(0.015, 12);

    const collected = await obs.collect();
    const names = collected.resourceMetrics.scopeMetrics.flatMap((s) =>
      s.metrics.map((m) => m.descriptor.name),
    );
    expect(names).toContain('trisignal.sampling.probability');
    expect(names).toContain('trisignal.sampling.decisions');
    await obs.forceFlush();
    for (const span of exporter.getFinishedSpans()) {
      expect(span.spanContext().traceState?.get('ot')).toMatch(/^th:/);
    }
  });
});

describe('init() wires the sampling components (onInit)', () => {
  let obs: Observability | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await obs?.shutdown();
    obs = undefined;
  });

  it('feeds an adaptive root of a parent-based sampler from obs.recorder without attach()', () => {
    let now = 0;
    const adaptive = createAdaptiveSampler({ targetTracesPerSecond: 2, autoTick: false, now: () => now });
    obs = start({ sampler: createParentBasedSampler({ root: adaptive }) });

    expect(serve(obs, 1000)).toBe(1000); // unknown route: everything sampled
    now += 5000;
    adaptive.tick();
    expect(adaptive.probabilityOf(KEY)).toBeCloseTo(2 / 200, 12); // 200 req/s → 2 traces/s
    serve(obs, 1000, 50); // 5 % errors: +50 % per window
    now += 5000;
    adaptive.tick();
    expect(adaptive.probabilityOf(KEY)).toBeCloseTo(0.015, 12);
    expect(adaptive.keys()).toEqual([{ key: KEY, probability: 0.015, qps: 200, errorRate: 0.05 }]);
  });

  it('reports trisignal.sampling.* through obs.meterProvider without setMeter()', async () => {
    let now = 0;
    const adaptive = createAdaptiveSampler({
      targetTracesPerSecond: 2,
      autoTick: false,
      now: () => now,
      name: 'adaptive-in-init',
    });
    obs = start({ sampler: createParentBasedSampler({ root: adaptive, name: 'parentbased-in-init' }) });
    serve(obs, 1000);
    now += 5000;
    adaptive.tick();
    const sampled = serve(obs, 1000);

    const collected = await obs.collect();
    expect(
      pointValue(collected, 'trisignal.sampling.probability', {
        'trisignal.sampler': 'adaptive-in-init',
        'trisignal.sampling.key': KEY,
      }),
    ).toBeCloseTo(0.01, 12);
    expect(
      pointValue(collected, 'trisignal.sampling.adaptive.keys', { 'trisignal.sampler': 'adaptive-in-init' }),
    ).toBe(1);
    for (const name of ['adaptive-in-init', 'parentbased-in-init']) {
      expect(
        pointValue(collected, 'trisignal.sampling.decisions', {
          'trisignal.sampler': name,
          'trisignal.sampling.outcome': 'sampled',
        }),
        name,
      ).toBe(1000 + sampled);
      expect(
        pointValue(collected, 'trisignal.sampling.decisions', {
          'trisignal.sampler': name,
          'trisignal.sampling.outcome': 'dropped',
        }),
        name,
      ).toBe(1000 - sampled);
    }
    const scopes = collected.resourceMetrics.scopeMetrics
      .filter((s) => s.metrics.some((m) => m.descriptor.name.startsWith('trisignal.sampling.')))
      .map((s) => s.scope.name);
    expect(new Set(scopes)).toEqual(new Set(['@trisignal/sampling']));
  });

  it("reports the tail processor's buffer through obs.meterProvider", async () => {
    const tail = createTailSamplingProcessor({
      downstream: noopProcessor,
      policies: [{ type: 'always_sample' }],
      autoTick: false,
      now: () => 0,
      name: 'tail-in-init',
    });
    obs = start({ spanProcessors: [tail] });
    for (let i = 0; i < 3; i++) {
      const root = obs.tracer.startSpan('root');
      root.end(); // the trace waits out its grace time: no tick() is called
    }
    const collected = await obs.collect();
    const attrs = { 'trisignal.sampler': 'tail-in-init' };
    expect(pointValue(collected, 'trisignal.sampling.tail.buffer.traces', attrs)).toBe(3);
    expect(pointValue(collected, 'trisignal.sampling.tail.buffer.spans', attrs)).toBe(3);
    expect(pointValue(collected, 'trisignal.sampling.tail.buffer.size', attrs)).toBe(tail.stats().bytes);
    expect(tail.stats().bytes).toBeGreaterThan(0);
  });

  it('sets the meter of user-given metrics that have none, once for all components sharing them', async () => {
    const metrics = createSamplingMetrics();
    const setMeter = vi.spyOn(metrics, 'setMeter');
    const adaptive = createAdaptiveSampler({ metrics, autoTick: false, name: 'shared-adaptive' });
    obs = start({ sampler: createParentBasedSampler({ root: adaptive, metrics, name: 'shared-pb' }) });
    expect(setMeter).toHaveBeenCalledTimes(1);
    serve(obs, 10);
    const collected = await obs.collect();
    for (const name of ['shared-adaptive', 'shared-pb']) {
      expect(
        pointValue(collected, 'trisignal.sampling.decisions', {
          'trisignal.sampler': name,
          'trisignal.sampling.outcome': 'sampled',
        }),
        name,
      ).toBe(10);
    }
  });

  it('stops the adaptive window timer inside a parent-based sampler on obs.shutdown()', async () => {
    const setInterval = vi.spyOn(globalThis, 'setInterval');
    const clearInterval = vi.spyOn(globalThis, 'clearInterval');
    let now = 0;
    const adaptive = createAdaptiveSampler({ windowMillis: 4321, now: () => now, targetTracesPerSecond: 2 });
    const index = setInterval.mock.calls.findIndex((call) => call[1] === 4321);
    expect(index).toBeGreaterThanOrEqual(0);
    const timer = setInterval.mock.results[index]!.value as unknown;
    obs = start({ sampler: createParentBasedSampler({ root: adaptive }) });
    expect(clearInterval).not.toHaveBeenCalledWith(timer);
    serve(obs, 1000);

    await obs.shutdown();
    expect(clearInterval).toHaveBeenCalledWith(timer);
    // Closed: a window closed by hand after shutdown changes nothing.
    now += 5000;
    adaptive.tick();
    expect(adaptive.probabilityOf(KEY)).toBe(1);
  });

  it('runs our OTEL_TRACES_SAMPLER names through createSamplerFromEnv(): fed, metered and stopped', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let now = 0;
    const sampler = createSamplerFromEnv(
      { OTEL_TRACES_SAMPLER: 'parentbased_trisignal_adaptive', OTEL_TRACES_SAMPLER_ARG: 'target=2' },
      { now: () => now },
    );
    obs = start({ sampler });
    expect(obs.sampler).toBe(sampler);
    expect(vi.getTimerCount()).toBe(1); // the adaptive window
    serve(obs, 1000);
    now += 5000;
    vi.advanceTimersByTime(5000);
    const collected = await obs.collect();
    expect(
      points(collected, 'trisignal.sampling.probability').find(
        (p) => p.attributes['trisignal.sampling.key'] === KEY,
      )?.value,
    ).toBeCloseTo(0.01, 12);

    await obs.shutdown();
    expect(vi.getTimerCount()).toBe(0);
  });
});
