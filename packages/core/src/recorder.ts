import { type Attributes, type HrTime, type SpanContext, ValueType } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { emptyResource, type Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type CollectionResult,
  type DataPoint,
  DataPointType,
  type Histogram,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { type BucketOption, MESSAGE_COUNT_BUCKETS, SIZE_BUCKETS, resolveBuckets } from './buckets.js';
import { invalidOption } from './errors.js';
import type { ExemplarFilter, HistogramDataPointWithExemplars } from './exemplar.js';
import { HistogramCell, millisToHrTime } from './histogram-cell.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_RPC_GRPC_STATUS_CODE,
  ATTR_RPC_METHOD,
  ATTR_RPC_SERVICE,
  ATTR_RPC_SYSTEM,
  ATTR_SLO_CLASS,
  ATTR_URL_SCHEME,
  METRIC_HTTP_SERVER_ACTIVE_REQUESTS,
  METRIC_HTTP_SERVER_REQUEST_BODY_SIZE,
  METRIC_HTTP_SERVER_REQUEST_DURATION,
  METRIC_HTTP_SERVER_RESPONSE_BODY_SIZE,
  METRIC_RPC_CLIENT_ACTIVE_CALLS,
  METRIC_RPC_CLIENT_CALL_DURATION,
  METRIC_RPC_SERVER_ACTIVE_CALLS,
  METRIC_RPC_SERVER_CALL_DURATION,
  METRIC_RPC_SERVER_REQUESTS_PER_RPC,
  METRIC_RPC_SERVER_REQUEST_SIZE,
  METRIC_RPC_SERVER_RESPONSES_PER_RPC,
  METRIC_RPC_SERVER_RESPONSE_SIZE,
  METRIC_TRISIGNAL_RECORDER_OVERFLOW,
} from './semconv.js';
import { VERSION } from './version.js';

/** gRPC status codes that count as a server error on a server span (semconv `rpc.grpc.status_code`). */
const GRPC_SERVER_ERROR_CODES = new Set([2, 4, 12, 13, 14, 15]);
/** The attribute OpenTelemetry uses to mark the overflow series once a cardinality limit is reached. */
const ATTR_OVERFLOW = 'otel.metric.overflow';

/** Options of the golden-signal recorder. */
export interface GoldenSignalRecorderOptions {
  /** Resource put on produced metrics (init() passes the SDK's). @default empty resource */
  readonly resource?: Resource | undefined;
  /** Duration buckets, in seconds. @default 'semconv' */
  readonly durationBuckets?: BucketOption | undefined;
  /** Size buckets, in bytes. @default SIZE_BUCKETS */
  readonly sizeBuckets?: readonly number[] | undefined;
  /** Which observations become exemplars. @default 'trace_based' (those inside a sampled span) */
  readonly exemplarFilter?: ExemplarFilter | undefined;
  /** Series per kind (HTTP server, RPC server, RPC client) before new label sets go to the overflow series. @default 2000 */
  readonly maxSeries?: number | undefined;
  /** Start of the cumulative interval (epoch ms). @default now */
  readonly startTimeMillis?: number | undefined;
}

/** Recorder defaults. */
export const RECORDER_DEFAULTS = Object.freeze({
  durationBuckets: 'semconv' as const,
  exemplarFilter: 'trace_based' as const,
  maxSeries: 2000,
});

/** One finished HTTP server request. */
export interface HttpServerMeasurement {
  /** Normalised method (`GET`…, or `_OTHER`). */
  readonly method: string;
  /** Route template (`/api/items/:id`); `undefined` when no route matched. */
  readonly route: string | undefined;
  /** Response status; 0 when no response was sent. */
  readonly statusCode: number;
  /** `http` or `https`. @default 'http' */
  readonly scheme?: string | undefined;
  /** `1.1`, `2`… */
  readonly protocolVersion?: string | undefined;
  /** Set when the request ended in error (semconv `error.type`). */
  readonly errorType?: string | undefined;
  readonly sloClass?: string | undefined;
  readonly durationSeconds: number;
  readonly requestBodyBytes?: number | undefined;
  readonly responseBodyBytes?: number | undefined;
  /** The request's span context; a sampled one becomes the duration bucket's exemplar. */
  readonly spanContext?: SpanContext | undefined;
}

