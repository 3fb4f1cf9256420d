import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { TraceFlags } from '@opentelemetry/api';
import { init, type Observability } from '@trisignal/core';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusScrape, serializeMetrics, startPrometheusServer } from '../src/prometheus.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';

let obs: Observability;

beforeAll(() => {
  obs = init({ service: 'scrape-test', signalHooks: false, registerGlobals: false, runtimeMetrics: false });
  obs.meter
    .createCounter('shop.orders', { description: 'Orders "placed"\nsince start', unit: '{order}' })
    .add(7, {
      'shop.region': 'eu"west\\1',
    });
  obs.meter.createUpDownCounter('queue.size', { description: 'Queued jobs', unit: 'By' }).add(5);
  obs.recorder.recordHttpServer({
    method: 'GET',
    route: '/api/items/:id',
    statusCode: 200,
    sloClass: 'silver',
    durationSeconds: 0.02,
    requestBodyBytes: 0,
    responseBodyBytes: 10,
    spanContext: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED },
  });
  obs.recorder.recordHttpServer({
    method: 'GET',
    route: '/api/items/:id',
    statusCode: 200,
    sloClass: 'silver',
    durationSeconds: 0.3,
    requestBodyBytes: 0,
    responseBodyBytes: 10,
    spanContext: undefined,
  });
});

afterAll(() => obs.shutdown());

interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body.toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function listen(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('exposition', () => {
  it('renders text 0.0.4: target_info, _total counters, unit suffixes, +Inf buckets, escaped labels', async () => {
    const { resourceMetrics } = await obs.collect();
    const text = serializeMetrics(resourceMetrics, 'text');
    expect(text).toMatch(
      /^# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info\{service_name="scrape-test",/,
    );
    expect(text).toContain(
      '# HELP shop_orders_total Orders "placed"\\nsince start\n# TYPE shop_orders_total counter\n',
    );
    expect(text).toContain(
      'shop_orders_total{shop_region="eu\\"west\\\\1",otel_scope_name="scrape-test"} 7\n',
    );
    expect(text).toContain(
      '# TYPE queue_size_bytes gauge\nqueue_size_bytes{otel_scope_name="scrape-test"} 5\n',
    );
    const series =
      'http_request_method="GET",url_scheme="http",http_route="/api/items/:id",http_response_status_code="200",trisignal_slo_class="silver",otel_scope_name="@trisignal/core"';
    expect(text).toContain(`http_server_request_duration_seconds_bucket{${series}`);
    expect(text).toMatch(/http_server_request_duration_seconds_bucket\{[^}]*le="0\.025"\} 1\n/);
    expect(text).toMatch(/http_server_request_duration_seconds_bucket\{[^}]*le="\+Inf"\} 2\n/);
    expect(text).toMatch(/http_server_request_duration_seconds_count\{[^}]*\} 2\n/);
    expect(text).toMatch(/http_server_request_duration_seconds_sum\{[^}]*\} 0\.32\n/);
    expect(text).not.toContain('# EOF');
    expect(text).not.toContain(' # {');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('renders OpenMetrics 1.0: family TYPE/UNIT/HELP, exemplars on the right bucket, # EOF', async () => {
    const { resourceMetrics } = await obs.collect();
    const om = serializeMetrics(resourceMetrics, 'openmetrics');
    expect(om).toMatch(/^# TYPE target info\n# HELP target Target metadata\ntarget_info\{/);
    expect(om).toContain('# TYPE shop_orders counter\n');
    expect(om).toContain('# HELP shop_orders Orders \\"placed\\"\\nsince start\n');
    expect(om).toContain(
      '# TYPE http_server_request_duration_seconds histogram\n# UNIT http_server_request_duration_seconds seconds\n',
    );
    const bucket =
      /http_server_request_duration_seconds_bucket\{[^}]*le="0\.025"\} 1 # \{trace_id="([0-9a-f]{32})",span_id="([0-9a-f]{16})"\} 0\.02 \d+\.\d{3}\n/.exec(
        om,
      );
    expect(bucket?.[1]).toBe(TRACE_ID);
    expect(bucket?.[2]).toBe(SPAN_ID);
    // The unsampled 0.3 s request left no exemplar.
    expect(om).toMatch(/le="0\.5"\} 2\n/);
    expect(om.endsWith('# EOF\n')).toBe(true);
  });

  it('can leave out scope labels, target_info and exemplars, and prefix names', async () => {
    const { resourceMetrics } = await obs.collect();
    const om = serializeMetrics(resourceMetrics, 'openmetrics', {
      withScopeLabels: false,
      withTargetInfo: false,
      withExemplars: false,
      prefix: 'app',
    });
    expect(om).not.toContain('target_info');
    expect(om).not.toContain('otel_scope_name');
    expect(om).not.toContain('trace_id');
    expect(om).toContain('app_shop_orders_total{shop_region=');
  });
});

