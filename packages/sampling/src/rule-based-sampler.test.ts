import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { createSeededTraceIdGenerator } from '@trisignal/conformance';
import { describe, expect, it } from 'vitest';
import { fakeObservability, lifecycleSpy } from '../test/fake-observability.js';
import { createProbabilitySampler } from './probability-sampler.js';
import { createRuleBasedSampler } from './rule-based-sampler.js';

const SAMPLED = SamplingDecision.RECORD_AND_SAMPLED;

describe('createRuleBasedSampler', () => {
  // The README example: never /health, always /checkout, 10 % of the rest.
  const sampler = createRuleBasedSampler({
    rules: [
      { attributes: { 'http.route': '/health' }, sampler: 'always_off' },
      { attributes: { 'http.route': '/checkout' }, sampler: 'always_on' },
    ],
    fallback: createProbabilitySampler({ ratio: 0.1 }),
  });

  it('never samples /health, always samples /checkout, 10 % (within 5 σ) of the rest', () => {
    const ids = createSeededTraceIdGenerator(1);
    const n = 100_000;
    let health = 0;
    let checkout = 0;
    let rest = 0;
    const thresholds = new Set<string | undefined>();
    for (let i = 0; i < n; i++) {
      const id = ids();
      const at = (route: string) =>
        sampler.shouldSample(ROOT_CONTEXT, id, `GET ${route}`, SpanKind.SERVER, { 'http.route': route }, []);
      if (at('/health').decision === SAMPLED) health++;
      const c = at('/checkout');
      if (c.decision === SAMPLED) {
        checkout++;
        thresholds.add(`checkout ${c.traceState?.get('ot')}`);
      }
      const other = at('/api/items/:id');
      if (other.decision === SAMPLED) {
        rest++;
        thresholds.add(`rest ${other.traceState?.get('ot')}`);
      }
    }
    expect(thresholds).toEqual(new Set(['checkout th:0', 'rest th:e666']));
    expect(health).toBe(0);
    expect(checkout).toBe(n);
    expect(Math.abs(rest - n * 0.1)).toBeLessThanOrEqual(5 * Math.sqrt(n * 0.1 * 0.9));
  });

  it('matches span names with globs, kinds, RegExps, lists and predicates, in order', () => {
    const s = createRuleBasedSampler({
      rules: [
        { spanName: '* /health', sampler: 'always_off' },
        { kind: [SpanKind.CLIENT, SpanKind.PRODUCER], sampler: 'always_off' },
        { attributes: { 'rpc.method': /^Get/ }, sampler: 'always_off' },
        {
          attributes: { 'http.request.method': ['POST', 'PUT'], 'user.tier': (v) => v === 'gold' },
          sampler: 'always_on',
        },
        { attributes: { 'http.request.method': ['POST', 'PUT'] }, sampler: 'always_off' },
        {
          attributes: {
            broken: () => {
              throw new Error('boom');
            },
          },
          sampler: 'always_off',
        },
      ],
      fallback: 'always_on',
    });
    const d = (name: string, kind: SpanKind, attributes: Record<string, string> = {}) =>
      s.shouldSample(ROOT_CONTEXT, '4bf92f3577b34da6a3ce929d0e0e4736', name, kind, attributes, []).decision;
    expect(d('GET /health', SpanKind.SERVER)).not.toBe(SAMPLED);
    expect(d('GET /healthz', SpanKind.SERVER)).toBe(SAMPLED);
    expect(d('GET /x', SpanKind.CLIENT)).not.toBe(SAMPLED);
    expect(d('shop.Inventory/GetItem', SpanKind.SERVER, { 'rpc.method': 'GetItem' })).not.toBe(SAMPLED);
    expect(d('POST /orders', SpanKind.SERVER, { 'http.request.method': 'POST', 'user.tier': 'gold' })).toBe(
      SAMPLED,
    );
    expect(d('POST /orders', SpanKind.SERVER, { 'http.request.method': 'POST' })).not.toBe(SAMPLED);
    expect(d('GET /x', SpanKind.SERVER, { broken: 'x' })).toBe(SAMPLED); // a throwing predicate does not match
  });

  it('validates rules', () => {
    expect(() => createRuleBasedSampler({ rules: 'x' as never })).toThrow(/rules/);
    expect(() => createRuleBasedSampler({ rules: [{ sampler: 'sometimes' as never }] })).toThrow(
      /rules\[0\]\.sampler/,
    );
    expect(() => createRuleBasedSampler({ rules: [{ kind: 9 as never, sampler: 'always_on' }] })).toThrow(
      /kind/,
    );
    expect(() =>
      createRuleBasedSampler({ rules: [{ attributes: { a: {} as never }, sampler: 'always_on' }] }),
    ).toThrow(/rules\[0\]\.attributes\.a/);
  });
});

describe('createRuleBasedSampler lifecycle', () => {
  it('forwards onInit, attach and shutdown to the samplers it was given, each once', async () => {
    const spy = lifecycleSpy();
    const other = lifecycleSpy();
    const sampler = createRuleBasedSampler({
      rules: [
        { spanName: 'a', sampler: spy },
        { spanName: 'b', sampler: 'always_off' },
        { spanName: 'c', sampler: spy },
      ],
      fallback: other,
    });
    const obs = fakeObservability();
    sampler.onInit(obs);
    sampler.attach(obs.recorder);
    await Promise.all([sampler.shutdown(), sampler.shutdown()]);
    for (const s of [spy, other]) {
      expect(s.onInit).toHaveBeenCalledTimes(1);
      expect(s.onInit).toHaveBeenCalledWith(obs);
      expect(s.attach).toHaveBeenCalledTimes(1);
      expect(s.shutdown).toHaveBeenCalledTimes(1);
    }
  });
});
