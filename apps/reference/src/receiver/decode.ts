/**
 * Decodes OTLP export requests — protobuf (with the schema in `proto/`) or OTLP/JSON — into flat
 * records: one per span, per metric data point set, per log record, each with its resource's service
 * name and instance id. Both encodings decode to the same shapes.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export type OtlpSignal = 'traces' | 'metrics' | 'logs';

export type AttributeValue =
  string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export interface Origin {
  readonly service: string;
  readonly instanceId: string;
  readonly scope: string;
}

export interface DecodedSpan extends Origin {
  readonly traceId: string;
  readonly spanId: string;
  /** Empty for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP `SpanKind`: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  /** OTLP `StatusCode`: 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: number; readonly message: string };
  readonly attributes: Attributes;
  readonly events: number;
}

export interface DecodedPoint {
  readonly attributes: Attributes;
  readonly timeUnixNano: string;
  /** Gauge and sum points. */
  readonly value?: number;
  /** Histogram (and summary) points. */
  readonly count?: number;
  readonly sum?: number;
  readonly bucketCounts?: number[];
  readonly explicitBounds?: number[];
  readonly exemplars: number;
}

export interface DecodedMetric extends Origin {
  readonly name: string;
  readonly unit: string;
  readonly type: 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary' | 'unknown';
  readonly points: DecodedPoint[];
}

export interface DecodedLog extends Origin {
  readonly timeUnixNano: string;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: AttributeValue;
  readonly traceId: string;
  readonly spanId: string;
  readonly attributes: Attributes;
}

export type DecodedBatch =
  | {
      readonly signal: 'traces';
      readonly items: number;
      readonly records: DecodedSpan[];
      readonly resources: Origin[];
    }
  | {
      readonly signal: 'metrics';
      readonly items: number;
      readonly records: DecodedMetric[];
      readonly resources: Origin[];
    }
  | {
      readonly signal: 'logs';
      readonly items: number;
      readonly records: DecodedLog[];
      readonly resources: Origin[];
    };

const PROTO_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'proto');

let types: Record<OtlpSignal, { request: protobuf.Type; response: protobuf.Type }> | undefined;

/** The request and response message types, loaded once. */
export function otlpTypes(): Record<OtlpSignal, { request: protobuf.Type; response: protobuf.Type }> {
  if (types !== undefined) return types;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(PROTO_DIR, path.basename(target));
  root.loadSync(['collector.proto'], { keepCase: false });
  root.resolveAll();
  const pkg = 'opentelemetry.proto.collector.v1.';
  const pair = (name: string) => ({
    request: root.lookupType(`${pkg}Export${name}ServiceRequest`),
    response: root.lookupType(`${pkg}Export${name}ServiceResponse`),
  });
  types = { traces: pair('Trace'), metrics: pair('Metrics'), logs: pair('Logs') };
  return types;
}

/** The wire decoding failed or the message is not an OTLP export request. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
}
function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return '';
}
function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') return Number(v);
  if (v !== null && typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return 0;
}
/** Ids: bytes in protobuf, hex strings in OTLP/JSON. */
function hexId(v: unknown): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return typeof v === 'string' ? v.toLowerCase() : '';
}
/** Timestamps keep their full nanosecond precision as decimal strings. */
function nanos(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return BigInt(Math.round(v)).toString();
  return str(v) || '0';
}

function anyValue(v: unknown): AttributeValue {
  const o = obj(v);
  if ('stringValue' in o) return str(o['stringValue']);
  if ('boolValue' in o) return o['boolValue'] === true;
  if ('intValue' in o) return num(o['intValue']);
  if ('doubleValue' in o) return num(o['doubleValue']);
  if ('arrayValue' in o) return list(obj(o['arrayValue'])['values']).map(anyValue);
  if ('kvlistValue' in o) return attributes(obj(o['kvlistValue'])['values']);
  if ('bytesValue' in o) {
    const b = o['bytesValue'];
    return b instanceof Uint8Array ? Buffer.from(b).toString('base64') : str(b);
  }
  return null;
}

function attributes(v: unknown): Attributes {
  const out: Attributes = {};
  for (const kv of list(v)) {
    const o = obj(kv);
    out[str(o['key'])] = anyValue(o['value']);
  }
  return out;
}

function origin(resource: unknown, scope: unknown): Origin {
  const a = attributes(obj(resource)['attributes']);
  return {
    service: str(a['service.name']),
    instanceId: str(a['service.instance.id']),
    scope: str(obj(scope)['name']),
  };
}

