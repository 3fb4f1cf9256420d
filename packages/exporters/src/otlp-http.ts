/**
 * `@trisignal/exporters/otlp-http`: OTLP/HTTP span, metric and log exporters with our own protobuf
 * encoder (JSON on option), gzip or zstd off the event loop, the OTLP retry rules, and an optional
 * durable mode through `@trisignal/wal`.
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
export { encodeTraceRequest } from './otlp/trace-encoder.js';
export { encodeMetricsRequest } from './otlp/metrics-encoder.js';
export { encodeLogsRequest } from './otlp/logs-encoder.js';
export {
  encodeTraceRequestJson,
  encodeMetricsRequestJson,
  encodeLogsRequestJson,
} from './otlp/json-encoder.js';
export type { OtlpCompression } from './transport/compression.js';
export { RETRY_DEFAULTS } from './delivery/retry.js';
export type { RetryOptions } from './delivery/retry.js';
export type { DurableOptions } from './delivery/durable-options.js';
export { ExporterError, isExporterError, EXPORTER_ERROR_CODES } from './errors.js';
export type { ExporterErrorCode } from './errors.js';
