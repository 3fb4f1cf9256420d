import { ExporterError } from '../errors.js';
import type { QueueSnapshot } from '../metrics.js';
import { deliver, type OutgoingBatch, type SenderContext } from './sender.js';

/** Where accepted batches wait for the sender: memory (bounded) or the WAL (durable). */
export interface DeliveryQueue {
  /** Accepts a batch; resolves once it is held (in memory, or durably in the WAL). Rejects with an `ExporterError`. */
  push(batch: OutgoingBatch): Promise<void>;
  /** Bytes and batches not yet delivered. */
  snapshot(): QueueSnapshot;
  /** Waits until everything accepted so far is delivered or dropped, or `timeoutMillis` passed. */
  forceFlush(timeoutMillis: number): Promise<void>;
  /** Stops accepting, keeps sending for up to `timeoutMillis`, then aborts what is left. */
  shutdown(timeoutMillis: number): Promise<void>;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * The non-durable queue: encoded batches in memory, at most `maxPendingBytes` of them (counting those
 * being sent), delivered by up to `concurrency` senders. A batch that does not fit is dropped and
 * counted (`queue_full`); one larger than the whole budget is still taken when the queue is empty, or
 * it could never be sent.
 */
export class MemoryQueue implements DeliveryQueue {
  readonly #ctx: SenderContext;
  readonly #maxPendingBytes: number;
  readonly #concurrency: number;
  readonly #entries: OutgoingBatch[] = [];
  readonly #abort = new AbortController();
  #pendingBytes = 0;
  #inflight = 0;
  #closed = false;
  #idleWaiters: (() => void)[] = [];

  constructor(ctx: SenderContext, maxPendingBytes: number, concurrency: number) {
    this.#ctx = ctx;
    this.#maxPendingBytes = maxPendingBytes;
    this.#concurrency = concurrency;
  }

  push(batch: OutgoingBatch): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new ExporterError('TRISIGNAL_EXPORTER_SHUTDOWN', 'the exporter is shut down'));
    }
    const size = batch.body.length;
    if (this.#pendingBytes > 0 && this.#pendingBytes + size > this.#maxPendingBytes) {
      this.#ctx.metrics.addDropped(batch.items, 'queue_full');
      this.#ctx.warn.warn(
        'queue_full',
        `dropped ${batch.items} items: ${this.#pendingBytes} bytes are already waiting (maxPendingBytes ${this.#maxPendingBytes})`,
      );
      return Promise.reject(
        new ExporterError(
          'TRISIGNAL_EXPORTER_QUEUE_FULL',
          `the send queue is full (${this.#pendingBytes} of ${this.#maxPendingBytes} bytes pending)`,
        ),
      );
    }
    this.#pendingBytes += size;
    this.#entries.push(batch);
    this.#pump();
    return Promise.resolve();
  }

  #pump(): void {
    while (this.#inflight < this.#concurrency && this.#entries.length > 0 && !this.#abort.signal.aborted) {
      const batch = this.#entries.shift()!;
      this.#inflight++;
      void deliver(batch, this.#ctx, this.#abort.signal).then((outcome) => {
        this.#inflight--;
        this.#pendingBytes -= batch.body.length;
        if (outcome === 'aborted') this.#ctx.metrics.addDropped(batch.items, 'shutdown');
        this.#pump();
        if (this.#inflight === 0 && this.#entries.length === 0) this.#notifyIdle();
      });
    }
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  #idle(): Promise<void> {
    if (this.#inflight === 0 && this.#entries.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  snapshot(): QueueSnapshot {
    return { bytes: this.#pendingBytes, batches: this.#entries.length + this.#inflight };
  }

  async forceFlush(timeoutMillis: number): Promise<void> {
    await Promise.race([this.#idle(), delay(timeoutMillis)]);
  }

  async shutdown(timeoutMillis: number): Promise<void> {
    this.#closed = true;
    await Promise.race([this.#idle(), delay(timeoutMillis)]);
    if (this.#inflight === 0 && this.#entries.length === 0) return;
    const left = this.#entries.splice(0);
    let items = 0;
    for (const b of left) {
      items += b.items;
      this.#pendingBytes -= b.body.length;
    }
    if (items > 0) {
      this.#ctx.metrics.addDropped(items, 'shutdown');
      this.#ctx.warn.warn('shutdown', `dropped ${items} unsent items at shutdown (non-durable mode)`);
    }
    this.#abort.abort();
    await this.#idle();
  }
}
