import { describe, expect, it } from 'vitest';
import { computeHealth, HEALTH_DEFAULTS, ramp, resolveHealthOptions, type HealthSignals } from './health.js';

const calm: HealthSignals = {
  errorBurnRate: 0.5,
  latencyBurnRate: 0.2,
  latencyBaselineRatio: 1,
  eventLoopDelaySeconds: 0.001,
  eventLoopUtilization: 0.3,
  heapUsedRatio: 0.4,
  inFlightRatio: NaN,
  trafficRatio: 1,
};

describe('computeHealth', () => {
  it("uses the seed's weights: latency 0.4, errors 0.3, saturation 0.2, traffic 0.1", () => {
    expect(HEALTH_DEFAULTS.weights).toEqual({ latency: 0.4, errors: 0.3, saturation: 0.2, traffic: 0.1 });
    expect(computeHealth(calm).score).toBe(1);
    expect(computeHealth({ ...calm, latencyBurnRate: 100 }).score).toBeCloseTo(0.6, 12);
    expect(computeHealth({ ...calm, errorBurnRate: 100 }).score).toBeCloseTo(0.7, 12);
    expect(computeHealth({ ...calm, eventLoopUtilization: 1 }).score).toBeCloseTo(0.8, 12);
    expect(computeHealth({ ...calm, trafficRatio: 10 }).score).toBeCloseTo(0.9, 12);
    // latency and errors both gone: 0.3 < 0.35, the breaker opens
    expect(computeHealth({ ...calm, latencyBurnRate: 100, errorBurnRate: 100 }).score).toBeCloseTo(0.3, 12);
  });

  it('takes the worst signal within a component and ramps linearly between good and bad', () => {
    expect(ramp(7.7, { good: 1, bad: 14.4 })).toBeCloseTo(0.5, 12);
    expect(ramp(NaN, { good: 1, bad: 2 })).toBe(1);
    const h = computeHealth({ ...calm, heapUsedRatio: 0.875, eventLoopUtilization: 0.7 });
    expect(h.components.saturation).toBeCloseTo(0.5, 12);
    expect(computeHealth({ ...calm, latencyBaselineRatio: 2.1 }).components.latency).toBeCloseTo(0.5, 12);
  });

  it('treats unknown signals (no traffic, no baseline) as healthy', () => {
    const unknown = Object.fromEntries(Object.keys(calm).map((k) => [k, NaN])) as unknown as HealthSignals;
    expect(computeHealth(unknown).score).toBe(1);
  });

  it('accepts other weights and ramps and rejects invalid ones', () => {
    const o = resolveHealthOptions({ weights: { latency: 1, errors: 0, saturation: 0, traffic: 0 } });
    expect(computeHealth({ ...calm, errorBurnRate: 100 }, o).score).toBe(1);
    expect(() => resolveHealthOptions({ weights: { latency: -1 } })).toThrow(
      'Expected `health.weights.latency` to be a non-negative number, got `-1`',
    );
    expect(() => resolveHealthOptions({ heapUsedRatio: { good: 0.9, bad: 0.8 } })).toThrow(
      'Expected `health.heapUsedRatio` to be { good, bad } with finite numbers and bad > good',
    );
  });
});
