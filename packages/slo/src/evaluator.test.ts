import { describe, expect, it } from 'vitest';
import { FakeClock, FakeRecorder, FakeSaturation, seeded } from '../test/feed.js';
import { createSloEvaluator, SHED_ERROR_TYPE } from './evaluator.js';
import { histogramQuantile, quantileOf } from './histogram-quantile.js';
import { defineSlo } from './spec.js';

const spec = defineSlo({
  service: 'orders',
  classes: [
    {
      name: 'gold',
      availability: 99.9,
      latency: [
        { quantile: 0.99, thresholdSeconds: 0.25 },
        { quantile: 0.9, thresholdSeconds: 0.1 },
      ],
    },
    { name: 'silver', availability: 99.5, latency: [{ quantile: 0.99, thresholdSeconds: 1 }] },
    { name: 'bronze', availability: 99 },
  ],
});
const B = spec.buckets;

interface TickLog {
  requests: number;
  errors: number;
  buckets: number[];
}

describe('createSloEvaluator against a brute-force computation over synthetic traffic', () => {
  it('agrees on burn rates per window, budget remaining, the p99 and its baseline', () => {
    const rnd = seeded(42);
    const clock = new FakeClock();
    const recorder = new FakeRecorder(B);
    const evaluator = createSloEvaluator({
      spec,
      source: recorder,
      clock,
      autoStart: false,
      windows: ['1m', '5m', '30m', '1h', '2h'],
    });
    evaluator.tick(); // baseline tick at t=0
    const classes = spec.classes.map((c) => c.name);
    const log = new Map(
      classes.map((c) => [c, [{ requests: 0, errors: 0, buckets: B.map(() => 0).concat(0) }] as TickLog[]]),
    );
    const N = 4 * 3600;
    const checkpoints = new Set([
      59,
      60,
      61,
      599,
      600,
      601,
      1799,
      3600,
      3661,
      7199,
      7200,
      7205,
      9000,
      10_801,
      N,
    ]);
    for (let i = 0; i < 20; i++) checkpoints.add(1 + Math.floor(rnd() * N));
    const windowTicks = [60, 300, 1800, 3600, 7200];

    const sum = (cls: string, from: number, to: number): TickLog => {
      const out: TickLog = { requests: 0, errors: 0, buckets: B.map(() => 0).concat(0) };
      const entries = log.get(cls)!;
      for (let s = from + 1; s <= to; s++) {
        const e = entries[s]!;
        out.requests += e.requests;
        out.errors += e.errors;
        e.buckets.forEach((v, i) => (out.buckets[i]! += v));
      }
      return out;
    };
    const base = (n: number, w: number): number => {
      if (w <= 600) return Math.max(0, n - w);
      const r = n % 60;
      const k = Math.ceil((w - r) / 60);
      return Math.max(0, (Math.floor(n / 60) - k) * 60);
    };
    const pBrute = (t: TickLog): number => {
      let cum = 0;
      return histogramQuantile(
        0.99,
        t.buckets.map((c, i) => ({ le: i < B.length ? B[i]! : Infinity, count: (cum += c) })),
      );
    };

    for (let n = 1; n <= N; n++) {
      const phase = n < 3600 ? 0 : n < 7200 ? 1 : 2; // healthy, errors + slow, recovered
      for (const cls of classes) {
        const entry: TickLog = { requests: 0, errors: 0, buckets: B.map(() => 0).concat(0) };
        const count = Math.floor(rnd() * (cls === 'gold' ? 8 : 4));
        for (let i = 0; i < count; i++) {
          const error = rnd() < (phase === 1 ? 0.05 : 0.0005);
          const kind = rnd() < 0.7 ? 'http' : 'rpc';
          const s = recorder.series(kind, cls, error);
          const bucket = Math.min(B.length, Math.floor(rnd() * (phase === 1 ? 14 : 9)));
          s.addToBucket(bucket);
          entry.requests++;
          if (error) entry.errors++;
          entry.buckets[bucket]!++;
        }
        log.get(cls)!.push(entry);
      }
      clock.advance(1000);
      evaluator.tick();
      if (!checkpoints.has(n)) continue;
      const snapshot = evaluator.snapshot();
      expect(snapshot.ticks).toBe(n);
      for (const c of snapshot.classes) {
        const cls = spec.classes.find((x) => x.name === c.className)!;
        c.objectives.forEach((o, oi) => {
          o.burnRates.forEach((b, wi) => {
            const t = sum(c.className, base(n, windowTicks[wi]!), n);
            const bad =
              oi === 0
                ? t.errors
                : t.requests -
                  t.buckets
                    .slice(0, B.indexOf(cls.latency[oi - 1]!.thresholdSeconds) + 1)
                    .reduce((a, x) => a + x, 0);
            const expected = bad / t.requests / o.objective.budget;
            if (Number.isNaN(expected)) expect(b.value).toBeNaN();
            else
              expect(b.value, `${c.className} ${o.objective.id} ${b.window} @${n}`).toBeCloseTo(expected, 9);
          });
          const all = sum(c.className, 0, n);
          const badAll =
            oi === 0
              ? all.errors
              : all.requests -
                all.buckets
                  .slice(0, B.indexOf(cls.latency[oi - 1]!.thresholdSeconds) + 1)
                  .reduce((a, x) => a + x, 0);
          expect(o.budgetRemaining).toBeCloseTo(1 - badAll / all.requests / o.objective.budget, 9);
        });
        const p = pBrute(sum(c.className, Math.max(0, n - 60), n));
        if (Number.isNaN(p)) expect(c.latency.value).toBeNaN();
        else expect(c.latency.value, `${c.className} p99 @${n}`).toBeCloseTo(p, 9);
        // baseline: median of minute samples 10…69 minutes back, each the p99 of its minute (≥ 20 requests)
        const samples: number[] = [];
        const lastBoundary = Math.floor(n / 60);
        for (let i = 10; i < 70; i++) {
          const m = lastBoundary - i;
          if (m < 1) continue;
          const t = sum(c.className, (m - 1) * 60, m * 60);
          if (t.requests >= 20) samples.push(pBrute(t));
        }
        const baseline = samples.length >= 5 ? quantileOf(0.5, samples) : NaN;
        if (Number.isNaN(baseline)) expect(c.latency.baseline).toBeNaN();
        else expect(c.latency.baseline, `${c.className} baseline @${n}`).toBeCloseTo(baseline, 9);
        const lastMinute = sum(c.className, Math.max(0, n - 60), n);
        expect(c.requestRate).toBeCloseTo(lastMinute.requests / 60, 9);
      }
    }
    // the incident hour burned gold's budget: a 1h window inside it shows errors far above budget
    expect(evaluator.snapshot().classes[0]!.objectives[0]!.budgetRemaining).toBeLessThan(0);
  });
});

