import type { Attributes, HrTime, Link } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { InstrumentationScope } from '@opentelemetry/core';
import {
  DataPointType,
  type DataPoint,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { ValueType } from '@opentelemetry/api';
import { getExemplars } from '@trisignal/core';
import { groupByResourceAndScope } from './common-encoder.js';
import { otlpTemporality } from './metrics-encoder.js';

// The OTLP/JSON mapping (opentelemetry-proto docs/specification.md): lowerCamelCase keys, trace and
// span ids as hex, enums as integers, 64-bit integers as decimal strings, bytes as base64, default
// values omitted.

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/** Nanoseconds of an HrTime as a decimal string, exact (BigInt: JSON is not the fast path). */
function nanos(t: HrTime): string {
  return (BigInt(t[0]) * 1_000_000_000n + BigInt(t[1])).toString();
}

/** A JSON number for a double; proto3 JSON spells the non-finite values as strings. */
function double(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/** An integer as an int64 decimal string. */
function int64(v: number): string {
  return Number.isSafeInteger(v) ? String(v) : BigInt(v).toString();
}

function anyValue(value: unknown): JsonObject {
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'number':
      return Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64
        ? { intValue: int64(value) }
        : { doubleValue: double(value) };
    case 'object':
      if (value === null) return {};
      if (value instanceof Uint8Array) return { bytesValue: Buffer.from(value).toString('base64') };
      if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
      return { kvlistValue: { values: keyValues(value as Record<string, unknown>) } };
    default:
      return {};
  }
}

function keyValues(attributes: Readonly<Record<string, unknown>> | undefined): JsonObject[] {
  if (attributes === undefined) return [];
  return Object.keys(attributes).map((key) => ({ key, value: anyValue(attributes[key]) }));
}

/** Sets `obj[key]` only when the value is not the proto3 default (so it is omitted, as the mapping allows). */
function put(obj: JsonObject, key: string, value: JsonValue | undefined): void {
  if (value === undefined || value === '' || value === 0 || value === false) return;
  if (Array.isArray(value) && value.length === 0) return;
  obj[key] = value;
}

function resource(r: Resource): JsonObject {
  const out: JsonObject = {};
  put(out, 'attributes', keyValues(r.attributes));
  return out;
}

function scope(s: InstrumentationScope & { readonly attributes?: Attributes | undefined }): JsonObject {
  const out: JsonObject = {};
  put(out, 'name', s.name);
  put(out, 'version', s.version);
  put(out, 'attributes', keyValues(s.attributes));
  return out;
}

const FLAGS_HAS_IS_REMOTE = 0x100;
const FLAGS_IS_REMOTE = 0x200;

function flags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | FLAGS_HAS_IS_REMOTE | (isRemote === true ? FLAGS_IS_REMOTE : 0);
}

function event(e: TimedEvent): JsonObject {
  const out: JsonObject = { timeUnixNano: nanos(e.time) };
  put(out, 'name', e.name);
  put(out, 'attributes', keyValues(e.attributes));
  put(out, 'droppedAttributesCount', e.droppedAttributesCount);
  return out;
}

function link(l: Link): JsonObject {
  const out: JsonObject = { traceId: l.context.traceId, spanId: l.context.spanId };
  put(out, 'traceState', l.context.traceState?.serialize());
  put(out, 'attributes', keyValues(l.attributes));
  put(out, 'droppedAttributesCount', l.droppedAttributesCount);
  out['flags'] = flags(l.context.traceFlags, l.context.isRemote);
  return out;
}

