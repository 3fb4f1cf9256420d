import {
  createTraceState,
  type Context,
  defaultTextMapGetter,
  ROOT_CONTEXT,
  SpanKind,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createProbabilitySampler } from './probability-sampler.js';

const HEAD = '4bf92f3577b34da6a3';
/** A trace id whose randomness (last 14 hex digits) is `r`. */
const tid = (r: string): string => HEAD + r;

function parent(r: string, sampled: boolean, traceState?: string): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: tid(r),
    spanId: '00f067aa0ba902b7',
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
    ...(traceState === undefined ? {} : { traceState: createTraceState(traceState) }),
  });
}

function decide(s: Sampler, ctx: Context, traceId: string): SamplingResult {
  return s.shouldSample(ctx, traceId, 'span', SpanKind.SERVER, {}, []);
}

const SAMPLED = SamplingDecision.RECORD_AND_SAMPLED;
const DROPPED = SamplingDecision.NOT_RECORD;

describe('createProbabilitySampler: roots', () => {
  it('keeps a root iff R ≥ T and writes th', () => {
    const s = createProbabilitySampler({ ratio: 0.5 });
    const kept = decide(s, ROOT_CONTEXT, tid('80000000000000'));
    expect(kept.decision).toBe(SAMPLED);
    expect(kept.traceState?.serialize()).toBe('ot=th:8');
    const dropped = decide(s, ROOT_CONTEXT, tid('7fffffffffffff'));
    expect(dropped.decision).toBe(DROPPED);
    expect(dropped.traceState).toBeUndefined();
  });

  it('samples everything at 1 (th:0, even a malformed id) and nothing at 0 (no th)', () => {
    const all = createProbabilitySampler({ ratio: 1 });
    expect(decide(all, ROOT_CONTEXT, 'nothex').traceState?.get('ot')).toBe('th:0');
    const none = createProbabilitySampler({ ratio: 0 });
    const r = decide(none, ROOT_CONTEXT, tid('ffffffffffffff'));
    expect(r.decision).toBe(DROPPED);
    expect(r.traceState).toBeUndefined();
  });

  it('honours the precision option', () => {
    const s = createProbabilitySampler({ ratio: 0.01, precision: 5 });
    expect(decide(s, ROOT_CONTEXT, tid('ffffffffffffff')).traceState?.get('ot')).toBe('th:fd70a4');
    expect(s.toString()).toBe('ProbabilitySampler{ratio=0.01, th=fd70a4, parentMode=independent}');
  });

  it('rejects invalid options with a typed error', () => {
    expect(() => createProbabilitySampler({ ratio: 1.5 })).toThrow(
      expect.objectContaining({ code: 'TRISIGNAL_SAMPLING_INVALID_OPTION' }),
    );
    expect(() => createProbabilitySampler({ ratio: 0.5, precision: 15 })).toThrow(/precision/);
    expect(() => createProbabilitySampler({ ratio: 0.5, parentMode: 'x' as never })).toThrow(/parentMode/);
  });
});

