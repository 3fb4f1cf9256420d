import {
  type Attributes,
  context as apiContext,
  type Context,
  createTraceState,
  ROOT_CONTEXT,
  SpanKind,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type Sampler,
  SamplingDecision,
  type SamplingResult,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createSeededTraceIdGenerator } from './trace-ids.js';

/** Options of {@link testSampler}. */
export interface SamplerConformanceOptions {
  /** Shown in the describe block. */
  readonly name: string;
  /** Builds a fresh sampler for each test. */
  readonly create: () => Sampler;
  /** Same inputs give the same decision (false for stateful samplers such as rate limiters). @default true */
  readonly deterministic?: boolean | undefined;
  /** Expected share of sampled root spans over seeded random trace ids, checked within 5 σ. */
  readonly expectedRate?: number | undefined;
  /** Root decisions for the rate check. @default 100000 */
  readonly decisions?: number | undefined;
  /** The sampler writes a consistent-probability `th` on every sampled root span. @default false */
  readonly writesThreshold?: boolean | undefined;
}

const VALID_DECISIONS = new Set<number>([
  SamplingDecision.NOT_RECORD,
  SamplingDecision.RECORD,
  SamplingDecision.RECORD_AND_SAMPLED,
]);

function parentContext(traceId: string, sampled: boolean, traceState?: string, isRemote = true): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId: '00f067aa0ba902b7',
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote,
    ...(traceState === undefined ? {} : { traceState: createTraceState(traceState) }),
  });
}

function hexToHalves(hex14: string): [number, number] {
  return [parseInt(hex14.slice(0, 7), 16), parseInt(hex14.slice(7, 14), 16)];
}

/** Checks what a result's `ot` member claims: a sampled span's `th` must hold R ≥ T; a dropped one has none. */
function expectConsistentOt(result: SamplingResult, traceId: string): void {
  const ot = result.traceState?.get('ot');
  if (ot === undefined) return;
  expect(ot.length).toBeLessThanOrEqual(256);
  const members = ot.split(';').filter((m) => m !== '');
  const th = members.find((m) => m.startsWith('th:'))?.slice(3);
  const rv = members.find((m) => m.startsWith('rv:'))?.slice(3);
  if (th === undefined) return;
  expect(th).toMatch(/^[0-9a-f]{1,14}$/);
  if (result.decision !== SamplingDecision.RECORD_AND_SAMPLED) {
    throw new Error(`a dropped span carries th:${th}`);
  }
  if (/^0+$/.test(th)) return; // T = 0 keeps everything, with or without randomness
  const randomness = rv ?? traceId.slice(18);
  // Without 56 bits of randomness (a malformed trace id and no rv) no threshold above 0 can be claimed.
  expect(randomness, `randomness for th:${th}`).toMatch(/^[0-9a-f]{14}$/i);
  const [rHi, rLo] = hexToHalves(randomness);
  const [tHi, tLo] = hexToHalves(th.padEnd(14, '0'));
  expect(rHi > tHi || (rHi === tHi && rLo >= tLo), `R ≥ T for th:${th}, trace ${traceId}`).toBe(true);
}

/**
 * The behaviour every OpenTelemetry `Sampler` of this workspace must show: valid decisions, no throw on
 * odd input, no mutation of its arguments, a configuration-naming `toString()`, consistent `ot=th` when it
 * writes one, foreign tracestate kept, and (optionally) the expected rate within 5 σ.
 */
