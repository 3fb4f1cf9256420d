import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createOtlpHttpSpanExporter,
  type Flushable,
  type OtlpHttpExporterOptions,
} from '../src/otlp-http.js';
import { makeSpans } from '../bench/fixtures.js';
import { createTestMetrics, type TestMetrics } from './helpers/metrics.js';
import { startSink, type Sink } from './helpers/sink.js';
import { decode, types } from './helpers/schema.js';

let sink: Sink;
let metrics: TestMetrics;
let dir: string;
const live: (SpanExporter & Flushable)[] = [];

function exporter(options: OtlpHttpExporterOptions = {}): SpanExporter & Flushable {
  const e = createOtlpHttpSpanExporter({
    url: `${sink.url}/v1/traces`,
    meterProvider: metrics.meterProvider,
    durable: { dir, fsync: 'never' },
    retry: { initialBackoffMillis: 20, maxBackoffMillis: 100 },
    shutdownTimeoutMillis: 300,
    env: {},
    ...options,
  });
  live.push(e);
  return e;
}

function exportSpans(e: SpanExporter, spans = makeSpans(10)): Promise<ExportResult> {
  return new Promise((resolve) => e.export(spans, resolve));
}

/** Span ids in every request the sink received. */
function receivedSpanIds(): string[] {
  return sink.requests.flatMap((r) => {
    const req = decode(types.traceRequest, r.body) as {
      resourceSpans: { scopeSpans: { spans: { spanId: string }[] }[] }[];
    };
    return req.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.spanId)));
  });
}

const C = { 'otel.component.type': 'otlp_http_span_exporter' };

beforeEach(async () => {
  sink = await startSink();
  metrics = createTestMetrics();
  dir = mkdtempSync(path.join(tmpdir(), 'trisignal-durable-'));
});

