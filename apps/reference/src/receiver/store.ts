/**
 * Where the receiver keeps what arrives: JSON Lines files in one directory, appended before the
 * receiver answers (so an acknowledged batch is on disk).
 *
 *   batches.jsonl  one line per request: seq, signal, time, wire bytes, encoding, sha256 of the decoded
 *                  body, item count, and the service / instance of each resource
 *   spans.jsonl    one line per span      (DecodedSpan + batch seq)
 *   metrics.jsonl  one line per metric    (DecodedMetric + batch seq)
 *   logs.jsonl     one line per log record (DecodedLog + batch seq)
 *
 * A restarted receiver on the same directory appends (sequence numbers continue).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import type { DecodedBatch, DecodedLog, DecodedMetric, DecodedSpan, OtlpSignal } from './decode.js';

export interface BatchRecord {
  readonly seq: number;
  readonly signal: OtlpSignal;
  readonly receivedAt: number;
  readonly contentType: string;
  readonly encoding: string;
  /** Body size on the wire (compressed). */
  readonly bytes: number;
  /** sha256 of the decompressed body: the same batch sent twice has the same hash. */
  readonly sha256: string;
  readonly items: number;
  readonly resources: readonly { readonly service: string; readonly instanceId: string }[];
}

export interface SignalCounts {
  batches: number;
  items: number;
}

export interface StoreStats {
  readonly traces: SignalCounts;
  readonly metrics: SignalCounts;
  readonly logs: SignalCounts;
}

export interface ReceiverStore {
  readonly dir: string;
  /** Appends a decoded batch; resolves with its sequence number once every line is written. */
  append(
    batch: DecodedBatch,
    meta: {
      readonly contentType: string;
      readonly encoding: string;
      readonly bytes: number;
      readonly body: Buffer;
    },
  ): Promise<number>;
  /** Counts since this store was opened. */
  stats(): StoreStats;
  /** Waits for pending writes. */
  close(): Promise<void>;
}

const FILES: Readonly<Record<OtlpSignal, string>> = {
  traces: 'spans.jsonl',
  metrics: 'metrics.jsonl',
  logs: 'logs.jsonl',
};
export const BATCHES_FILE = 'batches.jsonl';

function countLines(file: string): number {
  if (!existsSync(file)) return 0;
  const text = readFileSync(file, 'utf8');
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

export function createReceiverStore(dir: string): ReceiverStore {
  mkdirSync(dir, { recursive: true });
  let seq = countLines(path.join(dir, BATCHES_FILE));
  const counts: Record<OtlpSignal, SignalCounts> = {
    traces: { batches: 0, items: 0 },
    metrics: { batches: 0, items: 0 },
    logs: { batches: 0, items: 0 },
  };
  // One write at a time keeps every file's lines whole and in sequence order.
  let tail: Promise<unknown> = Promise.resolve();
  return {
    dir,
    append(batch, meta) {
      const n = ++seq;
      const record: BatchRecord = {
        seq: n,
        signal: batch.signal,
        receivedAt: Date.now(),
        contentType: meta.contentType,
        encoding: meta.encoding,
        bytes: meta.bytes,
        sha256: createHash('sha256').update(meta.body).digest('hex'),
        items: batch.items,
        resources: batch.resources.map((r) => ({ service: r.service, instanceId: r.instanceId })),
      };
      const lines = (batch.records as (DecodedSpan | DecodedMetric | DecodedLog)[])
        .map((r) => JSON.stringify({ ...r, batch: n }))
        .join('\n');
      const write = tail.then(async () => {
        if (lines !== '') await appendFile(path.join(dir, FILES[batch.signal]), lines + '\n');
        await appendFile(path.join(dir, BATCHES_FILE), JSON.stringify(record) + '\n');
        counts[batch.signal].batches++;
        counts[batch.signal].items += batch.items;
        return n;
      });
      tail = write.catch(() => undefined);
      return write;
    },
    stats() {
      return {
        traces: { ...counts.traces },
        metrics: { ...counts.metrics },
        logs: { ...counts.logs },
      };
    },
    async close() {
      await tail;
    },
  };
}

/** Reads a JSON Lines file of the store (a torn last line is skipped). */
export function readJsonLines<T>(dir: string, file: string): T[] {
  const full = path.join(dir, file);
  if (!existsSync(full)) return [];
  const out: T[] = [];
  for (const line of readFileSync(full, 'utf8').split('\n')) {
    if (line === '') continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // A line cut by a crash: not an acknowledged batch.
    }
  }
  return out;
}

export type StoredSpan = DecodedSpan & { readonly batch: number };
export type StoredLog = DecodedLog & { readonly batch: number };
export type StoredMetric = DecodedMetric & { readonly batch: number };

export const readSpans = (dir: string): StoredSpan[] => readJsonLines<StoredSpan>(dir, FILES.traces);
export const readLogs = (dir: string): StoredLog[] => readJsonLines<StoredLog>(dir, FILES.logs);
export const readMetrics = (dir: string): StoredMetric[] => readJsonLines<StoredMetric>(dir, FILES.metrics);
export const readBatches = (dir: string): BatchRecord[] => readJsonLines<BatchRecord>(dir, BATCHES_FILE);