export function testSampler(options: SamplerConformanceOptions): void {
  const deterministic = options.deterministic ?? true;
  describe(`Sampler conformance: ${options.name}`, () => {
    it('names its configuration in toString()', () => {
      const text = options.create().toString();
      expect(typeof text).toBe('string');
      expect(text.length).toBeGreaterThan(3);
      expect(text).not.toBe('[object Object]');
    });

    it('returns a valid decision for roots and never throws on odd input', () => {
      const sampler = options.create();
      const odd: [Context, string, string, SpanKind, Attributes][] = [
        [ROOT_CONTEXT, '4bf92f3577b34da6a3ce929d0e0e4736', 'GET /items/:id', SpanKind.SERVER, {}],
        [ROOT_CONTEXT, '00000000000000000000000000000000', '', SpanKind.INTERNAL, {}],
        [ROOT_CONTEXT, 'abc', 'x', SpanKind.CLIENT, { 'http.route': 7 }],
        [ROOT_CONTEXT, '4BF92F3577B34DA6A3CE929D0E0E4736', 'UPPER', SpanKind.PRODUCER, { a: [1, 2] }],
        [ROOT_CONTEXT, 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', 'not hex', SpanKind.CONSUMER, { b: true }],
        [
          parentContext('4bf92f3577b34da6a3ce929d0e0e4736', true),
          '4bf92f3577b34da6a3ce929d0e0e4736',
          'child',
          SpanKind.SERVER,
          {},
        ],
        [
          parentContext('4bf92f3577b34da6a3ce929d0e0e4736', false),
          '4bf92f3577b34da6a3ce929d0e0e4736',
          'child',
          SpanKind.SERVER,
          {},
        ],
        [
          parentContext('4bf92f3577b34da6a3ce929d0e0e4736', true, 'ot=th:zz;rv:short;x:1'),
          '4bf92f3577b34da6a3ce929d0e0e4736',
          'bad ot',
          SpanKind.SERVER,
          {},
        ],
        [
          parentContext('4bf92f3577b34da6a3ce929d0e0e4736', true, 'ot=th:fffffffffffffff'),
          '4bf92f3577b34da6a3ce929d0e0e4736',
          'th too long',
          SpanKind.SERVER,
          {},
        ],
        [
          parentContext('4bf92f3577b34da6a3ce929d0e0e4736', true, 'ot='),
          '4bf92f3577b34da6a3ce929d0e0e4736',
          'empty ot',
          SpanKind.SERVER,
          {},
        ],
      ];
      for (const [ctx, traceId, name, kind, attributes] of odd) {
        const result = sampler.shouldSample(ctx, traceId, name, kind, attributes, [
          { context: { traceId, spanId: '00f067aa0ba902b7', traceFlags: 1 } },
        ]);
        expect(VALID_DECISIONS.has(result.decision), `${name}: decision ${result.decision}`).toBe(true);
        expectConsistentOt(result, traceId);
      }
    });

    it('does not mutate the attributes it is given', () => {
      const sampler = options.create();
      const attributes = Object.freeze({ 'http.route': '/x', 'http.request.method': 'GET' });
      expect(() =>
        sampler.shouldSample(
          ROOT_CONTEXT,
          '4bf92f3577b34da6a3ce929d0e0e4736',
          'GET /x',
          SpanKind.SERVER,
          attributes,
          [],
        ),
      ).not.toThrow();
      expect(attributes).toEqual({ 'http.route': '/x', 'http.request.method': 'GET' });
    });

    if (deterministic) {
      it('takes the same decision for the same input', () => {
        const ids = createSeededTraceIdGenerator(7);
        const a = options.create();
        const b = options.create();
        for (let i = 0; i < 2000; i++) {
          const id = ids();
          const first = a.shouldSample(ROOT_CONTEXT, id, 'GET /x', SpanKind.SERVER, {}, []).decision;
          expect(a.shouldSample(ROOT_CONTEXT, id, 'GET /x', SpanKind.SERVER, {}, []).decision).toBe(first);
          expect(b.shouldSample(ROOT_CONTEXT, id, 'GET /x', SpanKind.SERVER, {}, []).decision).toBe(first);
        }
      });
    }

    it('keeps foreign tracestate members and ot sub-keys of a parent', () => {
      const sampler = options.create();
      const ids = createSeededTraceIdGenerator(11);
      for (let i = 0; i < 200; i++) {
        const traceId = ids();
        for (const sampled of [true, false]) {
          const ctx = parentContext(traceId, sampled, 'vendor=abc,ot=foo:bar', false);
          const result = sampler.shouldSample(ctx, traceId, 'child', SpanKind.INTERNAL, {}, []);
          if (result.traceState === undefined) continue; // the tracer keeps the parent's as it is
          expect(result.traceState.get('vendor')).toBe('abc');
          expect(result.traceState.get('ot')?.split(';')).toContain('foo:bar');
          expectConsistentOt(result, traceId);
        }
      }
    });

    it('writes only consistent thresholds on sampled roots', () => {
      const sampler = options.create();
      const ids = createSeededTraceIdGenerator(3);
      let sampledWithTh = 0;
      let sampled = 0;
      for (let i = 0; i < 5000; i++) {
        const traceId = ids();
        const result = sampler.shouldSample(ROOT_CONTEXT, traceId, 'GET /x', SpanKind.SERVER, {}, []);
        expectConsistentOt(result, traceId);
        if (result.decision === SamplingDecision.RECORD_AND_SAMPLED) {
          sampled++;
          if (result.traceState?.get('ot')?.includes('th:')) sampledWithTh++;
        }
      }
      if (options.writesThreshold === true) expect(sampledWithTh).toBe(sampled);
    });

    if (options.expectedRate !== undefined) {
      const p = options.expectedRate;
      const n = options.decisions ?? 100_000;
      it(`samples ${p} of seeded root trace ids within 5 σ over ${n} decisions`, () => {
        const sampler = options.create();
        const ids = createSeededTraceIdGenerator(42);
        let kept = 0;
        for (let i = 0; i < n; i++) {
          const r = sampler.shouldSample(ROOT_CONTEXT, ids(), 'GET /x', SpanKind.SERVER, {}, []);
          if (r.decision === SamplingDecision.RECORD_AND_SAMPLED) kept++;
        }
        const sigma = Math.sqrt(n * p * (1 - p));
        expect(Math.abs(kept - n * p)).toBeLessThanOrEqual(Math.max(5 * sigma, 1e-9));
      });
    }

    it('runs inside a tracer provider: sampled spans are exported with the sampled flag', async () => {
      const exporter = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({
        sampler: options.create(),
        spanProcessors: [new SimpleSpanProcessor(exporter)],
      });
      const tracer = provider.getTracer('conformance');
      for (let i = 0; i < 50; i++) {
        const root = tracer.startSpan('GET /x', { kind: SpanKind.SERVER });
        const child = tracer.startSpan('child', {}, trace.setSpan(apiContext.active(), root));
        child.end();
        root.end();
      }
      await provider.forceFlush();
      for (const span of exporter.getFinishedSpans()) {
        expect(span.spanContext().traceFlags & TraceFlags.SAMPLED).toBe(TraceFlags.SAMPLED);
      }
      await provider.shutdown();
    });
  });
}
