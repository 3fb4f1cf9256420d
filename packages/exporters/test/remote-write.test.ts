import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TraceFlags } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { init, type Observability } from '@trisignal/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createRemoteWriteExporter,
  splitWriteRequest,
  toWriteRequest,
  type RemoteWriteExporterOptions,
} from '../src/remote-write.js';
import { createTestMetrics, type TestMetrics } from './helpers/metrics.js';
import { startSink, type Sink } from './helpers/sink.js';
import { decode, types } from './helpers/schema.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';

let obs: Observability;
let sink: Sink;
let metrics: TestMetrics;
const live: PushMetricExporter[] = [];
const dirs: string[] = [];

function record(durationSeconds: number, sampled: boolean): void {
  obs.recorder.recordHttpServer({
    method: 'GET',
    route: '/api/items/:id',
    statusCode: 200,
    sloClass: 'gold',
    durationSeconds,
    requestBodyBytes: 0,
    responseBodyBytes: 0,
    spanContext: sampled ? { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED } : undefined,
  });
}

async function collect(): Promise<ResourceMetrics> {
  return (await obs.collect()).resourceMetrics;
}

function exporter(options: Partial<RemoteWriteExporterOptions> = {}): PushMetricExporter {
  const e = createRemoteWriteExporter({
    url: `${sink.url}/api/v1/write`,
    meterProvider: metrics.meterProvider,
    retry: { initialBackoffMillis: 10, maxBackoffMillis: 50 },
    shutdownTimeoutMillis: 1000,
    ...options,
  });
  live.push(e);
  return e;
}

function exportMetrics(e: PushMetricExporter, rm: ResourceMetrics): Promise<ExportResult> {
  return new Promise((resolve) => e.export(rm, resolve));
}

type Decoded = {
  timeseries: {
    labels: { name: string; value: string }[];
    samples: { value: number; timestamp: string }[];
    exemplars: { labels: { name: string; value: string }[]; value: number; timestamp: string }[];
  }[];
  metadata: { type: number; metricFamilyName: string; help: string; unit: string }[];
};

function decoded(i: number): Decoded {
  return decode(types.writeRequest, sink.requests[i]!.body) as unknown as Decoded;
}

function labelsOf(ts: Decoded['timeseries'][number]): Record<string, string> {
  return Object.fromEntries(ts.labels.map((l) => [l.name, l.value]));
}

const C = { 'otel.component.type': 'prometheus_remote_write_exporter' };

beforeEach(async () => {
  obs = init({
    service: 'rw-test',
    resourceAttributes: { 'service.namespace': 'shop', 'service.instance.id': 'i-1' },
    signalHooks: false,
    registerGlobals: false,
    runtimeMetrics: false,
  });
  sink = await startSink();
  metrics = createTestMetrics();
});

