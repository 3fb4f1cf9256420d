import { createTraceState, ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { createSeededTraceIdGenerator } from '@trisignal/conformance';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeObservability } from '../test/fake-observability.js';
import { createAdaptiveSampler } from './adaptive-sampler.js';
import { type FeedKind, type FeedSeries, type SeriesFeed } from './series-feed.js';

/** A synthetic golden-signal feed: cumulative counts per (operation, error) series. */
class SyntheticFeed implements SeriesFeed {
  readonly series = new Map<string, { operation: string; isError: boolean; duration: { count: number } }>();
  kind: FeedKind = 'http.server';

  add(operation: string, requests: number, errors = 0): void {
    this.#cell(operation, false).duration.count += requests - errors;
    if (errors > 0) this.#cell(operation, true).duration.count += errors;
  }

  #cell(operation: string, isError: boolean) {
    const key = `${operation}|${isError}`;
    let s = this.series.get(key);
    if (s === undefined) {
      s = { operation, isError, duration: { count: 0 } };
      this.series.set(key, s);
    }
    return s;
  }

  forEachSeries(kind: FeedKind, visit: (series: FeedSeries) => void): void {
    if (kind === this.kind) for (const s of this.series.values()) visit(s);
  }
}

const KEY = 'GET /api/items/:id';

