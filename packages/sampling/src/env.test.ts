import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { createSeededTraceIdGenerator } from '@trisignal/conformance';
import { isTrisignalError } from '@trisignal/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSamplerFromEnv } from './env.js';
import { type FeedKind, type FeedSeries } from './series-feed.js';

function expectEnvError(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(isTrisignalError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('TRISIGNAL_SAMPLING_INVALID_ENV');
    expect((error as Error).message).toMatch(pattern);
    return;
  }
  expect.fail('expected TRISIGNAL_SAMPLING_INVALID_ENV');
}

describe('createSamplerFromEnv', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('defaults to parentbased_always_on and builds the standard samplers', () => {
    expect(createSamplerFromEnv({}).toString()).toMatch(/^ParentBased\{root=AlwaysOnSampler/);
    expect(
      createSamplerFromEnv({
        OTEL_TRACES_SAMPLER: ' TraceIdRatio ',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }).toString(),
    ).toBe('TraceIdRatioBased{0.25}');
    expect(createSamplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' }).toString()).toBe('AlwaysOffSampler');
  });

  it('builds ours from a number or key=value pairs', () => {
    expect(
      createSamplerFromEnv({
        OTEL_TRACES_SAMPLER: 'trisignal_ratelimited',
        OTEL_TRACES_SAMPLER_ARG: '10',
      }).toString(),
    ).toBe('RateLimitingSampler{tracesPerSecond=10, burst=10}');
    expect(
      createSamplerFromEnv({
        OTEL_TRACES_SAMPLER: 'parentbased_trisignal_ratelimited',
        OTEL_TRACES_SAMPLER_ARG: 'rate=5, burst=2',
      }).toString(),
    ).toMatch(/^ParentBased\{root=RateLimitingSampler\{tracesPerSecond=5, burst=2\}/);
    expect(
      createSamplerFromEnv({
        OTEL_TRACES_SAMPLER: 'trisignal_adaptive',
        OTEL_TRACES_SAMPLER_ARG: 'target=5,window=1000,min=0.001',
      }).toString(),
    ).toBe(
      'AdaptiveSampler{policy=target-rate, targetTracesPerSecond=5, minProbability=0.001, windowMillis=1000, initialProbability=1}',
    );
    expect(
      createSamplerFromEnv({
        OTEL_TRACES_SAMPLER: 'trisignal_adaptive',
        OTEL_TRACES_SAMPLER_ARG: 'policy=seed,qpsWeight=0.5',
      }).toString(),
    ).toMatch(/policy=seed, weights=0.5\/5/);
    const probability = createSamplerFromEnv({
      OTEL_TRACES_SAMPLER: 'trisignal_probability',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    });
    const r = probability.shouldSample(
      ROOT_CONTEXT,
      '4bf92f3577b34da6a3ffffffffffffff',
      'x',
      SpanKind.SERVER,
      {},
      [],
    );
    expect(r.traceState?.get('ot')).toBe('th:e666');
    expect(
      createSamplerFromEnv({
        OTEL_TRACES_SAMPLER: 'trisignal_probability',
        OTEL_TRACES_SAMPLER_ARG: 'ratio=0.5,mode=equalizing',
      }).toString(),
    ).toBe('ProbabilitySampler{ratio=0.5, th=8, parentMode=equalizing}');
  });

  it('attaches a feed to the adaptive sampler inside a parent-based one', async () => {
    vi.useFakeTimers();
    let now = 0;
    const counts = { count: 0 };
    const feed = {
      forEachSeries(kind: FeedKind, visit: (s: FeedSeries) => void) {
        if (kind === 'http.server') visit({ operation: 'GET /x', isError: false, duration: counts });
      },
    };
    const sampler = createSamplerFromEnv(
      { OTEL_TRACES_SAMPLER: 'parentbased_trisignal_adaptive', OTEL_TRACES_SAMPLER_ARG: '1' },
      { now: () => now },
    );
    sampler.attach(feed);
    counts.count = 50_000; // 10 000 requests per second over the 5 s window
    now = 5000;
    vi.advanceTimersByTime(5000);
    const ids = createSeededTraceIdGenerator(2);
    let sampled = 0;
    for (let i = 0; i < 10_000; i++) {
      const r = sampler.shouldSample(ROOT_CONTEXT, ids(), 'GET /x', SpanKind.SERVER, {}, []);
      if (r.decision === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
    }
    expect(sampled).toBeLessThan(10); // p = 1 / 10 000
    await sampler.shutdown();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('throws TRISIGNAL_SAMPLING_INVALID_ENV on anything invalid', () => {
    expectEnvError(
      () => createSamplerFromEnv({ OTEL_TRACES_SAMPLER: 'jaeger_remote' }),
      /OTEL_TRACES_SAMPLER`.*trisignal_adaptive/,
    );
    expectEnvError(
      () => createSamplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }),
      /probability/,
    );
    expectEnvError(
      () =>
        createSamplerFromEnv({
          OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
          OTEL_TRACES_SAMPLER_ARG: 'x',
        }),
      /probability/,
    );
    expectEnvError(
      () =>
        createSamplerFromEnv({
          OTEL_TRACES_SAMPLER: 'trisignal_adaptive',
          OTEL_TRACES_SAMPLER_ARG: 'speed=2',
        }),
      /keys target, min/,
    );
    expectEnvError(
      () =>
        createSamplerFromEnv({
          OTEL_TRACES_SAMPLER: 'trisignal_adaptive',
          OTEL_TRACES_SAMPLER_ARG: 'target=abc',
        }),
      /number for `target`/,
    );
    expectEnvError(
      () =>
        createSamplerFromEnv({
          OTEL_TRACES_SAMPLER: 'trisignal_adaptive',
          OTEL_TRACES_SAMPLER_ARG: 'window=0.5',
        }),
      /windowMillis/,
    );
    expectEnvError(
      () =>
        createSamplerFromEnv({
          OTEL_TRACES_SAMPLER: 'trisignal_adaptive',
          OTEL_TRACES_SAMPLER_ARG: 'policy=magic',
        }),
      /policy/,
    );
    expectEnvError(
      () =>
        createSamplerFromEnv({ OTEL_TRACES_SAMPLER: 'trisignal_ratelimited', OTEL_TRACES_SAMPLER_ARG: '-3' }),
      /tracesPerSecond/,
    );
    expectEnvError(
      () =>
        createSamplerFromEnv({
          OTEL_TRACES_SAMPLER: 'trisignal_probability',
          OTEL_TRACES_SAMPLER_ARG: 'mode=greedy',
        }),
      /mode/,
    );
    expectEnvError(
      () =>
        createSamplerFromEnv({
          OTEL_TRACES_SAMPLER: 'trisignal_probability',
          OTEL_TRACES_SAMPLER_ARG: '1.5',
        }),
      /ratio/,
    );
  });
});