/** One finished RPC (server or client side). */
export interface RpcMeasurement {
  /** `grpc` unless stated. @default 'grpc' */
  readonly system?: string | undefined;
  /** Fully qualified service, e.g. `shop.Inventory`. */
  readonly service: string;
  /** Method name, e.g. `Reserve`. */
  readonly method: string;
  /** gRPC status code (0 OK … 16). */
  readonly grpcStatusCode: number;
  readonly errorType?: string | undefined;
  readonly sloClass?: string | undefined;
  readonly durationSeconds: number;
  readonly requestBytes?: number | undefined;
  readonly responseBytes?: number | undefined;
  readonly requestMessages?: number | undefined;
  readonly responseMessages?: number | undefined;
  readonly spanContext?: SpanContext | undefined;
}

/** A live in-flight counter handle for one label set. */
export interface ActiveCounter {
  readonly attributes: Attributes;
  /** Current number in flight. */
  readonly value: number;
  inc(): void;
  dec(): void;
}

/** The kinds of series the recorder keeps. */
export type SeriesKind = 'http.server' | 'rpc.server' | 'rpc.client';

/**
 * A read-only view of one series, for in-process consumers (adaptive sampling, the SLO evaluator, the
 * Prometheus exposition). Counters are cumulative since the recorder started; consumers diff them.
 */
export interface GoldenSeriesView {
  readonly kind: SeriesKind;
  readonly attributes: Attributes;
  /** `GET /api/items/:id` for HTTP, `shop.Inventory/Reserve` for RPC: the span name, also the sampling key. */
  readonly operation: string;
  /** HTTP method, or RPC method name. */
  readonly method: string;
  /** HTTP route template, or fully qualified RPC method (`shop.Inventory/Reserve`); undefined when unmatched. */
  readonly route: string | undefined;
  readonly sloClass: string | undefined;
  /** HTTP status or gRPC code. */
  readonly statusCode: number;
  readonly errorType: string | undefined;
  /** True when this series' requests count as errors (HTTP 5xx, server-error gRPC codes, client non-OK). */
  readonly isError: boolean;
  /** The duration histogram: `counts[i]` counts values ≤ `bounds[i]` (and > `bounds[i-1]`). */
  readonly duration: {
    readonly bounds: readonly number[];
    readonly counts: Float64Array;
    readonly count: number;
    readonly sum: number;
  };
}

/**
 * The one set of golden-signal instruments every middleware records into. Recording costs a string key,
 * one Map lookup and a few typed-array writes; the data reaches OpenTelemetry readers through
 * `metricProducer` and in-process consumers through `forEachSeries`.
 */
export interface GoldenSignalRecorder {
  /** Counts one HTTP server request in flight for (method, scheme); call `dec()` when it ends. */
  httpServerActive(method: string, scheme?: string): ActiveCounter;
  /** Records one finished HTTP server request: duration (with exemplar), sizes, count. */
  recordHttpServer(m: HttpServerMeasurement): void;
  /** Counts one RPC in flight on the server side. */
  rpcServerActive(service: string, method: string, system?: string): ActiveCounter;
  recordRpcServer(m: RpcMeasurement): void;
  /** Counts one RPC in flight on the client side. */
  rpcClientActive(service: string, method: string, system?: string): ActiveCounter;
  recordRpcClient(m: RpcMeasurement): void;
  /** Visits every series of a kind (live objects: read, never keep). */
  forEachSeries(kind: SeriesKind, visit: (series: GoldenSeriesView) => void): void;
  /** Visits every in-flight counter of a kind. */
  forEachActive(kind: SeriesKind, visit: (counter: ActiveCounter) => void): void;
  /** Label sets refused because a kind reached `maxSeries` (they went to the overflow series). */
  readonly overflowCount: number;
  /** Produces OpenTelemetry metric data; register it with every MetricReader. */
  readonly metricProducer: MetricProducer;
  /** Builds the current metric data synchronously. */
  collectSync(): MetricData[];
  /** The instrumentation scope of the produced metrics. */
  readonly scope: InstrumentationScope;
}

class ActiveCell implements ActiveCounter {
  readonly attributes: Attributes;
  value = 0;
  constructor(attributes: Attributes) {
    this.attributes = attributes;
  }
  inc(): void {
    this.value++;
  }
  dec(): void {
    this.value--;
  }
}

class Series implements GoldenSeriesView {
  readonly kind: SeriesKind;
  readonly attributes: Attributes;
  readonly operation: string;
  readonly method: string;
  readonly route: string | undefined;
  readonly sloClass: string | undefined;
  readonly statusCode: number;
  readonly errorType: string | undefined;
  readonly isError: boolean;
  readonly startTime: HrTime;
  readonly duration: HistogramCell;
  readonly requestSize: HistogramCell | undefined;
  readonly responseSize: HistogramCell | undefined;
  readonly requestMessages: HistogramCell | undefined;
  readonly responseMessages: HistogramCell | undefined;

