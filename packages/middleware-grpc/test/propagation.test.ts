import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { context, propagation, trace } from '@opentelemetry/api';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectQuiet, type Harness, SERVICE, spansOf, startHarness, unary } from './helpers.js';

/** What OpenTelemetry's W3C propagator accepts (its own regex and the version-00 length rule). */
const TRACEPARENT =
  /^\s?((?!ff)[\da-f]{2})-((?![0]{32})[\da-f]{32})-((?![0]{16})[\da-f]{16})-([\da-f]{2})(-.*)?\s?$/;
function validTraceparent(
  value: string | undefined,
): { traceId: string; spanId: string; sampled: boolean } | undefined {
  if (value === undefined) return undefined;
  const m = TRACEPARENT.exec(value);
  if (m === null || (m[1] === '00' && m[5] !== undefined)) return undefined;
  return { traceId: m[2]!, spanId: m[3]!, sampled: (parseInt(m[4]!, 16) & 1) === 1 };
}

const hex = (length: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 80,
});

/** Valid traceparents, near misses (one character changed, cut, extended) and noise. */
const traceparentArb = fc.oneof(
  fc.tuple(hex(2), hex(32), hex(16), hex(2)).map(([v, t, s, f]) => `${v}-${t}-${s}-${f}`),
  fc.tuple(hex(32), hex(16)).map(([t, s]) => `00-${t}-${s}-01`),
  fc
    .tuple(
      hex(32),
      hex(16),
      fc.nat(54),
      printable.filter((x) => x.length > 0),
    )
    .map(([t, s, at, junk]) => {
      const good = `00-${t}-${s}-01`;
      return good.slice(0, at) + junk + good.slice(at + 1);
    }),
  fc.constantFrom(
    '00-00000000000000000000000000000000-0000000000000000-01',
    'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra',
    ' 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01 ',
    '',
  ),
  printable,
);
const tracestateArb = fc.oneof(
  fc
    .array(
      fc.tuple(fc.stringMatching(/^[a-z][a-z0-9_*/-]{0,20}$/), fc.stringMatching(/^[ -+--<>-~]{1,20}$/)),
      {
        maxLength: 40,
      },
    )
    .map((entries) => entries.map(([k, v]) => `${k}=${v}`).join(',')),
  printable,
);
const baggageArb = fc.oneof(
  fc
    .array(fc.tuple(fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), printable), { maxLength: 10 })
    .map((entries) => entries.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join(',')),
  printable,
);
const binaryArb = fc.array(
  fc.tuple(
    fc.stringMatching(/^[a-z0-9_.-]{1,20}$/).map((k) => `${k}-bin`),
    fc.uint8Array({ maxLength: 64 }),
  ),
  { maxLength: 4 },
);

interface FuzzCase {
  traceparent: string | undefined;
  tracestate: string | undefined;
  baggage: string | undefined;
  binary: [string, Uint8Array][];
  duplicateTraceparent: boolean;
}
const caseArb: fc.Arbitrary<FuzzCase> = fc.record({
  traceparent: fc.option(traceparentArb, { nil: undefined }),
  tracestate: fc.option(tracestateArb, { nil: undefined }),
  baggage: fc.option(baggageArb, { nil: undefined }),
  binary: binaryArb,
  duplicateTraceparent: fc.boolean(),
});

const SECOND_TRACEPARENT = '00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-01';

/**
 * The traceparent the server receives: nghttp2 drops a field value with leading or trailing
 * whitespace (RFC 9113 §8.2.1), and Node joins a repeated header into one value with ', '.
 */
function receivedTraceparent(c: FuzzCase): string | undefined {
  if (c.traceparent === undefined) return undefined;
  const sent = c.duplicateTraceparent ? [c.traceparent, SECOND_TRACEPARENT] : [c.traceparent];
  const kept = sent.filter((v) => v === '' || !/^[ \t]|[ \t]$/.test(v));
  return kept.length === 0 ? undefined : kept.join(', ');
}

function toMetadata(c: FuzzCase): grpc.Metadata {
  const md = new grpc.Metadata();
  if (c.traceparent !== undefined) md.set('traceparent', c.traceparent);
  if (c.traceparent !== undefined && c.duplicateTraceparent) md.add('traceparent', SECOND_TRACEPARENT);
  if (c.tracestate !== undefined) md.set('tracestate', c.tracestate);
  if (c.baggage !== undefined) md.set('baggage', c.baggage);
  for (const [key, value] of c.binary) md.add(key, Buffer.from(value));
  return md;
}