function span(s: ReadableSpan): JsonObject {
  const ctx = s.spanContext();
  const out: JsonObject = { traceId: ctx.traceId, spanId: ctx.spanId };
  put(out, 'traceState', ctx.traceState?.serialize());
  put(out, 'parentSpanId', s.parentSpanContext?.spanId);
  put(out, 'name', s.name);
  put(out, 'kind', s.kind + 1);
  out['startTimeUnixNano'] = nanos(s.startTime);
  out['endTimeUnixNano'] = nanos(s.endTime);
  put(out, 'attributes', keyValues(s.attributes));
  put(out, 'droppedAttributesCount', s.droppedAttributesCount);
  put(out, 'events', s.events.map(event));
  put(out, 'droppedEventsCount', s.droppedEventsCount);
  put(out, 'links', s.links.map(link));
  put(out, 'droppedLinksCount', s.droppedLinksCount);
  const status: JsonObject = {};
  put(status, 'message', s.status.message);
  put(status, 'code', s.status.code);
  out['status'] = status;
  out['flags'] = flags(ctx.traceFlags, s.parentSpanContext?.isRemote);
  return out;
}

/**
 * The resource → scope → item envelope shared by the trace and log requests:
 * `{ [resources]: [{ resource, [scopes]: [{ scope, [items]: [...] }] }] }`.
 */
function groupedRequest<
  TItem extends { readonly resource: Resource; readonly instrumentationScope: InstrumentationScope },
>(
  items: readonly TItem[],
  keys: { readonly resources: string; readonly scopes: string; readonly items: string },
  encode: (item: TItem) => JsonObject,
): Buffer {
  const outer: JsonObject[] = [];
  for (const [r, byScope] of groupByResourceAndScope(items)) {
    const inner: JsonObject[] = [];
    for (const [sc, list] of byScope) {
      const entry: JsonObject = { scope: scope(sc), [keys.items]: list.map(encode) };
      put(entry, 'schemaUrl', sc.schemaUrl);
      inner.push(entry);
    }
    const entry: JsonObject = { resource: resource(r), [keys.scopes]: inner };
    put(entry, 'schemaUrl', r.schemaUrl);
    outer.push(entry);
  }
  return Buffer.from(JSON.stringify({ [keys.resources]: outer }), 'utf8');
}

/** Encodes spans as an OTLP/JSON `ExportTraceServiceRequest`. */
export function encodeTraceRequestJson(spans: readonly ReadableSpan[]): Buffer {
  return groupedRequest(spans, { resources: 'resourceSpans', scopes: 'scopeSpans', items: 'spans' }, span);
}

function exemplars(point: DataPoint<unknown>): JsonObject[] {
  return getExemplars(point).map((e) => {
    const out: JsonObject = { timeUnixNano: nanos(e.timestamp), asDouble: double(e.value) };
    put(out, 'spanId', e.spanId);
    put(out, 'traceId', e.traceId);
    put(out, 'filteredAttributes', keyValues(e.filteredAttributes));
    return out;
  });
}

function pointTimes(p: DataPoint<unknown>, out: JsonObject): void {
  out['startTimeUnixNano'] = nanos(p.startTime);
  out['timeUnixNano'] = nanos(p.endTime);
}

function numberPoint(p: DataPoint<number>, isInt: boolean): JsonObject {
  const out: JsonObject = {};
  put(out, 'attributes', keyValues(p.attributes));
  pointTimes(p, out);
  if (isInt) out['asInt'] = int64(p.value);
  else out['asDouble'] = double(p.value);
  put(out, 'exemplars', exemplars(p));
  return out;
}