afterEach(async () => {
  await Promise.all(live.splice(0).map((e) => e.shutdown()));
  await obs.shutdown();
  await sink.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('toWriteRequest', () => {
  it('names series the Prometheus way, with sorted labels, job/instance, exemplars and metadata', async () => {
    obs.meter
      .createCounter('shop.orders', { unit: '{order}', description: 'Orders' })
      .add(3, { 'shop.region': 'eu' });
    obs.meter.createGauge('temp', { unit: 'Cel' }).record(21.5);
    record(0.02, true);
    record(0.3, false);
    const data = toWriteRequest(await collect());
    const byName = new Map<string, Record<string, string>[]>();
    for (const ts of data.timeseries) {
      const names = ts.labels.map((l) => l.name);
      expect(names).toEqual([...names].sort());
      expect(new Set(names).size).toBe(names.length);
      const labels = Object.fromEntries(ts.labels.map((l) => [l.name, l.value]));
      byName.set(labels['__name__']!, [...(byName.get(labels['__name__']!) ?? []), labels]);
    }
    const counter = byName.get('shop_orders_total')![0]!;
    expect(counter).toMatchObject({
      job: 'shop/rw-test',
      instance: 'i-1',
      shop_region: 'eu',
      otel_scope_name: 'rw-test',
    });
    expect(byName.get('temp_celsius')).toHaveLength(1);
    expect(byName.get('http_server_request_duration_seconds_bucket')!.map((l) => l['le'])).toContain('+Inf');
    expect(byName.get('target_info')![0]).toMatchObject({
      job: 'shop/rw-test',
      instance: 'i-1',
      telemetry_sdk_language: 'nodejs',
    });
    const withExemplar = data.timeseries.filter((ts) => ts.exemplars.length > 0);
    expect(withExemplar).toHaveLength(1);
    expect(withExemplar[0]!.labels.find((l) => l.name === 'le')!.value).toBe('0.025');
    expect(withExemplar[0]!.exemplars[0]).toMatchObject({
      value: 0.02,
      labels: [
        { name: 'span_id', value: SPAN_ID },
        { name: 'trace_id', value: TRACE_ID },
      ],
    });
    expect(data.metadata).toContainEqual({ type: 1, family: 'shop_orders', help: 'Orders', unit: '' });
    expect(data.metadata).toContainEqual(
      expect.objectContaining({ type: 3, family: 'http_server_request_duration_seconds', unit: 'seconds' }),
    );
  });

  it('splits by maxSamplesPerSend, keeping order and putting metadata first', async () => {
    for (let i = 0; i < 50; i++) obs.meter.createCounter(`c${i}`).add(i);
    const data = toWriteRequest(await collect());
    const chunks = splitWriteRequest(data, 7);
    expect(chunks.every((c) => c.samples <= 7)).toBe(true);
    expect(chunks.flatMap((c) => c.series)).toEqual(data.timeseries);
    expect(chunks[0]!.metadata).toEqual(data.metadata);
    expect(chunks.slice(1).every((c) => c.metadata.length === 0)).toBe(true);
  });
});

describe('remote-write exporter against a local sink', () => {
  it('POSTs a snappy (block) WriteRequest with the required headers and exact values', async () => {
    obs.meter.createCounter('shop.orders').add(42, { 'shop.region': 'eu' });
    record(0.02, true);
    const e = exporter({ headers: { 'X-Scope-OrgID': 'tenant-1', 'Content-Type': 'text/evil' } });
    expect((await exportMetrics(e, await collect())).code).toBe(ExportResultCode.SUCCESS);
    await e.forceFlush();
    await sink.waitFor(1);
    const req = sink.requests[0]!;
    expect(req.url).toBe('/api/v1/write');
    expect(req.headers['content-encoding']).toBe('snappy');
    expect(req.headers['content-type']).toBe('application/x-protobuf');
    expect(req.headers['x-prometheus-remote-write-version']).toBe('0.1.0');
    expect(req.headers['user-agent']).toMatch(/^trisignal-exporters\//);
    expect(req.headers['x-scope-orgid']).toBe('tenant-1');
    // Block format, not the framed stream (which starts with ff 06 00 00 "sNaPpY").
    expect(req.raw.subarray(0, 10).equals(Buffer.from('ff060000734e61507059', 'hex'))).toBe(false);
    const wr = decoded(0);
    const counter = wr.timeseries.find((ts) => labelsOf(ts)['__name__'] === 'shop_orders_total')!;
    expect(counter.samples).toHaveLength(1);
    expect(counter.samples[0]!.value).toBe(42);
    expect(Math.abs(Number(counter.samples[0]!.timestamp) - Date.now())).toBeLessThan(60_000);
    const bucket = wr.timeseries.find((ts) => labelsOf(ts)['le'] === '0.025')!;
    expect(bucket.samples[0]!.value).toBe(1);
    expect(bucket.exemplars[0]!.value).toBe(0.02);
    expect(wr.metadata.find((m) => m.metricFamilyName === 'shop_orders')!.type).toBe(1);
    const samples = wr.timeseries.reduce((n, ts) => n + ts.samples.length, 0);
    expect(await metrics.value('trisignal.exporter.items.sent', C)).toBe(samples);
  });

  it.each([500, 503])('retries %i', async (status) => {
    sink.script({ status });
    obs.meter.createCounter('x').add(1);
    const e = exporter();
    await exportMetrics(e, await collect());
    await sink.waitFor(2);
    await e.forceFlush();
    expect(sink.requests[1]!.raw.equals(sink.requests[0]!.raw)).toBe(true);
    expect(await metrics.value('trisignal.exporter.items.retried', C)).toBeGreaterThan(0);
  });

  it('drops 429 by default and retries it with retryOn429', async () => {
    obs.meter.createCounter('x').add(1);
    sink.script({ status: 429 });
    const e = exporter();
    await exportMetrics(e, await collect());
    await e.forceFlush();
    expect(sink.requests).toHaveLength(1);
    expect(
      await metrics.value('trisignal.exporter.items.dropped', {
        ...C,
        'trisignal.exporter.drop.reason': 'permanent_error',
        'http.response.status_code': 429,
      }),
    ).toBeGreaterThan(0);

    sink.requests.length = 0;
    sink.script({ status: 429, headers: { 'Retry-After': '0' } });
    const retrying = exporter({ retryOn429: true });
    await exportMetrics(retrying, await collect());
    await sink.waitFor(2);
  });

  it('drops a 400 and keeps going', async () => {
    obs.meter.createCounter('x').add(1);
    sink.script({ status: 400, body: 'out of order sample' });
    const e = exporter();
    await exportMetrics(e, await collect());
    await exportMetrics(e, await collect());
    await e.forceFlush();
    expect(sink.requests).toHaveLength(2);
  });

  it('durable: an outage loses nothing and every series keeps its sample order', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trisignal-rw-'));
    dirs.push(dir);
    const counter = obs.meter.createCounter('ticks');
    sink.fallback = { status: 503 };
    const e = exporter({ durable: { dir, fsync: 'never' }, maxSamplesPerSend: 3 });
    for (let i = 1; i <= 12; i++) {
      counter.add(1);
      await new Promise((r) => setTimeout(r, 2)); // distinct timestamps
      expect((await exportMetrics(e, await collect())).code).toBe(ExportResultCode.SUCCESS);
    }
    await sink.waitFor(2);
    sink.requests.length = 0;
    sink.fallback = { status: 204 };
    await e.forceFlush();
    const values: number[] = [];
    const times: number[] = [];
    await expect
      .poll(
        () => {
          values.length = 0;
          times.length = 0;
          for (let i = 0; i < sink.requests.length; i++) {
            for (const ts of decoded(i).timeseries) {
              if (labelsOf(ts)['__name__'] !== 'ticks_total') continue;
              for (const s of ts.samples) {
                values.push(s.value);
                times.push(Number(s.timestamp));
              }
            }
          }
          return values.length;
        },
        { timeout: 10_000 },
      )
      .toBe(12);
    expect(values).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => createRemoteWriteExporter({ url: 'ftp://x' })).toThrow(/url/);
  });
});