describe('propagation', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(grpc);
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.spans.reset();
  });

  it('client → server: one trace, the CLIENT span a child of the caller’s span, the SERVER span a child of the CLIENT span', async () => {
    const outer = h.obs.tracer.startSpan('outer');
    const { reply } = await context.with(trace.setSpan(context.active(), outer), () =>
      unary(h.client, { text: 'x' }),
    );
    outer.end();
    await expectQuiet(h);
    const [client] = spansOf(h, 'client', 'Unary');
    const [server] = spansOf(h, 'server', 'Unary');
    const traceId = outer.spanContext().traceId;
    expect(client!.spanContext().traceId).toBe(traceId);
    expect(client!.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(server!.spanContext().traceId).toBe(traceId);
    expect(server!.parentSpanContext?.spanId).toBe(client!.spanContext().spanId);
    expect(server!.parentSpanContext?.isRemote).toBe(true);
    expect(reply!.traceId).toBe(traceId);
  });

  it('the client callback runs in the caller’s context, not the transport’s', async () => {
    const outer = h.obs.tracer.startSpan('outer');
    const seen = await context.with(trace.setSpan(context.active(), outer), () => {
      return new Promise<string | undefined>((resolve) => {
        h.client['unary']!({ text: 'x' }, () => resolve(trace.getActiveSpan()?.spanContext().spanId));
      });
    });
    outer.end();
    expect(seen).toBe(outer.spanContext().spanId);
    await expectQuiet(h);
  });

  it('extracts traceparent, tracestate and baggage sent by any client', async () => {
    const md = new grpc.Metadata();
    md.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    md.set('tracestate', 'vendor=opaque,other=1');
    md.set('baggage', 'tenant=acme');
    let baggage: string | undefined;
    const { reply } = await unary(h.bareClient, { text: 'x' }, { metadata: md });
    await expectQuiet(h);
    const [server] = spansOf(h, 'server', 'Unary');
    expect(server!.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(server!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(server!.spanContext().traceState?.serialize()).toBe('vendor=opaque,other=1');
    expect(reply!.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    // Baggage reaches the handler's context.
    const probe = await new Promise<string | undefined>((resolve) => {
      const ctx = h.obs.propagator.extract(
        context.active(),
        { baggage: 'tenant=acme' },
        {
          get: (c, k) => (c as Record<string, string>)[k],
          keys: (c) => Object.keys(c as object),
        },
      );
      baggage = propagation.getBaggage(ctx)?.getEntry('tenant')?.value;
      resolve(baggage);
    });
    expect(probe).toBe('acme');
  });

  it('never writes the propagation fields into the caller’s Metadata object', async () => {
    const md = new grpc.Metadata();
    md.set('x-app', '1');
    await unary(h.client, { text: 'x' }, { metadata: md });
    await unary(h.client, { text: 'y' }, { metadata: md });
    await expectQuiet(h);
    expect(md.get('traceparent')).toEqual([]);
    const servers = spansOf(h, 'server', 'Unary');
    expect(new Set(servers.map((s) => s.spanContext().traceId)).size).toBe(2);
  });

  describe('trace id in the response metadata', () => {
    it('is in the initial metadata of a successful call', async () => {
      const { metadata } = await unary(h.client, { text: 'x' });
      await expectQuiet(h);
      const [server] = spansOf(h, 'server', 'Unary');
      expect(metadata!.get('x-trace-id')).toEqual([server!.spanContext().traceId]);
    });

    it('is in the trailers of a trailers-only error response', async () => {
      const { error, metadata } = await unary(h.client, { mode: 'status', code: grpc.status.NOT_FOUND });
      await expectQuiet(h);
      const [server] = spansOf(h, 'server', 'Unary');
      expect(error!.metadata.get('x-trace-id')).toEqual([server!.spanContext().traceId]);
      expect(metadata?.get('x-trace-id') ?? []).not.toContain('');
    });

    it('is in the initial metadata of a stream that fails later', async () => {
      const stream = h.client['serverStream']!({
        count: 1,
        mode: 'status',
        code: 13,
      }) as grpc.ClientReadableStream<unknown>;
      const metadata = await new Promise<grpc.Metadata>((resolve) => stream.on('metadata', resolve));
      await new Promise((resolve) => {
        stream.on('error', resolve);
        stream.on('data', () => {});
      });
      await expectQuiet(h);
      const [server] = spansOf(h, 'server', 'ServerStream');
      expect(metadata.get('x-trace-id')).toEqual([server!.spanContext().traceId]);
    });

    it('uses the configured key, or none', async () => {
      const custom = await startHarness(grpc, { server: { traceIdMetadataKey: 'Trace-Id' } });
      const off = await startHarness(grpc, { server: { traceIdMetadataKey: false } });
      try {
        const a = await unary(custom.client, { text: 'x' });
        expect(a.metadata!.get('trace-id')).toHaveLength(1);
        expect(a.metadata!.get('x-trace-id')).toEqual([]);
        const b = await unary(off.client, { text: 'x' });
        expect(b.metadata!.get('x-trace-id')).toEqual([]);
        const c = await unary(off.client, { mode: 'status', code: 5 });
        expect(c.error!.metadata.get('x-trace-id')).toEqual([]);
      } finally {
        await custom.close();
        await off.close();
      }
    });
  });

  it('fuzzed metadata (10 000 calls): never fails a call; a bad traceparent starts a new root', async () => {
    const cases = fc.sample(caseArb, { numRuns: 10_000, seed: 7 });
    let valid = 0;
    let roots = 0;
    const concurrency = 32;
    for (let start = 0; start < cases.length; start += concurrency) {
      h.spans.reset();
      const batch = cases.slice(start, start + concurrency);
      const results = await Promise.all(
        batch.map(async (c) => {
          const result = await unary(h.bareClient, { text: 'fuzz' }, { metadata: toMetadata(c) });
          return { c, result };
        }),
      );
      await expectQuiet(h);
      const servers = spansOf(h, 'server', 'Unary');
      // A valid parent that is not sampled makes a non-recording server span (parent-based sampler).
      const recorded = batch.filter(
        (c) => validTraceparent(receivedTraceparent(c))?.sampled !== false,
      ).length;
      expect(servers).toHaveLength(recorded);
      for (const { c, result } of results) {
        expect(result.error).toBeNull();
        const traceId = result.reply!.traceId;
        // The trace id the handler saw names its server span (cases may share a valid traceparent).
        const mine = servers.filter((s) => s.spanContext().traceId === traceId);
        const parent = validTraceparent(receivedTraceparent(c));
        if (parent !== undefined) {
          valid++;
          expect(traceId, JSON.stringify(c)).toBe(parent.traceId);
          if (parent.sampled) expect(mine.length).toBeGreaterThan(0);
          expect(mine.every((s) => s.parentSpanContext?.spanId === parent.spanId)).toBe(true);
        } else {
          roots++;
          expect(mine).toHaveLength(1);
          expect(mine[0]!.parentSpanContext, JSON.stringify(c)).toBeUndefined();
          expect(traceId).toMatch(/^[\da-f]{32}$/);
          if (c.traceparent !== undefined) expect(c.traceparent).not.toContain(traceId);
        }
      }
    }
    // The generator covers both sides.
    expect(valid).toBeGreaterThan(1000);
    expect(roots).toBeGreaterThan(1000);
  }, 120_000);

  it('raw HTTP/2 requests with non-ASCII trace headers and broken base64 binary values never crash', async () => {
    const session = http2.connect(`http://127.0.0.1:${h.port}`);
    try {
      const weird: Record<string, string>[] = [
        { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\u00ff' },
        { traceparent: '\u00e9\u00e9', tracestate: '\u00ff=\u00ff', baggage: 'k=\u00e9' },
        { 'traceparent-bin': '!!!not base64!!!', 'grpc-trace-bin': '%%%' },
        { 'x-data-bin': 'AAECAwQ=,,,@@', baggage: ','.repeat(500) },
        { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'.repeat(100) },
      ];
      for (const headers of weird) {
        h.spans.reset();
        const status = await new Promise<string | undefined>((resolve, reject) => {
          const req = session.request({
            ':method': 'POST',
            ':path': `/${SERVICE}/Unary`,
            'content-type': 'application/grpc',
            te: 'trailers',
            ...headers,
          });
          let grpcStatus: string | undefined;
          req.on('response', (h2) => {
            if (h2['grpc-status'] !== undefined) grpcStatus = String(h2['grpc-status']);
          });
          req.on('trailers', (t) => {
            grpcStatus = String(t['grpc-status']);
          });
          req.on('data', () => {});
          req.on('end', () => resolve(grpcStatus));
          req.on('error', reject);
          const timer = setTimeout(() => reject(new Error('no answer')), 3000);
          req.on('close', () => clearTimeout(timer));
          // One empty EchoRequest: uncompressed flag 0, length 0.
          req.end(Buffer.from([0, 0, 0, 0, 0]));
        });
        expect(status).toBe('0');
        await expectQuiet(h);
        const [server] = spansOf(h, 'server', 'Unary');
        expect(server!.parentSpanContext).toBeUndefined();
      }
    } finally {
      session.close();
    }
  });
});
