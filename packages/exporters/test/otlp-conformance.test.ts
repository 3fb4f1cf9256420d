import {
  JsonLogsSerializer,
  JsonMetricsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeLogsRequest } from '../src/otlp/logs-encoder.js';
import { encodeMetricsRequest } from '../src/otlp/metrics-encoder.js';
import { encodeTraceRequest } from '../src/otlp/trace-encoder.js';
import {
  encodeLogsRequestJson,
  encodeMetricsRequestJson,
  encodeTraceRequestJson,
} from '../src/otlp/json-encoder.js';
import { logRecordArb, resourceMetricsArb, spanArb } from './helpers/arbitraries.js';
import { decode, types } from './helpers/schema.js';
import { makeSpans } from '../bench/fixtures.js';

const RUNS = 150;

/** Upstream writes `int_value` for any integer-valued double, including ones JSON cannot round-trip; compare as decoded. */
function upstream(bytes: Uint8Array | undefined): Uint8Array {
  if (bytes === undefined) throw new Error('upstream serializer returned undefined');
  return bytes;
}

describe('OTLP protobuf encoder: conformance with @opentelemetry/otlp-transformer', () => {
  it('encodes spans to the same ExportTraceServiceRequest', () => {
    fc.assert(
      fc.property(fc.array(spanArb, { maxLength: 12 }), (spans) => {
        const ours = decode(types.traceRequest, encodeTraceRequest(spans));
        const theirs = decode(types.traceRequest, upstream(ProtobufTraceSerializer.serializeRequest(spans)));
        expect(ours).toEqual(theirs);
      }),
      { numRuns: RUNS },
    );
  });

  it('encodes metric collections to the same ExportMetricsServiceRequest', () => {
    fc.assert(
      fc.property(resourceMetricsArb, (rm: ResourceMetrics) => {
        const ours = decode(types.metricsRequest, encodeMetricsRequest(rm));
        const theirs = decode(types.metricsRequest, upstream(ProtobufMetricsSerializer.serializeRequest(rm)));
        expect(ours).toEqual(theirs);
      }),
      { numRuns: RUNS },
    );
  });

  it('encodes log records (bodies of every AnyValue type) to the same ExportLogsServiceRequest', () => {
    fc.assert(
      fc.property(fc.array(logRecordArb, { maxLength: 10 }), (records) => {
        const ours = decode(types.logsRequest, encodeLogsRequest(records));
        const theirs = decode(types.logsRequest, upstream(ProtobufLogsSerializer.serializeRequest(records)));
        expect(ours).toEqual(theirs);
      }),
      { numRuns: RUNS },
    );
  });

  it('encodes an empty batch as an empty message', () => {
    expect(encodeTraceRequest([]).length).toBe(0);
    expect(encodeLogsRequest([]).length).toBe(0);
    expect(decode(types.traceRequest, encodeTraceRequest([]))).toEqual({ resourceSpans: [] });
  });

  it('encodes a huge batch (5,000 spans, 200 KB attributes) like upstream', () => {
    const spans = makeSpans(5000);
    const first = spans[0]!;
    const big = Object.assign(Object.create(Object.getPrototypeOf(first) as object) as typeof first, first, {
      attributes: { blob: 'x'.repeat(200_000), ü: 'ü'.repeat(70_000) },
    });
    const batch = [...spans, big];
    const ours = encodeTraceRequest(batch);
    expect(ours.length).toBeGreaterThan(2_000_000);
    expect(decode(types.traceRequest, ours)).toEqual(
      decode(types.traceRequest, upstream(ProtobufTraceSerializer.serializeRequest(batch))),
    );
  });

  it('keeps an encoded batch intact when the next one is encoded', () => {
    const a = makeSpans(3);
    const first = encodeTraceRequest(a);
    const copy = Buffer.from(first);
    encodeTraceRequest(makeSpans(50));
    expect(first.equals(copy)).toBe(true);
  });
});

function hasJsonUnsafeNumber(value: unknown, seen = new Set<unknown>()): boolean {
  if (typeof value === 'number')
    return !Number.isFinite(value) || (Number.isInteger(value) && Math.abs(value) >= 2 ** 63);
  if (value === null || typeof value !== 'object' || seen.has(value)) return false;
  seen.add(value);
  return Object.values(value).some((v) => hasJsonUnsafeNumber(v, seen));
}

/** The proto3 JSON form of a decoded message (as `decode` returns it): what an OTLP/JSON body must equal. */
function normalizeJson(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)),
  );
}

