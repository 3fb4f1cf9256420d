import { context, type MeterProvider } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing, type ExportResult } from '@opentelemetry/core';
import type { Agent } from 'node:http';
import { ExporterError } from '../errors.js';
import { ExporterMetrics } from '../metrics.js';
import { createHttpTarget } from '../transport/http-transport.js';
import type { StoredEncoding } from './batch-record.js';
import type { DurableOptions } from './durable-options.js';
import { MemoryQueue, type DeliveryQueue } from './memory-queue.js';
import type { ResolvedRetryOptions } from './retry.js';
import type { DeliveryProtocol, OutgoingBatch, SenderContext } from './sender.js';
import { WalQueue } from './wal-queue.js';
import { WarnOnce } from './warn-once.js';

/** What an exporter built on {@link ExporterCore} decides. */
export interface ExporterCoreConfig<TBatch> {
  /** `otel.component.type` of its self-metrics. */
  readonly componentType: string;
  readonly url: URL;
  /** Headers of every request except `Content-Encoding` (set per body). */
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMillis: number;
  readonly retry: ResolvedRetryOptions;
  readonly durable: DurableOptions | undefined;
  readonly maxPendingBytes: number;
  readonly maxConcurrentRequests: number;
  readonly shutdownTimeoutMillis: number;
  readonly httpAgent: Agent | undefined;
  readonly meterProvider: MeterProvider | undefined;
  /** Number of items (spans, points, records, samples) in a batch. */
  count(batch: TBatch): number;
  /** Encodes a batch (synchronous; runs in the exporter's `export()`, never in request handling). */
  encode(batch: TBatch): Buffer;
  /** Compresses the encoded body (asynchronous: thread pool). */
  compress(body: Buffer): Promise<Buffer>;
  /** The encoding `compress` produces. */
  readonly encoding: StoredEncoding;
  /** Whether the WAL should compress (only when the body is not already compressed). */
  readonly walCompression: 'zstd' | 'none';
  createProtocol(metrics: ExporterMetrics, warn: WarnOnce): DeliveryProtocol;
}

/**
 * The part every exporter shares: `export()` encodes the batch, compresses it off the event loop, and
 * hands it to a queue (memory or WAL) whose sender delivers it with the protocol's retry rules. The
 * export callback reports whether the batch was *accepted* (queued in memory, or durably appended);
 * delivery outcomes are counted in `trisignal.exporter.*` and logged once per kind.
 */
export class ExporterCore<TBatch> {
  readonly metrics: ExporterMetrics;
  readonly #config: ExporterCoreConfig<TBatch>;
  readonly #queue: DeliveryQueue;
  readonly #agent: Agent;
  #tail: Promise<void> = Promise.resolve();
  #closed = false;
  #shutdown: Promise<void> | undefined;

  constructor(config: ExporterCoreConfig<TBatch>) {
    this.#config = config;
    // The queue is built right after; the gauges only read it at collection time.
    this.metrics = new ExporterMetrics(config.componentType, config.meterProvider, () =>
      this.#queue.snapshot(),
    );
    const warn = new WarnOnce(`trisignal ${this.metrics.componentName}`);
    const target = createHttpTarget(config.url, config.httpAgent);
    this.#agent = target.agent;
    const headerSets = new Map<StoredEncoding, Readonly<Record<string, string>>>();
    const ctx: SenderContext = {
      target,
      headers: (encoding) => {
        let h = headerSets.get(encoding);
        if (h === undefined) {
          h = Object.freeze(
            encoding === 'none' ? { ...config.headers } : { ...config.headers, 'Content-Encoding': encoding },
          );
          headerSets.set(encoding, h);
        }
        return h;
      },
      timeoutMillis: config.timeoutMillis,
      retry: config.retry,
      protocol: config.createProtocol(this.metrics, warn),
      metrics: this.metrics,
      warn,
    };
    this.#queue =
      config.durable === undefined
        ? new MemoryQueue(ctx, config.maxPendingBytes, config.maxConcurrentRequests)
        : new WalQueue(ctx, config.durable, config.walCompression, this.metrics.lateMeter);
  }

  /** The OpenTelemetry exporter `export()`: calls `done` exactly once, never throws. */
  export(batch: TBatch, done: (result: ExportResult) => void): void {
    if (this.#closed) {
      done({
        code: ExportResultCode.FAILED,
        error: new ExporterError('TRISIGNAL_EXPORTER_SHUTDOWN', 'the exporter is shut down'),
      });
      return;
    }
    this.metrics.start();
    // Everything below, including the HTTP requests the queue makes later, runs with tracing suppressed
    // so an HTTP instrumentation does not trace the exporter's own requests.
    context.with(suppressTracing(context.active()), () => this.#accept(batch, done));
  }

  #accept(batch: TBatch, done: (result: ExportResult) => void): void {
    const config = this.#config;
    let items: number;
    let compressed: Promise<Buffer>;
    try {
      items = config.count(batch);
      if (items === 0) {
        done({ code: ExportResultCode.SUCCESS });
        return;
      }
      compressed = config.compress(config.encode(batch));
    } catch (error) {
      items = safeCount(config, batch);
      this.metrics.addDropped(items, 'encode_error');
      done({
        code: ExportResultCode.FAILED,
        error: new ExporterError(
          'TRISIGNAL_EXPORTER_ENCODE_FAILED',
          `could not encode the batch: ${String(error)}`,
          {
            cause: error,
          },
        ),
      });
      return;
    }
    // Compressions run in parallel on the thread pool; batches are queued in export order.
    const step = this.#tail.then(async () => {
      let body: Buffer;
      try {
        body = await compressed;
      } catch (error) {
        this.metrics.addDropped(items, 'encode_error');
        done({
          code: ExportResultCode.FAILED,
          error: new ExporterError(
            'TRISIGNAL_EXPORTER_ENCODE_FAILED',
            `could not compress the batch: ${String(error)}`,
            {
              cause: error,
            },
          ),
        });
        return;
      }
      const out: OutgoingBatch = { body, items, encoding: config.encoding };
      try {
        await this.#queue.push(out);
        done({ code: ExportResultCode.SUCCESS });
      } catch (error) {
        done({
          code: ExportResultCode.FAILED,
          error: error instanceof Error ? error : new Error(String(error)),
        });
      }
    });
    this.#tail = step;
  }

  /** Waits for accepted batches to be delivered (or dropped), at most `timeoutMillis` of the config. */
  async forceFlush(): Promise<void> {
    await this.#tail;
    await this.#queue.forceFlush(this.#config.shutdownTimeoutMillis);
  }

  /** Stops accepting, sends what it can within `shutdownTimeoutMillis`, then stops. Idempotent. */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      this.#closed = true;
      await this.#tail;
      await this.#queue.shutdown(this.#config.shutdownTimeoutMillis);
      this.metrics.stop();
      if (this.#config.httpAgent === undefined) this.#agent.destroy();
    })();
    return this.#shutdown;
  }
}

function safeCount<TBatch>(config: ExporterCoreConfig<TBatch>, batch: TBatch): number {
  try {
    return config.count(batch);
  } catch {
    return 0;
  }
}
