/**
 * The write-ahead log: an ordered, bounded append queue written by one loop (group commit), an
 * in-memory table of segments, named cursors, retention, and recovery on open.
 */
import path from 'node:path';
import { WalError, ioError, isWalError } from './errors.js';
import { prepareFrames, type PreparedFrame } from './frames.js';
import { nodeFs, writeFully, type WalFile, type WalFs } from './internal/fs.js';
import { loadZstd } from './internal/zstd.js';
import { acquireLock, type WalLock } from './lock.js';
import { WalMetrics, type WalGaugeSnapshot } from './metrics.js';
import { resolveWalOptions, type ResolvedWalOptions, type WalOptions } from './options.js';
import {
  FRAME_HEADER_BYTES,
  SEGMENT_HEADER_BYTES,
  encodeFrameHeader,
  encodeSegmentHeader,
  segmentFileName,
} from './record-codec.js';
import { recover, type SegmentState, type WalCorruption, type WalMissingSegments } from './recovery.js';
import { SPARSE_INDEX_STEP_BYTES } from './segment-scan.js';
import {
  CURSORS_DIR,
  deleteCursorFile,
  isValidCursorName,
  loadCursors,
  removeCursorTempFiles,
  saveCursor,
} from './cursor-store.js';
import { CursorImpl, type CursorHost, type WalCursor } from './cursor.js';

/** What {@link Wal.open} found and repaired. */
export interface WalOpenResult {
  /** Segment files in the log after recovery. */
  readonly segments: number;
  /** Records on disk after recovery. */
  readonly records: number;
  /** Offset of the oldest record on disk, or undefined when the log is empty. */
  readonly firstOffset: number | undefined;
  /** Offset of the newest record on disk, or undefined when the log is empty. */
  readonly lastOffset: number | undefined;
  /** Bytes cut from torn tails (an interrupted last write; nothing valid followed). */
  readonly tornBytes: number;
  /** Damage found in the middle of segments (or in their headers), each moved aside to a `.corrupt` file. */
  readonly corruptions: readonly WalCorruption[];
  /** Segment files missing from the middle of the sequence. */
  readonly missingSegments: readonly WalMissingSegments[];
  /** Records known lost to `corruptions` and `missingSegments` (a lower bound where they are inexact). */
  readonly recordsLost: number;
  /** Cursors whose file could not be read; they restart from the oldest record. */
  readonly resetCursors: readonly string[];
  /** True when nothing was lost: no corruption, no missing segment, no cursor reset. */
  readonly clean: boolean;
}

/** Options of {@link Wal.cursor}. */
export interface WalCursorOptions {
  /**
   * Where a cursor that does not exist yet starts: at the oldest record on disk, or after the newest.
   * @default 'oldest'
   */
  readonly start?: 'oldest' | 'latest' | undefined;
}

/** A snapshot of the log. */
export interface WalStats {
  readonly segments: number;
  /** Bytes of segment files. */
  readonly bytes: number;
  readonly firstOffset: number | undefined;
  readonly lastOffset: number | undefined;
  /** Bytes accepted by `append` and not yet acknowledged. */
  readonly queuedBytes: number;
  readonly cursors: readonly ReturnType<WalCursor['stats']>[];
}

