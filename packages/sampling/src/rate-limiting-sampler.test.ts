import { createTraceState, ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createRateLimitingSampler } from './rate-limiting-sampler.js';
import { TokenBucket } from './token-bucket.js';

/** A deterministic PRNG in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Most admitted decisions in any closed window of `seconds` (two pointers over sorted times in ms). */
function maxInWindow(times: readonly number[], seconds: number): number {
  let best = 0;
  let j = 0;
  for (let i = 0; i < times.length; i++) {
    while (times[j]! < times[i]! - seconds * 1000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('createRateLimitingSampler', () => {
  it('never admits more than N·T + burst in any window, on a simulated bursty clock', () => {
    for (const [rate, burst] of [
      [10, 5],
      [2.5, 1],
      [100, 100],
    ] as const) {
      let now = 0;
      const sampler = createRateLimitingSampler({ tracesPerSecond: rate, burst, now: () => now });
      const rnd = random(rate * 1000 + burst);
      const admitted: number[] = [];
      let offered = 0;
      // 120 s alternating floods (≈ 40× the rate), trickles and silences.
      while (now < 120_000) {
        const phase = Math.floor(now / 5000) % 3;
        const meanGapMs = phase === 0 ? 1000 / (rate * 40) : phase === 1 ? 1000 / (rate / 2) : 5000;
        now += -Math.log(1 - rnd()) * meanGapMs;
        offered++;
        const r = sampler.shouldSample(
          ROOT_CONTEXT,
          '4bf92f3577b34da6a3ce929d0e0e4736',
          'x',
          SpanKind.SERVER,
          {},
          [],
        );
        if (r.decision === SamplingDecision.RECORD_AND_SAMPLED) admitted.push(now);
      }
      expect(offered).toBeGreaterThan(admitted.length * 3);
      for (const seconds of [0, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 120]) {
        expect(
          maxInWindow(admitted, seconds),
          `rate ${rate} burst ${burst} window ${seconds}s`,
        ).toBeLessThanOrEqual(Math.floor(rate * seconds + burst + 1e-9));
      }
    }
  });

  it('sustains its rate under overload', () => {
    let now = 0;
    const sampler = createRateLimitingSampler({ tracesPerSecond: 20, now: () => now });
    let admitted = 0;
    for (; now < 60_000; now += 1) {
      const r = sampler.shouldSample(
        ROOT_CONTEXT,
        '4bf92f3577b34da6a3ce929d0e0e4736',
        'x',
        SpanKind.SERVER,
        {},
        [],
      );
      if (r.decision === SamplingDecision.RECORD_AND_SAMPLED) admitted++;
    }
    // 20/s for 60 s plus the initial burst of 20.
    expect(admitted).toBeGreaterThanOrEqual(20 * 60 - 1);
    expect(admitted).toBeLessThanOrEqual(20 * 60 + 20);
  });

  it('does not credit a clock that goes backwards', () => {
    const bucket = new TokenBucket(1, 1, 1000);
    expect(bucket.tryTake(1, 1000)).toBe(true);
    expect(bucket.tryTake(1, 0)).toBe(false);
    expect(bucket.tryTake(1, 1500)).toBe(false);
    expect(bucket.tryTake(1, 2000)).toBe(true);
  });

  it('erases a parent th (rate limiting is not probability sampling) and keeps the rest', () => {
    const sampler = createRateLimitingSampler({ tracesPerSecond: 1, now: () => 0 });
    const ctx = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: createTraceState('vendor=1,ot=th:8;k:v'),
    });
    const r = sampler.shouldSample(ctx, '4bf92f3577b34da6a3ce929d0e0e4736', 'x', SpanKind.SERVER, {}, []);
    expect(r.decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(r.traceState?.get('ot')).toBe('k:v');
    expect(r.traceState?.get('vendor')).toBe('1');
  });

  it('validates its options', () => {
    expect(() => createRateLimitingSampler({ tracesPerSecond: -1 })).toThrow(/tracesPerSecond/);
    expect(() => createRateLimitingSampler({ tracesPerSecond: 5, burst: 0.5 })).toThrow(/burst/);
    expect(createRateLimitingSampler({ tracesPerSecond: 5 }).toString()).toBe(
      'RateLimitingSampler{tracesPerSecond=5, burst=5}',
    );
  });
});