  constructor(
    kind: SeriesKind,
    attributes: Attributes,
    fields: {
      operation: string;
      method: string;
      route: string | undefined;
      sloClass: string | undefined;
      statusCode: number;
      errorType: string | undefined;
      isError: boolean;
    },
    durationBounds: readonly number[],
    exemplars: boolean,
    sizeBounds: readonly number[] | undefined,
    messageBounds: readonly number[] | undefined,
    startTime: HrTime,
  ) {
    this.kind = kind;
    this.attributes = attributes;
    this.operation = fields.operation;
    this.method = fields.method;
    this.route = fields.route;
    this.sloClass = fields.sloClass;
    this.statusCode = fields.statusCode;
    this.errorType = fields.errorType;
    this.isError = fields.isError;
    this.startTime = startTime;
    this.duration = new HistogramCell(durationBounds, exemplars);
    this.requestSize = sizeBounds && new HistogramCell(sizeBounds, false);
    this.responseSize = sizeBounds && new HistogramCell(sizeBounds, false);
    this.requestMessages = messageBounds && new HistogramCell(messageBounds, false);
    this.responseMessages = messageBounds && new HistogramCell(messageBounds, false);
  }
}

interface KindState {
  readonly series: Map<string, Series>;
  readonly active: Map<string, ActiveCell>;
  overflow: Series | undefined;
}

