/**
 * Instrument and attribute names. Stable OpenTelemetry semantic-convention names are spelled out here
 * (not imported from the incubating entry point, which may break in minor releases); trisignal's own
 * telemetry lives under `trisignal.*`.
 */

// HTTP server (stable semconv)
export const METRIC_HTTP_SERVER_REQUEST_DURATION = 'http.server.request.duration';
export const METRIC_HTTP_SERVER_ACTIVE_REQUESTS = 'http.server.active_requests';
export const METRIC_HTTP_SERVER_REQUEST_BODY_SIZE = 'http.server.request.body.size';
export const METRIC_HTTP_SERVER_RESPONSE_BODY_SIZE = 'http.server.response.body.size';

// RPC (semconv; active calls follow the http.server.active_requests pattern, no semconv name exists)
export const METRIC_RPC_SERVER_CALL_DURATION = 'rpc.server.call.duration';
export const METRIC_RPC_CLIENT_CALL_DURATION = 'rpc.client.call.duration';
export const METRIC_RPC_SERVER_ACTIVE_CALLS = 'rpc.server.active_calls';
export const METRIC_RPC_CLIENT_ACTIVE_CALLS = 'rpc.client.active_calls';
export const METRIC_RPC_SERVER_REQUEST_SIZE = 'rpc.server.request.size';
export const METRIC_RPC_SERVER_RESPONSE_SIZE = 'rpc.server.response.size';
export const METRIC_RPC_SERVER_REQUESTS_PER_RPC = 'rpc.server.requests_per_rpc';
export const METRIC_RPC_SERVER_RESPONSES_PER_RPC = 'rpc.server.responses_per_rpc';

// Runtime and process (semconv)
export const METRIC_NODEJS_EVENTLOOP_DELAY_P50 = 'nodejs.eventloop.delay.p50';
export const METRIC_NODEJS_EVENTLOOP_DELAY_P90 = 'nodejs.eventloop.delay.p90';
export const METRIC_NODEJS_EVENTLOOP_DELAY_P99 = 'nodejs.eventloop.delay.p99';
export const METRIC_NODEJS_EVENTLOOP_DELAY_STDDEV = 'nodejs.eventloop.delay.stddev';
export const METRIC_NODEJS_EVENTLOOP_DELAY_MAX = 'nodejs.eventloop.delay.max';
export const METRIC_NODEJS_EVENTLOOP_DELAY_MIN = 'nodejs.eventloop.delay.min';
export const METRIC_NODEJS_EVENTLOOP_DELAY_MEAN = 'nodejs.eventloop.delay.mean';
export const METRIC_NODEJS_EVENTLOOP_UTILIZATION = 'nodejs.eventloop.utilization';
export const METRIC_NODEJS_EVENTLOOP_TIME = 'nodejs.eventloop.time';
export const METRIC_V8JS_GC_DURATION = 'v8js.gc.duration';
export const METRIC_V8JS_MEMORY_HEAP_USED = 'v8js.memory.heap.used';
/**
 * The V8 heap ceiling (`heap_size_limit`). Newer than @opentelemetry/semantic-conventions 1.45, which still
 * lists the deprecated `v8js.memory.heap.limit` (that one meant the per-space size).
 */
export const METRIC_V8JS_MEMORY_HEAP_MAX = 'v8js.memory.heap.max';
export const METRIC_V8JS_MEMORY_HEAP_SPACE_SIZE = 'v8js.memory.heap.space.size';
export const METRIC_V8JS_MEMORY_HEAP_SPACE_AVAILABLE_SIZE = 'v8js.memory.heap.space.available_size';
export const METRIC_V8JS_MEMORY_HEAP_SPACE_PHYSICAL_SIZE = 'v8js.memory.heap.space.physical_size';
export const METRIC_V8JS_RESOURCE_ACTIVE = 'v8js.resource.active';
export const METRIC_PROCESS_CPU_TIME = 'process.cpu.time';
export const METRIC_PROCESS_CPU_UTILIZATION = 'process.cpu.utilization';
export const METRIC_PROCESS_MEMORY_USAGE = 'process.memory.usage';
export const METRIC_PROCESS_UPTIME = 'process.uptime';

// trisignal self-telemetry
export const METRIC_TRISIGNAL_ERRORS = 'trisignal.errors';
export const METRIC_TRISIGNAL_RECORDER_OVERFLOW = 'trisignal.recorder.overflow';

// Attributes (semconv)
export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const ATTR_HTTP_ROUTE = 'http.route';
export const ATTR_URL_SCHEME = 'url.scheme';
export const ATTR_NETWORK_PROTOCOL_VERSION = 'network.protocol.version';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_RPC_SYSTEM = 'rpc.system';
export const ATTR_RPC_SERVICE = 'rpc.service';
export const ATTR_RPC_METHOD = 'rpc.method';
export const ATTR_RPC_GRPC_STATUS_CODE = 'rpc.grpc.status_code';
export const ATTR_CPU_MODE = 'cpu.mode';
export const ATTR_V8JS_GC_TYPE = 'v8js.gc.type';
export const ATTR_V8JS_HEAP_SPACE_NAME = 'v8js.heap.space.name';
export const ATTR_V8JS_RESOURCE_TYPE = 'v8js.resource.type';
export const ATTR_NODEJS_EVENTLOOP_STATE = 'nodejs.eventloop.state';
export const ATTR_EXCEPTION_TYPE = 'exception.type';
export const ATTR_EXCEPTION_MESSAGE = 'exception.message';
export const ATTR_EXCEPTION_STACKTRACE = 'exception.stacktrace';

// Attributes (trisignal)
export const ATTR_SLO_CLASS = 'trisignal.slo.class';
export const ATTR_ERROR_CATEGORY = 'trisignal.error.category';
export const ATTR_ERROR_ROOT_CAUSE = 'trisignal.error.root_cause';
export const ATTR_ERROR_FINGERPRINT = 'trisignal.error.fingerprint';

/** The `http.route` stand-in for requests that matched no route, so random URLs cannot grow series. */
export const UNMATCHED_ROUTE = '(unmatched)';
/**
 * `error.type` of a request the admission controller shed: middlewares record it, SLO evaluation ignores
 * it (shedding must not feed the error rate it reacts to).
 */
export const ERROR_TYPE_SHED = 'shed';
/** The value that replaces attribute values beyond a cardinality cap. */
export const OVERFLOW_VALUE = 'other';