describe('prometheusScrape handler', () => {
  it('serves node:http with Accept negotiation and gzip', async () => {
    const server = await listen(prometheusScrape(obs));
    try {
      const om = await get(`${server.url}/metrics`, { Accept: PROMETHEUS_ACCEPT, 'Accept-Encoding': 'gzip' });
      expect(om.status).toBe(200);
      expect(om.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
      expect(om.headers['content-encoding']).toBe('gzip');
      expect(om.body).toContain('# EOF');
      const text = await get(`${server.url}/metrics`);
      expect(text.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(text.headers['content-encoding']).toBeUndefined();
      expect(text.body).toContain('shop_orders_total');
      const head = await get(`${server.url}/metrics`, {}, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.body).toBe('');
      expect((await get(`${server.url}/metrics`, {}, 'POST')).status).toBe(405);
    } finally {
      await server.close();
    }
  });

  it('works as an Express route', async () => {
    const app = express();
    app.get('/metrics', prometheusScrape(obs));
    const server = await listen(app);
    try {
      const res = await get(`${server.url}/metrics`, { Accept: PROMETHEUS_ACCEPT });
      expect(res.status).toBe(200);
      expect(res.body).toContain('http_server_request_duration_seconds_bucket');
    } finally {
      await server.close();
    }
  });

  it('checks a bearer token', async () => {
    const server = await listen(prometheusScrape(obs, { auth: { bearerToken: 's3cret' } }));
    try {
      const denied = await get(`${server.url}/metrics`);
      expect(denied.status).toBe(401);
      expect(denied.headers['www-authenticate']).toMatch(/^Bearer/);
      expect((await get(`${server.url}/metrics`, { Authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await get(`${server.url}/metrics`, { Authorization: 'Bearer s3cret-longer' })).status).toBe(
        401,
      );
      expect((await get(`${server.url}/metrics`, { Authorization: 'Bearer s3cret' })).status).toBe(200);
      expect((await get(`${server.url}/metrics`, { Authorization: 'bearer s3cret' })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('checks basic credentials', async () => {
    const server = await listen(prometheusScrape(obs, { auth: { username: 'prom', password: 'pa:ss' } }));
    const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    try {
      expect((await get(`${server.url}/metrics`)).headers['www-authenticate']).toMatch(/^Basic/);
      expect((await get(`${server.url}/metrics`, { Authorization: basic('prom', 'nope') })).status).toBe(401);
      expect((await get(`${server.url}/metrics`, { Authorization: basic('prom', 'pa:ss') })).status).toBe(
        200,
      );
    } finally {
      await server.close();
    }
  });

  it('answers 500 when collection fails', async () => {
    const server = await listen(prometheusScrape(() => Promise.reject(new Error('boom'))));
    try {
      expect((await get(`${server.url}/metrics`)).status).toBe(500);
    } finally {
      await server.close();
    }
  });

  it('rejects invalid options at construction', () => {
    expect(() => prometheusScrape(obs, { auth: { bearerToken: '' } })).toThrow(/TRISIGNAL|bearerToken/);
    expect(() => prometheusScrape(obs, { format: 'json' as never })).toThrow(/format/);
  });
});

describe('startPrometheusServer', () => {
  it('serves /metrics on the given port, 404 elsewhere, and shuts down', async () => {
    const server = await startPrometheusServer(obs, { port: 0, host: '127.0.0.1' });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
      const res = await get(server.url);
      expect(res.status).toBe(200);
      expect(res.body).toContain('target_info');
      expect((await get(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    } finally {
      await server.shutdown();
    }
    expect(server.server.listening).toBe(false);
  });

  it('defaults to port 9464, or OTEL_EXPORTER_PROMETHEUS_PORT', async () => {
    const fromEnv = await startPrometheusServer(obs, {
      host: '127.0.0.1',
      env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0' },
    });
    await fromEnv.shutdown();
    expect(fromEnv.port).toBeGreaterThan(0);
    await expect(startPrometheusServer(obs, { env: { OTEL_EXPORTER_PROMETHEUS_PORT: 'x' } })).rejects.toThrow(
      /OTEL_EXPORTER_PROMETHEUS_PORT/,
    );
    const { PROMETHEUS_SERVER_DEFAULTS } = await import('../src/prometheus.js');
    expect(PROMETHEUS_SERVER_DEFAULTS.port).toBe(9464);
  });
});