/** Parses OTLP/JSON and fills the proto3 defaults back in, by decoding it through the protobuf schema. */
function jsonToMessage(
  type: typeof types.traceRequest,
  json: Buffer,
  options: { dropEmptyBodies?: boolean } = {},
): Record<string, unknown> {
  const parsed = JSON.parse(json.toString('utf8')) as unknown;
  // Our JSON uses hex ids, which protobufjs's fromObject would read as base64: turn them into byte arrays first.
  const fix = (v: unknown, key = ''): unknown => {
    if (Array.isArray(v)) return v.map((x) => fix(x));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v)
          // Upstream's JSON writes `"body": {}` for a record without a body (its protobuf omits it).
          .filter(
            ([k, x]) =>
              !(options.dropEmptyBodies === true && k === 'body' && Object.keys(x as object).length === 0),
          )
          .map(([k, x]) => [k, fix(x, k)]),
      );
    }
    if (typeof v === 'string' && /^(traceId|spanId|parentSpanId)$/.test(key))
      return [...Buffer.from(v, 'hex')];
    if (typeof v === 'string' && key === 'bytesValue') return [...Buffer.from(v, 'base64')];
    if (typeof v === 'string' && ['NaN', 'Infinity', '-Infinity'].includes(v)) return Number(v);
    return v;
  };
  const message = type.fromObject(fix(parsed) as Record<string, unknown>);
  return decode(type, type.encode(message).finish());
}

describe('OTLP/JSON encoder', () => {
  it('writes the JSON mapping of the same spans: hex ids, integer enums, int64 as strings', () => {
    fc.assert(
      fc.property(fc.array(spanArb, { maxLength: 6 }), (spans) => {
        const json = encodeTraceRequestJson(spans);
        expect(normalizeJson(jsonToMessage(types.traceRequest, json))).toEqual(
          normalizeJson(decode(types.traceRequest, encodeTraceRequest(spans))),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('writes the JSON mapping of the same metrics and logs', () => {
    fc.assert(
      fc.property(resourceMetricsArb, fc.array(logRecordArb, { maxLength: 5 }), (rm, logs) => {
        expect(normalizeJson(jsonToMessage(types.metricsRequest, encodeMetricsRequestJson(rm)))).toEqual(
          normalizeJson(decode(types.metricsRequest, encodeMetricsRequest(rm))),
        );
        expect(normalizeJson(jsonToMessage(types.logsRequest, encodeLogsRequestJson(logs)))).toEqual(
          normalizeJson(decode(types.logsRequest, encodeLogsRequest(logs))),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('spells ids in hex, enums as integers and 64-bit integers as strings', () => {
    const [span] = makeSpans(1);
    const json = JSON.parse(encodeTraceRequestJson([span!]).toString()) as {
      resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[];
    };
    const s = json.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(s['traceId']).toBe(span!.spanContext().traceId);
    expect(s['kind']).toBe(2);
    expect(typeof s['startTimeUnixNano']).toBe('string');
    const attrs = s['attributes'] as { key: string; value: Record<string, unknown> }[];
    expect(attrs.find((a) => a.key === 'server.port')!.value).toEqual({ intValue: '8080' });
  });

  it('agrees with upstream JSON on the same telemetry, read through the schema', () => {
    const spans = makeSpans(20);
    expect(jsonToMessage(types.traceRequest, encodeTraceRequestJson(spans))).toEqual(
      jsonToMessage(types.traceRequest, Buffer.from(JsonTraceSerializer.serializeRequest(spans)!)),
    );
    fc.assert(
      fc.property(resourceMetricsArb, fc.array(logRecordArb, { maxLength: 5 }), (rm, logs) => {
        // Upstream's JSON writes integer-valued doubles beyond int64 (1e300) as `intValue`, which its own
        // protobuf encoder (and ours, in both encodings) sends as `doubleValue`, and turns NaN and
        // ±Infinity into null (JSON.stringify) where the mapping wants "NaN"/"Infinity": leave those out.
        fc.pre(!hasJsonUnsafeNumber([rm.scopeMetrics, logs.map((l) => [l.attributes, l.body])]));
        expect(normalizeJson(jsonToMessage(types.metricsRequest, encodeMetricsRequestJson(rm)))).toEqual(
          normalizeJson(
            jsonToMessage(types.metricsRequest, Buffer.from(JsonMetricsSerializer.serializeRequest(rm)!)),
          ),
        );
        const drop = { dropEmptyBodies: true };
        expect(normalizeJson(jsonToMessage(types.logsRequest, encodeLogsRequestJson(logs), drop))).toEqual(
          normalizeJson(
            jsonToMessage(types.logsRequest, Buffer.from(JsonLogsSerializer.serializeRequest(logs)!), drop),
          ),
        );
      }),
      { numRuns: 40 },
    );
  });
});
