/**
 * @trisignal/core — one `init()` for traces, metrics and logs on Node.js. It shares one Resource across
 * the three OpenTelemetry SDK providers, installs an AsyncLocalStorage context manager and the
 * propagators, and gives every middleware the same golden-signal recorder (with exemplars), error
 * classifier, SLO class matcher and admission hook. Exporters and samplers come in as values.
 */
export { init } from './init.js';
export type { Observability, FlushOptions, InitAware } from './init.js';
export { CORE_DEFAULTS, resolveInitOptions } from './options.js';
export type {
  InitOptions,
  TelemetryExporter,
  BatchOptions,
  SignalHookOptions,
  MetricReaderOption,
} from './options.js';
export { readEnvConfig, parseResourceAttributes } from './env.js';
export type { EnvConfig } from './env.js';
export { createPropagator, DEFAULT_PROPAGATORS, PROPAGATOR_NAMES } from './propagation.js';
export type { PropagatorName } from './propagation.js';
export { buildResource } from './resource.js';
export { PooledIdGenerator } from './id-generator.js';

export { TrisignalError, CoreError, isTrisignalError } from './errors.js';
export type { CoreErrorCode } from './errors.js';

export { createGoldenSignalRecorder, RECORDER_DEFAULTS } from './recorder.js';
export type {
  GoldenSignalRecorder,
  GoldenSignalRecorderOptions,
  GoldenSeriesView,
  HttpServerMeasurement,
  RpcMeasurement,
  ActiveCounter,
  SeriesKind,
} from './recorder.js';
export {
  SEMCONV_DURATION_BUCKETS,
  EXPONENTIAL_DURATION_BUCKETS,
  SIZE_BUCKETS,
  MESSAGE_COUNT_BUCKETS,
  resolveBuckets,
} from './buckets.js';
export type { BucketOption } from './buckets.js';
export { getExemplars, getBucketExemplars } from './exemplar.js';
export type { Exemplar, ExemplarFilter, HistogramDataPointWithExemplars } from './exemplar.js';

export { createSloClassMatcher, SLO_CLASS_DEFAULTS, SLO_CLASS_PRIORITY } from './slo-class.js';
export type { SloClass, SloClassRule, SloClassMatcher, SloClassMatcherOptions } from './slo-class.js';
export { ADMIT } from './admission.js';
export type {
  Admission,
  AdmissionRequest,
  AdmissionDecision,
  AdmitDecision,
  ShedDecision,
  AdmissionOutcome,
} from './admission.js';

export {
  classifyError,
  createErrorClassifier,
  httpStatusToGrpcCode,
  grpcCodeToHttpStatus,
  rootCauseLabel,
} from './classify-error.js';
export type {
  ErrorCategory,
  ErrorClassification,
  ErrorRootCause,
  ErrorRule,
  ErrorRulePatch,
  ErrorClassifierOptions,
} from './classify-error.js';
export { recordError } from './record-error.js';
export type { RecordErrorOptions } from './record-error.js';
export { createErrorMetrics, ERROR_METRICS_DEFAULTS } from './error-metrics.js';
export type { ErrorMetrics, ErrorMetricsOptions } from './error-metrics.js';

export {
  createRuntimeMetrics,
  RUNTIME_METRICS_DEFAULTS,
  resolveRuntimeMetricsOptions,
} from './runtime-metrics.js';
export type { RuntimeMetrics, RuntimeMetricsOptions, SaturationSnapshot } from './runtime-metrics.js';

export { createLogger, isLogLevel, LOG_LEVELS, LOGGER_DEFAULTS } from './logger.js';
export type { Logger, LoggerOptions, LogLevel, LogAttributes } from './logger.js';

export {
  withSpan,
  currentTraceId,
  currentSpanId,
  injectContext,
  extractContext,
  bindContext,
  bindEmitter,
} from './context.js';
export type { WithSpanOptions, Carrier } from './context.js';

export {
  METRIC_HTTP_SERVER_REQUEST_DURATION,
  METRIC_HTTP_SERVER_ACTIVE_REQUESTS,
  METRIC_HTTP_SERVER_REQUEST_BODY_SIZE,
  METRIC_HTTP_SERVER_RESPONSE_BODY_SIZE,
  METRIC_RPC_SERVER_CALL_DURATION,
  METRIC_RPC_CLIENT_CALL_DURATION,
  METRIC_RPC_SERVER_ACTIVE_CALLS,
  METRIC_RPC_CLIENT_ACTIVE_CALLS,
  METRIC_RPC_SERVER_REQUEST_SIZE,
  METRIC_RPC_SERVER_RESPONSE_SIZE,
  METRIC_RPC_SERVER_REQUESTS_PER_RPC,
  METRIC_RPC_SERVER_RESPONSES_PER_RPC,
  METRIC_TRISIGNAL_ERRORS,
  METRIC_TRISIGNAL_RECORDER_OVERFLOW,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_SCHEME,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_ERROR_TYPE,
  ATTR_RPC_SYSTEM,
  ATTR_RPC_SERVICE,
  ATTR_RPC_METHOD,
  ATTR_RPC_GRPC_STATUS_CODE,
  ATTR_SLO_CLASS,
  ATTR_ERROR_CATEGORY,
  ATTR_ERROR_ROOT_CAUSE,
  ATTR_ERROR_FINGERPRINT,
  UNMATCHED_ROUTE,
  ERROR_TYPE_SHED,
  OVERFLOW_VALUE,
} from './semconv.js';
export { VERSION } from './version.js';