afterEach(async () => {
  await Promise.all(live.splice(0).map((e) => e.shutdown()));
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('durable mode (WAL)', () => {
  it('loses nothing through an outage and delivers everything, in order, once the receiver is back', async () => {
    sink.fallback = { status: 503 };
    const e = exporter();
    const sent: string[] = [];
    for (let i = 0; i < 30; i++) {
      const spans = makeSpans(20);
      sent.push(...spans.map((s) => s.spanContext().spanId));
      expect((await exportSpans(e, spans)).code).toBe(ExportResultCode.SUCCESS);
    }
    await sink.waitFor(3);
    // While the receiver is down the batches wait on disk: the sender holds one at a time.
    expect(await metrics.value('trisignal.exporter.queue.batches', C)).toBeGreaterThanOrEqual(29);
    expect(await metrics.value('trisignal.exporter.items.dropped', C)).toBe(0);
    sink.requests.length = 0;
    sink.fallback = { status: 200 };
    await sink.waitFor(30);
    await e.forceFlush();
    expect(receivedSpanIds()).toEqual(sent);
    expect(await metrics.value('trisignal.exporter.items.sent', C)).toBe(600);
    expect(await metrics.value('trisignal.exporter.queue.batches', C)).toBe(0);
  });

  it('after a restart mid-outage, the new exporter delivers every batch the old one accepted', async () => {
    sink.fallback = { status: 503 };
    const first = exporter();
    const sent: string[] = [];
    for (let i = 0; i < 10; i++) {
      const spans = makeSpans(15);
      sent.push(...spans.map((s) => s.spanContext().spanId));
      expect((await exportSpans(first, spans)).code).toBe(ExportResultCode.SUCCESS);
    }
    await first.shutdown(); // still down: nothing was delivered, everything stays in the log
    expect(await metrics.value('trisignal.exporter.items.sent', C)).toBe(0);
    expect(await metrics.value('trisignal.exporter.items.dropped', C)).toBe(0);

    sink.requests.length = 0;
    sink.fallback = { status: 200 };
    const second = exporter();
    await sink.waitFor(10);
    await second.forceFlush();
    expect(receivedSpanIds()).toEqual(sent);
  });

  it('does not hold up forceFlush or shutdown during an outage: accepted batches are already on disk', async () => {
    sink.fallback = { status: 503 };
    // With an in-memory queue these would wait the full minute; durable mode stops waiting at the first failure.
    const e = exporter({ shutdownTimeoutMillis: 60_000 });
    await exportSpans(e);
    await sink.waitFor(1);
    await e.forceFlush();
    await e.shutdown();
    expect(await metrics.value('trisignal.exporter.items.dropped', C)).toBe(0);
  });

  it('keeps the backlog when the receiver is unreachable (connection refused) and sends it later', async () => {
    await sink.stop();
    const e = exporter();
    await exportSpans(e);
    await exportSpans(e);
    await new Promise((r) => setTimeout(r, 200));
    await sink.start();
    await sink.waitFor(2);
    await e.forceFlush();
    expect(receivedSpanIds()).toHaveLength(20);
  });

  it('counts the batches the WAL drops to stay within maxBytes (retention) and sends the rest', async () => {
    sink.fallback = { status: 503 };
    const e = exporter({ durable: { dir, fsync: 'never', maxSegmentBytes: 4096, maxBytes: 16_384 } });
    for (let i = 0; i < 40; i++) expect((await exportSpans(e)).code).toBe(ExportResultCode.SUCCESS);
    const retention = { ...C, 'trisignal.exporter.drop.reason': 'retention' };
    expect(await metrics.value('trisignal.exporter.items.dropped', retention)).toBeGreaterThan(0);
    sink.requests.length = 0;
    sink.fallback = { status: 200 };
    await expect
      .poll(() => metrics.value('trisignal.exporter.queue.batches', C), { timeout: 10_000 })
      .toBe(0);
    await e.forceFlush();
    const delivered = receivedSpanIds().length;
    const dropped = await metrics.value('trisignal.exporter.items.dropped', retention);
    expect(dropped % 10).toBe(0); // estimated from the mean batch size: 10 spans each
    expect(delivered).toBeGreaterThan(0);
    // Everything accepted is either delivered or counted as dropped (the batch in flight at the outage's
    // end may have been both kept and dropped by segment retention, hence ≥).
    expect(delivered + dropped).toBeGreaterThanOrEqual(400);
  });

  it('commits delivered batches at most once per commitIntervalMillis, and everything at shutdown', async () => {
    const cursorFile = path.join(dir, 'cursors', 'sender.json');
    const committedOnDisk = (): number | undefined =>
      existsSync(cursorFile)
        ? (JSON.parse(readFileSync(cursorFile, 'utf8')) as { committed: number }).committed
        : undefined;
    const e = exporter({ durable: { dir, fsync: 'never', commitIntervalMillis: 60_000 } });
    for (let i = 0; i < 30; i++) expect((await exportSpans(e)).code).toBe(ExportResultCode.SUCCESS);
    await sink.waitFor(30);
    await e.forceFlush();
    expect(receivedSpanIds()).toHaveLength(300);
    expect(await metrics.value('trisignal.exporter.queue.batches', C)).toBe(0);
    // The first delivery was committed at once; the other 29 wait for the interval (a minute).
    await expect.poll(committedOnDisk).toBe(0);
    await e.shutdown();
    expect(committedOnDisk()).toBe(29);
    // A restart sends nothing again: the shutdown committed every delivered batch.
    const again = exporter({ durable: { dir, fsync: 'never' } });
    await again.forceFlush();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sink.requests).toHaveLength(30);
  });

  it('commitIntervalMillis 0 commits after every batch; a negative value is refused', async () => {
    const cursorFile = path.join(dir, 'cursors', 'sender.json');
    const e = exporter({ durable: { dir, fsync: 'never', commitIntervalMillis: 0 } });
    for (let i = 0; i < 5; i++) expect((await exportSpans(e)).code).toBe(ExportResultCode.SUCCESS);
    await sink.waitFor(5);
    await expect
      .poll(() =>
        existsSync(cursorFile)
          ? (JSON.parse(readFileSync(cursorFile, 'utf8')) as { committed: number }).committed
          : -1,
      )
      .toBe(4);
    expect(() => exporter({ durable: { dir, commitIntervalMillis: -1 } })).toThrow(
      expect.objectContaining({ code: 'TRISIGNAL_EXPORTER_INVALID_OPTION' }),
    );
  });

  it('commits past a permanently refused batch and counts it as dropped', async () => {
    sink.script({ status: 400 });
    const e = exporter();
    await exportSpans(e);
    await exportSpans(e);
    await sink.waitFor(2);
    await e.forceFlush();
    expect(sink.requests).toHaveLength(2);
    expect(
      await metrics.value('trisignal.exporter.items.dropped', {
        ...C,
        'trisignal.exporter.drop.reason': 'permanent_error',
        'http.response.status_code': 400,
      }),
    ).toBe(10);
    expect(await metrics.value('trisignal.exporter.items.sent', C)).toBe(10);
  });
});