function setup(options: Parameters<typeof createAdaptiveSampler>[0] = {}) {
  const feed = new SyntheticFeed();
  let now = 0;
  const sampler = createAdaptiveSampler({
    feed,
    autoTick: false,
    now: () => now,
    windowMillis: 5000,
    ...options,
  });
  const ids = createSeededTraceIdGenerator(99);
  /** One 5 s window at `qps` with `errorRate`: offers every request to the sampler, records it, closes the window. */
  const runWindow = (qps: number, errorRate = 0, key = KEY): number => {
    const requests = Math.round(qps * 5);
    let sampled = 0;
    for (let i = 0; i < requests; i++) {
      const r = sampler.shouldSample(ROOT_CONTEXT, ids(), key, SpanKind.SERVER, {}, []);
      if (r.decision === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
    }
    feed.add(key, requests, Math.round(requests * errorRate));
    now += 5000;
    sampler.tick();
    return sampled / 5;
  };
  return { feed, sampler, runWindow, advance: (ms: number) => (now += ms) };
}

describe('createAdaptiveSampler (target-rate)', () => {
  it('converges to the target within a few windows after a step change in traffic', () => {
    const { sampler, runWindow } = setup({ targetTracesPerSecond: 20 });
    expect(sampler.probabilityOf(KEY)).toBe(1); // unknown key: initial probability
    runWindow(100);
    expect(sampler.probabilityOf(KEY)).toBeCloseTo(0.2, 12);
    const steady = runWindow(100);
    expect(Math.abs(steady * 5 - 100)).toBeLessThanOrEqual(5 * Math.sqrt(500 * 0.2 * 0.8));

    // Step up ×10: one window to follow (decreases apply in full).
    runWindow(1000);
    expect(sampler.probabilityOf(KEY)).toBeCloseTo(0.02, 12);
    const afterUp = runWindow(1000);
    expect(Math.abs(afterUp * 5 - 100)).toBeLessThanOrEqual(5 * Math.sqrt(5000 * 0.02 * 0.98));

    // Step down ×10: +50 % per window at most, monotone, no overshoot: 0.02 → 0.2 in 6 windows.
    const path: number[] = [];
    for (let w = 0; w < 8; w++) {
      runWindow(100);
      path.push(sampler.probabilityOf(KEY));
    }
    for (let i = 1; i < path.length; i++) expect(path[i]!).toBeGreaterThanOrEqual(path[i - 1]!);
    expect(Math.max(...path)).toBeCloseTo(0.2, 12);
    expect(path[0]).toBeCloseTo(0.03, 12);
    expect(path.findIndex((p) => Math.abs(p - 0.2) < 1e-12)).toBe(5); // the 6th window after the step
    const converged = runWindow(100);
    expect(Math.abs(converged * 5 - 100)).toBeLessThanOrEqual(5 * Math.sqrt(500 * 0.2 * 0.8));
    expect(sampler.keys()).toEqual([{ key: KEY, probability: 0.2, qps: 100, errorRate: 0 }]);
  });

  it('boosts a key toward 1 while its error rate is above the threshold, then returns to target', () => {
    const { sampler, runWindow } = setup({ targetTracesPerSecond: 10, errorRateThreshold: 0.02 });
    runWindow(1000);
    expect(sampler.probabilityOf(KEY)).toBeCloseTo(0.01, 12);
    let previous = sampler.probabilityOf(KEY);
    let windows = 0;
    while (sampler.probabilityOf(KEY) < 1 && windows < 50) {
      runWindow(1000, 0.05);
      const p = sampler.probabilityOf(KEY);
      expect(p).toBeCloseTo(Math.min(1, previous * 1.5), 12);
      previous = p;
      windows++;
    }
    expect(sampler.probabilityOf(KEY)).toBe(1);
    expect(windows).toBe(Math.ceil(Math.log(100) / Math.log(1.5))); // 12 windows from 1 % to 100 %
    // Errors at the threshold do not boost; the key falls back to target / QPS in one window.
    runWindow(1000, 0.02);
    expect(sampler.probabilityOf(KEY)).toBeCloseTo(0.01, 12);
  });

  it('counts every request of the feed, including those it did not sample', () => {
    const { feed, sampler, advance } = setup({ targetTracesPerSecond: 5 });
    feed.add(KEY, 5000); // requests the sampler never saw (e.g. followed a remote parent)
    advance(5000);
    sampler.tick();
    expect(sampler.keys()[0]).toMatchObject({ qps: 1000, probability: 0.005 });
  });

  it('keeps its key table bounded, ignores the overflow series and forgets idle keys', () => {
    const { feed, sampler, advance } = setup({ maxKeys: 2, maxIdleWindows: 2 });
    feed.add('a', 10);
    feed.add('b', 10);
    feed.add('c', 10);
    feed.add('otel.metric.overflow', 10);
    advance(5000);
    sampler.tick();
    expect(sampler.keys().map((k) => k.key)).toEqual(['a', 'b']);
    expect(sampler.probabilityOf('c')).toBe(1);
    for (let i = 0; i < 2; i++) {
      feed.add('c', 10);
      advance(5000);
      sampler.tick();
    }
    expect(sampler.keys().map((k) => k.key)).toEqual(['c']);
  });

  it('takes a baseline when attached and survives a feed that restarts or throws', () => {
    const feed = new SyntheticFeed();
    feed.add(KEY, 1_000_000); // history before attach
    let now = 0;
    const sampler = createAdaptiveSampler({ autoTick: false, now: () => now, targetTracesPerSecond: 1 });
    sampler.tick(); // no feed yet: nothing happens
    sampler.attach(feed);
    feed.add(KEY, 50);
    now = 5000;
    sampler.tick();
    expect(sampler.keys()[0]?.qps).toBe(10);
    sampler.attach(new SyntheticFeed()); // counters restart from zero
    now = 10_000;
    sampler.tick();
    expect(sampler.keys()[0]?.qps).toBe(0);
    sampler.attach({
      forEachSeries: () => {
        throw new Error('broken feed');
      },
    });
    now = 15_000;
    expect(() => sampler.tick()).not.toThrow();
    expect(() => sampler.attach({} as never)).toThrow(
      expect.objectContaining({ code: 'TRISIGNAL_SAMPLING_INVALID_OPTION' }),
    );
  });

  it('finds a key by http.route / rpc attributes when the span starts under another name', () => {
    const { feed, sampler, advance } = setup({ targetTracesPerSecond: 0, minProbability: 0 });
    feed.add('GET /api/items/:id', 100);
    feed.add('shop.Inventory/Reserve', 100);
    advance(5000);
    sampler.tick();
    const ids = createSeededTraceIdGenerator(5);
    const sampledBy = (attributes: Record<string, string>) => {
      let n = 0;
      for (let i = 0; i < 200; i++) {
        const r = sampler.shouldSample(ROOT_CONTEXT, ids(), 'GET', SpanKind.SERVER, attributes, []);
        if (r.decision === SamplingDecision.RECORD_AND_SAMPLED) n++;
      }
      return n;
    };
    expect(sampledBy({ 'http.route': '/api/items/:id', 'http.request.method': 'GET' })).toBe(0);
    expect(sampledBy({ 'rpc.service': 'shop.Inventory', 'rpc.method': 'Reserve' })).toBe(0);
    expect(sampledBy({})).toBe(200); // unknown: initial probability 1
  });

  it('keeps the previous probability when a custom policy throws or returns NaN', () => {
    let calls = 0;
    const { sampler, runWindow } = setup({
      policy: (w) => {
        calls++;
        if (calls === 2) throw new Error('policy bug');
        if (calls === 3) return NaN;
        return w.qps > 50 ? 0.25 : 0.5;
      },
    });
    runWindow(100);
    expect(sampler.probabilityOf(KEY)).toBe(0.25);
    runWindow(10);
    runWindow(10);
    expect(sampler.probabilityOf(KEY)).toBe(0.25);
    runWindow(10);
    expect(sampler.probabilityOf(KEY)).toBe(0.5);
  });
});

describe('createAdaptiveSampler with a parent threshold', () => {
  it('multiplies each key’s own probability with the parent’s (proportional)', () => {
    const { sampler, runWindow } = setup({
      parentMode: 'proportional',
      policy: (w) => (w.key === 'A' ? 0.5 : 0.25),
    });
    runWindow(10, 0, 'A');
    runWindow(10, 0, 'B');
    expect([sampler.probabilityOf('A'), sampler.probabilityOf('B')]).toEqual([0.5, 0.25]);
    const traceId = '4bf92f3577b34da6a3f0000000000000';
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId,
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: createTraceState('ot=th:8'),
    });
    const th = (key: string) =>
      sampler.shouldSample(parent, traceId, key, SpanKind.SERVER, {}, []).traceState?.get('ot');
    expect(th('A')).toBe('th:c'); // 0.5 × 0.5
    expect(th('B')).toBe('th:e'); // 0.5 × 0.25
    expect(th('A')).toBe('th:c');
  });
});

