/**
 * @trisignal/middleware-grpc — gRPC golden signals through @grpc/grpc-js's own interceptors (no
 * monkeypatching): one SERVER span per call with the parent taken from the request metadata, one CLIENT
 * span per call with the context injected, `rpc.server.call.duration` / `rpc.client.call.duration` with
 * exemplars, active calls, messages (and bytes) per call through core's recorder, SLO classes, admission
 * shedding with retry pushback, the trace id in the response metadata, and `diagnostics_channel` events.
 */
export { serverInterceptor } from './server-interceptor.js';
export { clientInterceptor } from './client-interceptor.js';
export { measureMessageSizes } from './message-sizes.js';
export {
  GRPC_DEFAULTS,
  resolveServerInterceptorOptions,
  resolveClientInterceptorOptions,
} from './options.js';
export type {
  ServerInterceptorOptions,
  ClientInterceptorOptions,
  ResolvedServerInterceptorOptions,
  ResolvedClientInterceptorOptions,
  ShedStatus,
} from './options.js';
export { GRPC_STATUS, GRPC_SERVER_ERROR_CODES, isServerError } from './status.js';
export type { GrpcStatusName } from './status.js';
export { encodeRetryStatus, RETRY_INFO_TYPE_URL } from './retry-info.js';
export { GRPC_SERVER_TRACING_CHANNEL, GRPC_CLIENT_TRACING_CHANNEL } from './tracing-channel.js';
export type { GrpcCallMessage } from './tracing-channel.js';
export { GrpcMiddlewareError } from './errors.js';
export type { GrpcMiddlewareErrorCode } from './errors.js';
export {
  ATTR_ADMISSION_REASON,
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_NETWORK_PEER_PORT,
  ATTR_RPC_TIMEOUT,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  DEFAULT_TRACE_ID_METADATA_KEY,
  ERROR_TYPE_SHED,
  METADATA_RETRY_PUSHBACK_MS,
  METADATA_STATUS_DETAILS_BIN,
  METRIC_GRPC_INTERNAL_ERRORS,
  METRIC_GRPC_SERVER_SHED,
} from './semconv.js';
export { VERSION } from './version.js';
