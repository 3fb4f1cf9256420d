import { describe, expect, it } from 'vitest';
import { backoffMillis, parseRetryAfter, resolveRetryOptions, RETRY_DEFAULTS } from './retry.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });
  it('reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  });
  it('ignores absent and malformed values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter(['7'], now)).toBe(7000);
  });
});

describe('backoffMillis', () => {
  const o = resolveRetryOptions({}, false);
  it('grows by the multiplier up to the cap, with jitter around each step', () => {
    expect(backoffMillis(1, o, () => 0.5)).toBe(1000);
    expect(backoffMillis(2, o, () => 0.5)).toBe(1500);
    expect(backoffMillis(3, o, () => 0.5)).toBe(2250);
    expect(backoffMillis(10, o, () => 0.5)).toBe(5000);
    expect(backoffMillis(1, o, () => 0)).toBe(800);
    expect(backoffMillis(1, o, () => 0.999999)).toBeCloseTo(1200, 0);
  });
  it('defaults give-up time to 300 s in memory and to never in durable mode', () => {
    expect(o.maxElapsedMillis).toBe(RETRY_DEFAULTS.maxElapsedMillis);
    expect(resolveRetryOptions({}, true).maxElapsedMillis).toBe(0);
  });
  it('rejects invalid settings with the option error', () => {
    expect(() => resolveRetryOptions({ multiplier: 0.5 }, false)).toThrow(/retry\.multiplier/);
    expect(() => resolveRetryOptions({ jitter: 1 }, false)).toThrow(/retry\.jitter/);
    expect(() => resolveRetryOptions({ initialBackoffMillis: -1 }, false)).toThrow(
      /TRISIGNAL|initialBackoffMillis/,
    );
  });
});
