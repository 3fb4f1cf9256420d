/**
 * The embedded OTLP/HTTP receiver against our own exporters (protobuf and JSON, gzip and zstd) and
 * against bad requests: what it stores, and what it answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { init } from '@trisignal/core';
import { otlpHttp } from '@trisignal/exporters';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBatches, readLogs, readMetrics, readSpans } from '../src/receiver/store.js';
import { startReceiver, type Receiver } from '../src/receiver/server.js';

let dir: string;
let receiver: Receiver;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'trisignal-receiver-'));
  receiver = await startReceiver({ dir, maxBodyBytes: 64 * 1024 });
});

afterEach(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.each([
  { protocol: 'http/protobuf', compression: 'gzip' },
  { protocol: 'http/json', compression: 'zstd' },
  { protocol: 'http/protobuf', compression: 'none' },
] as const)('receiver with $protocol, $compression', ({ protocol, compression }) => {
  it('stores the spans, metric points and log records our exporters send, with their ids', async () => {
    const obs = init({
      service: 'receiver-test',
      exporters: [otlpHttp({ endpoint: receiver.url, protocol, compression })],
      signalHooks: false,
      runtimeMetrics: false,
    });
    const parent = obs.tracer.startSpan('parent', {
      kind: SpanKind.SERVER,
      attributes: { 'http.route': '/x' },
    });
    let traceId = '';
    obs.withSpan('child', (span) => {
      traceId = span.spanContext().traceId;
      obs.logger.info('inside the child', { answer: 42 });
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    });
    parent.end();
    obs.recorder.recordHttpServer({ method: 'GET', route: '/x', statusCode: 200, durationSeconds: 0.012 });
    await obs.shutdown();

    const spans = readSpans(dir);
    expect(spans.map((s) => s.name).sort()).toEqual(['child', 'parent']);
    const child = spans.find((s) => s.name === 'child')!;
    expect(child.traceId).toBe(traceId);
    expect(child.service).toBe('receiver-test');
    expect(child.status).toEqual({ code: 2, message: 'boom' });
    expect(spans.find((s) => s.name === 'parent')!.attributes['http.route']).toBe('/x');

    const logs = readLogs(dir);
    const log = logs.find((l) => l.body === 'inside the child')!;
    expect(log.traceId).toBe(traceId);
    expect(log.spanId).toBe(child.spanId);
    expect(log.attributes['answer']).toBe(42);

    const duration = readMetrics(dir).find((m) => m.name === 'http.server.request.duration')!;
    expect(duration.type).toBe('histogram');
    expect(duration.points[0]!.count).toBe(1);

    const batches = readBatches(dir);
    expect(new Set(batches.map((b) => b.signal))).toEqual(new Set(['traces', 'metrics', 'logs']));
    expect(batches.every((b) => b.encoding === (compression === 'none' ? 'none' : compression))).toBe(true);
    expect(receiver.stats().traces.items).toBe(2);
  });
});

describe('receiver answers', () => {
  const post = (signal: string, body: Buffer | string, headers: Record<string, string>) =>
    fetch(`${receiver.url}/v1/${signal}`, { method: 'POST', body, headers });

  it('400 with a google.rpc.Status for a body that does not decode, and stores nothing', async () => {
    const res = await post('traces', '{"resourceSpans": 7', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    const status = (await res.json()) as { code: number; message: string };
    expect(status.code).toBe(3);
    expect(status.message).toContain('could not decode');
    const garbage = await post('traces', Buffer.from([0xff, 0xff, 0xff, 0xff]), {
      'content-type': 'application/x-protobuf',
    });
    expect(garbage.status).toBe(400);
    expect(readBatches(dir)).toEqual([]);
  });

  it('400 for a body that does not decompress; 415 for an unknown encoding or media type', async () => {
    const bad = await post('logs', Buffer.from('not gzip'), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(bad.status).toBe(400);
    const brotli = await post('logs', Buffer.from('{}'), {
      'content-type': 'application/json',
      'content-encoding': 'br',
    });
    expect(brotli.status).toBe(415);
    const text = await post('logs', 'hello', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
  });

  it('413 for a body over the limit, also when it only grows past it once decompressed', async () => {
    const big = Buffer.alloc(100 * 1024, 0x20);
    expect((await post('metrics', big, { 'content-type': 'application/json' })).status).toBe(413);
    const bomb = gzipSync(Buffer.from(`{"resourceMetrics":[]}${' '.repeat(200 * 1024)}`));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const res = await post('metrics', bomb, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(res.status).toBe(413);
  });

  it('404 elsewhere, 405 for GET on a signal path, and counts on /stats', async () => {
    expect((await fetch(`${receiver.url}/v1/profiles`, { method: 'POST' })).status).toBe(404);
    const get = await fetch(`${receiver.url}/v1/traces`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const ok = await post('traces', '{"resourceSpans":[]}', { 'content-type': 'application/json' });
    expect(ok.status).toBe(200);
    const stats = (await (await fetch(`${receiver.url}/stats`)).json()) as { traces: { batches: number } };
    expect(stats.traces.batches).toBe(1);
  });
});
