import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { ADMIT, type AdmissionRequest } from '@trisignal/core';
import { describe, expect, it } from 'vitest';
import { FakeClock, FakeRecorder, FakeSaturation, seeded } from '../test/feed.js';
import { createSloAdmission } from './admission.js';
import { defineSlo } from './spec.js';

const spec = defineSlo({
  service: 'orders',
  classes: [
    { name: 'gold', availability: 99.9, latency: [{ quantile: 0.99, thresholdSeconds: 0.25 }] },
    { name: 'silver', availability: 99.5, latency: [{ quantile: 0.99, thresholdSeconds: 1 }] },
    { name: 'bronze', availability: 99, latency: [{ quantile: 0.9, thresholdSeconds: 2.5 }] },
  ],
});
const B = spec.buckets;
const CLASSES = ['gold', 'silver', 'bronze'] as const;
const req = (sloClass: string): AdmissionRequest => ({
  kind: 'http',
  method: 'GET',
  route: `/${sloClass}`,
  sloClass,
});

function setup(options: Parameters<typeof createSloAdmission>[0] extends infer T ? Partial<T> : never = {}) {
  const clock = new FakeClock();
  const recorder = new FakeRecorder(B);
  const saturation = new FakeSaturation();
  const admission = createSloAdmission({
    spec,
    source: recorder,
    saturation,
    clock,
    autoStart: false,
    random: seeded(7),
    ...options,
  });
  admission.evaluator.tick();
  /** One second of traffic: `n` requests per class, a share `slow` of them above every threshold, a share `errors` failing. */
  const second = (n: number, slow: number, errors = 0): void => {
    for (const cls of CLASSES) {
      const bad = Math.round(n * errors);
      const slowN = Math.round((n - bad) * slow);
      recorder.series('http', cls, false).addToBucket(B.length, slowN);
      recorder.series('http', cls, false).addToBucket(0, n - bad - slowN);
      recorder.series('http', cls, true).addToBucket(0, bad);
    }
    clock.advance(1000);
    admission.evaluator.tick();
  };
  return { clock, recorder, saturation, admission, second };
}

function shedShare(admission: ReturnType<typeof createSloAdmission>, cls: string, n = 4000): number {
  let shed = 0;
  for (let i = 0; i < n; i++) if (!admission.admit(req(cls)).admit) shed++;
  return shed / n;
}

