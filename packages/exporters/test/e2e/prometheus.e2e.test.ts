/**
 * End to end against a real Prometheus (2.42 from Debian): it scrapes our handler (OpenMetrics with
 * exemplars) and receives our remote write; everything is checked through its HTTP API. promtool
 * judges our text exposition.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TraceFlags } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { init, type Observability } from '@trisignal/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheusServer, type PrometheusServer } from '../../src/prometheus.js';
import { createRemoteWriteExporter } from '../../src/remote-write.js';
// @ts-expect-error -- a plain .mjs script of the repository (no types)
import { ensurePrometheus } from '../../../../scripts/ensure-prometheus.mjs';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

let tools: { prometheus: string; promtool: string };
let obs: Observability;
let scrape: PrometheusServer;
let prometheus: ChildProcess | undefined;
let promLog = '';
let promUrl: string;
let workDir: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMillis = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMillis;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `timed out after ${timeoutMillis} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}\n${promLog.slice(-3000)}`,
  );
}

interface ApiResult<T> {
  status: string;
  data: T;
  error?: string;
}

async function api<T>(pathAndQuery: string): Promise<T> {
  const res = await fetch(`${promUrl}${pathAndQuery}`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as ApiResult<T>;
  if (body.status !== 'success') throw new Error(`${pathAndQuery}: ${body.error ?? res.status}`);
  return body.data;
}

type Vector = { resultType: 'vector'; result: { metric: Record<string, string>; value: [number, string] }[] };
type Matrix = {
  resultType: 'matrix';
  result: { metric: Record<string, string>; values: [number, string][] }[];
};

function query<T>(q: string): Promise<T> {
  return api<T>(`/api/v1/query?query=${encodeURIComponent(q)}`);
}

function exportOnce(e: PushMetricExporter, obsRef: Observability): Promise<ExportResult> {
  return obsRef
    .collect()
    .then(
      ({ resourceMetrics }) => new Promise<ExportResult>((resolve) => e.export(resourceMetrics, resolve)),
    );
}

beforeAll(async () => {
  tools = ensurePrometheus({ quiet: true }) as { prometheus: string; promtool: string };
  workDir = mkdtempSync(path.join(tmpdir(), 'trisignal-e2e-'));

  obs = init({ service: 'e2e-app', signalHooks: false, registerGlobals: false });
  // 10 requests at 20 ms (5 of them sampled: exemplars) and 10 at 300 ms.
  for (let i = 0; i < 20; i++) {
    obs.recorder.recordHttpServer({
      method: 'GET',
      route: '/api/items/:id',
      statusCode: 200,
      sloClass: 'gold',
      durationSeconds: i < 10 ? 0.02 : 0.3,
      requestBodyBytes: 0,
      responseBodyBytes: 100,
      spanContext: i < 5 ? { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED } : undefined,
    });
  }
  obs.meter
    .createCounter('shop.orders', { description: 'Orders placed.', unit: '{order}' })
    .add(7, { 'shop.region': 'eu' });
  scrape = await startPrometheusServer(obs, { port: 0, host: '127.0.0.1' });

  const promPort = await freePort();
  promUrl = `http://127.0.0.1:${promPort}`;
  const config = path.join(workDir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: trisignal',
      '    scrape_interval: 1s',
      `    static_configs: [{ targets: ['127.0.0.1:${scrape.port}'] }]`,
      '',
    ].join('\n'),
  );
  prometheus = spawn(
    tools.prometheus,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(workDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--web.enable-remote-write-receiver',
      '--enable-feature=exemplar-storage',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stdout?.on('data', (c: Buffer) => (promLog += c.toString()));
  prometheus.stderr?.on('data', (c: Buffer) => (promLog += c.toString()));
  await until('Prometheus to be ready', async () => {
    const res = await fetch(`${promUrl}/-/ready`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? true : undefined;
  });
});

afterAll(async () => {
  if (prometheus !== undefined && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus!.once('exit', r));
    prometheus.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (prometheus.exitCode === null) prometheus.kill('SIGKILL');
  }
  await scrape?.shutdown();
  await obs?.shutdown();
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
});

describe('real Prometheus', () => {
  it('scrapes our handler: histogram_quantile answers from our buckets', async () => {
    await until('the first scrape', async () => {
      const v = await query<Vector>('up{job="trisignal"}');
      return v.result[0]?.value[1] === '1' ? true : undefined;
    });
    const q50 = await until('histogram_quantile(0.5)', async () => {
      const v = await query<Vector>(
        'histogram_quantile(0.5, sum by (le) (http_server_request_duration_seconds_bucket{job="trisignal"}))',
      );
      return v.result[0]?.value[1];
    });
    // 20 observations: rank 10 ends exactly at the top of the (0.01, 0.025] bucket.
    expect(Number(q50)).toBeCloseTo(0.025, 10);
    const q75 = await query<Vector>(
      'histogram_quantile(0.75, sum by (le) (http_server_request_duration_seconds_bucket{job="trisignal"}))',
    );
    // Rank 15 is halfway through the (0.25, 0.5] bucket, which holds the other 10.
    expect(Number(q75.result[0]!.value[1])).toBeCloseTo(0.375, 10);
    const orders = await query<Vector>('shop_orders_total{job="trisignal"}');
    expect(orders.result[0]!.value[1]).toBe('7');
    expect(orders.result[0]!.metric['shop_region']).toBe('eu');
    const target = await query<Vector>('target_info{job="trisignal"}');
    expect(target.result[0]!.metric['service_name']).toBe('e2e-app');
  });

  it('stores the exemplars of our OpenMetrics exposition', async () => {
    const found = await until('exemplars', async () => {
      const now = Date.now() / 1000;
      const data = await api<
        {
          seriesLabels: Record<string, string>;
          exemplars: { labels: Record<string, string>; value: string }[];
        }[]
      >(
        `/api/v1/query_exemplars?query=${encodeURIComponent('http_server_request_duration_seconds_bucket{job="trisignal"}')}&start=${now - 600}&end=${now + 60}`,
      );
      return data.length > 0 ? data : undefined;
    });
    const series = found.find((s) => s.seriesLabels['le'] === '0.025');
    expect(series).toBeDefined();
    expect(series!.exemplars[0]!.labels).toEqual({ trace_id: TRACE_ID, span_id: SPAN_ID });
    expect(Number(series!.exemplars[0]!.value)).toBe(0.02);
  });

  it('receives every remote-written sample with its exact value and timestamp', async () => {
    const rwObs = init({
      service: 'e2e-rw',
      signalHooks: false,
      registerGlobals: false,
      runtimeMetrics: false,
    });
    try {
      const exporter = createRemoteWriteExporter({
        url: `${promUrl}/api/v1/write`,
        prefix: 'rw',
        maxSamplesPerSend: 50,
      });
      const ticks = rwObs.meter.createCounter('ticks');
      const level = rwObs.meter.createGauge('level', { unit: 'By' });
      const sent: { t: number; ticks: number; level: number }[] = [];
      const values = [0.125, 3.25, -7.5, 1e-9, 123456.789];
      for (let i = 0; i < values.length; i++) {
        ticks.add(i + 1);
        level.record(values[i]!);
        const { resourceMetrics } = await rwObs.collect();
        const point = resourceMetrics.scopeMetrics[0]!.metrics.find((m) => m.descriptor.name === 'ticks')!
          .dataPoints[0]!;
        sent.push({
          t: point.endTime[0] * 1000 + Math.floor(point.endTime[1] / 1e6),
          ticks: point.value as number,
          level: values[i]!,
        });
        const result = await new Promise<ExportResult>((resolve) =>
          exporter.export(resourceMetrics, resolve),
        );
        expect(result.code).toBe(ExportResultCode.SUCCESS);
        await new Promise((r) => setTimeout(r, 20));
      }
      rwObs.recorder.recordHttpServer({
        method: 'POST',
        route: '/checkout',
        statusCode: 201,
        sloClass: 'gold',
        durationSeconds: 0.07,
        requestBodyBytes: 10,
        responseBodyBytes: 10,
        spanContext: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED },
      });
      expect((await exportOnce(exporter, rwObs)).code).toBe(ExportResultCode.SUCCESS);
      await exporter.forceFlush();
      await exporter.shutdown();

      const ticksSeen = await until('remote-written ticks', async () => {
        const m = await query<Matrix>('rw_ticks_total[10m]');
        return m.result[0] !== undefined && m.result[0].values.length >= sent.length + 1
          ? m.result[0]
          : undefined;
      });
      expect(ticksSeen.metric).toMatchObject({ job: 'e2e-rw', otel_scope_name: 'e2e-rw' });
      const first = ticksSeen.values.slice(0, sent.length);
      expect(first.map(([t]) => Math.round(t * 1000))).toEqual(sent.map((s) => s.t));
      expect(first.map(([, v]) => Number(v))).toEqual([1, 3, 6, 10, 15]);
      const levelSeen = await query<Matrix>('rw_level_bytes[10m]');
      expect(levelSeen.result[0]!.values.slice(0, sent.length).map(([, v]) => Number(v))).toEqual(values);
      const q = await query<Vector>(
        'histogram_quantile(0.5, rw_http_server_request_duration_seconds_bucket)',
      );
      // One observation at 70 ms in the (0.05, 0.075] bucket: the median is its midpoint.
      expect(Number(q.result[0]!.value[1])).toBeCloseTo(0.0625, 10);
      // Metadata rides in the request (see remote-write.test.ts), but Prometheus 2.x's receiver does not
      // store remote-written metadata, so /api/v1/metadata cannot show it here.
      const now = Date.now() / 1000;
      const exemplars = await api<{ exemplars: { labels: Record<string, string>; value: string }[] }[]>(
        `/api/v1/query_exemplars?query=${encodeURIComponent('rw_http_server_request_duration_seconds_bucket')}&start=${now - 600}&end=${now + 60}`,
      );
      expect(exemplars.flatMap((s) => s.exemplars).map((e) => e.labels['trace_id'])).toContain(TRACE_ID);
    } finally {
      await rwObs.shutdown();
    }
  });

  it('promtool check metrics accepts our text exposition', async () => {
    const res = await fetch(scrape.url, { headers: { Accept: 'text/plain;version=0.0.4' } });
    const text = await res.text();
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const check = spawnSync(tools.promtool, ['check', 'metrics'], {
      input: text,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
    expect(check.status).toBe(0);
  });
});
