import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler, goldenSignals } from '@trisignal/middleware-express';
import {
  activeRequests,
  createTelemetry,
  EXPRESS_VERSIONS,
  httpSeries,
  listen,
  runPool,
  type Running,
  type Telemetry,
  waitFor,
} from './harness.js';

describe.each(EXPRESS_VERSIONS)('goldenSignals() on $name', ({ express }) => {
  let t: Telemetry;
  let server: Running;

  beforeAll(async () => {
    t = createTelemetry({ sloClasses: [{ class: 'gold', method: 'POST', route: '/api/orders' }] });
    const app = express();
    app.use(goldenSignals({ obs: t.obs }));
    app.get('/health', (_req, res) => {
      res.send('ok');
    });
    const api = express.Router();
    api.get('/items/:id', (req, res) => {
      res.json({ id: req.params['id'] });
    });
    api.post('/orders', (_req, res) => {
      res.status(201).json({ ok: true });
    });
    api.get('/', (_req, res) => {
      res.send('api root');
    });
    const users = express.Router();
    users.get('/:uid/orders/:oid', (req, res) => {
      res.json(req.params);
    });
    const v1 = express.Router();
    v1.use('/users', users);
    app.use('/api', api);
    app.use('/v1', v1);
    const admin = express();
    admin.get('/stats', (_req, res) => {
      res.json({ up: true });
    });
    app.use('/admin', admin);
    const posts = express.Router({ mergeParams: true });
    posts.get('/posts/:pid', (req, res) => {
      res.json(req.params);
    });
    app.use('/people/:uid', posts);
    app.get(['/multi-a', '/multi-b'], (_req, res) => {
      res.send('multi');
    });
    app.get(/^\/re\/\d+$/, (_req, res) => {
      res.send('regex');
    });
    app.all('/any', (_req, res) => {
      res.send('any');
    });
    app.use(errorHandler({ obs: t.obs }));
    server = await listen(app);
  });

  afterAll(async () => {
    await server.close();
    await t.shutdown();
  });

  afterEach(() => t.reset());

  async function get(path: string, init?: RequestInit): Promise<Response> {
    const res = await fetch(server.url + path, init);
    await res.arrayBuffer();
    return res;
  }

  async function spanFor(path: string, init?: RequestInit) {
    const before = t.finishedSpans().length;
    const res = await get(path, init);
    await waitFor(() => t.finishedSpans().length > before, 5000, `span of ${path}`);
    return { res, span: t.finishedSpans()[before]! };
  }

  it('starts one SERVER span named after the route template of a nested router, with semconv attributes', async () => {
    const { res, span } = await spanFor('/api/items/42?color=red', {
      headers: { 'user-agent': 'vitest-agent' },
    });
    expect(res.status).toBe(200);
    expect(span.name).toBe('GET /api/items/:id');
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.instrumentationScope.name).toBe('@trisignal/middleware-express');
    expect(span.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/api/items/42',
      'url.query': 'color=REDACTED',
      'url.scheme': 'http',
      'server.address': '127.0.0.1',
      'server.port': server.port,
      'client.address': expect.stringMatching(/127\.0\.0\.1/),
      'user_agent.original': 'vitest-agent',
      'http.response.status_code': 200,
      'http.route': '/api/items/:id',
      'network.protocol.version': '1.1',
      'trisignal.slo.class': 'silver',
    });
    expect(span.attributes['error.type']).toBeUndefined();
  });

  it('answers with traceresponse and X-Trace-Id headers naming the server span', async () => {
    const { res, span } = await spanFor('/health');
    const { traceId, spanId } = span.spanContext();
    expect(res.headers.get('x-trace-id')).toBe(traceId);
    expect(res.headers.get('traceresponse')).toBe(`00-${traceId}-${spanId}-01`);
  });

  it.each([
    ['/health', 'GET /health', '/health'],
    ['/api', 'GET /api', '/api'],
    ['/v1/users/7/orders/9', 'GET /v1/users/:uid/orders/:oid', '/v1/users/:uid/orders/:oid'],
    ['/admin/stats', 'GET /admin/stats', '/admin/stats'],
    ['/people/ada/posts/3', 'GET /people/:uid/posts/:pid', '/people/:uid/posts/:pid'],
    ['/multi-b', 'GET /multi-a,/multi-b', '/multi-a,/multi-b'],
    ['/re/123', 'GET /^\\/re\\/\\d+$/', '/^\\/re\\/\\d+$/'],
  ])('resolves %s to the route %s', async (path, name, route) => {
    const { res, span } = await spanFor(path);
    expect(res.status).toBe(200);
    expect(span.name).toBe(name);
    expect(span.attributes['http.route']).toBe(route);
    expect(httpSeries(t.obs).some((s) => s.attributes['http.route'] === route)).toBe(true);
  });

  it('gives a request that matches no route no http.route and records it without one', async () => {
    const { res, span } = await spanFor('/no/such/thing');
    expect(res.status).toBe(404);
    expect(span.name).toBe('GET');
    expect(span.attributes['http.route']).toBeUndefined();
    expect(span.attributes['http.response.status_code']).toBe(404);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    const unmatched = httpSeries(t.obs).filter(
      (s) =>
        s.attributes['http.response.status_code'] === 404 && s.attributes['http.request.method'] === 'GET',
    );
    expect(unmatched).toHaveLength(1);
    expect(unmatched[0]!.attributes['http.route']).toBeUndefined();
  });

  it('keeps the series count flat after 10 000 random URLs', async () => {
    await get('/nothing-here');
    const before = httpSeries(t.obs).length;
    const methods = ['GET', 'POST', 'DELETE', 'PUT'];
    await runPool(10_000, 32, async (i) => {
      const path = `/${Math.random().toString(36).slice(2)}/${i}/${Math.random().toString(36).slice(2, 6)}`;
      await get(path + `?q=${i}`, { method: methods[i % methods.length]! });
    });
    const series = httpSeries(t.obs);
    // One new label set per method (404, no route) at most; nothing per URL.
    expect(series.length).toBeLessThanOrEqual(before + methods.length);
    expect(t.obs.recorder.overflowCount).toBe(0);
    const unmatched = series.filter((s) => s.attributes['http.route'] === undefined);
    expect(unmatched.reduce((sum, s) => sum + s.count, 0)).toBeGreaterThanOrEqual(10_000);
    await waitFor(() => activeRequests(t.obs) === 0, 5000, 'in-flight back to 0');
  }, 60_000);

  it('records duration, sizes, status, method, route and SLO class for every request, with exemplars', async () => {
    const { span } = await spanFor('/api/orders', { method: 'POST', body: 'x'.repeat(10) });
    expect(span.attributes['trisignal.slo.class']).toBe('gold');
    expect(span.attributes['http.response.status_code']).toBe(201);
    const collected = await t.obs.collect();
    const metrics = collected.resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const duration = metrics.find((m) => m.descriptor.name === 'http.server.request.duration')!;
    const point = duration.dataPoints.find((p) => p.attributes['http.route'] === '/api/orders')!;
    expect(point.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.response.status_code': 201,
      'trisignal.slo.class': 'gold',
      'url.scheme': 'http',
      'network.protocol.version': '1.1',
    });
    const exemplars = (point as unknown as { exemplars?: { traceId: string }[] }).exemplars ?? [];
    expect(exemplars.map((e) => e.traceId)).toContain(span.spanContext().traceId);
    const requestSize = metrics.find((m) => m.descriptor.name === 'http.server.request.body.size')!;
    const reqPoint = requestSize.dataPoints.find((p) => p.attributes['http.route'] === '/api/orders')!;
    expect((reqPoint.value as { sum: number }).sum).toBe(10);
    const responseSize = metrics.find((m) => m.descriptor.name === 'http.server.response.body.size')!;
    const resPoint = responseSize.dataPoints.find((p) => p.attributes['http.route'] === '/api/orders')!;
    expect((resPoint.value as { sum: number }).sum).toBe(JSON.stringify({ ok: true }).length);
    expect(metrics.some((m) => m.descriptor.name === 'http.server.active_requests')).toBe(true);
    expect(activeRequests(t.obs)).toBe(0);
  });

  it('makes the server span a child of an incoming traceparent and keeps its trace id', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentId = '00f067aa0ba902b7';
    const { res, span } = await spanFor('/health', {
      headers: { traceparent: `00-${traceId}-${parentId}-01`, tracestate: 'vendor=abc', baggage: 'user=ada' },
    });
    expect(span.spanContext().traceId).toBe(traceId);
    expect(span.parentSpanContext?.spanId).toBe(parentId);
    expect(span.parentSpanContext?.isRemote).toBe(true);
    expect(span.spanContext().traceState?.get('vendor')).toBe('abc');
    expect(res.headers.get('traceresponse')).toBe(`00-${traceId}-${span.spanContext().spanId}-01`);
  });

  it('normalises unknown methods to _OTHER and keeps the original', async () => {
    const { span } = await spanFor('/any', { method: 'PROPFIND' });
    expect(span.attributes['http.request.method']).toBe('_OTHER');
    expect(span.attributes['http.request.method_original']).toBe('PROPFIND');
    expect(span.name).toBe('_OTHER /any');
    expect(httpSeries(t.obs).some((s) => s.attributes['http.request.method'] === '_OTHER')).toBe(true);
    expect(httpSeries(t.obs).some((s) => s.attributes['http.request.method'] === 'PROPFIND')).toBe(false);
  });

  it('writes one access-log record per request carrying the span ids', async () => {
    const { span } = await spanFor('/api/items/5');
    await waitFor(() => t.finishedLogs().length >= 1, 5000, 'access log');
    const logs = t.finishedLogs();
    expect(logs).toHaveLength(1);
    const record = logs[0]!;
    expect(record.spanContext?.traceId).toBe(span.spanContext().traceId);
    expect(record.spanContext?.spanId).toBe(span.spanContext().spanId);
    expect(record.severityText).toBe('INFO');
    expect(record.body).toBe('GET /api/items/:id 200');
    expect(record.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/api/items/5',
      'http.route': '/api/items/:id',
      'http.response.status_code': 200,
    });
    expect(typeof record.attributes['http.server.request.duration']).toBe('number');
  });
});
