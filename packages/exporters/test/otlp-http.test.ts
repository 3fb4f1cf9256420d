import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOtlpHttpSpanExporter } from '../src/otlp-http.js';
import type { Flushable, OtlpHttpExporterOptions } from '../src/otlp-http.js';
import { makeSpans } from '../bench/fixtures.js';
import { createTestMetrics, type TestMetrics } from './helpers/metrics.js';
import { startSink, type Sink } from './helpers/sink.js';
import { decode, encode, types } from './helpers/schema.js';

let sink: Sink;
let metrics: TestMetrics;
const exporters: (SpanExporter & Flushable)[] = [];

function exporter(options: OtlpHttpExporterOptions = {}): SpanExporter & Flushable {
  const e = createOtlpHttpSpanExporter({
    url: `${sink.url}/v1/traces`,
    meterProvider: metrics.meterProvider,
    retry: { initialBackoffMillis: 20, maxBackoffMillis: 50 },
    shutdownTimeoutMillis: 2000,
    env: {},
    ...options,
  });
  exporters.push(e);
  return e;
}

function exportSpans(e: SpanExporter, n = 3): Promise<ExportResult> {
  return new Promise((resolve) => e.export(makeSpans(n), resolve));
}

function spanCount(body: Buffer): number {
  const req = decode(types.traceRequest, body) as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
  return req.resourceSpans.flatMap((rs) => rs.scopeSpans).reduce((n, ss) => n + ss.spans.length, 0);
}

const C = { 'otel.component.type': 'otlp_http_span_exporter' };

beforeEach(async () => {
  sink = await startSink();
  metrics = createTestMetrics();
});

afterEach(async () => {
  await Promise.all(exporters.splice(0).map((e) => e.shutdown()));
  await sink.close();
  diag.disable();
});