describe('createAdaptiveSampler (seed policy)', () => {
  it('applies the seed formula to each window as written', () => {
    const { sampler, runWindow } = setup({ policy: 'seed' });
    runWindow(10, 0.1); // 50 requests, 5 failed: (0.8·10 + 5·10) / 100
    expect(sampler.probabilityOf(KEY)).toBeCloseTo(0.58, 12);
    runWindow(50, 0.02); // (0.8·50 + 5·2) / 100
    expect(sampler.probabilityOf(KEY)).toBeCloseTo(0.5, 12);
    runWindow(0.2);
    expect(sampler.probabilityOf(KEY)).toBeCloseTo(0.0016, 12);
    runWindow(1000);
    expect(sampler.probabilityOf(KEY)).toBe(1);
    expect(sampler.toString()).toBe(
      'AdaptiveSampler{policy=seed, weights=0.8/5, windowMillis=5000, initialProbability=1}',
    );
  });
});

describe('createAdaptiveSampler lifecycle', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('recomputes on an unref’d timer every window and stops on shutdown', async () => {
    vi.useFakeTimers();
    const feed = new SyntheticFeed();
    let now = 0;
    const sampler = createAdaptiveSampler({ feed, now: () => now, targetTracesPerSecond: 1 });
    feed.add(KEY, 500);
    now = 5000;
    vi.advanceTimersByTime(5000);
    expect(sampler.probabilityOf(KEY)).toBeCloseTo(0.01, 12);
    await sampler.shutdown();
    await sampler.shutdown();
    feed.add(KEY, 50);
    now = 10_000;
    vi.advanceTimersByTime(5000);
    expect(sampler.probabilityOf(KEY)).toBeCloseTo(0.01, 12);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('validates its options', () => {
    expect(() => createAdaptiveSampler({ windowMillis: 0 })).toThrow(/windowMillis/);
    expect(() => createAdaptiveSampler({ kinds: [] })).toThrow(/kinds/);
    expect(() => createAdaptiveSampler({ policy: 'fast' as never })).toThrow(/policy/);
    expect(() => createAdaptiveSampler({ errorRateThreshold: 2 })).toThrow(/errorRateThreshold/);
    expect(() => createAdaptiveSampler({ feed: {} as never })).toThrow(/feed/);
  });

  describe('onInit', () => {
    it("attaches the handle's recorder when no feed was given, once per handle", () => {
      const recorder = new SyntheticFeed();
      let now = 0;
      const sampler = createAdaptiveSampler({ autoTick: false, now: () => now, targetTracesPerSecond: 1 });
      const obs = fakeObservability(recorder);
      recorder.add(KEY, 10_000); // history before init: not part of the first window
      sampler.onInit(obs);
      recorder.add(KEY, 500);
      sampler.onInit(obs); // forwarded again by a nested composite: must not restart the window
      now = 5000;
      sampler.tick();
      expect(sampler.probabilityOf(KEY)).toBeCloseTo(0.01, 12); // 500 requests in 5 s → 1/100
    });

    it('keeps a feed given as an option or through attach()', () => {
      for (const how of ['option', 'attach'] as const) {
        const given = new SyntheticFeed();
        const recorder = new SyntheticFeed();
        let now = 0;
        const sampler = createAdaptiveSampler({
          autoTick: false,
          now: () => now,
          targetTracesPerSecond: 1,
          ...(how === 'option' ? { feed: given } : {}),
        });
        if (how === 'attach') sampler.attach(given);
        sampler.onInit(fakeObservability(recorder));
        recorder.add(KEY, 5000);
        given.add(KEY, 50);
        now = 5000;
        sampler.tick();
        expect(sampler.probabilityOf(KEY), how).toBeCloseTo(0.1, 12); // 10 req/s from the given feed
      }
    });
  });
});
