import { ValueType } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type DataPoint,
  type ExponentialHistogram,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { getExemplars, type Exemplar } from '@trisignal/core';
import { ProtoWriter } from '../internal/proto-writer.js';
import { reserveFor, writeAttributes, writeResource, writeScope } from './common-encoder.js';

/** OTLP `AggregationTemporality` from the SDK's (which numbers them differently). */
export function otlpTemporality(t: AggregationTemporality): number {
  return t === AggregationTemporality.DELTA ? 1 : t === AggregationTemporality.CUMULATIVE ? 2 : 0;
}

function writeExemplars(w: ProtoWriter, point: DataPoint<unknown>, tag: number): void {
  const exemplars: readonly Exemplar[] = getExemplars(point);
  for (let i = 0; i < exemplars.length; i++) {
    const e = exemplars[i]!;
    w.byte(tag);
    const mark = w.begin(1);
    w.byte(0x11); // time_unix_nano (2, fixed64)
    w.hrTime(e.timestamp[0], e.timestamp[1]);
    w.byte(0x19); // as_double (3)
    w.double(e.value);
    if (e.spanId) {
      w.byte(0x22); // span_id (4)
      w.hexId(e.spanId, 8);
    }
    if (e.traceId) {
      w.byte(0x2a); // trace_id (5)
      w.hexId(e.traceId, 16);
    }
    writeAttributes(w, e.filteredAttributes, 0x3a); // filtered_attributes (7)
    w.end(mark, 1);
  }
}

function writeNumberPoint(w: ProtoWriter, point: DataPoint<number>, isInt: boolean): void {
  w.byte(0x0a); // Gauge/Sum.data_points (1)
  const mark = w.begin(1);
  w.byte(0x11); // start_time_unix_nano (2)
  w.hrTime(point.startTime[0], point.startTime[1]);
  w.byte(0x19); // time_unix_nano (3)
  w.hrTime(point.endTime[0], point.endTime[1]);
  if (isInt) {
    w.byte(0x31); // as_int (6, sfixed64)
    w.sfixed64Number(point.value);
  } else {
    w.byte(0x21); // as_double (4)
    w.double(point.value);
  }
  writeExemplars(w, point, 0x2a); // exemplars (5)
  writeAttributes(w, point.attributes, 0x3a); // attributes (7)
  w.end(mark, 1);
}

function writeHistogramPoint(w: ProtoWriter, point: DataPoint<Histogram>): void {
  const h = point.value;
  w.byte(0x0a); // Histogram.data_points (1)
  const mark = w.begin(2);
  w.byte(0x11);
  w.hrTime(point.startTime[0], point.startTime[1]);
  w.byte(0x19);
  w.hrTime(point.endTime[0], point.endTime[1]);
  w.byte(0x21); // count (4, fixed64)
  w.fixed64Number(h.count);
  if (h.sum !== undefined) {
    w.byte(0x29); // sum (5)
    w.double(h.sum);
  }
  const counts = h.buckets.counts;
  if (counts.length > 0) {
    w.byte(0x32); // bucket_counts (6, packed fixed64)
    w.uint32(counts.length * 8);
    for (let i = 0; i < counts.length; i++) w.fixed64Number(counts[i]!);
  }
  const bounds = h.buckets.boundaries;
  if (bounds.length > 0) {
    w.byte(0x3a); // explicit_bounds (7, packed double)
    w.uint32(bounds.length * 8);
    for (let i = 0; i < bounds.length; i++) w.double(bounds[i]!);
  }
  writeExemplars(w, point, 0x42); // exemplars (8)
  writeAttributes(w, point.attributes, 0x4a); // attributes (9)
  if (h.min !== undefined) {
    w.byte(0x59); // min (11)
    w.double(h.min);
  }
  if (h.max !== undefined) {
    w.byte(0x61); // max (12)
    w.double(h.max);
  }
  w.end(mark, 2);
}

function writeBuckets(w: ProtoWriter, tag: number, offset: number, counts: readonly number[]): void {
  w.byte(tag);
  const mark = w.begin(1);
  if (offset !== 0) {
    w.byte(0x08); // offset (1, sint32)
    w.sint32(offset);
  }
  if (counts.length > 0) {
    w.byte(0x12); // bucket_counts (2, packed uint64)
    const inner = w.begin(1);
    for (let i = 0; i < counts.length; i++) w.uint53(counts[i]!);
    w.end(inner, 1);
  }
  w.end(mark, 1);
}

