/**
 * @trisignal/middleware-express — all four golden signals from one Express 4/5 middleware: one SERVER
 * span per request named after the route template (nested routers included), latency / traffic /
 * errors / in-flight metrics for every request through core's recorder (with exemplars and SLO
 * classes), an access-log record carrying the trace ids, `traceresponse` and `X-Trace-Id` headers,
 * admission control, and `diagnostics_channel` events. No monkeypatching: mount it like any middleware.
 */
export { goldenSignals } from './golden-signals.js';
export { errorHandler } from './error-handler.js';
export { EXPRESS_DEFAULTS, resolveGoldenSignalsOptions, resolveErrorHandlerOptions } from './options.js';
export type {
  GoldenSignalsOptions,
  ErrorHandlerOptions,
  ResolvedGoldenSignalsOptions,
  ResolvedErrorHandlerOptions,
} from './options.js';
export type { GoldenSignalsMiddleware, ErrorHandlerMiddleware, NextFunction } from './express-types.js';
export type { QueryCapture } from './url.js';
export { NEVER_CAPTURED_HEADERS } from './headers.js';
export { normalizeMethod } from './method.js';
export { resolveRoute } from './route.js';
export type { RoutedRequest } from './route.js';
export { EXPRESS_TRACING_CHANNEL } from './tracing-channel.js';
export type { ExpressRequestMessage } from './tracing-channel.js';
export { ExpressMiddlewareError } from './errors.js';
export type { ExpressMiddlewareErrorCode } from './errors.js';
export {
  ATTR_ADMISSION_REASON,
  ATTR_CLIENT_ADDRESS,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_USER_AGENT_ORIGINAL,
  ERROR_TYPE_CLIENT_ABORTED,
  ERROR_TYPE_SHED,
  METRIC_EXPRESS_SHED,
  METRIC_EXPRESS_INTERNAL_ERRORS,
  OTHER_METHOD,
  REDACTED,
} from './semconv.js';
export { VERSION } from './version.js';
