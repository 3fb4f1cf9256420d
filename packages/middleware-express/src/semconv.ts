/**
 * Names this package adds. The HTTP semantic-convention names it shares with core come from
 * `@trisignal/core`; these are the span attributes core does not define and the package's own metrics.
 */

// Span attributes (stable HTTP semantic conventions)
export const ATTR_HTTP_REQUEST_METHOD_ORIGINAL = 'http.request.method_original';
export const ATTR_URL_PATH = 'url.path';
export const ATTR_URL_QUERY = 'url.query';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_CLIENT_ADDRESS = 'client.address';
export const ATTR_USER_AGENT_ORIGINAL = 'user_agent.original';
/** Prefixes of captured headers: `http.request.header.<lower-case name>` (a string array). */
export const ATTR_HTTP_REQUEST_HEADER_PREFIX = 'http.request.header.';
export const ATTR_HTTP_RESPONSE_HEADER_PREFIX = 'http.response.header.';

// trisignal attributes
/** Why the admission controller shed a request (`overload`, `breaker_open`…). */
export const ATTR_ADMISSION_REASON = 'trisignal.admission.reason';

// Metrics of this package
/** Requests answered 503 by the admission controller. */
export const METRIC_EXPRESS_SHED = 'trisignal.express.shed';
/** Failures inside the middleware itself (the request went on uninstrumented or partly instrumented). */
export const METRIC_EXPRESS_INTERNAL_ERRORS = 'trisignal.express.internal_errors';

/** `error.type` of a request whose client went away before the response was complete. */
export const ERROR_TYPE_CLIENT_ABORTED = 'client_aborted';
/** `error.type` of a request shed by the admission controller. */
export { ERROR_TYPE_SHED } from '@trisignal/core';
/** `http.request.method` of methods outside the semconv list. */
export const OTHER_METHOD = '_OTHER';
/** The value that replaces each query parameter value when the query is redacted. */
export const REDACTED = 'REDACTED';
