import type { WalFsyncPolicy } from '@trisignal/wal';

/**
 * Durable mode: batches go through a write-ahead log (`@trisignal/wal`) in `dir` and leave it only once
 * the receiver has accepted them (or refused them for good).
 */
export interface DurableOptions {
  /** Directory of the log (created if missing). The OTLP bundle uses one subdirectory per signal. */
  readonly dir: string;
  /** Disk bound: past it the oldest unsent batches are dropped and counted (`retention`). @default 1073741824 (1 GiB) */
  readonly maxBytes?: number | undefined;
  /** Unsent batches older than this are dropped and counted (`retention`). @default Infinity */
  readonly maxAgeMillis?: number | undefined;
  /** When an append counts as done: `always` (fdatasync), `interval`, `never`. @default 'always' */
  readonly fsync?: WalFsyncPolicy | undefined;
  /** Sync period of `fsync: 'interval'`. @default 200 */
  readonly fsyncIntervalMillis?: number | undefined;
  /** Segment size. @default 67108864 (64 MiB) */
  readonly maxSegmentBytes?: number | undefined;
  /** Largest batch accepted. @default 16777216 (16 MiB) */
  readonly maxRecordBytes?: number | undefined;
  /**
   * Delivered batches are committed (the read position written to disk: a temporary file, two syncs, a
   * rename) at most this often rather than once per batch; after a crash, up to this much of what was
   * already delivered is sent again (delivery is at least once either way). A shutdown commits all.
   * `0` commits after every batch. @default 1000
   */
  readonly commitIntervalMillis?: number | undefined;
  /** Name of the read cursor (its position persists in `dir`). @default 'sender' */
  readonly cursor?: string | undefined;
}
