import type { Meter } from '@opentelemetry/api';
import { diag } from '@opentelemetry/api';
import { createWal, type Wal, type WalCompression, type WalCursor } from '@trisignal/wal';
import { ExporterError, invalidOption } from '../errors.js';
import type { QueueSnapshot } from '../metrics.js';
import { decodeBatchRecord, encodeBatchRecord } from './batch-record.js';
import type { DurableOptions } from './durable-options.js';
import type { DeliveryQueue } from './memory-queue.js';
import { deliver, type OutgoingBatch, type SenderContext } from './sender.js';

/** How long one cursor read waits for an append before looking at shutdown again. */
const READ_WAIT_MILLIS = 500;

/** Default of `durable.commitIntervalMillis` (see DurableOptions). */
const COMMIT_INTERVAL_MILLIS = 1000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * The durable queue: every accepted batch is appended to a WAL, and one sender reads the log through a
 * named cursor, delivers each record, and commits it only once it is delivered or refused for good
 * (written to disk at most once per `commitIntervalMillis`, and at shutdown). A batch is in memory only
 * while it is being sent, so an outage grows the log on disk, not the heap. Records go out one at a time
 * in log order, which keeps every series' samples in order. After a restart the cursor resumes after its
 * last commit, so batches accepted before a crash or a shutdown are sent then (at least once: after a
 * crash, the one in flight and those delivered since the last commit are sent again).
 */
export class WalQueue implements DeliveryQueue {
  readonly #ctx: SenderContext;
  readonly #wal: Wal;
  readonly #cursorName: string;
  readonly #ready: Promise<WalCursor | undefined>;
  readonly #abort = new AbortController();
  readonly #appends = new Set<Promise<unknown>>();
  #cursor: WalCursor | undefined;
  /** No more pushes (shutdown started). */
  #closed = false;
  /** The sender loop ends (after shutdown's drain window). */
  #stopping = false;
  #loop: Promise<void> = Promise.resolve();
  #sending = false;
  #inflightBytes = 0;
  #droppedSeen = 0;
  #itemsSeen = 0;
  #batchesSeen = 0;
  #idleWaiters: (() => void)[] = [];
  /** The sender is waiting to retry (receiver unreachable or refusing for now). */
  #stalled = false;
  /** Offset of the last record delivered (or refused for good); committed at most every interval. */
  #delivered = -1;
  #committing: Promise<void> | undefined;
  #commitTimer: NodeJS.Timeout | undefined;
  #lastCommitAt = Number.NEGATIVE_INFINITY;
  readonly #commitIntervalMillis: number;

