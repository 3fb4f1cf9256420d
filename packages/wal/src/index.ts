/**
 * `@trisignal/wal`: a durable, segmented write-ahead log for opaque records (telemetry batches). Records
 * are framed with CRC-32C, compressed with zstd when that makes them smaller, acknowledged according to
 * an fsync policy (with group commit), read back through named cursors whose positions persist, and
 * recovered after a crash: torn tails are cut, damage is moved aside and reported, never returned.
 * The on-disk format is specified in `FORMAT.md`.
 */
export { createWal } from './wal.js';
export type { Wal, WalCursorOptions, WalOpenResult, WalStats } from './wal.js';
export type { WalCursor, WalCursorStats, WalDropReason, WalReadOptions, WalRecord } from './cursor.js';
export { READ_DEFAULTS } from './cursor.js';
export { WAL_DEFAULTS, resolveWalOptions } from './options.js';
export type { ResolvedWalOptions, WalCompression, WalFsyncPolicy, WalLogger, WalOptions } from './options.js';
export { WAL_ERROR_CODES, WalError, isWalError } from './errors.js';
export type { WalErrorCode } from './errors.js';
export type { WalCorruption, WalMissingSegments } from './recovery.js';
export type { WalCorruptionReason } from './segment-scan.js';
export {
  ATTR_WAL_CORRUPTION_REASON,
  ATTR_WAL_CURSOR,
  ATTR_WAL_DROP_REASON,
  METRIC_WAL_APPEND_BYTES,
  METRIC_WAL_APPEND_DURATION,
  METRIC_WAL_APPEND_RECORDS,
  METRIC_WAL_CORRUPTIONS,
  METRIC_WAL_CURSOR_BACKLOG,
  METRIC_WAL_DROPPED,
  METRIC_WAL_ERRORS,
  METRIC_WAL_FSYNC_DURATION,
  METRIC_WAL_SEGMENTS,
  METRIC_WAL_SIZE,
  METRIC_WAL_WRITE_BYTES,
} from './semconv.js';