describe('createSloEvaluator', () => {
  it('ignores history recorded before its first tick and counts series created later in full', () => {
    const clock = new FakeClock();
    const recorder = new FakeRecorder(B);
    recorder.series('http', 'gold', true).addToBucket(0, 1000); // before the evaluator existed
    const evaluator = createSloEvaluator({ spec, source: recorder, clock, autoStart: false });
    evaluator.tick();
    recorder.series('http', 'gold', false).addToBucket(0, 99); // a new series
    recorder.series('http', 'gold', true).addToBucket(0, 1);
    clock.advance(1000);
    evaluator.tick();
    expect(evaluator.window('gold', 60)).toMatchObject({ requests: 100, errors: 1 });
  });

  it('maps unlabelled series to the default class, skips unknown classes and shed responses', () => {
    const clock = new FakeClock();
    const recorder = new FakeRecorder(B);
    const evaluator = createSloEvaluator({ spec, source: recorder, clock, autoStart: false });
    evaluator.tick();
    recorder.series('http', undefined, false).addToBucket(0, 10);
    recorder.series('http', 'platinum', false).addToBucket(0, 10);
    recorder.series('http', 'bronze', true, SHED_ERROR_TYPE).addToBucket(0, 50);
    clock.advance(1000);
    evaluator.tick();
    expect(evaluator.window('silver', 60)!.requests).toBe(10);
    expect(evaluator.window('bronze', 60)!.requests).toBe(0);
  });

  it('counts series with other buckets, judging thresholds it can find', () => {
    const clock = new FakeClock();
    const recorder = new FakeRecorder([0.1, 0.25, 5]);
    const evaluator = createSloEvaluator({ spec, source: recorder, clock, autoStart: false });
    evaluator.tick();
    const s = recorder.series('http', 'gold', false);
    s.record(0.05);
    s.record(0.2);
    s.record(3);
    clock.advance(1000);
    evaluator.tick();
    expect(evaluator.window('gold', 60)).toMatchObject({
      requests: 3,
      errors: 0,
      slow: Float64Array.from([1, 2]),
    });
    expect(evaluator.snapshot().skippedSeries).toBe(1);
  });

  it('reads in-flight requests and saturation each tick, and catches up after a late timer', () => {
    const clock = new FakeClock();
    const recorder = new FakeRecorder(B);
    recorder.active.push({ value: 3 }, { value: 4 });
    const saturation = new FakeSaturation();
    const evaluator = createSloEvaluator({ spec, source: recorder, saturation, clock, autoStart: false });
    evaluator.tick();
    recorder.series('http', 'gold', false).addToBucket(0, 5);
    clock.advance(3500);
    evaluator.tick();
    expect(evaluator.ticks).toBe(3);
    expect(evaluator.inFlight).toBe(7);
    expect(evaluator.saturation).toBe(saturation.reading);
    expect(evaluator.window('gold', 1)!.requests).toBe(0);
    expect(evaluator.window('gold', 3)!.requests).toBe(5);
    clock.advance(400);
    evaluator.tick(); // 900 ms after the last whole tick: not yet
    expect(evaluator.ticks).toBe(3);
  });

  it('rejects invalid options with the field and the value', () => {
    const recorder = new FakeRecorder(B);
    expect(() => createSloEvaluator({ spec, source: recorder, tickMillis: 7, autoStart: false })).toThrow(
      'Expected `tickMillis` to be a positive integer that divides 60000, got `7`',
    );
    expect(() =>
      createSloEvaluator({ spec, source: recorder, windows: ['5 minutes'], autoStart: false }),
    ).toThrow('Expected `windows[0]` to be a duration');
    expect(() => createSloEvaluator({ spec, source: {} as never, autoStart: false })).toThrow(
      'Expected `source` to be an object with forEachSeries()',
    );
  });

  it('never lets a throwing feed escape tick()', () => {
    const evaluator = createSloEvaluator({
      spec,
      source: {
        forEachSeries: () => {
          throw new Error('boom');
        },
      },
      autoStart: false,
    });
    expect(() => evaluator.tick()).not.toThrow();
  });
});
