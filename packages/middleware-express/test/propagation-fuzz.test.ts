import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler, goldenSignals } from '@trisignal/middleware-express';
import {
  createTelemetry,
  EXPRESS_VERSIONS,
  listen,
  runPool,
  type Running,
  type Telemetry,
  waitFor,
} from './harness.js';

const FUZZ_RUNS = 10_000;
// Header values Node's HTTP client accepts: visible ASCII, space and tab (no CR/LF, no controls).
const headerChar = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...'0123456789abcdef-'.split('')) },
  { weight: 2, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom('\t', ' ', ',', ';', '=', '%') },
);
const headerString = (maxLength: number) => fc.string({ unit: headerChar, maxLength });
const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: length, maxLength: length });
// Near-valid traceparents (the interesting boundary) mixed with noise.
const traceparent = fc.oneof(
  fc
    .tuple(hex(2), hex(32), hex(16), hex(2), headerString(8))
    .map(([v, t, s, f, tail]) => `${v}-${t}-${s}-${f}${tail}`),
  fc.tuple(hex(2), hex(32), hex(16), hex(2)).map(([v, t, s, f]) => `${v}-${t}-${s}-${f}`),
  fc.constant('00-00000000000000000000000000000000-0000000000000000-01'),
  fc.constant('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),
  headerString(80),
);
const headers = fc.record(
  {
    traceparent,
    tracestate: headerString(300),
    baggage: fc.oneof(headerString(300), fc.constant('a=b,c=%zz,=x,' + 'k=v,'.repeat(200))),
  },
  { requiredKeys: [] },
);

/** What W3C Trace Context (and OpenTelemetry's propagator) accepts as a parent. */
function validParent(
  value: string | undefined,
): { traceId: string; spanId: string; sampled: boolean } | undefined {
  if (value === undefined) return undefined;
  const m = /^\s?([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?\s?$/.exec(value);
  if (!m) return undefined;
  const [, version, traceId, spanId, flags] = m as unknown as [string, string, string, string, string];
  if (version === 'ff' || (version === '00' && m[5] !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

describe.each(EXPRESS_VERSIONS)('incoming context fuzzing on $name', ({ express }) => {
  let t: Telemetry;
  let server: Running;

  beforeAll(async () => {
    t = createTelemetry();
    const app = express();
    app.use(goldenSignals({ obs: t.obs, accessLog: false }));
    app.get('/fuzz/:i', (_req, res) => {
      res.send('ok');
    });
    app.use(errorHandler({ obs: t.obs }));
    server = await listen(app);
  });

  afterAll(async () => {
    await server.close();
    await t.shutdown();
  });

  it(`never fails on ${FUZZ_RUNS} fuzzed traceparent / tracestate / baggage headers and falls back to a new root`, async () => {
    const samples = fc.sample(headers, { numRuns: FUZZ_RUNS, seed: 20261126 });
    const statuses: number[] = [];
    const traceresponses: (string | null)[] = [];
    await runPool(samples.length, 32, async (i) => {
      const res = await fetch(`${server.url}/fuzz/${i}`, { headers: samples[i] as Record<string, string> });
      await res.arrayBuffer();
      statuses[i] = res.status;
      traceresponses[i] = res.headers.get('traceresponse');
    });
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    let children = 0;
    let sampled = 0;
    for (const [i, sample] of samples.entries()) {
      const [, traceId, , flags] = (traceresponses[i] ?? '').split('-');
      const expected = validParent(sample.traceparent);
      if (expected === undefined) {
        // A new root: a fresh trace id, sampled by the default parent-based always-on sampler.
        expect(traceId, `sample ${i}: ${JSON.stringify(sample)}`).toMatch(/^[0-9a-f]{32}$/);
        expect(sample.traceparent?.includes(traceId!) ?? false).toBe(false);
        expect(flags).toBe('01');
      } else {
        children++;
        expect(traceId, `sample ${i}`).toBe(expected.traceId);
        expect(flags).toBe(expected.sampled ? '01' : '00');
      }
      if (flags === '01') sampled++;
    }
    await waitFor(() => t.finishedSpans().length === sampled, 10_000, `${sampled} sampled spans`);
    for (const span of t.finishedSpans()) {
      const i = Number(String(span.attributes['url.path']).split('/')[2]);
      const expected = validParent(samples[i]!.traceparent);
      if (expected === undefined) expect(span.parentSpanContext, `sample ${i}`).toBeUndefined();
      else expect(span.parentSpanContext?.spanId).toBe(expected.spanId);
    }
    // The generator must exercise both outcomes for the test to mean anything.
    expect(children).toBeGreaterThan(100);
    expect(children).toBeLessThan(samples.length - 100);
  }, 120_000);
});
