import { describe, expect, it } from 'vitest';
import { HealthBreaker, resolveBreakerOptions, type BreakerState } from './breaker.js';

function make(overrides = {}, random = () => 0.5): { b: HealthBreaker; log: [BreakerState, number][] } {
  const log: [BreakerState, number][] = [];
  const b = new HealthBreaker(resolveBreakerOptions({ jitterRatio: 0, ...overrides }), 0, random, (to, now) =>
    log.push([to, now]),
  );
  return { b, log };
}

describe('HealthBreaker on a fake clock', () => {
  it('stays closed at or above the threshold and opens below it (default 0.35)', () => {
    const { b, log } = make();
    b.evaluate(1000, 0.35);
    expect(b.state).toBe('closed');
    b.evaluate(2000, 0.349);
    expect(b.state).toBe('open');
    expect(b.openUntil).toBe(2000 + 5000);
    expect(log).toEqual([['open', 2000]]);
  });

  it('goes half-open when the open period ends, lets exactly N probes through, and closes on enough successes', () => {
    const { b, log } = make();
    b.evaluate(0, 0);
    b.evaluate(4999, 1);
    expect(b.state).toBe('open');
    b.advance(5000);
    expect(b.state).toBe('half_open');
    const admitted = Array.from({ length: 8 }, () => b.tryProbe()).filter(Boolean).length;
    expect(admitted).toBe(5);
    for (let i = 0; i < 4; i++) b.probeResult(true, 5100 + i);
    expect(b.state).toBe('half_open'); // 4 of 5 judged: wait for the fifth
    b.probeResult(false, 5200);
    expect(b.state).toBe('closed'); // 4/5 = 0.8 ≥ probeSuccessRatio
    expect(log.map(([s]) => s)).toEqual(['open', 'half_open', 'closed']);
  });

  it('reopens as soon as too many probes fail, doubling the open period each time up to the cap', () => {
    const { b } = make({ maxOpenMillis: 30_000 });
    const periods: number[] = [];
    let now = 0;
    b.evaluate(now, 0);
    for (let round = 0; round < 6; round++) {
      periods.push(b.openUntil - now);
      now = b.openUntil;
      b.advance(now);
      expect(b.state).toBe('half_open');
      b.tryProbe();
      b.tryProbe();
      b.probeResult(false, now);
      expect(b.state).toBe('half_open'); // one failure of five is tolerated
      b.probeResult(false, now);
      expect(b.state).toBe('open'); // two cannot reach 80% any more
    }
    expect(periods).toEqual([5000, 10_000, 20_000, 30_000, 30_000, 30_000]);
  });

  it('applies jitter within ± jitterRatio', () => {
    const low = make({ jitterRatio: 0.1 }, () => 0).b;
    low.evaluate(0, 0);
    expect(low.openUntil).toBeCloseTo(4500, 9);
    const high = make({ jitterRatio: 0.1 }, () => 0.999999).b;
    high.evaluate(0, 0);
    expect(high.openUntil).toBeCloseTo(5500, 2);
  });

  it('times out probes that never complete, judging only the probes that were sent', () => {
    const { b } = make();
    b.evaluate(0, 0);
    b.advance(5000);
    b.tryProbe();
    b.tryProbe();
    b.probeResult(true, 5001);
    b.evaluate(14_999, 1);
    expect(b.state).toBe('half_open');
    b.evaluate(15_000, 1); // probe timeout: 1 success, 1 hung → 50% < 80% → reopen with the next step
    expect(b.state).toBe('open');
    expect(b.openUntil).toBe(15_000 + 10_000);
    b.advance(25_000);
    b.tryProbe();
    b.probeResult(true, 25_001);
    b.evaluate(35_000, 1); // one probe sent and it succeeded: too little traffic is not failure
    expect(b.state).toBe('closed');
  });

  it('waits in half-open without traffic and resets the backoff after staying closed long enough', () => {
    const { b } = make({ backoffResetMillis: 60_000 });
    b.evaluate(0, 0);
    b.advance(5000);
    b.evaluate(100_000, 1);
    expect(b.state).toBe('half_open'); // no probe sent: nothing to judge
    for (let i = 0; i < 5; i++) b.tryProbe();
    for (let i = 0; i < 5; i++) b.probeResult(true, 100_001);
    expect(b.state).toBe('closed');
    expect(b.attempt).toBe(1);
    b.evaluate(159_999, 1);
    expect(b.attempt).toBe(1);
    b.evaluate(160_001, 1);
    expect(b.attempt).toBe(0);
    b.evaluate(160_002, 0.1);
    expect(b.openUntil - 160_002).toBe(5000); // back to the first step
  });

  it('rejects invalid options with the field and the value', () => {
    expect(() => resolveBreakerOptions({ probeRequests: 0 })).toThrow(
      'Expected `breaker.probeRequests` to be a positive integer, got `0`',
    );
    expect(() => resolveBreakerOptions({ openMillis: 10, maxOpenMillis: 5 })).toThrow(
      'Expected `breaker.maxOpenMillis` to be a number of milliseconds at least `openMillis` (10), got `5`',
    );
    expect(() => resolveBreakerOptions({ openBelow: 2 })).toThrow(
      'Expected `breaker.openBelow` to be a health score from 0 to 1, got `2`',
    );
  });
});
