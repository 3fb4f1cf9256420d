import { SpanStatusCode } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler, goldenSignals } from '@trisignal/middleware-express';
import {
  createTelemetry,
  EXPRESS_VERSIONS,
  httpSeries,
  listen,
  type Running,
  type Telemetry,
  waitFor,
} from './harness.js';

class NotFoundError extends Error {
  readonly status = 404;
  override readonly name = 'NotFoundError';
}

async function errorCounts(t: Telemetry): Promise<Record<string, number>> {
  const collected = await t.obs.collect();
  const metric = collected.resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .find((m) => m.descriptor.name === 'trisignal.errors');
  const out: Record<string, number> = {};
  for (const p of metric?.dataPoints ?? []) {
    const key = String(p.attributes['error.type'] ?? p.attributes['trisignal.error.category']);
    out[key] = (out[key] ?? 0) + (p.value as number);
  }
  return out;
}

describe.each(EXPRESS_VERSIONS)('errors on $name', ({ name, express }) => {
  let t: Telemetry;
  let server: Running;
  let respondingServer: Running;

  beforeAll(async () => {
    t = createTelemetry();
    const build = (respond: boolean) => {
      const app = express();
      app.use(goldenSignals({ obs: t.obs }));
      app.get('/sync', () => {
        throw new TypeError('boom');
      });
      app.get('/next-err', (_req, _res, next) => {
        setTimeout(
          () =>
            next(Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { code: 'ECONNREFUSED' })),
          1,
        );
      });
      app.get('/not-found', (_req, _res, next) => {
        next(new NotFoundError('no item 7'));
      });
      app.get('/five-hundred', (_req, res) => {
        res.status(503).send('down');
      });
      if (name === 'express 5') {
        app.get('/async', async () => {
          await new Promise((r) => setTimeout(r, 1));
          throw new RangeError('async boom');
        });
      }
      app.use(errorHandler({ obs: t.obs, respond }));
      return app;
    };
    server = await listen(build(false));
    respondingServer = await listen(build(true));
  });

  afterAll(async () => {
    await server.close();
    await respondingServer.close();
    await t.shutdown();
  });

  afterEach(() => t.reset());

  async function call(path: string, target = server) {
    const before = t.finishedSpans().length;
    const res = await fetch(target.url + path);
    const body = await res.text();
    await waitFor(() => t.finishedSpans().length > before, 5000, `span of ${path}`);
    return { res, body, span: t.finishedSpans()[before]! };
  }

  it('records a synchronous throw: 500, status ERROR, error.type from the classifier, exception event', async () => {
    const counts = await errorCounts(t);
    const { res, span } = await call('/sync');
    expect(res.status).toBe(500);
    expect(span.name).toBe('GET /sync');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.status.message).toContain('boom');
    expect(span.attributes['error.type']).toBe('TypeError');
    expect(span.attributes['trisignal.error.category']).toBe('server');
    expect(span.attributes['http.response.status_code']).toBe(500);
    const event = span.events.find((e) => e.name === 'exception')!;
    expect(event.attributes?.['exception.type']).toBe('TypeError');
    expect(event.attributes?.['exception.message']).toBe('boom');
    const series = httpSeries(t.obs).find((s) => s.attributes['http.route'] === '/sync')!;
    expect(series.attributes['error.type']).toBe('TypeError');
    expect((await errorCounts(t))['TypeError']).toBe((counts['TypeError'] ?? 0) + 1);
  });

  it('records next(err) from a callback, classified by core', async () => {
    const { res, span } = await call('/next-err');
    expect(res.status).toBe(500);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('ECONNREFUSED');
    expect(span.attributes['trisignal.error.category']).toBe('transient');
  });

  it.runIf(name === 'express 5')('records a rejected promise (Express 5)', async () => {
    const { res, span } = await call('/async');
    expect(res.status).toBe(500);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('RangeError');
    expect(span.events.some((e) => e.name === 'exception')).toBe(true);
  });

  it('leaves a 4xx error UNSET on the server span (semconv) but keeps the exception event', async () => {
    const { res, span } = await call('/not-found');
    expect(res.status).toBe(404);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['error.type']).toBeUndefined();
    expect(span.events.find((e) => e.name === 'exception')?.attributes?.['exception.type']).toBe(
      'NotFoundError',
    );
    const series = httpSeries(t.obs).find((s) => s.attributes['http.route'] === '/not-found')!;
    expect(series.attributes['error.type']).toBeUndefined();
  });

  it('marks a 5xx answered without an exception as an error with the status as error.type', async () => {
    const { res, span } = await call('/five-hundred');
    expect(res.status).toBe(503);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('503');
  });

  it('answers the error itself with respond: true (status from the classification, trace id in the body)', async () => {
    const { res, body, span } = await call('/next-err', respondingServer);
    expect(res.status).toBe(503);
    expect(JSON.parse(body)).toEqual({ error: 'Service Unavailable', traceId: span.spanContext().traceId });
    expect(span.attributes['http.response.status_code']).toBe(503);
    const notFound = await call('/not-found', respondingServer);
    expect(notFound.res.status).toBe(404);
  });

  it('logs the failed request at ERROR', async () => {
    await call('/sync');
    await waitFor(() => t.finishedLogs().length >= 1);
    expect(t.finishedLogs()[0]!.severityText).toBe('ERROR');
    expect(t.finishedLogs()[0]!.attributes['error.type']).toBe('TypeError');
  });
});
