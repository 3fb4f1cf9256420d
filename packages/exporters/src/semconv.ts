/** Names of the self-metrics and their attributes (`trisignal.exporter.*`). */

/** Items (spans, data points, log records, samples) delivered: the receiver answered 2xx. */
export const METRIC_EXPORTER_ITEMS_SENT = 'trisignal.exporter.items.sent';
/** Items in a failed attempt (network error, timeout, error status), whether retried or not. */
export const METRIC_EXPORTER_ITEMS_FAILED = 'trisignal.exporter.items.failed';
/** Items scheduled for another attempt. */
export const METRIC_EXPORTER_ITEMS_RETRIED = 'trisignal.exporter.items.retried';
/** Items given up on, by `trisignal.exporter.drop.reason`. */
export const METRIC_EXPORTER_ITEMS_DROPPED = 'trisignal.exporter.items.dropped';
/** Items the receiver rejected in an OTLP `partial_success`. */
export const METRIC_EXPORTER_ITEMS_REJECTED = 'trisignal.exporter.items.rejected';
/** Request body bytes sent (after compression), per attempt. */
export const METRIC_EXPORTER_BYTES_SENT = 'trisignal.exporter.bytes.sent';
/** Bytes waiting to be sent (in memory, or unread in the WAL). */
export const METRIC_EXPORTER_QUEUE_BACKLOG = 'trisignal.exporter.queue.backlog';
/** Batches waiting to be sent. */
export const METRIC_EXPORTER_QUEUE_BATCHES = 'trisignal.exporter.queue.batches';
/** Duration of one HTTP attempt, by outcome. */
export const METRIC_EXPORTER_EXPORT_DURATION = 'trisignal.exporter.export.duration';

/** `otel.component.type`: which exporter, e.g. `otlp_http_span_exporter`. */
export const ATTR_OTEL_COMPONENT_TYPE = 'otel.component.type';
/** `otel.component.name`: which instance, e.g. `otlp_http_span_exporter/0`. */
export const ATTR_OTEL_COMPONENT_NAME = 'otel.component.name';
/** Why items were dropped (see `DropReason`). */
export const ATTR_EXPORTER_DROP_REASON = 'trisignal.exporter.drop.reason';
/** Outcome of an attempt: `success`, `retryable`, `permanent`. */
export const ATTR_EXPORTER_OUTCOME = 'trisignal.exporter.outcome';
/** HTTP status of the attempt, when there was a response. */
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
/** Error type of a failed attempt: the HTTP status as a string, `timeout`, or a network error code. */
export const ATTR_ERROR_TYPE = 'error.type';