class Recorder implements GoldenSignalRecorder {
  readonly #resource: Resource;
  readonly #durationBounds: readonly number[];
  readonly #sizeBounds: readonly number[];
  readonly #exemplars: boolean;
  readonly #maxSeries: number;
  readonly #startTime: HrTime;
  readonly #kinds: Record<SeriesKind, KindState> = {
    'http.server': { series: new Map(), active: new Map(), overflow: undefined },
    'rpc.server': { series: new Map(), active: new Map(), overflow: undefined },
    'rpc.client': { series: new Map(), active: new Map(), overflow: undefined },
  };
  overflowCount = 0;
  readonly scope: InstrumentationScope = { name: '@trisignal/core', version: VERSION };
  readonly metricProducer: MetricProducer;

  constructor(options: GoldenSignalRecorderOptions) {
    this.#resource = options.resource ?? emptyResource();
    this.#durationBounds = resolveBuckets(options.durationBuckets, 'durationBuckets');
    this.#sizeBounds =
      options.sizeBuckets === undefined ? SIZE_BUCKETS : resolveBuckets(options.sizeBuckets, 'sizeBuckets');
    const filter = options.exemplarFilter ?? RECORDER_DEFAULTS.exemplarFilter;
    if (filter !== 'trace_based' && filter !== 'always_off') {
      throw invalidOption('exemplarFilter', filter, "'trace_based' or 'always_off'");
    }
    this.#exemplars = filter === 'trace_based';
    const maxSeries = options.maxSeries ?? RECORDER_DEFAULTS.maxSeries;
    if (!Number.isInteger(maxSeries) || maxSeries < 1) {
      throw invalidOption('maxSeries', maxSeries, 'a positive integer');
    }
    this.#maxSeries = maxSeries;
    this.#startTime = millisToHrTime(options.startTimeMillis ?? Date.now());
    this.metricProducer = {
      collect: (): Promise<CollectionResult> =>
        Promise.resolve({
          resourceMetrics: {
            resource: this.#resource,
            scopeMetrics: [{ scope: this.scope, metrics: this.collectSync() }],
          },
          errors: [],
        }),
    };
  }

  httpServerActive(method: string, scheme = 'http'): ActiveCounter {
    const active = this.#kinds['http.server'].active;
    const key = method + '\u0000' + scheme;
    let cell = active.get(key);
    if (cell === undefined) {
      cell = new ActiveCell(Object.freeze({ [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_SCHEME]: scheme }));
      if (active.size >= this.#maxSeries) return cell; // counted nowhere: a detached cell keeps the caller simple
      active.set(key, cell);
    }
    cell.inc();
    return cell;
  }

  recordHttpServer(m: HttpServerMeasurement): void {
    const state = this.#kinds['http.server'];
    const scheme = m.scheme ?? 'http';
    const key =
      m.method +
      '\u0000' +
      (m.route ?? '') +
      '\u0000' +
      m.statusCode +
      '\u0000' +
      (m.errorType ?? '') +
      '\u0000' +
      (m.sloClass ?? '') +
      '\u0000' +
      scheme +
      '\u0000' +
      (m.protocolVersion ?? '');
    let series = state.series.get(key);
    if (series === undefined) series = this.#newHttpSeries(state, key, m, scheme);
    this.#observe(series, m.durationSeconds, m.spanContext);
    if (m.requestBodyBytes !== undefined && m.requestBodyBytes >= 0)
      series.requestSize!.record(m.requestBodyBytes);
    if (m.responseBodyBytes !== undefined && m.responseBodyBytes >= 0)
      series.responseSize!.record(m.responseBodyBytes);
  }

  rpcServerActive(service: string, method: string, system = 'grpc'): ActiveCounter {
    return this.#rpcActive('rpc.server', service, method, system);
  }

  rpcClientActive(service: string, method: string, system = 'grpc'): ActiveCounter {
    return this.#rpcActive('rpc.client', service, method, system);
  }

  recordRpcServer(m: RpcMeasurement): void {
    const series = this.#rpcSeries('rpc.server', m);
    this.#observe(series, m.durationSeconds, m.spanContext);
    if (m.requestBytes !== undefined && m.requestBytes >= 0) series.requestSize!.record(m.requestBytes);
    if (m.responseBytes !== undefined && m.responseBytes >= 0) series.responseSize!.record(m.responseBytes);
    if (m.requestMessages !== undefined && m.requestMessages >= 0)
      series.requestMessages!.record(m.requestMessages);
    if (m.responseMessages !== undefined && m.responseMessages >= 0) {
      series.responseMessages!.record(m.responseMessages);
    }
  }

  recordRpcClient(m: RpcMeasurement): void {
    const series = this.#rpcSeries('rpc.client', m);
    this.#observe(series, m.durationSeconds, m.spanContext);
  }

  forEachSeries(kind: SeriesKind, visit: (series: GoldenSeriesView) => void): void {
    const state = this.#kinds[kind];
    for (const series of state.series.values()) visit(series);
    if (state.overflow !== undefined) visit(state.overflow);
  }

  forEachActive(kind: SeriesKind, visit: (counter: ActiveCounter) => void): void {
    for (const cell of this.#kinds[kind].active.values()) visit(cell);
  }

  #observe(series: Series, seconds: number, spanContext: SpanContext | undefined): void {
    if (!(seconds >= 0)) return; // NaN or negative (clock step): counted nowhere, never throws
    const cell = series.duration;
    const bucket = cell.record(seconds);
    if (spanContext !== undefined && (spanContext.traceFlags & 1) === 1 && cell.exTrace !== undefined) {
      cell.setExemplar(bucket, seconds, spanContext.traceId, spanContext.spanId, Date.now());
    }
  }

  #rpcActive(
    kind: 'rpc.server' | 'rpc.client',
    service: string,
    method: string,
    system: string,
  ): ActiveCounter {
    const active = this.#kinds[kind].active;
    const key = system + '\u0000' + service + '\u0000' + method;
    let cell = active.get(key);
    if (cell === undefined) {
      cell = new ActiveCell(
        Object.freeze({ [ATTR_RPC_SYSTEM]: system, [ATTR_RPC_SERVICE]: service, [ATTR_RPC_METHOD]: method }),
      );
      if (active.size >= this.#maxSeries) return cell;
      active.set(key, cell);
    }
    cell.inc();
    return cell;
  }

  #rpcSeries(kind: 'rpc.server' | 'rpc.client', m: RpcMeasurement): Series {
    const state = this.#kinds[kind];
    const system = m.system ?? 'grpc';
    const key =
      system +
      '\u0000' +
      m.service +
      '\u0000' +
      m.method +
      '\u0000' +
      m.grpcStatusCode +
      '\u0000' +
      (m.errorType ?? '') +
      '\u0000' +
      (m.sloClass ?? '');
    const existing = state.series.get(key);
    if (existing !== undefined) return existing;
    if (state.series.size >= this.#maxSeries) return this.#overflowSeries(kind, state);
    const attributes: Record<string, string | number> = {
      [ATTR_RPC_SYSTEM]: system,
      [ATTR_RPC_SERVICE]: m.service,
      [ATTR_RPC_METHOD]: m.method,
      [ATTR_RPC_GRPC_STATUS_CODE]: m.grpcStatusCode,
    };
    if (m.errorType !== undefined) attributes[ATTR_ERROR_TYPE] = m.errorType;
    if (m.sloClass !== undefined) attributes[ATTR_SLO_CLASS] = m.sloClass;
    const fullMethod = `${m.service}/${m.method}`;
    const isError =
      kind === 'rpc.server' ? GRPC_SERVER_ERROR_CODES.has(m.grpcStatusCode) : m.grpcStatusCode !== 0;
    const series = new Series(
      kind,
      Object.freeze(attributes),
      {
        operation: fullMethod,
        method: m.method,
        route: fullMethod,
        sloClass: m.sloClass,
        statusCode: m.grpcStatusCode,
        errorType: m.errorType,
        isError,
      },
      this.#durationBounds,
      this.#exemplars,
      kind === 'rpc.server' ? this.#sizeBounds : undefined,
      kind === 'rpc.server' ? MESSAGE_COUNT_BUCKETS : undefined,
      this.#startTime,
    );
    state.series.set(key, series);
    return series;
  }

  #newHttpSeries(state: KindState, key: string, m: HttpServerMeasurement, scheme: string): Series {
    if (state.series.size >= this.#maxSeries) return this.#overflowSeries('http.server', state);
    const attributes: Record<string, string | number> = {
      [ATTR_HTTP_REQUEST_METHOD]: m.method,
      [ATTR_URL_SCHEME]: scheme,
    };
    if (m.route !== undefined) attributes[ATTR_HTTP_ROUTE] = m.route;
    if (m.statusCode > 0) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = m.statusCode;
    if (m.protocolVersion !== undefined) attributes[ATTR_NETWORK_PROTOCOL_VERSION] = m.protocolVersion;
    if (m.errorType !== undefined) attributes[ATTR_ERROR_TYPE] = m.errorType;
    if (m.sloClass !== undefined) attributes[ATTR_SLO_CLASS] = m.sloClass;
    const series = new Series(
      'http.server',
      Object.freeze(attributes),
      {
        operation: m.route === undefined ? m.method : `${m.method} ${m.route}`,
        method: m.method,
        route: m.route,
        sloClass: m.sloClass,
        statusCode: m.statusCode,
        errorType: m.errorType,
        isError: m.statusCode >= 500 || (m.statusCode === 0 && m.errorType !== undefined),
      },
      this.#durationBounds,
      this.#exemplars,
      this.#sizeBounds,
      undefined,
      this.#startTime,
    );
    state.series.set(key, series);
    return series;
  }

  #overflowSeries(kind: SeriesKind, state: KindState): Series {
    this.overflowCount++;
    if (state.overflow === undefined) {
      state.overflow = new Series(
        kind,
        Object.freeze({ [ATTR_OVERFLOW]: true }),
        {
          operation: ATTR_OVERFLOW,
          method: '',
          route: undefined,
          sloClass: undefined,
          statusCode: 0,
          errorType: undefined,
          isError: false,
        },
        this.#durationBounds,
        this.#exemplars,
        kind === 'rpc.client' ? undefined : this.#sizeBounds,
        kind === 'rpc.server' ? MESSAGE_COUNT_BUCKETS : undefined,
        this.#startTime,
      );
    }
    return state.overflow;
  }

  collectSync(): MetricData[] {
    const endTime = millisToHrTime(Date.now());
    const out: MetricData[] = [];
    const http = this.#kinds['http.server'];
    const rpcServer = this.#kinds['rpc.server'];
    const rpcClient = this.#kinds['rpc.client'];

    pushHistogram(
      out,
      METRIC_HTTP_SERVER_REQUEST_DURATION,
      'Duration of HTTP server requests.',
      's',
      http,
      (s) => s.duration,
      endTime,
    );
    pushActive(
      out,
      METRIC_HTTP_SERVER_ACTIVE_REQUESTS,
      'Number of active HTTP server requests.',
      '{request}',
      http,
      this.#startTime,
      endTime,
    );
    pushHistogram(
      out,
      METRIC_HTTP_SERVER_REQUEST_BODY_SIZE,
      'Size of HTTP server request bodies.',
      'By',
      http,
      (s) => s.requestSize,
      endTime,
    );
    pushHistogram(
      out,
      METRIC_HTTP_SERVER_RESPONSE_BODY_SIZE,
      'Size of HTTP server response bodies.',
      'By',
      http,
      (s) => s.responseSize,
      endTime,
    );

    pushHistogram(
      out,
      METRIC_RPC_SERVER_CALL_DURATION,
      'Duration of RPCs handled by the server.',
      's',
      rpcServer,
      (s) => s.duration,
      endTime,
    );
    pushActive(
      out,
      METRIC_RPC_SERVER_ACTIVE_CALLS,
      'Number of RPCs in flight on the server.',
      '{call}',
      rpcServer,
      this.#startTime,
      endTime,
    );
    pushHistogram(
      out,
      METRIC_RPC_SERVER_REQUEST_SIZE,
      'Size of RPC request messages (uncompressed).',
      'By',
      rpcServer,
      (s) => s.requestSize,
      endTime,
    );
    pushHistogram(
      out,
      METRIC_RPC_SERVER_RESPONSE_SIZE,
      'Size of RPC response messages (uncompressed).',
      'By',
      rpcServer,
      (s) => s.responseSize,
      endTime,
    );
    pushHistogram(
      out,
      METRIC_RPC_SERVER_REQUESTS_PER_RPC,
      'Messages received per RPC.',
      '{count}',
      rpcServer,
      (s) => s.requestMessages,
      endTime,
    );
    pushHistogram(
      out,
      METRIC_RPC_SERVER_RESPONSES_PER_RPC,
      'Messages sent per RPC.',
      '{count}',
      rpcServer,
      (s) => s.responseMessages,
      endTime,
    );

    pushHistogram(
      out,
      METRIC_RPC_CLIENT_CALL_DURATION,
      'Duration of RPCs made by the client.',
      's',
      rpcClient,
      (s) => s.duration,
      endTime,
    );
    pushActive(
      out,
      METRIC_RPC_CLIENT_ACTIVE_CALLS,
      'Number of RPCs in flight on the client.',
      '{call}',
      rpcClient,
      this.#startTime,
      endTime,
    );

    if (this.overflowCount > 0) {
      out.push({
        descriptor: {
          name: METRIC_TRISIGNAL_RECORDER_OVERFLOW,
          description:
            'Measurements whose label set exceeded the series limit and went to the overflow series.',
          unit: '{measurement}',
          valueType: ValueType.INT,
        },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.SUM,
        isMonotonic: true,
        dataPoints: [{ startTime: this.#startTime, endTime, attributes: {}, value: this.overflowCount }],
      });
    }
    return out;
  }
}

function pushHistogram(
  out: MetricData[],
  name: string,
  description: string,
  unit: string,
  state: KindState,
  pick: (s: Series) => HistogramCell | undefined,
  endTime: HrTime,
): void {
  const points: DataPoint<Histogram>[] = [];
  const visit = (series: Series): void => {
    const cell = pick(series);
    if (cell === undefined || cell.count === 0) return;
    const bucketExemplars = cell.exemplars(EMPTY_ATTRIBUTES);
    const point: HistogramDataPointWithExemplars = {
      startTime: series.startTime,
      endTime,
      attributes: series.attributes,
      value: {
        buckets: { boundaries: cell.bounds as number[], counts: Array.from(cell.counts) },
        sum: cell.sum,
        count: cell.count,
        min: cell.min,
        max: cell.max,
      },
      ...(bucketExemplars === undefined
        ? {}
        : { bucketExemplars, exemplars: bucketExemplars.filter((e) => e !== undefined) }),
    };
    points.push(point);
  };
  for (const series of state.series.values()) visit(series);
  if (state.overflow !== undefined) visit(state.overflow);
  if (points.length === 0) return;
  out.push({
    descriptor: { name, description, unit, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: points,
  });
}

function pushActive(
  out: MetricData[],
  name: string,
  description: string,
  unit: string,
  state: KindState,
  startTime: HrTime,
  endTime: HrTime,
): void {
  if (state.active.size === 0) return;
  const points: DataPoint<number>[] = [];
  for (const cell of state.active.values()) {
    points.push({ startTime, endTime, attributes: cell.attributes, value: cell.value });
  }
  out.push({
    descriptor: { name, description, unit, valueType: ValueType.INT },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: false,
    dataPoints: points,
  });
}

const EMPTY_ATTRIBUTES: Attributes = Object.freeze({});

/**
 * Creates the golden-signal recorder. `init()` creates one for you (`obs.recorder`); create your own only
 * for tests or a custom pipeline.
 */
export function createGoldenSignalRecorder(options: GoldenSignalRecorderOptions = {}): GoldenSignalRecorder {
  return new Recorder(options);
}
