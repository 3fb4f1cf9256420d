/**
 * Named cursors: each consumer reads from its own position and commits what it has consumed. The
 * committed offset is persisted (see `cursor-store.ts`); the read position lives in memory and restarts
 * at `committed + 1`.
 */
import { WalError, ioError, isWalError } from './errors.js';
import { decodeFramePayload } from './frames.js';
import type { WalFile, WalFs } from './internal/fs.js';
import type { WalMetrics } from './metrics.js';
import type { SegmentState } from './recovery.js';
import { SEGMENT_HEADER_BYTES } from './record-codec.js';
import { readFrameBatch, type RawFrame } from './segment-reader.js';

/** Why records were lost to a cursor (or to the log). */
export type WalDropReason =
  'retention_bytes' | 'retention_age' | 'corruption' | 'missing_segment' | 'queue_full';

/** One record as read back: its offset and its bytes. */
export interface WalRecord {
  readonly offset: number;
  readonly data: Uint8Array;
}

/** Limits of one {@link WalCursor.read}. */
export interface WalReadOptions {
  /**
   * Stop before the records returned pass this many bytes (one record is returned even if larger).
   * @default 4194304 (4 MiB)
   */
  readonly maxBytes?: number | undefined;
  /**
   * Return at most this many records.
   * @default 1024
   */
  readonly maxRecords?: number | undefined;
  /**
   * When nothing is available, wait up to this long for an append before returning an empty array.
   * @default 0
   */
  readonly waitMillis?: number | undefined;
}

/** Defaults of {@link WalReadOptions}. */
export const READ_DEFAULTS = { maxBytes: 4 * 1024 * 1024, maxRecords: 1024, waitMillis: 0 } as const;

/** A snapshot of a cursor. */
export interface WalCursorStats {
  readonly name: string;
  /** Last committed offset (-1 before the first record). */
  readonly committed: number;
  /** Offset the next `read()` starts from. */
  readonly readOffset: number;
  /** Records after the committed offset. */
  readonly backlog: number;
  /** Records this cursor lost since the WAL was opened, by reason. */
  readonly dropped: Readonly<Record<Exclude<WalDropReason, 'queue_full'>, number>>;
}

/** A consumer's position in the log. */
export interface WalCursor {
  readonly name: string;
  /** Last committed offset (-1 before the first record). */
  readonly committed: number;
  /**
   * Records after the read position, oldest first, within the limits. Resolves with an empty array when
   * none is available (after `waitMillis`). Damaged data is skipped and counted, never returned.
   */
  read(options?: WalReadOptions): Promise<WalRecord[]>;
  /**
   * Marks every record up to and including `offset` consumed, and resolves once that is on disk.
   * Commits below the current one are ignored; past the last appended record reject with
   * `TRISIGNAL_WAL_INVALID_ARGUMENT`.
   */
  commit(offset: number): Promise<void>;
  /** Moves the read position back to just after the committed offset (to retry what was read). */
  rewind(): void;
  stats(): WalCursorStats;
}

/** What a cursor needs from the WAL. */
export interface CursorHost {
  readonly fs: WalFs;
  readonly dir: string;
  readonly metrics: WalMetrics;
  /** Resolves when the WAL is open; rejects once it is closed. */
  ready(): Promise<void>;
  /** Sequence after the last acknowledged record. */
  visibleEnd(): number;
  /** Sequence of the oldest record still on disk. */
  firstAvailable(): number;
  /** The segment holding `seq` or, past a gap, the next one; undefined past the end. */
  locate(seq: number): SegmentState | undefined;
  waitForAppend(millis: number): Promise<void>;
  persist(name: string, committed: number): Promise<void>;
  /** A commit reached the disk: retention may now delete what every cursor has passed. */
  onPersisted(): void;
  countCorruption(reason: string): void;
}

/** Frames decoding ahead of the reader; bounds the memory a cursor holds to this many frames. */
const PREFETCH = 6;

function limit(field: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || Number.isNaN(v) || v < (field === 'waitMillis' ? 0 : 1)) {
    throw new WalError(
      'TRISIGNAL_WAL_INVALID_ARGUMENT',
      `Expected \`${field}\` to be a positive number, got \`${String(v)}\``,
    );
  }
  return v;
}

/** @internal */
export class CursorImpl implements WalCursor {
  readonly name: string;
  readonly #host: CursorHost;
  #committed: number;
  #persisted: number;
  #readSeq: number;
  #deleted = false;
  // Reader state: the segment being read, its file, and the next frame position in it.
  #segment: SegmentState | undefined;
  #file: WalFile | undefined;
  #pos = SEGMENT_HEADER_BYTES;
  #fetchSeq: number;
  #raw: RawFrame[] = [];
  #inflight: { frame: RawFrame; result: Promise<Uint8Array[] | undefined> }[] = [];
  #decoded: WalRecord[] = [];
  #readChain: Promise<unknown> = Promise.resolve();
  #saving: Promise<void> | undefined;
  #wanted = -1;
  readonly #dropped = { retention_bytes: 0, retention_age: 0, corruption: 0, missing_segment: 0 };

