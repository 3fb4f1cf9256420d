import { Metadata } from '@grpc/grpc-js';
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { createPropagator } from '@trisignal/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasAnyField, metadataGetter, metadataSetter } from './metadata-carrier.js';

// Every propagator core knows, so B3 and Jaeger parsing are fuzzed too.
const propagator = createPropagator(['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger']);
const W3C = /^\s?((?!ff)[\da-f]{2})-((?![0]{32})[\da-f]{32})-((?![0]{16})[\da-f]{16})-([\da-f]{2})(-.*)?\s?$/;

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 120,
});
const hex = (n: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const traceparent = fc.oneof(
  fc.tuple(hex(2), hex(32), hex(16), hex(2)).map(([v, t, s, f]) => `${v}-${t}-${s}-${f}`),
  fc.tuple(hex(32), hex(16), fc.nat(54), printable).map(([t, s, at, junk]) => {
    const good = `00-${t}-${s}-01`;
    return good.slice(0, at) + junk + good.slice(at + 1);
  }),
  printable,
);
const key = fc.constantFrom(
  'traceparent',
  'tracestate',
  'baggage',
  'b3',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-sampled',
  'uber-trace-id',
  'uberctx-user',
  'grpc-trace-bin',
  'traceparent-bin',
  'x-any-bin',
);
const entry = fc.oneof(
  fc.tuple(fc.constant('traceparent'), traceparent),
  fc.tuple(key, printable),
  fc.tuple(
    key.map((k) => (k.endsWith('-bin') ? k : `${k}-bin`)),
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  ),
);

function build(entries: [string, string | Buffer][]): Metadata {
  const md = new Metadata();
  for (const [k, v] of entries) {
    try {
      md.add(k, v);
    } catch {
      // Metadata refuses what gRPC cannot carry (a string on a -bin key): not a carrier case.
    }
  }
  return md;
}

describe('metadataGetter', () => {
  it('reads string values, skips Buffers, returns repeated values as a list', () => {
    const md = new Metadata();
    md.add('tracestate', 'a=1');
    md.add('tracestate', 'b=2');
    md.add('x-bin', Buffer.from([1, 2]));
    md.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(metadataGetter.get(md, 'tracestate')).toEqual(['a=1', 'b=2']);
    expect(metadataGetter.get(md, 'x-bin')).toBeUndefined();
    expect(metadataGetter.get(md, 'missing')).toBeUndefined();
    expect(metadataGetter.keys(md).sort()).toEqual(['traceparent', 'tracestate', 'x-bin']);
    expect(hasAnyField(md, ['baggage', 'traceparent'])).toBe(true);
    expect(hasAnyField(md, ['baggage'])).toBe(false);
  });

  it('never throws on a carrier that does', () => {
    const hostile = new Proxy(new Metadata(), {
      get() {
        throw new Error('hostile');
      },
    });
    expect(metadataGetter.get(hostile, 'traceparent')).toBeUndefined();
    expect(metadataGetter.keys(hostile)).toEqual([]);
    expect(hasAnyField(hostile, ['traceparent'])).toBe(false);
    expect(propagator.extract(ROOT_CONTEXT, hostile, metadataGetter)).toBeDefined();
  });

  it('10 000 fuzzed carriers: extraction never throws, and yields a parent only from a valid traceparent', () => {
    let parents = 0;
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), (entries) => {
        const md = build(entries);
        const ctx = propagator.extract(ROOT_CONTEXT, md, metadataGetter);
        const spanContext = trace.getSpanContext(ctx);
        const traceparents = md.get('traceparent').filter((v): v is string => typeof v === 'string');
        const first = traceparents[0];
        const m = first === undefined ? null : W3C.exec(first);
        const w3cValid = m !== null && !(m[1] === '00' && m[5] !== undefined);
        if (w3cValid) {
          // tracecontext runs first; later propagators (b3, jaeger) may override with their own valid context.
          expect(spanContext).toBeDefined();
          expect(trace.isSpanContextValid(spanContext!)).toBe(true);
        }
        if (spanContext !== undefined) {
          parents++;
          expect(trace.isSpanContextValid(spanContext)).toBe(true);
          expect(spanContext.isRemote).toBe(true);
        }
        // Baggage is always readable (possibly empty) and never throws.
        propagation.getBaggage(ctx)?.getAllEntries();
      }),
      { numRuns: 10_000, seed: 42 },
    );
    expect(parents).toBeGreaterThan(500);
  });
});

describe('metadataSetter', () => {
  it('injects what the propagators produce and drops what gRPC cannot carry', () => {
    const md = new Metadata();
    const span = trace.wrapSpanContext({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
    });
    const ctx = propagation.setBaggage(
      trace.setSpan(context.active(), span),
      propagation.createBaggage({ user: { value: 'ada lovelace' } }),
    );
    propagator.inject(ctx, md, metadataSetter);
    expect(md.get('traceparent')).toEqual(['00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01']);
    expect(md.get('baggage')).toEqual(['user=ada%20lovelace']);
    metadataSetter.set(md, 'Bad Key', 'x');
    metadataSetter.set(md, 'ok', 'caf\u00e9');
    expect(md.get('ok')).toEqual([]);
  });
});
