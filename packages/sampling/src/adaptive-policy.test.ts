import { describe, expect, it } from 'vitest';
import { type AdaptiveWindow, seedProbability, targetRateProbability } from './adaptive-policy.js';

const window = (qps: number, errorRate: number, previousProbability: number): AdaptiveWindow => ({
  key: 'k',
  qps,
  errorRate,
  requests: qps * 5,
  errors: qps * 5 * errorRate,
  windowSeconds: 5,
  previousProbability,
});

describe('seedProbability', () => {
  it('is min(1, max(0.001, (0.8·QPS + 5·error%)/100)) exactly', () => {
    expect(seedProbability(10, 0)).toBeCloseTo(0.08, 12);
    expect(seedProbability(10, 5)).toBeCloseTo(0.33, 12);
    expect(seedProbability(50, 1)).toBeCloseTo(0.45, 12);
    expect(seedProbability(100, 0)).toBeCloseTo(0.8, 12);
    expect(seedProbability(100, 5)).toBe(1);
    expect(seedProbability(0, 0)).toBe(0.001);
    expect(seedProbability(0.1, 0)).toBe(0.001);
    expect(seedProbability(10, 0, { qps: 0.1, errorRatePercent: 10 })).toBeCloseTo(0.01, 12);
  });
});

describe('targetRateProbability', () => {
  const params = {
    targetTracesPerSecond: 10,
    minProbability: 1e-5,
    maxIncreasePerWindow: 0.5,
    errorRateThreshold: 0.01,
  };

  it('aims at target / QPS, decreasing in full', () => {
    expect(targetRateProbability(window(1000, 0, 1), params)).toBeCloseTo(0.01, 12);
    expect(targetRateProbability(window(5, 0, 0.5), params)).toBeCloseTo(0.75, 12); // goal 1, capped
    expect(targetRateProbability(window(5, 0, 0.8), params)).toBe(1);
  });

  it('caps increases at +50 % of the previous probability per window', () => {
    expect(targetRateProbability(window(100, 0, 0.01), params)).toBeCloseTo(0.015, 12);
    expect(targetRateProbability(window(100, 0, 0.09), params)).toBeCloseTo(0.1, 12);
  });

  it('climbs toward 1 while the error rate is above the threshold, and when idle', () => {
    expect(targetRateProbability(window(1000, 0.05, 0.01), params)).toBeCloseTo(0.015, 12);
    expect(targetRateProbability(window(1000, 0.01, 0.01), params)).toBeCloseTo(0.01, 12); // at, not above
    expect(targetRateProbability(window(0, 0, 0.2), params)).toBeCloseTo(0.3, 12);
  });

  it('clamps to [min, 1]', () => {
    expect(targetRateProbability(window(1e9, 0, 1), params)).toBe(1e-5);
    expect(targetRateProbability(window(1e9, 0, 0), params)).toBe(1e-5);
  });
});