/** A durable, segmented log of opaque records. */
export interface Wal {
  /** Runs recovery (once) and resolves with what it found; other methods call it implicitly. */
  open(): Promise<WalOpenResult>;
  /**
   * Appends one record, or several that get consecutive offsets, and resolves with the offset of the
   * (last) record once it is as durable as the `fsync` policy promises. Rejects with a {@link WalError}:
   * `QUEUE_FULL`, `RECORD_TOO_LARGE`, `DISK_FULL`, `IO_ERROR`, `CLOSED`, `INVALID_ARGUMENT`. The
   * record's bytes are read (compressed, written) until the promise settles: do not modify them before.
   */
  append(record: Uint8Array | readonly Uint8Array[]): Promise<number>;
  /** The named cursor, created (and persisted) on first use. */
  cursor(name: string, options?: WalCursorOptions): Promise<WalCursor>;
  /** Removes a cursor so it no longer holds back retention. */
  deleteCursor(name: string): Promise<void>;
  stats(): WalStats;
  /** Resolves once everything appended so far is written and fsynced, whatever the policy. */
  forceFlush(): Promise<void>;
  /** Flushes, syncs, releases the lock. Idempotent. */
  close(): Promise<void>;
  /** Same as {@link Wal.close}. */
  shutdown(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

interface PendingAppend {
  readonly records: number;
  readonly inputBytes: number;
  /** What the append counts against `maxQueueBytes`: its bytes plus a frame header per record. */
  readonly queueCost: number;
  readonly started: number;
  frames: PreparedFrame[] | undefined;
  failure: unknown;
  readonly prepared: Promise<void>;
  readonly resolve: (offset: number) => void;
  readonly reject: (error: unknown) => void;
  lastSeq: number;
  done: boolean;
}

interface ActiveSegment {
  readonly state: SegmentState;
  readonly file: WalFile;
  /** Bytes written (≥ state.bytes, which only counts acknowledged frames). */
  written: number;
  writtenEndSeq: number;
  /** Bytes covered by a completed fdatasync. */
  synced: number;
  /** Bytes covered by the latest fdatasync started (≥ synced). */
  syncing: number;
  /** A failed write could not be cut back: write no more to this segment. */
  poisoned: boolean;
  lastIndexed: number;
}

/** One write: appends whose frames it holds, waiting for an fdatasync that covers them. */
interface WrittenRun {
  readonly items: readonly PendingAppend[];
  /** Segment position after the write. */
  readonly end: number;
  /** Sequence number after the write's last frame. */
  readonly endSeq: number;
}

/** An fdatasync of the active segment, started after every write up to `target` completed. */
interface SyncCall {
  readonly active: ActiveSegment;
  readonly target: number;
  settled: boolean;
  failure: WalError | undefined;
}

/** Stored bytes written per batch at most, so a burst never builds one huge buffer. */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

/**
 * Writes up to this size are gathered into one reused buffer rather than a new one each: at hundreds
 * of MB/s a new buffer per write is enough external memory to force a full GC every few hundred ms.
 */
const MAX_WRITE_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * fdatasyncs in flight at once under `fsync: 'always'`: the next batch is written, and its sync
 * started, while the previous sync runs. Two, not more: each blocks a libuv pool thread (4 by default)
 * for the whole flush, and compression and writes need the others.
 */
const MAX_SYNCS_IN_FLIGHT = 2;

/** @internal Creates a WAL on a given file-system layer (tests inject faults through it). */
export function createWalWithFs(options: WalOptions, fs: WalFs): Wal {
  return new WalImpl(resolveWalOptions(options), fs);
}

/**
 * Creates a write-ahead log in `options.dir`. Throws `TRISIGNAL_WAL_INVALID_OPTION` on bad options; the
 * directory is opened (and recovered) by {@link Wal.open} or on first use.
 * @example
 * ```ts
 * await using wal = createWal({ dir: '/var/lib/app/wal' });
 * const offset = await wal.append(bytes);
 * const cursor = await wal.cursor('otlp');
 * const records = await cursor.read({ maxBytes: 4 << 20 });
 * await cursor.commit(records.at(-1)!.offset);
 * ```
 */
export function createWal(options: WalOptions): Wal {
  return createWalWithFs(options, nodeFs);
}

class WalImpl implements Wal, CursorHost {
  readonly fs: WalFs;
  readonly dir: string;
  readonly metrics: WalMetrics;
  readonly #o: ResolvedWalOptions;
  #openPromise: Promise<WalOpenResult> | undefined;
  #openError: unknown;
  #closePromise: Promise<void> | undefined;
  #closing = false;
  #closed = false;
  #lock: WalLock | undefined;
  #segments: SegmentState[] = [];
  #active: ActiveSegment | undefined;
  #nextSeq = 0;
  #queue: PendingAppend[] = [];
  #queuedBytes = 0;
  #draining = false;
  #idleWaiters: (() => void)[] = [];
  #appendWaiters: (() => void)[] = [];
  #syncRequested = false;
  #rotateRequested = false;
  /** Written to the active segment and not acknowledged yet, oldest first (`fsync: 'always'`). */
  #unacked: WrittenRun[] = [];
  /** fdatasyncs started and not yet processed, in the order they were started. */
  #syncs: SyncCall[] = [];
  #syncWaiters: ((failure: WalError | undefined) => void)[] = [];
  /** Set when a sync failed under unacknowledged frames: the tail is cut before anything else is written. */
  #failure: WalError | undefined;
  /** Resolves the append loop's wait for an append or a sync. */
  #wake: (() => void) | undefined;
  #writeBuffer: Buffer | undefined;
  #timers: NodeJS.Timeout[] = [];
  readonly #cursors = new Map<string, CursorImpl>();
  #retentionRunning = false;
  #retentionAgain = false;

  constructor(options: ResolvedWalOptions, fs: WalFs) {
    this.#o = options;
    this.fs = fs;
    this.dir = options.dir;
    if (options.compression === 'zstd') loadZstd();
    this.metrics = new WalMetrics(options.meter, () => this.#gauges());
  }

  // ---------------------------------------------------------------- open

  open(): Promise<WalOpenResult> {
    if (this.#closing) return Promise.reject(this.#closedError());
    this.#openPromise ??= this.#open().catch(async (error: unknown) => {
      this.#openError = error;
      await this.#lock?.release();
      throw error;
    });
    return this.#openPromise;
  }

  async ready(): Promise<void> {
    if (this.#closed) throw this.#closedError();
    await this.open();
  }

  async #open(): Promise<WalOpenResult> {
    const fs = this.fs;
    try {
      await fs.mkdir(this.dir);
      await fs.mkdir(path.join(this.dir, CURSORS_DIR));
    } catch (error) {
      throw ioError('create directory', this.dir, error);
    }
    this.#lock = await acquireLock(fs, this.dir);
    const found = await recover(fs, this.dir, { readOnly: false, verifyAll: this.#o.verifyOnOpen });
    await removeCursorTempFiles(fs, this.dir);
    const loaded = await loadCursors(fs, this.dir);
    this.#segments = found.segments;
    const logEnd = this.#segments.at(-1)?.endSeq ?? 0;
    let maxCommitted = -1;
    for (const c of loaded.cursors) maxCommitted = Math.max(maxCommitted, c.committed);
    // A cursor can be ahead of the log when the log lost its tail (no fsync) after the cursor consumed
    // it: continue numbering after the cursor so that no offset is ever reused.
    // Offsets of records lost to damage (and kept in a .corrupt file) are not reused either.
    this.#nextSeq = Math.max(logEnd, maxCommitted + 1, found.maxSeenSeq);
    const first = this.firstAvailable();
    for (const c of loaded.cursors) this.#cursors.set(c.name, new CursorImpl(this, c.name, c.committed));
    for (const name of loaded.unreadable) {
      const committed = first - 1;
      await saveCursor(fs, this.dir, { name, committed });
      this.#cursors.set(name, new CursorImpl(this, name, committed));
      this.#o.logger?.warn(`@trisignal/wal: cursor "${name}" was unreadable and restarts at offset ${first}`);
    }

    let recordsLost = 0;
    for (const range of found.lossRanges) {
      recordsLost += range.to - range.from;
      this.metrics.addDropped(range.to - range.from, range.reason);
      for (const cursor of this.#cursors.values()) {
        const lost = range.to - Math.max(range.from, cursor.committed + 1);
        cursor.addDropped(lost, range.reason);
      }
    }
    for (const c of found.corruptions) {
      this.metrics.addCorruption(c.reason);
      this.#o.logger?.warn(
        `@trisignal/wal: segment ${c.segment} damaged at byte ${c.position} (${c.reason}); ${c.bytes} bytes moved to ${c.movedTo ?? '?'}`,
      );
    }
    for (const m of found.missingSegments) {
      this.metrics.addCorruption('missing_segment');
      this.#o.logger?.warn(
        `@trisignal/wal: segments ${m.fromSegment}-${m.toSegment} are missing; ${m.recordsLost} records lost`,
      );
    }

    const last = this.#segments.at(-1);
    if (last !== undefined && last.endSeq === this.#nextSeq) {
      try {
        const file = await fs.open(last.path, 'r+');
        this.#active = {
          state: last,
          file,
          written: last.bytes,
          writtenEndSeq: last.endSeq,
          synced: last.bytes,
          syncing: last.bytes,
          poisoned: false,
          lastIndexed: last.sparse.at(-1)?.pos ?? Number.NEGATIVE_INFINITY,
        };
      } catch (error) {
        throw ioError('open', last.path, error);
      }
    }
    if (this.#o.fsync === 'interval') {
      this.#timers.push(
        setInterval(() => {
          this.#syncRequested = true;
          this.#kick();
        }, this.#o.fsyncIntervalMillis).unref(),
      );
    }
    if (Number.isFinite(this.#o.maxAgeMillis)) {
      const every = Math.max(10, Math.min(this.#o.maxAgeMillis / 4, 60_000));
      this.#timers.push(setInterval(() => this.#scheduleRetention(), every).unref());
    }
    this.#scheduleRetention();

    const records = this.#segments.reduce((n, s) => n + (s.endSeq - s.firstSeq), 0);
    return {
      segments: this.#segments.length,
      records,
      firstOffset: records === 0 ? undefined : this.firstAvailable(),
      lastOffset: records === 0 ? undefined : logEnd - 1,
      tornBytes: found.tornBytes,
      corruptions: found.corruptions,
      missingSegments: found.missingSegments,
      recordsLost,
      resetCursors: loaded.unreadable,
      clean:
        found.corruptions.length === 0 &&
        found.missingSegments.length === 0 &&
        loaded.unreadable.length === 0,
    };
  }

  // ---------------------------------------------------------------- append

  append(input: Uint8Array | readonly Uint8Array[]): Promise<number> {
    if (this.#closing) return Promise.reject(this.#closedError());
    const records: readonly Uint8Array[] = input instanceof Uint8Array ? [input] : input;
    if (!Array.isArray(records)) {
      return Promise.reject(
        new WalError(
          'TRISIGNAL_WAL_INVALID_ARGUMENT',
          'Expected a Uint8Array or an array of Uint8Array to append',
        ),
      );
    }
    let inputBytes = 0;
    for (const r of records) {
      if (!(r instanceof Uint8Array)) {
        return Promise.reject(
          new WalError('TRISIGNAL_WAL_INVALID_ARGUMENT', 'Expected every record to be a Uint8Array'),
        );
      }
      if (r.length > this.#o.maxRecordBytes) {
        this.metrics.addError('TRISIGNAL_WAL_RECORD_TOO_LARGE');
        return Promise.reject(
          new WalError(
            'TRISIGNAL_WAL_RECORD_TOO_LARGE',
            `A record of ${r.length} bytes exceeds \`maxRecordBytes\` (${this.#o.maxRecordBytes})`,
          ),
        );
      }
      inputBytes += r.length;
    }
    if (records.length === 0) return this.open().then(() => this.#nextSeq - 1);
    // Empty records still cost queue space, so that a flood of them is bounded too.
    const queueCost = inputBytes + records.length * FRAME_HEADER_BYTES;
    if (this.#queuedBytes + queueCost > this.#o.maxQueueBytes) {
      this.metrics.addDropped(records.length, 'queue_full');
      this.metrics.addError('TRISIGNAL_WAL_QUEUE_FULL');
      return Promise.reject(
        new WalError(
          'TRISIGNAL_WAL_QUEUE_FULL',
          `The append queue holds ${this.#queuedBytes} bytes; ${queueCost} more would exceed \`maxQueueBytes\` (${this.#o.maxQueueBytes})`,
        ),
      );
    }
    this.#queuedBytes += queueCost;
    return new Promise<number>((resolve, reject) => {
      const item: PendingAppend = {
        records: records.length,
        inputBytes,
        queueCost,
        started: performance.now(),
        frames: undefined,
        failure: undefined,
        // Compression starts now, in parallel with other appends and with the write of earlier ones.
        prepared: prepareFrames(records, this.#o.compression === 'zstd', this.#o.compressionLevel).then(
          (frames) => {
            item.frames = frames;
          },
          (error: unknown) => {
            item.failure = error;
          },
        ),
        resolve,
        reject,
        lastSeq: -1,
        done: false,
      };
      this.#queue.push(item);
      this.#kick();
    });
  }

  #kick(): void {
    if (this.#draining) {
      this.#wakeUp();
      return;
    }
    this.#draining = true;
    void this.#drain()
      .catch((error: unknown) => {
        // #drain settles every append itself; anything reaching here is a bug, reported, not thrown.
        this.#o.logger?.error('@trisignal/wal: append loop failed', error);
      })
      .finally(() => {
        this.#draining = false;
        if (
          this.#queue.length > 0 ||
          this.#unacked.length > 0 ||
          this.#failure !== undefined ||
          (this.#syncRequested && !this.#closed)
        ) {
          this.#kick();
          return;
        }
        const waiters = this.#idleWaiters;
        this.#idleWaiters = [];
        for (const w of waiters) w();
      });
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /**
   * The append loop: writes batches in order. Under `fsync: 'always'` it does not wait for a batch's
   * sync before writing the next (see #maybeStartSync); it runs until every write is acknowledged.
   */
  async #drain(): Promise<void> {
    try {
      await this.open();
    } catch (error) {
      for (const item of this.#queue.splice(0)) this.#settle(item, error);
      this.#syncRequested = false;
      return;
    }
    for (;;) {
      if (this.#failure !== undefined) {
        await this.#recover(this.#failure);
        continue;
      }
      // A due background sync (`fsync: 'interval'`) goes before the next write: under a steady stream
      // of appends the queue is never empty, and waiting for it would leave written data unsynced for
      // as long as the stream lasts instead of at most one interval.
      if (this.#syncRequested) {
        this.#syncRequested = false;
        this.#backgroundSync();
        continue;
      }
      if (this.#queue.length > 0) {
        await this.#writeNextBatch();
        continue;
      }
      if (this.#rotateRequested) {
        this.#rotateRequested = false;
        await this.#rotateIdle();
        continue;
      }
      if (this.#unacked.length === 0) return;
      // Written, not yet synced: wait for a sync to finish or for the next append.
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  async #writeNextBatch(): Promise<void> {
    const head = this.#queue[0]!;
    await head.prepared;
    // A sync failed while this waited: cut the tail first, so these appends are not written after it.
    if (this.#failure !== undefined) await this.#recover(this.#failure);
    const batch: PendingAppend[] = [];
    let bytes = 0;
    for (const item of this.#queue) {
      if (item.frames === undefined && item.failure === undefined) break;
      batch.push(item);
      for (const f of item.frames ?? []) bytes += FRAME_HEADER_BYTES + f.payload.length;
      if (bytes >= MAX_BATCH_BYTES) break;
    }
    this.#queue.splice(0, batch.length);
    const writable = batch.filter((item) => {
      if (item.failure === undefined) return true;
      this.#settle(item, item.failure);
      return false;
    });
    if (writable.length > 0) await this.#writeBatch(writable);
  }

  #settle(item: PendingAppend, error?: unknown): void {
    if (item.done) return;
    item.done = true;
    this.#queuedBytes -= item.queueCost;
    if (error !== undefined) {
      item.reject(error);
      return;
    }
    this.metrics.recordAppend(item.records, item.inputBytes);
    this.metrics.recordAppendDuration((performance.now() - item.started) / 1000);
    item.resolve(item.lastSeq);
  }

  /** Makes the writes that end at or before `end` visible to readers and resolves their appends, in order. */
  #acknowledge(active: ActiveSegment, end: number): void {
    const runs: WrittenRun[] = [];
    while (this.#unacked.length > 0 && this.#unacked[0]!.end <= end) runs.push(this.#unacked.shift()!);
    const last = runs.at(-1);
    if (last === undefined) return;
    active.state.bytes = last.end;
    active.state.endSeq = last.endSeq;
    active.state.mtimeMs = Date.now();
    this.#nextSeq = last.endSeq;
    for (const run of runs) for (const item of run.items) this.#settle(item);
    const waiters = this.#appendWaiters;
    this.#appendWaiters = [];
    for (const w of waiters) w();
  }

  /** `chunks` as one buffer for one write. */
  #gather(chunks: readonly Uint8Array[], bytes: number): Uint8Array {
    if (chunks.length === 1) return chunks[0]!;
    if (bytes > MAX_WRITE_BUFFER_BYTES) return Buffer.concat(chunks, bytes);
    // Never shared: the append loop awaits each write before it gathers the next.
    if (this.#writeBuffer === undefined || this.#writeBuffer.length < bytes) {
      const size = Math.min(MAX_WRITE_BUFFER_BYTES, 2 ** Math.ceil(Math.log2(Math.max(bytes, 64 * 1024))));
      this.#writeBuffer = Buffer.allocUnsafeSlow(size);
    }
    const out = this.#writeBuffer;
    let at = 0;
    for (const chunk of chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out.subarray(0, bytes);
  }

  async #writeBatch(batch: PendingAppend[]): Promise<void> {
    let items: PendingAppend[] = [];
    let chunks: Uint8Array[] = [];
    let chunkBytes = 0;
    const flush = async (active: ActiveSegment): Promise<void> => {
      if (chunkBytes === 0) return;
      const data = this.#gather(chunks, chunkBytes);
      chunks = [];
      const size = chunkBytes;
      chunkBytes = 0;
      await writeFully(active.file, data, active.written);
      // A sync of earlier frames failed during this write: these bytes follow them and are cut too.
      if (this.#failure !== undefined) throw this.#failure;
      active.written += size;
      this.metrics.recordWrite(size);
      this.#unacked.push({ items, end: active.written, endSeq: active.writtenEndSeq });
      items = [];
      if (this.#o.fsync === 'always') this.#maybeStartSync();
      else this.#acknowledge(active, active.written);
    };
    let active: ActiveSegment | undefined;
    try {
      active = await this.#ensureActive();
      for (const item of batch) {
        for (const frame of item.frames!) {
          const size = FRAME_HEADER_BYTES + frame.payload.length;
          const used = active.written + chunkBytes;
          if (used + size > this.#o.maxSegmentBytes && used > SEGMENT_HEADER_BYTES) {
            // Appends completed before the rotation are acknowledged as the policy says (under
            // `always`, by the sync that seals the segment).
            await flush(active);
            active = await this.#rotate(active);
          }
          const pos = active.written + chunkBytes;
          if (pos - active.lastIndexed >= SPARSE_INDEX_STEP_BYTES) {
            active.state.sparse.push({ seq: active.writtenEndSeq, pos });
            active.lastIndexed = pos;
          }
          chunks.push(
            encodeFrameHeader(frame.payload, frame.flags, frame.count, active.writtenEndSeq, frame.rawLength),
            frame.payload,
          );
          chunkBytes += size;
          active.writtenEndSeq += frame.count;
        }
        item.lastSeq = active.writtenEndSeq - 1;
        items.push(item);
      }
      await flush(active);
    } catch (cause) {
      const error = isWalError(cause)
        ? cause
        : ioError('append to', this.#active?.state.path ?? this.dir, cause);
      if (error !== this.#failure) {
        this.metrics.addError(error.code);
        // Frames written before the failed write are still acknowledged once a sync covers them.
        const current = this.#active;
        if (this.#failure === undefined && current !== undefined && this.#unacked.length > 0) {
          await this.#syncAll(current).catch(() => undefined);
        }
      }
      await this.#recover(error);
      for (const item of batch) this.#settle(item, error);
    }
    if (this.#segmentBytes() > this.#o.maxBytes) this.#scheduleRetention();
  }

  /**
   * After a failed write or sync: waits for the syncs in flight, fails every append not acknowledged,
   * and cuts the active segment back to its acknowledged end.
   */
  async #recover(error: unknown): Promise<void> {
    while (this.#syncs.length > 0) await this.#nextSyncSettled();
    for (const run of this.#unacked.splice(0)) for (const item of run.items) this.#settle(item, error);
    await this.#restoreTail();
    this.#failure = undefined;
  }

  /** Cuts the active segment back to its acknowledged end (no sync may be in flight). */
  async #restoreTail(): Promise<void> {
    const active = this.#active;
    if (active === undefined) return;
    // Sparse entries past the acknowledged end point at frames that are being cut away.
    active.state.sparse = active.state.sparse.filter((e) => e.pos < active.state.bytes);
    active.lastIndexed = active.state.sparse.at(-1)?.pos ?? Number.NEGATIVE_INFINITY;
    active.written = active.state.bytes;
    active.writtenEndSeq = active.state.endSeq;
    active.synced = Math.min(active.synced, active.written);
    active.syncing = Math.min(active.syncing, active.written);
    this.#nextSeq = active.state.endSeq;
    // Always cut: a failed or short write may have left bytes past what was counted as written.
    try {
      await active.file.truncate(active.state.bytes);
    } catch (error) {
      // The tail could not be cut: never write after it (recovery will cut it on the next open).
      active.poisoned = true;
      this.#o.logger?.warn(
        `@trisignal/wal: could not truncate ${active.state.path} after a failed write`,
        error,
      );
    }
  }

  /**
   * Under `fsync: 'always'`, starts a sync of the active segment when a write is not covered by one,
   * unless MAX_SYNCS_IN_FLIGHT are running: then the next to finish starts one covering every write so far.
   */
  #maybeStartSync(): void {
    const active = this.#active;
    const last = this.#unacked.at(-1);
    if (active === undefined || last === undefined || this.#failure !== undefined) return;
    if (active.syncing < last.end && this.#syncs.length < MAX_SYNCS_IN_FLIGHT) this.#startSync(active);
  }

  #startSync(active: ActiveSegment): void {
    const call: SyncCall = { active, target: active.written, settled: false, failure: undefined };
    active.syncing = call.target;
    this.#syncs.push(call);
    const t0 = performance.now();
    void (async () => {
      try {
        await active.file.datasync();
        this.metrics.recordFsync((performance.now() - t0) / 1000);
      } catch (error) {
        call.failure = ioError('fsync', active.state.path, error);
      }
      call.settled = true;
      this.#onSyncSettled();
    })();
  }

  /**
   * Processes finished syncs in the order they were started, so a write is acknowledged only after
   * every sync started before its covering one succeeded too (a concurrent fdatasync may swallow the
   * writeback error another one reports). A failure fails every append not yet acknowledged.
   */
  #onSyncSettled(): void {
    let failure: WalError | undefined;
    while (this.#syncs[0]?.settled === true) {
      const call = this.#syncs.shift()!;
      if (call.failure !== undefined) {
        failure ??= call.failure;
        // Its target is not covered after all: the next #syncAll must start a sync again.
        const latest = this.#syncs.at(-1);
        call.active.syncing = latest?.active === call.active ? latest.target : call.active.synced;
        if (this.#unacked.length > 0 && this.#failure === undefined) {
          this.#failure = call.failure;
          this.metrics.addError(call.failure.code);
          for (const run of this.#unacked.splice(0)) {
            for (const item of run.items) this.#settle(item, call.failure);
          }
        } else if (this.#o.fsync !== 'always') {
          // A background sync: no append waits for it, so it is reported here and retried next period.
          this.metrics.addError(call.failure.code);
          this.#o.logger?.warn(`@trisignal/wal: background fsync failed: ${call.failure.message}`);
        }
        continue;
      }
      call.active.synced = Math.max(call.active.synced, call.target);
      if (this.#failure === undefined && call.active === this.#active) {
        this.#acknowledge(call.active, call.target);
      }
    }
    this.#maybeStartSync();
    const waiters = this.#syncWaiters;
    this.#syncWaiters = [];
    for (const w of waiters) w(failure);
    this.#wakeUp();
  }

  /** Resolves when the next sync is processed, with its failure if it failed. */
  #nextSyncSettled(): Promise<WalError | undefined> {
    return new Promise((resolve) => this.#syncWaiters.push(resolve));
  }

  /** Resolves once every write to `active` so far is covered by a successful sync; rejects when one fails. */
  async #syncAll(active: ActiveSegment): Promise<void> {
    while (active.synced < active.written || this.#syncs.length > 0) {
      if (this.#failure !== undefined) throw this.#failure;
      if (active.syncing < active.written && this.#syncs.length < MAX_SYNCS_IN_FLIGHT) {
        this.#startSync(active);
      }
      const failure = await this.#nextSyncSettled();
      if (failure !== undefined) throw failure;
    }
  }

  /**
   * `fsync: 'interval'`: starts an fdatasync of everything written so far and returns; writes go on
   * while it runs (appends are acknowledged on write under this policy, so none waits for it). A
   * failure is counted and logged in #onSyncSettled, and the next period syncs again.
   */
  #backgroundSync(): void {
    const active = this.#active;
    if (active === undefined || this.#failure !== undefined) return;
    if (active.syncing < active.written && this.#syncs.length < MAX_SYNCS_IN_FLIGHT) this.#startSync(active);
  }

  async #ensureActive(): Promise<ActiveSegment> {
    const active = this.#active;
    if (active !== undefined && !active.poisoned) return active;
    if (active !== undefined) {
      this.#active = undefined;
      await active.file.close().catch(() => undefined);
    }
    return this.#createSegment();
  }

  async #createSegment(): Promise<ActiveSegment> {
    const index = (this.#segments.at(-1)?.index ?? -1) + 1;
    const file = path.join(this.dir, segmentFileName(index));
    const firstSeq = this.#nextSeq;
    let handle: WalFile | undefined;
    try {
      // 'w', not 'wx': a file left by an earlier failed attempt at this index is ours to overwrite.
      handle = await this.fs.open(file, 'w');
      await writeFully(handle, encodeSegmentHeader(index, firstSeq), 0);
      if (this.#o.fsync !== 'never') {
        await handle.datasync();
        await this.fs.syncDir(this.dir);
      }
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await this.fs.unlink(file).catch(() => undefined);
      throw ioError('create segment', file, error);
    }
    const state: SegmentState = {
      index,
      path: file,
      firstSeq,
      endSeq: firstSeq,
      bytes: SEGMENT_HEADER_BYTES,
      mtimeMs: Date.now(),
      sparse: [],
    };
    this.#segments.push(state);
    const active: ActiveSegment = {
      state,
      file: handle,
      written: SEGMENT_HEADER_BYTES,
      writtenEndSeq: firstSeq,
      synced: SEGMENT_HEADER_BYTES,
      syncing: SEGMENT_HEADER_BYTES,
      poisoned: false,
      lastIndexed: Number.NEGATIVE_INFINITY,
    };
    this.#active = active;
    return active;
  }

  /** Seals `old` (synced unless the policy is `never`) and starts the next segment. */
  async #rotate(old: ActiveSegment): Promise<ActiveSegment> {
    if (this.#o.fsync !== 'never') await this.#syncAll(old);
    this.#nextSeq = old.writtenEndSeq;
    const next = await this.#createSegment();
    await old.file.close().catch(() => undefined);
    this.#scheduleRetention();
    return next;
  }

  /** Rotation asked for by age retention, while no append is queued. */
  async #rotateIdle(): Promise<void> {
    const active = this.#active;
    if (active === undefined || active.state.endSeq === active.state.firstSeq) return;
    try {
      await this.#rotate(active);
    } catch (error) {
      this.#o.logger?.warn('@trisignal/wal: could not start a new segment for age retention', error);
    }
  }

  // ---------------------------------------------------------------- reading

  visibleEnd(): number {
    return this.#segments.at(-1)?.endSeq ?? this.#nextSeq;
  }

  firstAvailable(): number {
    for (const s of this.#segments) if (s.endSeq > s.firstSeq) return s.firstSeq;
    return this.visibleEnd();
  }

  locate(seq: number): SegmentState | undefined {
    const segments = this.#segments;
    let lo = 0;
    let hi = segments.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (segments[mid]!.endSeq > seq) hi = mid;
      else lo = mid + 1;
    }
    return segments[lo];
  }

  waitForAppend(millis: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      // On timeout the waiter leaves the list, so idle polling does not grow it.
      const timer = setTimeout(() => {
        const at = this.#appendWaiters.indexOf(done);
        if (at >= 0) this.#appendWaiters.splice(at, 1);
        resolve();
      }, millis);
      this.#appendWaiters.push(done);
    });
  }

  async persist(name: string, committed: number): Promise<void> {
    try {
      await saveCursor(this.fs, this.dir, { name, committed });
    } catch (error) {
      if (isWalError(error)) this.metrics.addError(error.code);
      throw error;
    }
  }

  onPersisted(): void {
    this.#scheduleRetention();
  }

  countCorruption(reason: string): void {
    this.metrics.addCorruption(reason);
  }

  async cursor(name: string, options: { start?: 'oldest' | 'latest' | undefined } = {}): Promise<WalCursor> {
    if (!isValidCursorName(name)) {
      throw new WalError(
        'TRISIGNAL_WAL_INVALID_ARGUMENT',
        `Expected a cursor name of letters, digits, '.', '_' or '-' (at most 128), got \`${String(name)}\``,
      );
    }
    await this.ready();
    const existing = this.#cursors.get(name);
    if (existing !== undefined) return existing;
    const start = options.start ?? 'oldest';
    if (start !== 'oldest' && start !== 'latest') {
      throw new WalError(
        'TRISIGNAL_WAL_INVALID_ARGUMENT',
        `Expected \`start\` to be 'oldest' or 'latest', got \`${String(start)}\``,
      );
    }
    const committed = start === 'latest' ? this.visibleEnd() - 1 : this.firstAvailable() - 1;
    await saveCursor(this.fs, this.dir, { name, committed });
    // Another call may have created it while this one was saving.
    const raced = this.#cursors.get(name);
    if (raced !== undefined) return raced;
    const cursor = new CursorImpl(this, name, committed);
    this.#cursors.set(name, cursor);
    return cursor;
  }

  async deleteCursor(name: string): Promise<void> {
    await this.ready();
    const cursor = this.#cursors.get(name);
    this.#cursors.delete(name);
    await cursor?.close(true);
    await deleteCursorFile(this.fs, this.dir, name);
    this.#scheduleRetention();
  }

  // ---------------------------------------------------------------- retention

  #segmentBytes(): number {
    let total = 0;
    for (const s of this.#segments) total += s === this.#active?.state ? this.#active.written : s.bytes;
    return total;
  }

  #scheduleRetention(): void {
    if (this.#closed || this.#openPromise === undefined) return;
    if (this.#retentionRunning) {
      this.#retentionAgain = true;
      return;
    }
    this.#retentionRunning = true;
    void (async () => {
      try {
        do {
          this.#retentionAgain = false;
          await this.#retention();
        } while (this.#retentionAgain && !this.#closed);
      } catch (error) {
        this.#o.logger?.warn('@trisignal/wal: retention failed', error);
      } finally {
        this.#retentionRunning = false;
      }
    })();
  }

  async #retention(): Promise<void> {
    const now = Date.now();
    for (;;) {
      // The newest segment is never deleted: it is (or becomes) the one being written.
      if (this.#segments.length <= 1 || this.#closed) return;
      const oldest = this.#segments[0]!;
      if (oldest === this.#active?.state) return;
      let reason: 'retention_age' | 'retention_bytes' | 'consumed' | undefined;
      const cursors = [...this.#cursors.values()];
      if (oldest.endSeq === oldest.firstSeq) reason = 'consumed';
      else if (cursors.length > 0 && cursors.every((c) => c.persistedCommitted + 1 >= oldest.endSeq))
        reason = 'consumed';
      else if (now - oldest.mtimeMs > this.#o.maxAgeMillis) reason = 'retention_age';
      else if (this.#segmentBytes() > this.#o.maxBytes) reason = 'retention_bytes';
      if (reason === undefined) break;
      try {
        await this.fs.unlink(oldest.path);
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'ENOENT') {
          this.#o.logger?.warn(`@trisignal/wal: could not delete ${oldest.path}`, error);
          return;
        }
      }
      this.#segments.shift();
      if (reason !== 'consumed') {
        const lost = oldest.endSeq - oldest.firstSeq;
        this.metrics.addDropped(lost, reason);
        for (const c of cursors) {
          c.addDropped(oldest.endSeq - Math.max(oldest.firstSeq, c.committed + 1), reason);
          c.skipTo(oldest.endSeq);
        }
      }
    }
    // Age also applies to the segment being written: seal it so it can go once it is old enough.
    const active = this.#active;
    if (
      active !== undefined &&
      active.state.endSeq > active.state.firstSeq &&
      now - active.state.mtimeMs > this.#o.maxAgeMillis &&
      !this.#closing
    ) {
      this.#rotateRequested = true;
      this.#kick();
    }
  }

  // ---------------------------------------------------------------- stats, flush, close

  #gauges(): WalGaugeSnapshot {
    return {
      segments: this.#segments.length,
      bytes: this.#segmentBytes(),
      cursors: [...this.#cursors.values()].map((c) => ({ name: c.name, backlog: c.stats().backlog })),
    };
  }

  stats(): WalStats {
    const first = this.firstAvailable();
    const end = this.visibleEnd();
    return {
      segments: this.#segments.length,
      bytes: this.#segmentBytes(),
      firstOffset: end > first ? first : undefined,
      lastOffset: end > first ? end - 1 : undefined,
      queuedBytes: this.#queuedBytes,
      cursors: [...this.#cursors.values()].map((c) => c.stats()),
    };
  }

  #idle(): Promise<void> {
    if (!this.#draining && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async forceFlush(): Promise<void> {
    if (this.#closed) return;
    await this.open();
    await this.#idle();
    const active = this.#active;
    if (active !== undefined) {
      try {
        await this.#syncAll(active);
      } catch (error) {
        throw isWalError(error) ? error : ioError('fsync', active.state.path, error);
      }
    }
  }

  close(): Promise<void> {
    this.#closePromise ??= this.#close();
    return this.#closePromise;
  }

  shutdown(): Promise<void> {
    return this.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(): Promise<void> {
    this.#closing = true;
    let failure: WalError | undefined;
    if (this.#openPromise !== undefined && this.#openError === undefined) {
      try {
        await this.#openPromise;
      } catch {
        // Reported to whoever called open(); nothing to flush.
      }
      await this.#idle();
      for (const t of this.#timers) clearInterval(t);
      this.#timers = [];
      this.#syncRequested = false;
      const active = this.#active;
      if (active !== undefined) {
        try {
          await this.#syncAll(active);
        } catch (error) {
          failure = isWalError(error) ? error : ioError('fsync', active.state.path, error);
        }
        await active.file.close().catch(() => undefined);
        this.#active = undefined;
      }
      for (const c of this.#cursors.values()) await c.close();
      while (this.#retentionRunning) await new Promise((r) => setTimeout(r, 1));
    }
    this.#closed = true;
    this.#writeBuffer = undefined;
    for (const w of this.#appendWaiters.splice(0)) w();
    this.metrics.shutdown();
    await this.#lock?.release();
    if (failure !== undefined) throw failure;
  }

  #closedError(): WalError {
    return new WalError('TRISIGNAL_WAL_CLOSED', `The WAL in ${this.dir} is closed`);
  }
}