function writeExponentialPoint(w: ProtoWriter, point: DataPoint<ExponentialHistogram>): void {
  const h = point.value;
  w.byte(0x0a); // ExponentialHistogram.data_points (1)
  const mark = w.begin(2);
  writeAttributes(w, point.attributes, 0x0a); // attributes (1)
  w.byte(0x11);
  w.hrTime(point.startTime[0], point.startTime[1]);
  w.byte(0x19);
  w.hrTime(point.endTime[0], point.endTime[1]);
  w.byte(0x21); // count (4)
  w.fixed64Number(h.count);
  if (h.sum !== undefined) {
    w.byte(0x29); // sum (5)
    w.double(h.sum);
  }
  if (h.scale !== 0) {
    w.byte(0x30); // scale (6, sint32)
    w.sint32(h.scale);
  }
  w.byte(0x39); // zero_count (7, fixed64)
  w.fixed64Number(h.zeroCount);
  writeBuckets(w, 0x42, h.positive.offset, h.positive.bucketCounts); // positive (8)
  writeBuckets(w, 0x4a, h.negative.offset, h.negative.bucketCounts); // negative (9)
  writeExemplars(w, point, 0x5a); // exemplars (11)
  if (h.min !== undefined) {
    w.byte(0x61); // min (12)
    w.double(h.min);
  }
  if (h.max !== undefined) {
    w.byte(0x69); // max (13)
    w.double(h.max);
  }
  w.end(mark, 2);
}

function writeMetric(w: ProtoWriter, metric: MetricData): void {
  w.byte(0x12); // ScopeMetrics.metrics (2)
  const reserve = reserveFor(metric.dataPoints.length, 120);
  const mark = w.begin(reserve);
  const d = metric.descriptor;
  w.byte(0x0a); // name (1)
  w.string(d.name);
  if (d.description) {
    w.byte(0x12); // description (2)
    w.string(d.description);
  }
  if (d.unit) {
    w.byte(0x1a); // unit (3)
    w.string(d.unit);
  }
  const isInt = d.valueType === ValueType.INT;
  const dataReserve = reserve;
  switch (metric.dataPointType) {
    case DataPointType.GAUGE: {
      w.byte(0x2a); // gauge (5)
      const data = w.begin(dataReserve);
      for (const p of metric.dataPoints) writeNumberPoint(w, p, isInt);
      w.end(data, dataReserve);
      break;
    }
    case DataPointType.SUM: {
      w.byte(0x3a); // sum (7)
      const data = w.begin(dataReserve);
      for (const p of metric.dataPoints) writeNumberPoint(w, p, isInt);
      const t = otlpTemporality(metric.aggregationTemporality);
      if (t !== 0) w.byte2(0x10, t); // aggregation_temporality (2)
      if (metric.isMonotonic) w.byte2(0x18, 1); // is_monotonic (3)
      w.end(data, dataReserve);
      break;
    }
    case DataPointType.HISTOGRAM: {
      w.byte(0x4a); // histogram (9)
      const data = w.begin(dataReserve);
      for (const p of metric.dataPoints) writeHistogramPoint(w, p);
      const t = otlpTemporality(metric.aggregationTemporality);
      if (t !== 0) w.byte2(0x10, t);
      w.end(data, dataReserve);
      break;
    }
    case DataPointType.EXPONENTIAL_HISTOGRAM: {
      w.byte(0x52); // exponential_histogram (10)
      const data = w.begin(dataReserve);
      for (const p of metric.dataPoints) writeExponentialPoint(w, p);
      const t = otlpTemporality(metric.aggregationTemporality);
      if (t !== 0) w.byte2(0x10, t);
      w.end(data, dataReserve);
      break;
    }
  }
  w.end(mark, reserve);
}

const writer = new ProtoWriter();

/** Encodes metrics as an OTLP `ExportMetricsServiceRequest` (protobuf). */
export function encodeMetricsRequest(resourceMetrics: ResourceMetrics | readonly ResourceMetrics[]): Buffer {
  const w = writer;
  w.reset();
  const list = Array.isArray(resourceMetrics)
    ? (resourceMetrics as readonly ResourceMetrics[])
    : [resourceMetrics as ResourceMetrics];
  for (const rm of list) {
    let points = 0;
    for (const sm of rm.scopeMetrics) for (const m of sm.metrics) points += m.dataPoints.length;
    w.byte(0x0a); // resource_metrics (1)
    const rmReserve = reserveFor(points, 150);
    const rmMark = w.begin(rmReserve);
    writeResource(w, rm.resource, 0x0a);
    for (const sm of rm.scopeMetrics) {
      let n = 0;
      for (const m of sm.metrics) n += m.dataPoints.length;
      w.byte(0x12); // scope_metrics (2)
      const smReserve = reserveFor(n, 150);
      const smMark = w.begin(smReserve);
      writeScope(w, sm.scope, 0x0a);
      for (const m of sm.metrics) writeMetric(w, m);
      if (sm.scope.schemaUrl) {
        w.byte(0x1a);
        w.string(sm.scope.schemaUrl);
      }
      w.end(smMark, smReserve);
    }
    if (rm.resource.schemaUrl) {
      w.byte(0x1a);
      w.string(rm.resource.schemaUrl);
    }
    w.end(rmMark, rmReserve);
  }
  return w.finishDetach();
}

/** Number of data points in a collection (the "items" of a metrics export). */
export function countDataPoints(resourceMetrics: ResourceMetrics): number {
  let n = 0;
  for (const sm of resourceMetrics.scopeMetrics) for (const m of sm.metrics) n += m.dataPoints.length;
  return n;
}
