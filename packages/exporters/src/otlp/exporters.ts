import { join } from 'node:path';
import type { ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  InstrumentType,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TelemetryExporter } from '@trisignal/core';
import { ExporterCore } from '../delivery/exporter-core.js';
import { invalidOption } from '../errors.js';
import { createBodyCompressor, loadZstd } from '../transport/compression.js';
import { encodeLogsRequestJson, encodeMetricsRequestJson, encodeTraceRequestJson } from './json-encoder.js';
import { encodeLogsRequest } from './logs-encoder.js';
import { countDataPoints, encodeMetricsRequest } from './metrics-encoder.js';
import {
  resolveOtlpHttpOptions,
  type OtlpHttpExporterOptions,
  type OtlpSignal,
  type ResolvedOtlpHttpOptions,
  type TemporalityPreference,
} from './options.js';
import { createOtlpProtocol } from './otlp-protocol.js';
import { encodeTraceRequest } from './trace-encoder.js';

function core<TBatch>(
  o: ResolvedOtlpHttpOptions,
  componentType: string,
  itemName: string,
  count: (b: TBatch) => number,
  proto: (b: TBatch) => Buffer,
  json: (b: TBatch) => Buffer,
): ExporterCore<TBatch> {
  // Fail at construction, not at the first export, if zstd cannot load here.
  if (o.compression === 'zstd') loadZstd();
  const isJson = o.protocol === 'http/json';
  return new ExporterCore<TBatch>({
    componentType,
    url: o.url,
    headers: { ...o.headers, 'Content-Type': isJson ? 'application/json' : 'application/x-protobuf' },
    timeoutMillis: o.timeoutMillis,
    retry: o.retry,
    durable: o.durable,
    maxPendingBytes: o.maxPendingBytes,
    maxConcurrentRequests: o.maxConcurrentRequests,
    shutdownTimeoutMillis: o.shutdownTimeoutMillis,
    httpAgent: o.httpAgent,
    meterProvider: o.meterProvider,
    count,
    encode: isJson ? json : proto,
    compress: createBodyCompressor(o.compression, o.compressionLevel),
    encoding: o.compression,
    walCompression: o.compression === 'none' ? 'zstd' : 'none',
    createProtocol: (metrics, warn) => createOtlpProtocol(itemName, metrics, warn),
  });
}

class OtlpHttpSpanExporter implements SpanExporter {
  readonly #core: ExporterCore<ReadableSpan[]>;
  constructor(o: ResolvedOtlpHttpOptions) {
    this.#core = core(
      o,
      'otlp_http_span_exporter',
      'spans',
      (b) => b.length,
      encodeTraceRequest,
      encodeTraceRequestJson,
    );
  }
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.#core.export(spans, resultCallback);
  }
  forceFlush(): Promise<void> {
    return this.#core.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.#core.shutdown();
  }
}

class OtlpHttpLogExporter implements LogRecordExporter {
  readonly #core: ExporterCore<ReadableLogRecord[]>;
  constructor(o: ResolvedOtlpHttpOptions) {
    this.#core = core(
      o,
      'otlp_http_log_exporter',
      'log records',
      (b) => b.length,
      encodeLogsRequest,
      encodeLogsRequestJson,
    );
  }
  export(logs: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    this.#core.export(logs, resultCallback);
  }
  forceFlush(): Promise<void> {
    return this.#core.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.#core.shutdown();
  }
}

/** Temporality per instrument for a preference, as the OTLP exporter spec defines the three choices. */
export function temporalityFor(
  preference: TemporalityPreference,
  type: InstrumentType,
): AggregationTemporality {
  if (preference === 'cumulative') return AggregationTemporality.CUMULATIVE;
  switch (type) {
    case InstrumentType.COUNTER:
    case InstrumentType.HISTOGRAM:
      return AggregationTemporality.DELTA;
    case InstrumentType.OBSERVABLE_COUNTER:
      return preference === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
    default:
      return AggregationTemporality.CUMULATIVE;
  }
}