function spans(request: Obj): DecodedBatch {
  const records: DecodedSpan[] = [];
  const resources: Origin[] = [];
  for (const rs of list(request['resourceSpans'])) {
    const r = obj(rs);
    resources.push(origin(r['resource'], undefined));
    for (const ss of list(r['scopeSpans'])) {
      const s = obj(ss);
      const from = origin(r['resource'], s['scope']);
      for (const raw of list(s['spans'])) {
        const span = obj(raw);
        const status = obj(span['status']);
        records.push({
          ...from,
          traceId: hexId(span['traceId']),
          spanId: hexId(span['spanId']),
          parentSpanId: hexId(span['parentSpanId']),
          name: str(span['name']),
          kind: num(span['kind']),
          startTimeUnixNano: nanos(span['startTimeUnixNano']),
          endTimeUnixNano: nanos(span['endTimeUnixNano']),
          status: { code: num(status['code']), message: str(status['message']) },
          attributes: attributes(span['attributes']),
          events: list(span['events']).length,
        });
      }
    }
  }
  return { signal: 'traces', items: records.length, records, resources };
}

function numberPoint(p: Obj): DecodedPoint {
  return {
    attributes: attributes(p['attributes']),
    timeUnixNano: nanos(p['timeUnixNano']),
    value: 'asInt' in p ? num(p['asInt']) : num(p['asDouble']),
    exemplars: list(p['exemplars']).length,
  };
}

function histogramPoint(p: Obj): DecodedPoint {
  return {
    attributes: attributes(p['attributes']),
    timeUnixNano: nanos(p['timeUnixNano']),
    count: num(p['count']),
    sum: num(p['sum']),
    bucketCounts: list(p['bucketCounts']).map(num),
    explicitBounds: list(p['explicitBounds']).map(num),
    exemplars: list(p['exemplars']).length,
  };
}

function metrics(request: Obj): DecodedBatch {
  const records: DecodedMetric[] = [];
  const resources: Origin[] = [];
  let items = 0;
  for (const rm of list(request['resourceMetrics'])) {
    const r = obj(rm);
    resources.push(origin(r['resource'], undefined));
    for (const sm of list(r['scopeMetrics'])) {
      const s = obj(sm);
      const from = origin(r['resource'], s['scope']);
      for (const raw of list(s['metrics'])) {
        const m = obj(raw);
        let type: DecodedMetric['type'] = 'unknown';
        let points: DecodedPoint[] = [];
        if ('gauge' in m) {
          type = 'gauge';
          points = list(obj(m['gauge'])['dataPoints']).map((p) => numberPoint(obj(p)));
        } else if ('sum' in m) {
          type = 'sum';
          points = list(obj(m['sum'])['dataPoints']).map((p) => numberPoint(obj(p)));
        } else if ('histogram' in m) {
          type = 'histogram';
          points = list(obj(m['histogram'])['dataPoints']).map((p) => histogramPoint(obj(p)));
        } else if ('exponentialHistogram' in m) {
          type = 'exponential_histogram';
          points = list(obj(m['exponentialHistogram'])['dataPoints']).map((p) => histogramPoint(obj(p)));
        } else if ('summary' in m) {
          type = 'summary';
          points = list(obj(m['summary'])['dataPoints']).map((p) => histogramPoint(obj(p)));
        }
        items += points.length;
        records.push({ ...from, name: str(m['name']), unit: str(m['unit']), type, points });
      }
    }
  }
  return { signal: 'metrics', items, records, resources };
}

function logs(request: Obj): DecodedBatch {
  const records: DecodedLog[] = [];
  const resources: Origin[] = [];
  for (const rl of list(request['resourceLogs'])) {
    const r = obj(rl);
    resources.push(origin(r['resource'], undefined));
    for (const sl of list(r['scopeLogs'])) {
      const s = obj(sl);
      const from = origin(r['resource'], s['scope']);
      for (const raw of list(s['logRecords'])) {
        const l = obj(raw);
        records.push({
          ...from,
          timeUnixNano: nanos(l['timeUnixNano']),
          severityNumber: num(l['severityNumber']),
          severityText: str(l['severityText']),
          body: anyValue(l['body']),
          traceId: hexId(l['traceId']),
          spanId: hexId(l['spanId']),
          attributes: attributes(l['attributes']),
        });
      }
    }
  }
  return { signal: 'logs', items: records.length, records, resources };
}

/** Decodes one request body (already decompressed). Throws `DecodeError`. */
export function decodeRequest(signal: OtlpSignal, format: 'protobuf' | 'json', body: Buffer): DecodedBatch {
  let request: Obj;
  try {
    if (format === 'json') {
      request = obj(JSON.parse(body.toString('utf8')));
    } else {
      const type = otlpTypes()[signal].request;
      request = type.toObject(type.decode(body), { longs: String, enums: Number, defaults: false });
    }
  } catch (error) {
    throw new DecodeError(`could not decode the ${signal} request as ${format}: ${String(error)}`);
  }
  return signal === 'traces' ? spans(request) : signal === 'metrics' ? metrics(request) : logs(request);
}
