import type { Meter } from '@opentelemetry/api';
import { invalidOption } from './errors.js';

/** When an append is acknowledged relative to the disk (see README, "Durability guarantees"). */
export type WalFsyncPolicy = 'always' | 'interval' | 'never';

/** Compression applied to each frame (kept only when it makes the frame smaller). */
export type WalCompression = 'zstd' | 'none';

/** Where the WAL reports what it cannot throw: a subset of OpenTelemetry's `DiagLogger`, so `diag` fits. */
export interface WalLogger {
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

/** Options of {@link createWal}. */
export interface WalOptions {
  /** Directory that holds the segments, the cursors and the lock file; created if missing. */
  readonly dir: string;
  /**
   * Size at which a segment is sealed and the next one started. A record larger than this gets a segment
   * of its own.
   * @default 67108864 (64 MiB)
   */
  readonly maxSegmentBytes?: number | undefined;
  /**
   * `always`: an append resolves after `fdatasync` (concurrent appends share one sync). `interval`: it
   * resolves after `write`, and the file is synced every `fsyncIntervalMillis`. `never`: after `write`,
   * syncing is left to the OS (and to `close()`).
   * @default 'always'
   */
  readonly fsync?: WalFsyncPolicy | undefined;
  /**
   * Sync period of the `interval` policy.
   * @default 200
   */
  readonly fsyncIntervalMillis?: number | undefined;
  /**
   * Frame compression.
   * @default 'zstd'
   */
  readonly compression?: WalCompression | undefined;
  /**
   * zstd level, 1 (fastest) to 22.
   * @default 3
   */
  readonly compressionLevel?: number | undefined;
  /**
   * Upper bound of the segment files on disk; the oldest whole segments are dropped past it, read or not.
   * @default 1073741824 (1 GiB)
   */
  readonly maxBytes?: number | undefined;
  /**
   * Segments whose newest record is older than this are dropped, read or not.
   * @default Infinity (no age limit)
   */
  readonly maxAgeMillis?: number | undefined;
  /**
   * Largest single record accepted; larger ones reject with `TRISIGNAL_WAL_RECORD_TOO_LARGE`.
   * @default 16777216 (16 MiB)
   */
  readonly maxRecordBytes?: number | undefined;
  /**
   * Bytes of appends accepted but not yet acknowledged (each record counts its length + 24); past it `append` rejects with
   * `TRISIGNAL_WAL_QUEUE_FULL` instead of buffering without bound.
   * @default 67108864 (64 MiB)
   */
  readonly maxQueueBytes?: number | undefined;
  /**
   * Check every frame's CRC of every segment on open. When false only the newest segment is checked in
   * full (older ones are walked frame by frame, and their CRCs are checked when read).
   * @default true
   */
  readonly verifyOnOpen?: boolean | undefined;
  /** Meter for the WAL's own metrics (`trisignal.wal.*`); none are recorded without one. */
  readonly meter?: Meter | undefined;
  /** Receives warnings the WAL cannot throw (failed background sync, retention errors). */
  readonly logger?: WalLogger | undefined;
}

/** Defaults of {@link WalOptions}. */
export const WAL_DEFAULTS = {
  maxSegmentBytes: 64 * 1024 * 1024,
  fsync: 'always',
  fsyncIntervalMillis: 200,
  compression: 'zstd',
  compressionLevel: 3,
  maxBytes: 1024 * 1024 * 1024,
  maxAgeMillis: Number.POSITIVE_INFINITY,
  maxRecordBytes: 16 * 1024 * 1024,
  maxQueueBytes: 64 * 1024 * 1024,
  verifyOnOpen: true,
} as const;

/** {@link WalOptions} with every default applied. */
export interface ResolvedWalOptions {
  readonly dir: string;
  readonly maxSegmentBytes: number;
  readonly fsync: WalFsyncPolicy;
  readonly fsyncIntervalMillis: number;
  readonly compression: WalCompression;
  readonly compressionLevel: number;
  readonly maxBytes: number;
  readonly maxAgeMillis: number;
  readonly maxRecordBytes: number;
  readonly maxQueueBytes: number;
  readonly verifyOnOpen: boolean;
  readonly meter: Meter | undefined;
  readonly logger: WalLogger | undefined;
}

const MIN_SEGMENT_BYTES = 64;
const MAX_SEGMENT_BYTES = 2 ** 32;

function positiveInteger(field: string, value: unknown, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(field, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidOption(field, value, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return value as T;
}

/** Applies defaults field by field and validates; throws `TRISIGNAL_WAL_INVALID_OPTION`. */
export function resolveWalOptions(options: WalOptions): ResolvedWalOptions {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', options, 'an object');
  const dir = options.dir;
  if (typeof dir !== 'string' || dir.length === 0) throw invalidOption('dir', dir, 'a non-empty string');
  const maxSegmentBytes = positiveInteger(
    'maxSegmentBytes',
    options.maxSegmentBytes ?? WAL_DEFAULTS.maxSegmentBytes,
    MIN_SEGMENT_BYTES,
    MAX_SEGMENT_BYTES,
  );
  const fsync = oneOf('fsync', options.fsync ?? WAL_DEFAULTS.fsync, ['always', 'interval', 'never'] as const);
  const fsyncIntervalMillis = positiveInteger(
    'fsyncIntervalMillis',
    options.fsyncIntervalMillis ?? WAL_DEFAULTS.fsyncIntervalMillis,
    1,
    2 ** 31 - 1,
  );
  const compression = oneOf('compression', options.compression ?? WAL_DEFAULTS.compression, [
    'zstd',
    'none',
  ] as const);
  const compressionLevel = positiveInteger(
    'compressionLevel',
    options.compressionLevel ?? WAL_DEFAULTS.compressionLevel,
    1,
    22,
  );
  const maxBytes = positiveInteger('maxBytes', options.maxBytes ?? WAL_DEFAULTS.maxBytes);
  if (maxBytes < maxSegmentBytes) {
    throw invalidOption('maxBytes', maxBytes, `at least \`maxSegmentBytes\` (${maxSegmentBytes})`);
  }
  const maxAgeMillis = options.maxAgeMillis ?? WAL_DEFAULTS.maxAgeMillis;
  if (typeof maxAgeMillis !== 'number' || Number.isNaN(maxAgeMillis) || maxAgeMillis <= 0) {
    throw invalidOption('maxAgeMillis', maxAgeMillis, 'a positive number of milliseconds (or Infinity)');
  }
  const maxRecordBytes = positiveInteger(
    'maxRecordBytes',
    options.maxRecordBytes ?? WAL_DEFAULTS.maxRecordBytes,
    1,
    2 ** 32 - 1 - 64,
  );
  const maxQueueBytes = positiveInteger('maxQueueBytes', options.maxQueueBytes ?? WAL_DEFAULTS.maxQueueBytes);
  // A record costs its bytes plus a 24-byte frame header in the queue: the largest must fit.
  if (maxQueueBytes < maxRecordBytes + 24) {
    throw invalidOption(
      'maxQueueBytes',
      maxQueueBytes,
      `at least \`maxRecordBytes\` + 24 (${maxRecordBytes + 24})`,
    );
  }
  const verifyOnOpen = options.verifyOnOpen ?? WAL_DEFAULTS.verifyOnOpen;
  if (typeof verifyOnOpen !== 'boolean') throw invalidOption('verifyOnOpen', verifyOnOpen, 'a boolean');
  return {
    dir,
    maxSegmentBytes,
    fsync,
    fsyncIntervalMillis,
    compression,
    compressionLevel,
    maxBytes,
    maxAgeMillis,
    maxRecordBytes,
    maxQueueBytes,
    verifyOnOpen,
    meter: options.meter,
    logger: options.logger,
  };
}