describe('createSloAdmission: shedding order under simulated overload', () => {
  it('sheds bronze first and gold last as the overload grows, then opens the breaker', () => {
    const { admission, saturation, second } = setup();
    for (let i = 0; i < 120; i++) second(100, 0);
    expect(admission.state().health.score).toBe(1);
    for (const cls of CLASSES) expect(shedShare(admission, cls)).toBe(0);

    const seen: { score: number; gold: number; silver: number; bronze: number }[] = [];
    // overload ramps up: a growing share of slow requests, the event loop saturating
    for (const [slow, elu, errors] of [
      [0.02, 0.75, 0],
      [0.03, 0.8, 0],
      [0.04, 0.85, 0],
      [0.05, 0.9, 0],
      [0.06, 0.92, 0],
      [0.08, 0.94, 0],
      [0.1, 0.96, 0.002],
      [0.15, 0.98, 0.02], // timeouts start: requests fail
    ] as const) {
      saturation.reading = { ...saturation.reading, eventLoopUtilization: elu };
      for (let i = 0; i < 60 && admission.state().breaker === 'closed'; i++) second(100, slow, errors);
      if (admission.state().breaker !== 'closed') break;
      seen.push({
        score: admission.state().health.score,
        gold: shedShare(admission, 'gold'),
        silver: shedShare(admission, 'silver'),
        bronze: shedShare(admission, 'bronze'),
      });
    }
    // every step: bronze ≥ silver ≥ gold (small tolerance for sampling noise)
    for (const s of seen) {
      expect(s.bronze + 0.03).toBeGreaterThanOrEqual(s.silver);
      expect(s.silver + 0.03).toBeGreaterThanOrEqual(s.gold);
    }
    // some step sheds bronze while gold is untouched, and gold starts only after bronze is (nearly) all shed
    expect(seen.some((s) => s.bronze > 0.1 && s.gold === 0)).toBe(true);
    for (const s of seen) if (s.gold > 0) expect(s.bronze).toBeGreaterThan(0.97);
    // scores fall as the overload grows, and the breaker opens at the end
    for (let i = 1; i < seen.length; i++)
      expect(seen[i]!.score).toBeLessThanOrEqual(seen[i - 1]!.score + 1e-9);
    expect(admission.state().breaker).toBe('open');
    const shed = admission.admit(req('gold'));
    expect(shed).toMatchObject({ admit: false, reason: 'breaker_open' });
    const state = admission.state();
    expect(state.shed['bronze']!.overload).toBeGreaterThan(state.shed['gold']!.overload);
  });

  it('spreads the pressure over custom priorities too', () => {
    const custom = defineSlo({
      service: 'x',
      defaultClass: 'b',
      classes: [
        { name: 'a', availability: 99, priority: 0 },
        { name: 'b', availability: 99, priority: 3 },
        { name: 'c', availability: 99, priority: 9 },
        { name: 'd', availability: 99, priority: 9 },
      ],
    });
    const clock = new FakeClock();
    const saturation = new FakeSaturation();
    const admission = createSloAdmission({
      spec: custom,
      source: new FakeRecorder(custom.buckets),
      saturation,
      clock,
      autoStart: false,
      health: { weights: { latency: 0, errors: 0, saturation: 1, traffic: 0 } },
    });
    admission.evaluator.tick();
    saturation.reading = { ...saturation.reading, eventLoopUtilization: 0.7 + 0.25 * 0.45 }; // score 0.55: pressure 3/7 of 3 levels
    clock.advance(1000);
    admission.evaluator.tick();
    const p = admission.state().shedProbability;
    expect(p['c']).toBe(1);
    expect(p['d']).toBe(1);
    expect(p['b']).toBeGreaterThan(0);
    expect(p['b']).toBeLessThan(1);
    expect(p['a']).toBe(0);
  });
});

describe('createSloAdmission: breaker', () => {
  it('opens on failing and slow traffic, probes N requests half-open, closes, and ignores the old outage', () => {
    const { admission, clock, second } = setup({ breaker: { jitterRatio: 0 } });
    for (let i = 0; i < 70; i++) second(100, 0);
    for (let i = 0; i < 60 && admission.state().breaker === 'closed'; i++) second(100, 0.5, 0.5);
    expect(admission.state().breaker).toBe('open');
    const opened = admission.state();
    expect(opened.openUntil - clock.now()).toBeLessThanOrEqual(5000);
    expect(admission.admit(req('gold'))).toMatchObject({
      admit: false,
      reason: 'breaker_open',
      retryAfterSeconds: 5,
    });

    clock.advance(5000);
    const decisions: { r: AdmissionRequest; d: unknown }[] = Array.from({ length: 8 }, (_, i) => ({
      r: req(CLASSES[i % 3]!),
      d: undefined,
    }));
    for (const x of decisions) x.d = admission.admit(x.r);
    const probes = decisions.filter((x) => x.d === ADMIT);
    expect(probes).toHaveLength(5);
    expect(decisions.filter((x) => x.d !== ADMIT).map((x) => (x.d as { reason: string }).reason)).toEqual([
      'breaker_half_open',
      'breaker_half_open',
      'breaker_half_open',
    ]);
    expect(admission.state().breaker).toBe('half_open');
    for (const p of probes) admission.complete(p.r, { durationSeconds: 0.01, error: false });
    expect(admission.state().breaker).toBe('closed');
    // the 1m window still holds the outage, but health only looks at what happened since closing
    second(100, 0);
    second(100, 0);
    expect(admission.state().breaker).toBe('closed');
    expect(admission.state().health.score).toBe(1);
  });

  it('judges slow probes as failures and backs off exponentially', () => {
    const { admission, clock, second } = setup({ breaker: { jitterRatio: 0 } });
    for (let i = 0; i < 70; i++) second(100, 0);
    for (let i = 0; i < 60 && admission.state().breaker === 'closed'; i++) second(100, 0.5, 0.5);
    const first = admission.state().openUntil - clock.now();
    clock.t = admission.state().openUntil;
    const probes = Array.from({ length: 5 }, () => req('gold'));
    for (const r of probes) expect(admission.admit(r)).toBe(ADMIT);
    admission.complete(probes[0]!, { durationSeconds: 0.3, error: false }); // slower than gold's 0.25 s
    admission.complete(probes[1]!, { durationSeconds: 0.01, error: true });
    expect(admission.state().breaker).toBe('open');
    expect(admission.state().attempt).toBe(2);
    expect(admission.state().openUntil - clock.now()).toBe(2 * 5000);
    expect(first).toBe(5000);
  });
});