  constructor(host: CursorHost, name: string, committed: number) {
    this.#host = host;
    this.name = name;
    this.#committed = committed;
    this.#persisted = committed;
    this.#wanted = committed;
    this.#readSeq = committed + 1;
    this.#fetchSeq = this.#readSeq;
  }

  get committed(): number {
    return this.#committed;
  }

  /** Committed offset as last written to disk (what retention may rely on). */
  get persistedCommitted(): number {
    return this.#persisted;
  }

  read(options: WalReadOptions = {}): Promise<WalRecord[]> {
    // Reads of one cursor run one after another: they share the position.
    const run = this.#readChain.then(() => this.#read(options));
    this.#readChain = run.catch(() => undefined);
    return run;
  }

  async #read(options: WalReadOptions): Promise<WalRecord[]> {
    const maxBytes = limit('maxBytes', options.maxBytes, READ_DEFAULTS.maxBytes);
    const maxRecords = limit('maxRecords', options.maxRecords, READ_DEFAULTS.maxRecords);
    const waitMillis = limit('waitMillis', options.waitMillis, READ_DEFAULTS.waitMillis);
    await this.#host.ready();
    this.#assertUsable();
    try {
      let out = await this.#collect(maxBytes, maxRecords);
      if (out.length === 0 && waitMillis > 0) {
        await this.#host.waitForAppend(waitMillis);
        this.#assertUsable();
        out = await this.#collect(maxBytes, maxRecords);
      }
      return out;
    } catch (error) {
      if (isWalError(error)) throw error;
      const where = this.#segment?.path ?? this.#host.dir;
      // A failed read leaves the fetch state unknown: start over from the read position next time.
      this.#resetFetch();
      throw ioError('read', where, error);
    }
  }

  #assertUsable(): void {
    if (this.#deleted) throw new WalError('TRISIGNAL_WAL_CLOSED', `Cursor "${this.name}" was deleted`);
  }

  async #collect(maxBytes: number, maxRecords: number): Promise<WalRecord[]> {
    const out: WalRecord[] = [];
    let bytes = 0;
    for (;;) {
      while (this.#decoded.length > 0) {
        const next = this.#decoded[0]!;
        if (next.offset < this.#readSeq) {
          this.#decoded.shift();
          continue;
        }
        if (out.length >= maxRecords || (out.length > 0 && bytes + next.data.length > maxBytes)) return out;
        this.#decoded.shift();
        out.push(next);
        bytes += next.data.length;
        this.#readSeq = next.offset + 1;
      }
      if (out.length >= maxRecords || bytes >= maxBytes) return out;
      if (!(await this.#advance())) return out;
    }
  }

  /**
   * Moves the next decoded frame into `#decoded`, keeping up to PREFETCH frames decoding on the thread
   * pool meanwhile (so replay keeps every core busy). False when nothing more is visible.
   */
  async #advance(): Promise<boolean> {
    await this.#topUp();
    const head = this.#inflight.shift();
    if (head === undefined) return false;
    await this.#topUp();
    const records = await head.result;
    const frame = head.frame;
    if (records === undefined) {
      this.#host.countCorruption('bad_content');
      this.addDropped(frame.seq + frame.count - Math.max(this.#readSeq, frame.seq), 'corruption');
      return true;
    }
    records.forEach((data, j) => this.#decoded.push({ offset: frame.seq + j, data }));
    return true;
  }

  async #topUp(): Promise<void> {
    while (this.#inflight.length < PREFETCH) {
      if (this.#raw.length === 0 && !(await this.#fetch())) return;
      const frame = this.#raw.shift()!;
      this.#inflight.push({
        frame,
        result: decodeFramePayload(frame.payload, frame.flags, frame.count, frame.rawLength),
      });
    }
  }

  /** Reads the next frames after `#fetchSeq` into `#raw`; false when nothing more is visible. */
  async #fetch(): Promise<boolean> {
    const host = this.#host;
    for (;;) {
      if (this.#fetchSeq < host.firstAvailable()) this.#fetchSeq = host.firstAvailable();
      if (this.#fetchSeq >= host.visibleEnd()) return false;
      const segment = host.locate(this.#fetchSeq);
      if (segment === undefined) return false;
      if (this.#fetchSeq < segment.firstSeq) this.#fetchSeq = segment.firstSeq;
      if (this.#fetchSeq >= segment.endSeq) continue;
      if (segment !== this.#segment && !(await this.#openSegment(segment))) continue;
      const batch = await readFrameBatch(this.#file!, this.#pos, segment.bytes);
      if (batch.frames.length === 0) {
        // Damage that appeared after open (or a file shorter than the table says): skip what is visible
        // in this segment now and count it lost; later appends are read from the new end.
        host.countCorruption(batch.damage?.reason ?? 'bad_length');
        this.addDropped(segment.endSeq - this.#fetchSeq, 'corruption');
        this.#fetchSeq = segment.endSeq;
        this.#pos = segment.bytes;
        continue;
      }
      this.#pos = batch.nextPos;
      for (const f of batch.frames) {
        if (f.seq + f.count <= this.#fetchSeq) continue;
        this.#raw.push(f);
        this.#fetchSeq = f.seq + f.count;
      }
      if (this.#raw.length > 0) return true;
    }
  }

  /** Opens `segment` for fetching; false when its file is gone (deleted meanwhile or by hand). */
  async #openSegment(segment: SegmentState): Promise<boolean> {
    await this.#closeFile();
    try {
      this.#file = await this.#host.fs.open(segment.path, 'r');
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw ioError('open', segment.path, error);
      // Retention deleting it between locate() and open() already counted the loss; a file removed
      // by hand is counted here, once, as a missing segment.
      if (this.#host.locate(this.#fetchSeq) === segment) {
        this.#host.countCorruption('missing_segment');
        this.addDropped(segment.endSeq - Math.max(this.#fetchSeq, segment.firstSeq), 'missing_segment');
        this.#fetchSeq = segment.endSeq;
      }
      return false;
    }
    this.#segment = segment;
    // Start from the closest indexed frame at or before the fetch position.
    let pos = SEGMENT_HEADER_BYTES;
    for (const entry of segment.sparse) {
      if (entry.seq > this.#fetchSeq) break;
      pos = entry.pos;
    }
    this.#pos = pos;
    return true;
  }

  /** Forgets everything fetched ahead of the read position. */
  #resetFetch(): void {
    this.#fetchSeq = this.#readSeq;
    this.#raw = [];
    this.#inflight = [];
    this.#decoded = [];
    // Re-seek through the sparse index on the next fetch.
    this.#segment = undefined;
  }

  async #closeFile(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    this.#segment = undefined;
    if (file !== undefined) await file.close().catch(() => undefined);
  }

  async commit(offset: number): Promise<void> {
    await this.#host.ready();
    this.#assertUsable();
    if (!Number.isSafeInteger(offset) || offset < -1) {
      throw new WalError(
        'TRISIGNAL_WAL_INVALID_ARGUMENT',
        `Expected \`offset\` to be an integer ≥ -1, got \`${String(offset)}\``,
      );
    }
    const last = this.#host.visibleEnd() - 1;
    if (offset > last) {
      throw new WalError(
        'TRISIGNAL_WAL_INVALID_ARGUMENT',
        `Cannot commit offset ${offset}: the last acknowledged record is ${last}`,
      );
    }
    if (offset > this.#committed) {
      this.#committed = offset;
      if (this.#readSeq <= offset) {
        this.#readSeq = offset + 1;
        if (this.#fetchSeq < this.#readSeq) this.#resetFetch();
      }
    }
    this.#wanted = Math.max(this.#wanted, offset);
    // Commits coalesce: while one write is in flight, later offsets wait and the next write takes the
    // highest of them.
    while (this.#persisted < offset) {
      if (this.#saving === undefined) {
        const value = this.#wanted;
        this.#saving = this.#host
          .persist(this.name, value)
          .then(() => {
            this.#persisted = Math.max(this.#persisted, value);
            this.#host.onPersisted();
          })
          .finally(() => {
            this.#saving = undefined;
          });
      }
      await this.#saving;
    }
  }

  rewind(): void {
    this.#readSeq = this.#committed + 1;
    this.#resetFetch();
  }

  stats(): WalCursorStats {
    const end = this.#host.visibleEnd();
    return {
      name: this.name,
      committed: this.#committed,
      readOffset: Math.max(this.#readSeq, this.#host.firstAvailable()),
      backlog: Math.max(0, end - Math.max(this.#committed + 1, this.#host.firstAvailable())),
      dropped: { ...this.#dropped },
    };
  }

  /** Counts records this cursor lost (and reports them as a metric). */
  addDropped(records: number, reason: Exclude<WalDropReason, 'queue_full'>): void {
    if (records <= 0) return;
    this.#dropped[reason] += records;
    this.#host.metrics.addDropped(records, reason, this.name);
  }

  /** Moves the read position past records that no longer exist. */
  skipTo(seq: number): void {
    if (this.#readSeq < seq) {
      this.#readSeq = seq;
      this.#resetFetch();
    }
  }

  /** Releases the open segment file. `deleted` makes further use reject. */
  async close(deleted = false): Promise<void> {
    if (deleted) this.#deleted = true;
    await this.#readChain;
    if (this.#saving !== undefined) await this.#saving.catch(() => undefined);
    await this.#closeFile();
  }
}
