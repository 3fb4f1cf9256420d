import { createTraceState, SpanStatusCode } from '@opentelemetry/api';
import { type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { compilePolicies, type TailPolicy, type TailTrace } from './tail-policy.js';

interface FakeSpan {
  attributes?: Record<string, unknown>;
  status?: SpanStatusCode;
  resource?: Record<string, unknown>;
  traceState?: string;
}

function traceOf(
  spans: FakeSpan[],
  durationMillis = 10,
  traceId = '4bf92f3577b34da6a3ce929d0e0e4736',
): TailTrace {
  const readable = spans.map(
    (s) =>
      ({
        attributes: s.attributes ?? {},
        status: { code: s.status ?? SpanStatusCode.UNSET },
        resource: { attributes: s.resource ?? {} },
        spanContext: () => ({
          traceId,
          spanId: '00f067aa0ba902b7',
          traceFlags: 1,
          ...(s.traceState === undefined ? {} : { traceState: createTraceState(s.traceState) }),
        }),
      }) as unknown as ReadableSpan,
  );
  return {
    traceId,
    spans: readable,
    durationMillis,
    hasError: spans.some((s) => s.status === SpanStatusCode.ERROR),
  };
}

function keeps(policies: TailPolicy[], t: TailTrace, now = () => 0): boolean {
  const compiled = compilePolicies(policies, now);
  for (const d of compiled.drops) if (d(t)) return false;
  return compiled.samples.some((s) => s(t));
}

describe('tail policies', () => {
  it('status_code', () => {
    expect(
      keeps(
        [{ type: 'status_code', statusCodes: ['ERROR'] }],
        traceOf([{}, { status: SpanStatusCode.ERROR }]),
      ),
    ).toBe(true);
    expect(
      keeps([{ type: 'status_code', statusCodes: ['ERROR'] }], traceOf([{ status: SpanStatusCode.OK }])),
    ).toBe(false);
    expect(
      keeps(
        [{ type: 'status_code', statusCodes: ['OK', 'UNSET'] }],
        traceOf([{ status: SpanStatusCode.OK }]),
      ),
    ).toBe(true);
  });

  it('latency: d ≥ threshold without an upper bound, threshold < d ≤ upper with one', () => {
    const p: TailPolicy = { type: 'latency', thresholdMillis: 500 };
    expect(keeps([p], traceOf([{}], 500))).toBe(true);
    expect(keeps([p], traceOf([{}], 499))).toBe(false);
    const band: TailPolicy = { type: 'latency', thresholdMillis: 500, upperThresholdMillis: 1000 };
    expect(keeps([band], traceOf([{}], 500))).toBe(false);
    expect(keeps([band], traceOf([{}], 1000))).toBe(true);
    expect(keeps([band], traceOf([{}], 1001))).toBe(false);
  });

  it('string, numeric and boolean attributes on spans or the resource', () => {
    const str: TailPolicy = {
      type: 'string_attribute',
      key: 'http.route',
      values: ['/checkout', /^\/admin/],
    };
    expect(keeps([str], traceOf([{ attributes: { 'http.route': '/admin/users' } }]))).toBe(true);
    expect(keeps([str], traceOf([{ attributes: { 'http.route': '/items' } }]))).toBe(false);
    expect(
      keeps(
        [{ type: 'string_attribute', key: 'deployment.environment.name', values: ['canary'] }],
        traceOf([{ resource: { 'deployment.environment.name': 'canary' } }]),
      ),
    ).toBe(true);
    const num: TailPolicy = {
      type: 'numeric_attribute',
      key: 'http.response.status_code',
      minValue: 500,
      maxValue: 599,
    };
    expect(keeps([num], traceOf([{ attributes: { 'http.response.status_code': 503 } }]))).toBe(true);
    expect(keeps([num], traceOf([{ attributes: { 'http.response.status_code': 404 } }]))).toBe(false);
    expect(
      keeps(
        [{ type: 'boolean_attribute', key: 'debug', value: true }],
        traceOf([{ attributes: { debug: true } }]),
      ),
    ).toBe(true);
    expect(
      keeps(
        [{ type: 'boolean_attribute', key: 'debug', value: true }],
        traceOf([{ attributes: { debug: 'true' } }]),
      ),
    ).toBe(false);
  });

  it('probabilistic uses R ≥ T on the trace id, or rv', () => {
    const p: TailPolicy = { type: 'probabilistic', ratio: 0.5 };
    expect(keeps([p], traceOf([{}], 1, '4bf92f3577b34da6a380000000000000'))).toBe(true);
    expect(keeps([p], traceOf([{}], 1, '4bf92f3577b34da6a37fffffffffffff'))).toBe(false);
    expect(
      keeps([p], traceOf([{ traceState: 'ot=rv:ffffffffffffff' }], 1, '4bf92f3577b34da6a300000000000000')),
    ).toBe(true);
  });

  it('rate_limiting spends the trace span count from a bucket of 2 × rate', () => {
    let now = 0;
    const compiled = compilePolicies([{ type: 'rate_limiting', spansPerSecond: 10 }], () => now);
    const s = compiled.samples[0]!;
    const fiveSpans = traceOf([{}, {}, {}, {}, {}]);
    expect([s(fiveSpans), s(fiveSpans), s(fiveSpans)]).toEqual([true, true, true]);
    expect(s(fiveSpans)).toBe(true); // 20 spans of burst spent
    expect(s(fiveSpans)).toBe(false);
    now = 500;
    expect(s(fiveSpans)).toBe(true);
    expect(s(traceOf(Array.from({ length: 21 }, () => ({}))))).toBe(false); // larger than the burst: never
  });

  it('span_count is inclusive', () => {
    const p: TailPolicy = { type: 'span_count', minSpans: 2, maxSpans: 3 };
    expect(keeps([p], traceOf([{}]))).toBe(false);
    expect(keeps([p], traceOf([{}, {}]))).toBe(true);
    expect(keeps([p], traceOf([{}, {}, {}]))).toBe(true);
    expect(keeps([p], traceOf([{}, {}, {}, {}]))).toBe(false);
  });

  it('and / drop / first match', () => {
    const slowCheckout: TailPolicy = {
      type: 'and',
      policies: [
        { type: 'latency', thresholdMillis: 100 },
        { type: 'string_attribute', key: 'http.route', values: ['/checkout'] },
      ],
    };
    expect(keeps([slowCheckout], traceOf([{ attributes: { 'http.route': '/checkout' } }], 150))).toBe(true);
    expect(keeps([slowCheckout], traceOf([{ attributes: { 'http.route': '/checkout' } }], 50))).toBe(false);
    const dropHealth: TailPolicy = {
      type: 'drop',
      policies: [{ type: 'string_attribute', key: 'http.route', values: ['/health'] }],
    };
    // A matching drop wins over a sampling policy, wherever it is listed.
    expect(
      keeps([{ type: 'always_sample' }, dropHealth], traceOf([{ attributes: { 'http.route': '/health' } }])),
    ).toBe(false);
    expect(
      keeps([{ type: 'always_sample' }, dropHealth], traceOf([{ attributes: { 'http.route': '/x' } }])),
    ).toBe(true);
  });

  it('composite shares a per-second span budget by allocation, the rest to unallocated policies', () => {
    let now = 0;
    const compiled = compilePolicies(
      [
        {
          type: 'composite',
          maxTotalSpansPerSecond: 10,
          policies: [
            { type: 'status_code', statusCodes: ['ERROR'], name: 'errors' },
            { type: 'always_sample' },
          ],
          rateAllocation: [{ policy: 'errors', percent: 60 }],
        },
      ],
      () => now,
    );
    const s = compiled.samples[0]!;
    const err = traceOf([{ status: SpanStatusCode.ERROR }, {}]); // 2 spans
    const ok = traceOf([{}, {}]);
    expect([s(ok), s(ok), s(ok)]).toEqual([true, true, false]); // 4 of 10 for the rest
    // 6 for errors; a 4th error trace falls through to always_sample, whose share is spent.
    expect([s(err), s(err), s(err), s(err)]).toEqual([true, true, true, false]);
    now = 1000;
    expect(s(ok)).toBe(true);
  });

  it('custom, and a throwing custom policy reported as a throw to the caller', () => {
    const p: TailPolicy = { type: 'custom', name: 'many', evaluate: (t) => t.spans.length > 2 };
    expect(keeps([p], traceOf([{}, {}, {}]))).toBe(true);
    expect(keeps([p], traceOf([{}]))).toBe(false);
  });

  it('validates policies with the path of the bad field', () => {
    expect(() => compilePolicies([], () => 0)).toThrow(/policies/);
    expect(() => compilePolicies([{ type: 'latency', thresholdMillis: -1 }], () => 0)).toThrow(
      /policies\[0\]\.thresholdMillis/,
    );
    expect(() => compilePolicies([{ type: 'status_code', statusCodes: ['BAD' as never] }], () => 0)).toThrow(
      /statusCodes/,
    );
    expect(() => compilePolicies([{ type: 'nope' } as never], () => 0)).toThrow(/policies\[0\]\.type/);
    expect(() =>
      compilePolicies([{ type: 'and', policies: [{ type: 'probabilistic', ratio: 2 }] }], () => 0),
    ).toThrow(/policies\[0\]\.policies\[0\]\.ratio/);
    expect(() =>
      compilePolicies(
        [
          {
            type: 'composite',
            maxTotalSpansPerSecond: 1,
            policies: [{ type: 'always_sample' }],
            rateAllocation: [{ policy: 'x', percent: 10 }],
          },
        ],
        () => 0,
      ),
    ).toThrow(/rateAllocation\[0\]\.policy/);
  });
});