describe('createSloAdmission: hot path and exported state', () => {
  it('admits everything when healthy, never throws, and returns the shared ADMIT decision', () => {
    const { admission, second } = setup();
    second(10, 0);
    expect(admission.admit(req('gold'))).toBe(ADMIT);
    expect(admission.admit(req('unknown-class'))).toBe(ADMIT);
    expect(admission.admit({} as AdmissionRequest)).toBe(ADMIT);
    expect(() => admission.admit(null as unknown as AdmissionRequest)).not.toThrow();
    expect(() => admission.complete(null as unknown as AdmissionRequest, null as never)).not.toThrow();
  });

  it('exports health, breaker, shedding, burn-rate and budget gauges through a Meter', async () => {
    class Pull extends MetricReader {
      protected override onForceFlush(): Promise<void> {
        return Promise.resolve();
      }
      protected override onShutdown(): Promise<void> {
        return Promise.resolve();
      }
    }
    const reader = new Pull();
    const provider = new MeterProvider({ readers: [reader] });
    const { admission, second } = setup({ meter: provider.getMeter('slo') });
    for (let i = 0; i < 30; i++) second(100, 0.3, 0.2);
    for (let i = 0; i < 100; i++) admission.admit(req('bronze'));
    const { resourceMetrics } = await reader.collect();
    const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const byName = new Map(metrics.map((m) => [m.descriptor.name, m]));
    for (const name of [
      'trisignal.slo.health.score',
      'trisignal.slo.health.component',
      'trisignal.slo.breaker.state',
      'trisignal.slo.shed.probability',
      'trisignal.slo.burn_rate',
      'trisignal.slo.error_budget.remaining',
      'trisignal.slo.latency.quantile',
    ]) {
      expect(byName.has(name), name).toBe(true);
    }
    const score = byName.get('trisignal.slo.health.score')!.dataPoints[0]!.value as number;
    expect(score).toBeCloseTo(admission.state().health.score, 12);
    const burn = byName
      .get('trisignal.slo.burn_rate')!
      .dataPoints.find(
        (p) =>
          p.attributes['trisignal.slo.class'] === 'gold' &&
          p.attributes['trisignal.slo.sli'] === 'availability' &&
          p.attributes['trisignal.slo.window'] === '1m',
      );
    expect(burn!.value).toBeCloseTo(0.2 / 0.001, 6);
    const shed = byName.get('trisignal.slo.shed');
    const bronzeShed = admission.state().shed['bronze']!;
    const total = bronzeShed.overload + bronzeShed.breaker_open + bronzeShed.breaker_half_open;
    expect(total).toBeGreaterThan(0);
    expect(
      shed!.dataPoints
        .filter((p) => p.attributes['trisignal.slo.class'] === 'bronze')
        .reduce((a, p) => a + (p.value as number), 0),
    ).toBe(total);
    await admission.shutdown();
    await provider.shutdown();
  });

  it('rejects invalid options with the field and the value', () => {
    const recorder = new FakeRecorder(B);
    expect(() => createSloAdmission({ spec, source: recorder, autoStart: false, shedBelow: 0.2 })).toThrow(
      'Expected `shedBelow` to be a health score above `breaker.openBelow` (0.35) and at most 1, got `0.2`',
    );
    expect(() => createSloAdmission({ spec, autoStart: false })).toThrow(
      'Expected `source` to be a golden-signal source',
    );
    expect(() => createSloAdmission({ spec, source: recorder, autoStart: false, maxInFlight: 0 })).toThrow(
      'Expected `maxInFlight` to be a positive number, got `0`',
    );
  });
});
