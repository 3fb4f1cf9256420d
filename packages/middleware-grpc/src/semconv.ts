/**
 * Names this package adds. The RPC semantic-convention names it shares with core (`rpc.system`,
 * `rpc.service`, `rpc.method`, `rpc.grpc.status_code`, `error.type`, the golden-signal metrics) come from
 * `@trisignal/core`; these are the span attributes core does not define and the package's own metrics.
 */

// Span attributes (semantic conventions)
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_NETWORK_PEER_ADDRESS = 'network.peer.address';
export const ATTR_NETWORK_PEER_PORT = 'network.peer.port';

// trisignal span attributes
/** Seconds from the call's start to its deadline, as the client set it (absent without a deadline). */
export const ATTR_RPC_TIMEOUT = 'trisignal.rpc.timeout';
/** Why the admission controller shed a call (`overload`, `breaker_open`…). Shared with the Express middleware. */
export const ATTR_ADMISSION_REASON = 'trisignal.admission.reason';
/** Where in the interceptor an internal failure happened (label of the internal-errors counter). */
export const ATTR_GRPC_STAGE = 'trisignal.grpc.stage';

// Metrics of this package
/** Calls answered RESOURCE_EXHAUSTED (or UNAVAILABLE) by the admission controller. */
export const METRIC_GRPC_SERVER_SHED = 'trisignal.grpc.server.shed';
/** Failures inside the interceptors themselves (the call went on, uninstrumented or partly instrumented). */
export const METRIC_GRPC_INTERNAL_ERRORS = 'trisignal.grpc.internal_errors';

/** `error.type` of a call shed by the admission controller. */
export { ERROR_TYPE_SHED } from '@trisignal/core';

// Metadata keys
/** Default metadata key that carries the trace id back to the client. */
export const DEFAULT_TRACE_ID_METADATA_KEY = 'x-trace-id';
/** gRPC retry pushback (gRFC A6): milliseconds the client should wait before retrying. */
export const METADATA_RETRY_PUSHBACK_MS = 'grpc-retry-pushback-ms';
/** The standard rich-status trailer: a serialized `google.rpc.Status` (here with a `google.rpc.RetryInfo`). */
export const METADATA_STATUS_DETAILS_BIN = 'grpc-status-details-bin';