function metric(m: MetricData): JsonObject {
  const out: JsonObject = { name: m.descriptor.name };
  put(out, 'description', m.descriptor.description);
  put(out, 'unit', m.descriptor.unit);
  const isInt = m.descriptor.valueType === ValueType.INT;
  switch (m.dataPointType) {
    case DataPointType.GAUGE:
      out['gauge'] = { dataPoints: m.dataPoints.map((p) => numberPoint(p, isInt)) };
      break;
    case DataPointType.SUM: {
      const sum: JsonObject = { dataPoints: m.dataPoints.map((p) => numberPoint(p, isInt)) };
      put(sum, 'aggregationTemporality', otlpTemporality(m.aggregationTemporality));
      put(sum, 'isMonotonic', m.isMonotonic);
      out['sum'] = sum;
      break;
    }
    case DataPointType.HISTOGRAM: {
      const h: JsonObject = {
        dataPoints: m.dataPoints.map((p) => {
          const v = p.value;
          const o: JsonObject = {};
          put(o, 'attributes', keyValues(p.attributes));
          pointTimes(p, o);
          o['count'] = int64(v.count);
          if (v.sum !== undefined) o['sum'] = double(v.sum);
          put(o, 'bucketCounts', Array.from(v.buckets.counts, int64));
          put(o, 'explicitBounds', Array.from(v.buckets.boundaries, double));
          put(o, 'exemplars', exemplars(p));
          if (v.min !== undefined) o['min'] = double(v.min);
          if (v.max !== undefined) o['max'] = double(v.max);
          return o;
        }),
      };
      put(h, 'aggregationTemporality', otlpTemporality(m.aggregationTemporality));
      out['histogram'] = h;
      break;
    }
    case DataPointType.EXPONENTIAL_HISTOGRAM: {
      const h: JsonObject = {
        dataPoints: m.dataPoints.map((p) => {
          const v = p.value;
          const o: JsonObject = {};
          put(o, 'attributes', keyValues(p.attributes));
          pointTimes(p, o);
          o['count'] = int64(v.count);
          if (v.sum !== undefined) o['sum'] = double(v.sum);
          put(o, 'scale', v.scale);
          o['zeroCount'] = int64(v.zeroCount);
          const buckets = (b: { offset: number; bucketCounts: number[] }): JsonObject => {
            const r: JsonObject = {};
            put(r, 'offset', b.offset);
            put(r, 'bucketCounts', b.bucketCounts.map(int64));
            return r;
          };
          o['positive'] = buckets(v.positive);
          o['negative'] = buckets(v.negative);
          put(o, 'exemplars', exemplars(p));
          if (v.min !== undefined) o['min'] = double(v.min);
          if (v.max !== undefined) o['max'] = double(v.max);
          return o;
        }),
      };
      put(h, 'aggregationTemporality', otlpTemporality(m.aggregationTemporality));
      out['exponentialHistogram'] = h;
      break;
    }
  }
  return out;
}

/** Encodes metrics as an OTLP/JSON `ExportMetricsServiceRequest`. */
export function encodeMetricsRequestJson(
  resourceMetrics: ResourceMetrics | readonly ResourceMetrics[],
): Buffer {
  const list = Array.isArray(resourceMetrics)
    ? (resourceMetrics as readonly ResourceMetrics[])
    : [resourceMetrics as ResourceMetrics];
  const out = list.map((rm) => {
    const entry: JsonObject = {
      resource: resource(rm.resource),
      scopeMetrics: rm.scopeMetrics.map((sm) => {
        const s: JsonObject = { scope: scope(sm.scope), metrics: sm.metrics.map(metric) };
        put(s, 'schemaUrl', sm.scope.schemaUrl);
        return s;
      }),
    };
    put(entry, 'schemaUrl', rm.resource.schemaUrl);
    return entry;
  });
  return Buffer.from(JSON.stringify({ resourceMetrics: out }), 'utf8');
}

function logRecord(r: ReadableLogRecord): JsonObject {
  const out: JsonObject = { timeUnixNano: nanos(r.hrTime), observedTimeUnixNano: nanos(r.hrTimeObserved) };
  put(out, 'severityNumber', r.severityNumber);
  put(out, 'severityText', r.severityText);
  if (r.body !== undefined) out['body'] = anyValue(r.body);
  put(out, 'attributes', keyValues(r.attributes));
  put(out, 'droppedAttributesCount', r.droppedAttributesCount);
  const ctx = r.spanContext;
  if (ctx !== undefined) {
    put(out, 'flags', ctx.traceFlags & 0xff);
    put(out, 'traceId', ctx.traceId);
    put(out, 'spanId', ctx.spanId);
  }
  put(out, 'eventName', r.eventName);
  return out;
}

/** Encodes log records as an OTLP/JSON `ExportLogsServiceRequest`. */
export function encodeLogsRequestJson(records: readonly ReadableLogRecord[]): Buffer {
  return groupedRequest(
    records,
    { resources: 'resourceLogs', scopes: 'scopeLogs', items: 'logRecords' },
    logRecord,
  );
}