describe('createProbabilitySampler: parent thresholds', () => {
  it('independent: decides on R alone, writes its own th, keeps other members and ot sub-keys', () => {
    const s = createProbabilitySampler({ ratio: 0.5 });
    const r = decide(s, parent('c0000000000000', true, 'vendor=abc,ot=th:c;k:v'), tid('c0000000000000'));
    expect(r.decision).toBe(SAMPLED);
    expect(r.traceState?.get('ot')).toBe('th:8;k:v');
    expect(r.traceState?.get('vendor')).toBe('abc');
    // An unsampled parent does not stop an independent sampler.
    expect(decide(s, parent('90000000000000', false), tid('90000000000000')).decision).toBe(SAMPLED);
  });

  it('reads R from rv when present and keeps rv; erases a malformed rv', () => {
    const s = createProbabilitySampler({ ratio: 0.5 });
    const withRv = decide(s, parent('00000000000000', true, 'ot=rv:ffffffffffffff'), tid('00000000000000'));
    expect(withRv.decision).toBe(SAMPLED);
    expect(withRv.traceState?.get('ot')).toBe('th:8;rv:ffffffffffffff');
    const badRv = decide(s, parent('90000000000000', true, 'ot=rv:xyz;k:v'), tid('90000000000000'));
    expect(badRv.decision).toBe(SAMPLED);
    expect(badRv.traceState?.get('ot')).toBe('th:8;k:v');
  });

  it('equalizing: keeps a parent th above its own unchanged, otherwise raises to its own', () => {
    const s = createProbabilitySampler({ ratio: 0.5, parentMode: 'equalizing' });
    // Parent at 25 % (th:c) is more selective than 50 %: keep it, th unchanged.
    const higher = decide(s, parent('d0000000000000', true, 'ot=th:c'), tid('d0000000000000'));
    expect(higher.decision).toBe(SAMPLED);
    expect(higher.traceState).toBeUndefined(); // tracer keeps the parent's ot=th:c
    const s25 = createProbabilitySampler({ ratio: 0.25, parentMode: 'equalizing' });
    // Parent at 50 %, this stage at 25 %: R = a… passes 8 but not c.
    expect(decide(s25, parent('a0000000000000', true, 'ot=th:8'), tid('a0000000000000')).decision).toBe(
      DROPPED,
    );
    const raised = decide(s25, parent('d0000000000000', true, 'ot=th:8'), tid('d0000000000000'));
    expect(raised.decision).toBe(SAMPLED);
    expect(raised.traceState?.get('ot')).toBe('th:c');
    // Never samples what the parent dropped.
    expect(decide(s, parent('ffffffffffffff', false), tid('ffffffffffffff')).decision).toBe(DROPPED);
  });

  it('equalizing: a sampled parent without th has an unknown probability, so no th is written', () => {
    const s = createProbabilitySampler({ ratio: 0.5, parentMode: 'equalizing' });
    const r = decide(s, parent('90000000000000', true, 'vendor=abc'), tid('90000000000000'));
    expect(r.decision).toBe(SAMPLED);
    expect(r.traceState).toBeUndefined();
    expect(decide(s, parent('10000000000000', true), tid('10000000000000')).decision).toBe(DROPPED);
  });

  it('proportional: multiplies the parent probability by its own', () => {
    const s = createProbabilitySampler({ ratio: 0.5, parentMode: 'proportional' });
    const kept = decide(s, parent('d0000000000000', true, 'ot=th:8'), tid('d0000000000000'));
    expect(kept.decision).toBe(SAMPLED);
    expect(kept.traceState?.get('ot')).toBe('th:c'); // 0.5 × 0.5 = 0.25
    expect(decide(s, parent('a0000000000000', true, 'ot=th:8'), tid('a0000000000000')).decision).toBe(
      DROPPED,
    );
    expect(decide(s, parent('ffffffffffffff', false, 'ot=th:8'), tid('ffffffffffffff')).decision).toBe(
      DROPPED,
    );
  });

  it('erases a parent th that contradicts the sampled flag', () => {
    const s = createProbabilitySampler({ ratio: 1, parentMode: 'equalizing' });
    // Sampled, but R = 1… < T = c…: inconsistent. Erased; the probability is then unknown.
    const r = decide(s, parent('10000000000000', true, 'ot=th:c;k:v'), tid('10000000000000'));
    expect(r.decision).toBe(SAMPLED);
    expect(r.traceState?.get('ot')).toBe('k:v');
  });
});

describe('createProbabilitySampler: the tracestate it writes', () => {
  const s = createProbabilitySampler({ ratio: 0.1, parentMode: 'equalizing' });
  const R = 'f8a0c0e0e47360'; // above e666: kept

  it('puts ot first on the wire, with rv and other sub-keys kept, after every other member', () => {
    const ts = `vendor=x,ot=th:8;rv:${R};k1:13,other=1`;
    const r = decide(s, parent('00000000000000', true, ts), tid('00000000000000'));
    expect(r.decision).toBe(SAMPLED);
    expect(r.traceState?.serialize()).toBe(`ot=th:e666;rv:${R};k1:13,vendor=x,other=1`);
    expect(r.traceState?.get('other')).toBe('1');
  });

  it('does the same for a remote parent extracted by the W3C propagator', () => {
    const ctx = new W3CTraceContextPropagator().extract(
      ROOT_CONTEXT,
      { traceparent: `00-${tid(R)}-00f067aa0ba902b7-01`, tracestate: 'vendor=x,ot=th:8;k1:13' },
      defaultTextMapGetter,
    );
    const r = decide(s, ctx, tid(R));
    expect(r.decision).toBe(SAMPLED);
    expect(r.traceState?.serialize()).toBe('ot=th:e666;k1:13,vendor=x');
  });

  it('drops the right-most member when adding ot to 32 members', () => {
    const members = Array.from({ length: 32 }, (_, i) => `k${i}=v`);
    const independent = createProbabilitySampler({ ratio: 0.1 });
    const r = decide(independent, parent(R, true, members.join(',')), tid(R));
    expect(r.traceState?.serialize()).toBe(['ot=th:e666', ...members.slice(0, 31)].join(','));
    expect(r.traceState?.get('k31')).toBeUndefined();
  });

  it('gives children of one parent the same ot value, and a child of its own span no new tracestate', () => {
    const p = parent('00000000000000', true, 'vendor=x,ot=th:8');
    const a = decide(s, p, tid(R));
    const b = decide(s, p, tid(R));
    expect(a.traceState?.get('ot')).toBe('th:e666');
    expect(b.traceState?.get('ot')).toBe('th:e666');
    const child = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: tid(R),
      spanId: '00f067aa0ba902b8',
      traceFlags: TraceFlags.SAMPLED,
      traceState: a.traceState!,
    });
    expect(decide(s, child, tid(R)).traceState).toBeUndefined();
  });
});
