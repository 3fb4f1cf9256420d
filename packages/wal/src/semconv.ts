/**
 * Names of the WAL's self-metrics and their attributes. `@trisignal/slo` and dashboards read these
 * names; they are part of the public contract.
 */

/** Bytes of record input appended (before compression). Counter, `By`. */
export const METRIC_WAL_APPEND_BYTES = 'trisignal.wal.append.bytes';
/** Records appended. Counter, `{record}`. */
export const METRIC_WAL_APPEND_RECORDS = 'trisignal.wal.append.records';
/** Time from `append()` to its acknowledgement. Histogram, `s`. */
export const METRIC_WAL_APPEND_DURATION = 'trisignal.wal.append.duration';
/** Bytes written to segment files (frames after compression). Counter, `By`. */
export const METRIC_WAL_WRITE_BYTES = 'trisignal.wal.write.bytes';
/** Duration of each `fdatasync`. Histogram, `s`. */
export const METRIC_WAL_FSYNC_DURATION = 'trisignal.wal.fsync.duration';
/** Segment files on disk. Observable gauge, `{segment}`. */
export const METRIC_WAL_SEGMENTS = 'trisignal.wal.segments';
/** Bytes of segment files on disk. Observable gauge, `By`. */
export const METRIC_WAL_SIZE = 'trisignal.wal.size';
/** Records after a cursor's committed offset. Observable gauge, `{record}`, with `trisignal.wal.cursor`. */
export const METRIC_WAL_CURSOR_BACKLOG = 'trisignal.wal.cursor.backlog';
/**
 * Records lost, by `trisignal.wal.drop.reason`. Without `trisignal.wal.cursor`: lost from the log (or
 * rejected when the queue was full); with it: lost to that cursor before it committed them. Counter,
 * `{record}`.
 */
export const METRIC_WAL_DROPPED = 'trisignal.wal.dropped';
/** Damaged data found (on open or on read), by `trisignal.wal.corruption.reason`. Counter, `{event}`. */
export const METRIC_WAL_CORRUPTIONS = 'trisignal.wal.corruptions';
/** Failed appends, syncs and file operations, by `error.type` (a WAL error code). Counter, `{error}`. */
export const METRIC_WAL_ERRORS = 'trisignal.wal.errors';

/** Name of the cursor a data point is about. */
export const ATTR_WAL_CURSOR = 'trisignal.wal.cursor';
/** Why records were dropped: see `WalDropReason`. */
export const ATTR_WAL_DROP_REASON = 'trisignal.wal.drop.reason';
/** What was damaged: see `WalCorruptionReason`. */
export const ATTR_WAL_CORRUPTION_REASON = 'trisignal.wal.corruption.reason';
/** Error code (semconv `error.type`). */
export const ATTR_ERROR_TYPE = 'error.type';
/** Instance name, `wal/<n>` (semconv `otel.component.name`, as the SDK's own processor metrics use it). */
export const ATTR_OTEL_COMPONENT_NAME = 'otel.component.name';