  constructor(
    ctx: SenderContext,
    options: DurableOptions,
    walCompression: WalCompression,
    meter: Meter | undefined,
  ) {
    // A flush or shutdown waits for the backlog only while the receiver takes it: once an attempt fails,
    // the batches are safe on disk and waiting longer would only hold up the application.
    this.#ctx = {
      ...ctx,
      onRetryWait: () => {
        this.#stalled = true;
        this.#notifyIdle();
      },
    };
    this.#cursorName = options.cursor ?? 'sender';
    const interval = options.commitIntervalMillis ?? COMMIT_INTERVAL_MILLIS;
    if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0) {
      throw invalidOption('durable.commitIntervalMillis', interval, 'a finite number ≥ 0');
    }
    this.#commitIntervalMillis = interval;
    this.#wal = createWal({
      dir: options.dir,
      maxBytes: options.maxBytes,
      maxAgeMillis: options.maxAgeMillis,
      fsync: options.fsync,
      fsyncIntervalMillis: options.fsyncIntervalMillis,
      maxSegmentBytes: options.maxSegmentBytes,
      maxRecordBytes: options.maxRecordBytes,
      // A wire-compressed body does not shrink again: compressing it a second time only costs CPU.
      compression: walCompression,
      meter,
      logger: diag,
    });
    this.#ready = this.#open();
    // Unsent batches from a previous run go out as soon as the log is open, before any new export.
    this.#loop = this.#ready.then((cursor) => (cursor === undefined ? undefined : this.#run(cursor)));
  }

  async #open(): Promise<WalCursor | undefined> {
    try {
      const report = await this.#wal.open();
      if (report.recordsLost > 0) {
        this.#ctx.warn.warn(
          'wal_open',
          `the WAL lost ${report.recordsLost} records to damage while recovering`,
        );
      }
      const cursor = await this.#wal.cursor(this.#cursorName);
      this.#cursor = cursor;
      this.#delivered = cursor.committed;
      this.#droppedSeen = droppedTotal(cursor);
      return cursor;
    } catch (error) {
      diag.error(`trisignal: could not open the exporter's WAL; batches will be dropped: ${String(error)}`);
      return undefined;
    }
  }

  async push(batch: OutgoingBatch): Promise<void> {
    if (this.#closed) throw new ExporterError('TRISIGNAL_EXPORTER_SHUTDOWN', 'the exporter is shut down');
    const cursor = await this.#ready;
    if (cursor === undefined) {
      this.#ctx.metrics.addDropped(batch.items, 'wal_error');
      throw new ExporterError('TRISIGNAL_EXPORTER_WAL_FAILED', 'the WAL could not be opened');
    }
    const append = this.#wal.append(encodeBatchRecord(batch.encoding, batch.items, batch.body));
    this.#appends.add(append);
    try {
      await append;
      this.#itemsSeen += batch.items;
      this.#batchesSeen += 1;
    } catch (error) {
      this.#ctx.metrics.addDropped(batch.items, 'wal_error');
      this.#ctx.warn.warn(
        'wal_error',
        `dropped ${batch.items} items: the WAL refused the append: ${String(error)}`,
      );
      throw new ExporterError('TRISIGNAL_EXPORTER_WAL_FAILED', 'the WAL refused the batch', { cause: error });
    } finally {
      this.#appends.delete(append);
    }
  }

  async #run(cursor: WalCursor): Promise<void> {
    while (!this.#stopping) {
      this.#countRetentionDrops(cursor);
      let records;
      try {
        records = await cursor.read({ maxRecords: 1, waitMillis: READ_WAIT_MILLIS });
      } catch (error) {
        if (this.#stopping) return;
        diag.error(`trisignal: reading the exporter's WAL failed: ${String(error)}`);
        await delay(1000);
        continue;
      }
      if (records.length === 0) {
        this.#notifyIdle();
        continue;
      }
      for (const record of records) {
        const batch = decodeBatchRecord(record.data);
        if (batch !== undefined) {
          this.#sending = true;
          this.#inflightBytes = batch.body.length;
          const outcome = await deliver(batch, this.#ctx, this.#abort.signal);
          this.#stalled = false;
          this.#sending = false;
          this.#inflightBytes = 0;
          if (outcome === 'aborted') {
            // Not delivered: it stays in the log for the next start.
            cursor.rewind();
            return;
          }
        } else {
          // Item count unknown (the header is unreadable): count the batch as one.
          this.#ctx.metrics.addDropped(1, 'corrupt_record');
          this.#ctx.warn.warn(
            'corrupt_record',
            `skipped WAL record ${record.offset}: not a batch of this version`,
          );
        }
        this.#delivered = Math.max(this.#delivered, record.offset);
        this.#scheduleCommit(cursor);
      }
      if (this.#backlog(cursor) === 0) this.#notifyIdle();
    }
  }

  /**
   * Records after the last delivered one. The cursor's own backlog counts from its last commit (or from
   * the oldest record retention left, if that is later); delivered records past that point are not left.
   */
  #backlog(cursor: WalCursor): number {
    const stats = cursor.stats();
    if (stats.backlog === 0) return 0;
    const start = Math.max(stats.committed + 1, this.#wal.stats().firstOffset ?? 0);
    return Math.max(0, stats.backlog - Math.max(0, this.#delivered + 1 - start));
  }

  /** Commits what was delivered now if the interval has passed, else once it has (one commit at a time). */
  #scheduleCommit(cursor: WalCursor): void {
    if (this.#committing !== undefined || this.#commitTimer !== undefined) return;
    if (this.#delivered <= cursor.committed) return;
    const wait = this.#lastCommitAt + this.#commitIntervalMillis - performance.now();
    if (wait <= 0) {
      void this.#commit(cursor);
      return;
    }
    this.#commitTimer = setTimeout(() => {
      this.#commitTimer = undefined;
      void this.#commit(cursor);
    }, wait).unref();
  }

  #commit(cursor: WalCursor): Promise<void> {
    const target = this.#delivered;
    if (target <= cursor.committed) return Promise.resolve();
    this.#lastCommitAt = performance.now();
    const commit = cursor
      .commit(target)
      .catch((error: unknown) => {
        // Not fatal: the position stays where it was, and the next commit covers these records too.
        diag.error(`trisignal: committing the exporter's WAL cursor failed: ${String(error)}`);
      })
      .finally(() => {
        this.#committing = undefined;
        if (!this.#stopping) this.#scheduleCommit(cursor);
      });
    this.#committing = commit;
    return commit;
  }

  /** Stops the commit timer and commits everything delivered (shutdown). */
  async #commitNow(cursor: WalCursor): Promise<void> {
    if (this.#commitTimer !== undefined) clearTimeout(this.#commitTimer);
    this.#commitTimer = undefined;
    await this.#committing;
    await this.#commit(cursor);
  }

  /** The WAL drops whole segments past `maxBytes`/`maxAgeMillis`; count the batches this cursor lost. */
  #countRetentionDrops(cursor: WalCursor): void {
    const total = droppedTotal(cursor);
    const lost = total - this.#droppedSeen;
    if (lost <= 0) return;
    this.#droppedSeen = total;
    // The records are gone, so their item counts are too: estimate from the mean batch seen so far.
    const mean = this.#batchesSeen > 0 ? this.#itemsSeen / this.#batchesSeen : 1;
    this.#ctx.metrics.addDropped(Math.max(1, Math.round(lost * mean)), 'retention');
    this.#ctx.warn.warn(
      'retention',
      `the WAL dropped ${lost} unsent batches to stay within its size or age limit`,
    );
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  #idle(): Promise<void> {
    const cursor = this.#cursor;
    if (cursor === undefined || this.#stalled || (!this.#sending && this.#backlog(cursor) === 0))
      return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  snapshot(): QueueSnapshot {
    const cursor = this.#cursor;
    if (cursor === undefined) return { bytes: 0, batches: 0 };
    this.#countRetentionDrops(cursor);
    const stats = this.#wal.stats();
    const backlog = this.#backlog(cursor);
    // Bytes on disk after the cursor are not tracked by the WAL; its total size bounds them.
    return { bytes: backlog === 0 ? this.#inflightBytes : stats.bytes, batches: backlog };
  }

  /** Waits for pending appends (durability), then for delivery while the receiver takes batches. */
  async forceFlush(timeoutMillis: number): Promise<void> {
    await Promise.allSettled([...this.#appends]);
    await this.#ready;
    await Promise.race([this.#idle(), delay(timeoutMillis)]);
  }

  async shutdown(timeoutMillis: number): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#appends]);
    const cursor = await this.#ready;
    if (cursor !== undefined) {
      // Give the receiver a chance to take the backlog; what is left stays in the log.
      await Promise.race([this.#idle(), delay(timeoutMillis)]);
    }
    this.#stopping = true;
    this.#abort.abort();
    await this.#loop;
    if (cursor !== undefined) await this.#commitNow(cursor);
    this.#notifyIdle();
    await this.#wal.close();
  }
}

function droppedTotal(cursor: WalCursor): number {
  let n = 0;
  for (const v of Object.values(cursor.stats().dropped)) n += v;
  return n;
}
