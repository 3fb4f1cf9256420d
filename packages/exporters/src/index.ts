/**
 * @trisignal/exporters — OTLP/HTTP exporters for traces, metrics and logs with our own protobuf encoder,
 * Prometheus scrape (text 0.0.4 and OpenMetrics with exemplars) and Prometheus remote write 1.0; the
 * push exporters retry by their protocol's rules and can be durable through `@trisignal/wal`. Each part
 * is also its own entry (`/otlp-http`, `/prometheus`, `/remote-write`); native modules (zstd, snappy)
 * load only when used.
 */
export {
  otlpHttp,
  createOtlpHttpSpanExporter,
  createOtlpHttpMetricExporter,
  createOtlpHttpLogExporter,
} from './otlp/exporters.js';
export type { OtlpHttpOptions, OtlpHttpMetricExporterOptions, Flushable } from './otlp/exporters.js';
export { OTLP_HTTP_DEFAULTS, resolveOtlpHttpOptions } from './otlp/options.js';
export type {
  OtlpHttpExporterOptions,
  ResolvedOtlpHttpOptions,
  OtlpSignal,
  OtlpProtocol,
  TemporalityPreference,
} from './otlp/options.js';
export type { OtlpCompression } from './transport/compression.js';
export { encodeTraceRequest } from './otlp/trace-encoder.js';
export { encodeMetricsRequest } from './otlp/metrics-encoder.js';
export { encodeLogsRequest } from './otlp/logs-encoder.js';
export {
  encodeTraceRequestJson,
  encodeMetricsRequestJson,
  encodeLogsRequestJson,
} from './otlp/json-encoder.js';

export { prometheusScrape, startPrometheusServer, PROMETHEUS_SERVER_DEFAULTS } from './prometheus/scrape.js';
export type {
  ScrapeSource,
  ScrapeHandler,
  PrometheusScrapeOptions,
  PrometheusServerOptions,
  PrometheusServer,
} from './prometheus/scrape.js';
export type { ScrapeAuth } from './prometheus/auth.js';
export { serializeMetrics, CONTENT_TYPES } from './prometheus/serialize.js';
export type { ExpositionFormat, ExpositionOptions } from './prometheus/serialize.js';
export { negotiateFormat } from './prometheus/negotiate.js';

export { createRemoteWriteExporter, remoteWrite, REMOTE_WRITE_DEFAULTS } from './remote-write/exporter.js';
export type { RemoteWriteExporterOptions } from './remote-write/exporter.js';
export type { ConvertOptions } from './remote-write/convert.js';

export { RETRY_DEFAULTS, REMOTE_WRITE_RETRY_DEFAULTS } from './delivery/retry.js';
export type { RetryOptions } from './delivery/retry.js';
export type { DurableOptions } from './delivery/durable-options.js';
export type { DropReason } from './metrics.js';
export { ExporterError, isExporterError, EXPORTER_ERROR_CODES } from './errors.js';
export type { ExporterErrorCode } from './errors.js';
export {
  METRIC_EXPORTER_ITEMS_SENT,
  METRIC_EXPORTER_ITEMS_FAILED,
  METRIC_EXPORTER_ITEMS_RETRIED,
  METRIC_EXPORTER_ITEMS_DROPPED,
  METRIC_EXPORTER_ITEMS_REJECTED,
  METRIC_EXPORTER_BYTES_SENT,
  METRIC_EXPORTER_QUEUE_BACKLOG,
  METRIC_EXPORTER_QUEUE_BATCHES,
  METRIC_EXPORTER_EXPORT_DURATION,
  ATTR_OTEL_COMPONENT_TYPE,
  ATTR_OTEL_COMPONENT_NAME,
  ATTR_EXPORTER_DROP_REASON,
  ATTR_EXPORTER_OUTCOME,
} from './semconv.js';
export { VERSION } from './version.js';