class OtlpHttpMetricExporter implements PushMetricExporter {
  readonly #core: ExporterCore<ResourceMetrics>;
  readonly #preference: TemporalityPreference;
  constructor(o: ResolvedOtlpHttpOptions) {
    this.#preference = o.temporalityPreference;
    this.#core = core(
      o,
      'otlp_http_metric_exporter',
      'data points',
      countDataPoints,
      encodeMetricsRequest,
      encodeMetricsRequestJson,
    );
  }
  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    this.#core.export(metrics, resultCallback);
  }
  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return temporalityFor(this.#preference, instrumentType);
  }
  forceFlush(): Promise<void> {
    return this.#core.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.#core.shutdown();
  }
}

/** An exporter whose `forceFlush` is always there (OpenTelemetry's interfaces make it optional). */
export interface Flushable {
  /** Waits until accepted batches are delivered or dropped, at most `shutdownTimeoutMillis` (durable mode: while the receiver takes them). */
  forceFlush(): Promise<void>;
}

/** Options of the OTLP metric exporter. */
export interface OtlpHttpMetricExporterOptions extends OtlpHttpExporterOptions {
  /** @default `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`, else 'cumulative' */
  readonly temporalityPreference?: TemporalityPreference | undefined;
}

/**
 * An OpenTelemetry `SpanExporter` that sends OTLP/HTTP (protobuf by default) with our encoder.
 * @example
 * const exporter = createOtlpHttpSpanExporter({ endpoint: 'http://collector:4318', compression: 'zstd' });
 */
export function createOtlpHttpSpanExporter(options: OtlpHttpExporterOptions = {}): SpanExporter & Flushable {
  return new OtlpHttpSpanExporter(resolveOtlpHttpOptions('traces', options));
}

/** An OpenTelemetry `PushMetricExporter` over OTLP/HTTP; exemplars from core's recorder are included. */
export function createOtlpHttpMetricExporter(
  options: OtlpHttpMetricExporterOptions = {},
): PushMetricExporter {
  return new OtlpHttpMetricExporter(resolveOtlpHttpOptions('metrics', options));
}

/** An OpenTelemetry `LogRecordExporter` over OTLP/HTTP. */
export function createOtlpHttpLogExporter(
  options: OtlpHttpExporterOptions = {},
): LogRecordExporter & Flushable {
  return new OtlpHttpLogExporter(resolveOtlpHttpOptions('logs', options));
}

/** Options of {@link otlpHttp}: the exporter options, shared by the signals it builds. */
export interface OtlpHttpOptions extends OtlpHttpMetricExporterOptions {
  /** Which signals to export. @default ['traces', 'metrics', 'logs'] */
  readonly signals?: readonly OtlpSignal[] | undefined;
}

/**
 * OTLP/HTTP exporters for traces, metrics and logs as one bundle for `init({ exporters: [...] })`. With
 * `durable: { dir }` each signal gets its own write-ahead log under `dir` (`traces/`, `metrics/`, `logs/`).
 * @example
 * const obs = init({ service: 'orders', exporters: [otlpHttp({ durable: { dir: './.telemetry' } })] });
 */
export function otlpHttp(options: OtlpHttpOptions = {}): TelemetryExporter {
  const signals: readonly OtlpSignal[] = options.signals ?? ['traces', 'metrics', 'logs'];
  const known: readonly unknown[] = ['traces', 'metrics', 'logs'];
  if (!Array.isArray(signals) || signals.some((s: unknown) => !known.includes(s))) {
    throw invalidOption('signals', signals, "a list of 'traces', 'metrics' and 'logs'");
  }
  const forSignal = (signal: OtlpSignal): OtlpHttpMetricExporterOptions =>
    options.durable === undefined
      ? options
      : { ...options, durable: { ...options.durable, dir: join(options.durable.dir, signal) } };
  return {
    ...(signals.includes('traces') ? { spanExporter: createOtlpHttpSpanExporter(forSignal('traces')) } : {}),
    ...(signals.includes('metrics')
      ? { metricExporter: createOtlpHttpMetricExporter(forSignal('metrics')) }
      : {}),
    ...(signals.includes('logs') ? { logExporter: createOtlpHttpLogExporter(forSignal('logs')) } : {}),
  };
}