describe('OTLP/HTTP span exporter against a local sink', () => {
  it('POSTs protobuf, gzip by default, with the OTLP headers and the user headers', async () => {
    const e = exporter({ headers: { Authorization: 'Bearer t0k' } });
    expect((await exportSpans(e, 5)).code).toBe(ExportResultCode.SUCCESS);
    await e.forceFlush();
    await sink.waitFor(1);
    const [req] = sink.requests;
    expect(req!.url).toBe('/v1/traces');
    expect(req!.headers['content-type']).toBe('application/x-protobuf');
    expect(req!.headers['content-encoding']).toBe('gzip');
    expect(req!.headers['authorization']).toBe('Bearer t0k');
    expect(req!.headers['user-agent']).toMatch(/^trisignal-exporters\//);
    expect(spanCount(req!.body)).toBe(5);
    expect(await metrics.value('trisignal.exporter.items.sent', C)).toBe(5);
    expect(await metrics.value('trisignal.exporter.bytes.sent', C)).toBe(req!.raw.length);
  });

  it('sends zstd bodies that decode to the same request', async () => {
    const e = exporter({ compression: 'zstd' });
    await exportSpans(e, 4);
    await e.forceFlush();
    await sink.waitFor(1);
    expect(sink.requests[0]!.headers['content-encoding']).toBe('zstd');
    expect(sink.requests[0]!.raw.readUInt32LE(0)).toBe(0xfd2fb528); // zstd frame magic
    expect(spanCount(sink.requests[0]!.body)).toBe(4);
  });

  it('sends uncompressed protobuf and OTLP/JSON on request', async () => {
    const e = exporter({ compression: 'none', protocol: 'http/json' });
    await exportSpans(e, 2);
    await e.forceFlush();
    await sink.waitFor(1);
    const req = sink.requests[0]!;
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['content-encoding']).toBeUndefined();
    const json = JSON.parse(req.body.toString()) as {
      resourceSpans: { scopeSpans: { spans: { traceId: string }[] }[] }[];
    };
    expect(json.resourceSpans[0]!.scopeSpans[0]!.spans).toHaveLength(2);
    expect(json.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it.each([429, 502, 503, 504])('retries %i and delivers on the next attempt', async (status) => {
    sink.script({ status });
    const e = exporter();
    await exportSpans(e, 3);
    await e.forceFlush();
    await sink.waitFor(2);
    expect(sink.requests).toHaveLength(2);
    expect(sink.requests[1]!.raw.equals(sink.requests[0]!.raw)).toBe(true);
    expect(await metrics.value('trisignal.exporter.items.retried', C)).toBe(3);
    expect(
      await metrics.value('trisignal.exporter.items.failed', { ...C, 'error.type': String(status) }),
    ).toBe(3);
    expect(await metrics.value('trisignal.exporter.items.sent', C)).toBe(3);
  });

  it.each([400, 401, 404, 413, 500])('drops on %i without retrying, counting the status', async (status) => {
    sink.script({ status, body: 'bad data' });
    const e = exporter();
    await exportSpans(e, 3);
    await e.forceFlush();
    expect(sink.requests).toHaveLength(1);
    expect(
      await metrics.value('trisignal.exporter.items.dropped', {
        ...C,
        'trisignal.exporter.drop.reason': 'permanent_error',
        'http.response.status_code': status,
      }),
    ).toBe(3);
    expect(await metrics.value('trisignal.exporter.items.retried', C)).toBe(0);
    // The next batch still goes out.
    await exportSpans(e, 2);
    await e.forceFlush();
    expect(sink.requests).toHaveLength(2);
    expect(await metrics.value('trisignal.exporter.items.sent', C)).toBe(2);
  });

  it('retries network errors (connection refused, reset) until the receiver is back', async () => {
    sink.script('destroy');
    await sink.stop();
    const e = exporter();
    await exportSpans(e, 3);
    await new Promise((r) => setTimeout(r, 150));
    await sink.start();
    await e.forceFlush();
    await sink.waitFor(2);
    expect(spanCount(sink.requests.at(-1)!.body)).toBe(3);
    expect(
      await metrics.value('trisignal.exporter.items.failed', { ...C, 'error.type': 'ECONNREFUSED' }),
    ).toBeGreaterThan(0);
    expect(await metrics.value('trisignal.exporter.items.failed', { ...C, 'error.type': 'ECONNRESET' })).toBe(
      3,
    );
    expect(await metrics.value('trisignal.exporter.items.sent', C)).toBe(3);
  });

  it('honours Retry-After in seconds over its own (much longer) backoff', async () => {
    sink.script({ status: 503, headers: { 'Retry-After': '1' } });
    const e = exporter({ retry: { initialBackoffMillis: 120_000, maxBackoffMillis: 120_000 } });
    await exportSpans(e);
    await sink.waitFor(2, 10_000);
    expect(sink.requests[1]!.at - sink.requests[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('honours Retry-After as an HTTP-date', async () => {
    const when = new Date(Date.now() + 2000).toUTCString();
    sink.script({ status: 429, headers: { 'Retry-After': when } });
    const e = exporter({ retry: { initialBackoffMillis: 120_000, maxBackoffMillis: 120_000 } });
    await exportSpans(e);
    await sink.waitFor(2, 10_000);
    // HTTP-dates have whole seconds: the wait is between 1 and 2 s.
    expect(sink.requests[1]!.at - sink.requests[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('retries an attempt that times out', async () => {
    sink.script('hang');
    const e = exporter({ timeoutMillis: 300 });
    await exportSpans(e, 2);
    await sink.waitFor(2, 10_000);
    await e.forceFlush();
    expect(await metrics.value('trisignal.exporter.items.failed', { ...C, 'error.type': 'timeout' })).toBe(2);
    expect(await metrics.value('trisignal.exporter.items.sent', C)).toBe(2);
  });

  it('gives up after retry.maxElapsedMillis and counts the drop', async () => {
    sink.fallback = { status: 503 };
    const e = exporter({ retry: { initialBackoffMillis: 50, maxBackoffMillis: 50, maxElapsedMillis: 300 } });
    await exportSpans(e, 4);
    await e.forceFlush();
    expect(sink.requests.length).toBeGreaterThan(1);
    expect(
      await metrics.value('trisignal.exporter.items.dropped', {
        ...C,
        'trisignal.exporter.drop.reason': 'retries_exhausted',
      }),
    ).toBe(4);
  });

  it('reads partial_success: counts rejected spans, does not retry, logs once', async () => {
    const warnings: string[] = [];
    const logger: DiagLogger = {
      error: () => {},
      warn: (m: string) => warnings.push(m),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    };
    diag.setLogger(logger, DiagLogLevel.WARN);
    const body = encode(types.traceResponse, {
      partialSuccess: { rejectedSpans: 2, errorMessage: 'span too old' },
    });
    sink.fallback = { status: 200, headers: { 'Content-Type': 'application/x-protobuf' }, body };
    const e = exporter();
    await exportSpans(e, 5);
    await exportSpans(e, 5);
    await e.forceFlush();
    expect(sink.requests).toHaveLength(2);
    expect(await metrics.value('trisignal.exporter.items.rejected', C)).toBe(4);
    expect(await metrics.value('trisignal.exporter.items.sent', C)).toBe(6);
    const partial = warnings.filter((w) => w.includes('span too old'));
    expect(partial).toHaveLength(1);
    expect(partial[0]).toContain('rejected 2 of 5 spans');
  });

  it('reads a JSON partial_success', async () => {
    sink.fallback = {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ partialSuccess: { rejectedSpans: '1', errorMessage: 'nope' } }),
    };
    const e = exporter({ protocol: 'http/json' });
    await exportSpans(e, 3);
    await e.forceFlush();
    expect(await metrics.value('trisignal.exporter.items.rejected', C)).toBe(1);
  });

  it('bounds memory: past maxPendingBytes new batches are refused and counted', async () => {
    sink.fallback = 'hang';
    const e = exporter({ maxPendingBytes: 1, maxConcurrentRequests: 1, timeoutMillis: 60_000 });
    expect((await exportSpans(e, 3)).code).toBe(ExportResultCode.SUCCESS); // an empty queue takes one batch
    const refused = await exportSpans(e, 4);
    expect(refused.code).toBe(ExportResultCode.FAILED);
    expect((refused.error as { code?: string }).code).toBe('TRISIGNAL_EXPORTER_QUEUE_FULL');
    expect(
      await metrics.value('trisignal.exporter.items.dropped', {
        ...C,
        'trisignal.exporter.drop.reason': 'queue_full',
      }),
    ).toBe(4);
    expect(await metrics.value('trisignal.exporter.queue.batches', C)).toBe(1);
  });

  it('drops what is still queued when shutdown runs out of time, and refuses exports after', async () => {
    sink.fallback = 'hang';
    const e = exporter({ shutdownTimeoutMillis: 100, timeoutMillis: 60_000 });
    await exportSpans(e, 3);
    await e.shutdown();
    expect(
      await metrics.value('trisignal.exporter.items.dropped', {
        ...C,
        'trisignal.exporter.drop.reason': 'shutdown',
      }),
    ).toBe(3);
    const after = await exportSpans(e, 1);
    expect(after.code).toBe(ExportResultCode.FAILED);
    expect((after.error as { code?: string }).code).toBe('TRISIGNAL_EXPORTER_SHUTDOWN');
  });
});
