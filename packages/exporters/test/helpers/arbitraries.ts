/**
 * fast-check arbitraries for the telemetry the encoders take: spans, metric collections and log
 * records in every shape the SDK can produce (and AnyValue shapes only logs can carry).
 */
import { TraceFlags, ValueType, type Attributes, type HrTime, type SpanContext } from '@opentelemetry/api';
import { createTraceState } from '@opentelemetry/api';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { InstrumentationScope } from '@opentelemetry/core';
import fc from 'fast-check';

const hex = (n: number) =>
  fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('hex'));
export const traceIdArb = hex(16);
export const spanIdArb = hex(8);

/** Strings: ASCII, full unicode (astral planes included), and occasionally long enough for multi-byte lengths. */
export const stringArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 100, maxLength: 300 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', 'ü', '日本語', '😀', 'a'.repeat(127), 'b'.repeat(128), 'c'.repeat(20000)),
  },
);

const intArb = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(0, -1, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 53, -(2 ** 53), 2 ** 62, -(2 ** 63)),
);
const doubleArb = fc.oneof(
  fc.double({ noDefaultInfinity: false }),
  fc.constantFrom(0.5, -0.25, 1e300, Number.MIN_VALUE, Infinity, -Infinity),
);

/** Attribute values the OpenTelemetry API allows: primitives and homogeneous arrays. */
export const attributeValueArb = fc.oneof(
  stringArb,
  fc.boolean(),
  intArb,
  doubleArb,
  fc.array(stringArb, { maxLength: 4 }),
  fc.array(fc.boolean(), { maxLength: 4 }),
  fc.array(intArb, { maxLength: 4 }),
  fc.array(doubleArb, { maxLength: 4 }),
);

const keyArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }),
  fc.constantFrom('http.route', 'ключ', 'k'),
);

export const attributesArb: fc.Arbitrary<Attributes> = fc.dictionary(keyArb, attributeValueArb, {
  maxKeys: 8,
});

/** Any AnyValue, as log bodies and log attributes may hold: bytes, nested arrays and maps, null. */
export const anyValueArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    stringArb,
    fc.boolean(),
    intArb,
    doubleArb,
    fc.uint8Array({ maxLength: 40 }),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(keyArb, tie('value'), { maxKeys: 4 }),
  ),
})).value;

const hrTimeArb: fc.Arbitrary<HrTime> = fc.tuple(
  fc.oneof(fc.integer({ min: 0, max: 4_000_000_000 }), fc.constantFrom(0, 1_700_000_000, 2_147_483_648)),
  fc.integer({ min: 0, max: 999_999_999 }),
);

const resources = [
  resourceFromAttributes({ 'service.name': 'orders', 'process.pid': 42, 'host.arch': 'amd64' }),
  resourceFromAttributes({ 'service.name': 'payments', 'deployment.environment.name': 'prod' }),
];
const scopes: InstrumentationScope[] = [
  { name: '@trisignal/core', version: '1.0.0' },
  { name: 'orders-app' },
  { name: 'with-schema', version: '2', schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' },
];
export const resourceArb: fc.Arbitrary<Resource> = fc.constantFrom(...resources);
export const scopeArb: fc.Arbitrary<InstrumentationScope> = fc.constantFrom(...scopes);

const traceStateArb = fc.option(fc.constantFrom('ot=th:8', 'vendor=abc,ot=th:c;rv:9b8233f7e3a151'), {
  nil: undefined,
});

const spanContextArb: fc.Arbitrary<SpanContext> = fc
  .record({
    traceId: traceIdArb,
    spanId: spanIdArb,
    traceFlags: fc.constantFrom(TraceFlags.NONE, TraceFlags.SAMPLED, 3),
    isRemote: fc.option(fc.boolean(), { nil: undefined }),
    ts: traceStateArb,
  })
  .map(({ ts, isRemote, ...rest }) => ({
    ...rest,
    ...(isRemote === undefined ? {} : { isRemote }),
    ...(ts === undefined ? {} : { traceState: createTraceState(ts) }),
  }));

export const spanArb: fc.Arbitrary<ReadableSpan> = fc
  .record({
    ctx: spanContextArb,
    parent: fc.option(spanContextArb, { nil: undefined }),
    name: stringArb,
    kind: fc.integer({ min: 0, max: 4 }),
    startTime: hrTimeArb,
    endTime: hrTimeArb,
    attributes: attributesArb,
    droppedAttributesCount: fc.oneof(fc.constant(0), fc.nat(100000)),
    events: fc.array(
      fc.record({
        name: stringArb,
        time: hrTimeArb,
        attributes: fc.option(attributesArb, { nil: undefined }),
        droppedAttributesCount: fc.option(fc.nat(5), { nil: undefined }),
      }),
      { maxLength: 3 },
    ),
    droppedEventsCount: fc.nat(3),
    links: fc.array(
      fc.record({
        context: spanContextArb,
        attributes: fc.option(attributesArb, { nil: undefined }),
        droppedAttributesCount: fc.option(fc.nat(5), { nil: undefined }),
      }),
      { maxLength: 2 },
    ),
    droppedLinksCount: fc.nat(3),
    status: fc.record({
      code: fc.integer({ min: 0, max: 2 }),
      message: fc.option(stringArb, { nil: undefined }),
    }),
    resource: resourceArb,
    scope: scopeArb,
  })
  .map((r) => toReadableSpan(r));

function toReadableSpan(r: {
  ctx: SpanContext;
  parent: SpanContext | undefined;
  name: string;
  kind: number;
  startTime: HrTime;
  endTime: HrTime;
  attributes: Attributes;
  droppedAttributesCount: number;
  events: {
    name: string;
    time: HrTime;
    attributes: Attributes | undefined;
    droppedAttributesCount: number | undefined;
  }[];
  droppedEventsCount: number;
  links: {
    context: SpanContext;
    attributes: Attributes | undefined;
    droppedAttributesCount: number | undefined;
  }[];
  droppedLinksCount: number;
  status: { code: number; message: string | undefined };
  resource: Resource;
  scope: InstrumentationScope;
}): ReadableSpan {
  const span = {
    name: r.name,
    kind: r.kind,
    spanContext: () => r.ctx,
    parentSpanContext: r.parent,
    startTime: r.startTime,
    endTime: r.endTime,
    status: r.status.message === undefined ? { code: r.status.code } : r.status,
    attributes: r.attributes,
    links: r.links.map((l) => ({
      context: l.context,
      ...(l.attributes === undefined ? {} : { attributes: l.attributes }),
      ...(l.droppedAttributesCount === undefined ? {} : { droppedAttributesCount: l.droppedAttributesCount }),
    })),
    events: r.events.map((e) => ({
      name: e.name,
      time: e.time,
      ...(e.attributes === undefined ? {} : { attributes: e.attributes }),
      ...(e.droppedAttributesCount === undefined ? {} : { droppedAttributesCount: e.droppedAttributesCount }),
    })),
    duration: [0, 0],
    ended: true,
    resource: r.resource,
    instrumentationScope: r.scope,
    droppedAttributesCount: r.droppedAttributesCount,
    droppedEventsCount: r.droppedEventsCount,
    droppedLinksCount: r.droppedLinksCount,
  };
  return span as unknown as ReadableSpan;
}

const pointBase = fc.record({
  startTime: hrTimeArb,
  endTime: hrTimeArb,
  attributes: attributesArb,
});

const finiteDouble = fc.double({ noNaN: true, noDefaultInfinity: true });

const numberMetricArb = fc
  .record({
    name: fc.string({ minLength: 1, maxLength: 30 }),
    description: stringArb,
    unit: fc.constantFrom('', 's', 'By', '{request}', '1'),
    isInt: fc.boolean(),
    type: fc.constantFrom(DataPointType.GAUGE, DataPointType.SUM),
    temporality: fc.constantFrom(AggregationTemporality.DELTA, AggregationTemporality.CUMULATIVE),
    isMonotonic: fc.boolean(),
    points: fc.array(
      fc.tuple(pointBase, fc.oneof(fc.integer(), fc.constantFrom(-(2 ** 53), 2 ** 40)), finiteDouble),
      {
        maxLength: 4,
      },
    ),
  })
  .map((m): MetricData => {
    const descriptor = {
      name: m.name,
      description: m.description,
      unit: m.unit,
      valueType: m.isInt ? ValueType.INT : ValueType.DOUBLE,
      type: 'COUNTER',
    };
    const dataPoints = m.points.map(([p, i, d]) => ({ ...p, value: m.isInt ? i : d }));
    if (m.type === DataPointType.GAUGE) {
      return {
        descriptor,
        dataPointType: DataPointType.GAUGE,
        aggregationTemporality: m.temporality,
        dataPoints,
      } as unknown as MetricData;
    }
    return {
      descriptor,
      dataPointType: DataPointType.SUM,
      aggregationTemporality: m.temporality,
      isMonotonic: m.isMonotonic,
      dataPoints,
    } as unknown as MetricData;
  });

const histogramMetricArb = fc
  .record({
    name: fc.string({ minLength: 1, maxLength: 30 }),
    unit: fc.constantFrom('s', 'ms', 'By'),
    temporality: fc.constantFrom(AggregationTemporality.DELTA, AggregationTemporality.CUMULATIVE),
    points: fc.array(
      fc.tuple(
        pointBase,
        fc.array(finiteDouble, { maxLength: 12 }),
        fc.array(fc.nat(), { minLength: 13, maxLength: 13 }),
        fc.option(finiteDouble, { nil: undefined }),
        fc.option(fc.tuple(finiteDouble, finiteDouble), { nil: undefined }),
      ),
      { maxLength: 3 },
    ),
  })
  .map(
    (m): MetricData =>
      ({
        descriptor: {
          name: m.name,
          description: '',
          unit: m.unit,
          valueType: ValueType.DOUBLE,
          type: 'HISTOGRAM',
        },
        dataPointType: DataPointType.HISTOGRAM,
        aggregationTemporality: m.temporality,
        dataPoints: m.points.map(([p, bounds, counts, sum, minMax]) => {
          const sorted = [...new Set(bounds)].sort((a, b) => a - b);
          const c = counts.slice(0, sorted.length + 1);
          return {
            ...p,
            value: {
              buckets: { boundaries: sorted, counts: c },
              count: c.reduce((a, b) => a + b, 0),
              ...(sum === undefined ? {} : { sum }),
              ...(minMax === undefined ? {} : { min: minMax[0], max: minMax[1] }),
            },
          };
        }),
      }) as unknown as MetricData,
  );

const expBuckets = fc.record({
  offset: fc.integer({ min: -200, max: 200 }),
  bucketCounts: fc.array(fc.oneof(fc.nat(), fc.constantFrom(2 ** 40)), { maxLength: 8 }),
});

const exponentialMetricArb = fc
  .record({
    name: fc.string({ minLength: 1, maxLength: 30 }),
    temporality: fc.constantFrom(AggregationTemporality.DELTA, AggregationTemporality.CUMULATIVE),
    points: fc.array(
      fc.tuple(
        pointBase,
        fc.integer({ min: -10, max: 20 }),
        fc.nat(),
        expBuckets,
        expBuckets,
        fc.option(finiteDouble, { nil: undefined }),
        fc.option(fc.tuple(finiteDouble, finiteDouble), { nil: undefined }),
      ),
      { maxLength: 3 },
    ),
  })
  .map(
    (m): MetricData =>
      ({
        descriptor: {
          name: m.name,
          description: 'exp',
          unit: 's',
          valueType: ValueType.DOUBLE,
          type: 'HISTOGRAM',
        },
        dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
        aggregationTemporality: m.temporality,
        dataPoints: m.points.map(([p, scale, zeroCount, positive, negative, sum, minMax]) => ({
          ...p,
          value: {
            count:
              zeroCount + [...positive.bucketCounts, ...negative.bucketCounts].reduce((a, b) => a + b, 0),
            scale,
            zeroCount,
            positive,
            negative,
            ...(sum === undefined ? {} : { sum }),
            ...(minMax === undefined ? {} : { min: minMax[0], max: minMax[1] }),
          },
        })),
      }) as unknown as MetricData,
  );

export const metricArb = fc.oneof(numberMetricArb, histogramMetricArb, exponentialMetricArb);

export const resourceMetricsArb: fc.Arbitrary<ResourceMetrics> = fc.record({
  resource: resourceArb,
  scopeMetrics: fc.array(fc.record({ scope: scopeArb, metrics: fc.array(metricArb, { maxLength: 4 }) }), {
    maxLength: 3,
  }),
});

export const logRecordArb: fc.Arbitrary<ReadableLogRecord> = fc
  .record({
    hrTime: hrTimeArb,
    hrTimeObserved: hrTimeArb,
    ctx: fc.option(spanContextArb, { nil: undefined }),
    severityText: fc.option(fc.constantFrom('INFO', 'WARN', 'ERROR', ''), { nil: undefined }),
    severityNumber: fc.option(fc.integer({ min: 0, max: 24 }), { nil: undefined }),
    body: fc.option(anyValueArb, { nil: undefined }),
    attributes: fc.dictionary(keyArb, anyValueArb, { maxKeys: 5 }),
    droppedAttributesCount: fc.nat(4),
    resource: resourceArb,
    scope: scopeArb,
    eventName: fc.option(fc.constantFrom('session.start', 'exception'), { nil: undefined }),
  })
  .map(
    (r) =>
      ({
        hrTime: r.hrTime,
        hrTimeObserved: r.hrTimeObserved,
        ...(r.ctx === undefined ? {} : { spanContext: r.ctx }),
        ...(r.severityText === undefined ? {} : { severityText: r.severityText }),
        ...(r.severityNumber === undefined ? {} : { severityNumber: r.severityNumber }),
        ...(r.body === undefined ? {} : { body: r.body }),
        ...(r.eventName === undefined ? {} : { eventName: r.eventName }),
        attributes: r.attributes,
        droppedAttributesCount: r.droppedAttributesCount,
        resource: r.resource,
        instrumentationScope: r.scope,
      }) as unknown as ReadableLogRecord,
  );
