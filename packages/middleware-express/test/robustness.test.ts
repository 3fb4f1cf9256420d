import { isTrisignalError, type Observability } from '@trisignal/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler, ExpressMiddlewareError, goldenSignals } from '@trisignal/middleware-express';
import {
  activeRequests,
  createTelemetry,
  EXPRESS_VERSIONS,
  listen,
  type Telemetry,
  waitFor,
} from './harness.js';

const boom = () => {
  throw new Error('instrumentation failure');
};

describe.each(EXPRESS_VERSIONS)('robustness on $name', ({ express }) => {
  let t: Telemetry;

  beforeAll(() => {
    t = createTelemetry();
  });

  afterAll(async () => {
    await t.shutdown();
  });

  async function serve(app: ReturnType<typeof express>, path: string) {
    const s = await listen(app);
    try {
      const res = await fetch(s.url + path);
      return { status: res.status, body: await res.text() };
    } finally {
      await s.close();
    }
  }

  it('never throws into the app when the tracer, recorder, logger or class matcher fail', async () => {
    const broken = {
      ...t.obs,
      tracerProvider: { getTracer: () => ({ startSpan: boom }) },
      recorder: {
        ...t.obs.recorder,
        recordHttpServer: boom,
        httpServerActive: t.obs.recorder.httpServerActive,
      },
      logger: { ...t.obs.logger, emit: boom },
      sloClasses: { ...t.obs.sloClasses, matchHttp: boom },
      recordError: boom,
    } as unknown as Observability;
    const app = express();
    app.use(goldenSignals({ obs: broken }));
    app.get('/ok', (_req, res) => {
      res.send('still fine');
    });
    app.get('/err', () => {
      throw new Error('handler error');
    });
    app.use(errorHandler({ obs: broken }));
    app.use(
      (
        _err: unknown,
        _req: unknown,
        res: { status(n: number): { send(s: string): void } },
        _next: unknown,
      ) => {
        res.status(500).send('app error handler ran');
      },
    );
    expect(await serve(app, '/ok')).toEqual({ status: 200, body: 'still fine' });
    expect(await serve(app, '/err')).toEqual({ status: 500, body: 'app error handler ran' });
    // The failures were contained: in-flight counters still went back down.
    await waitFor(() => activeRequests(t.obs) === 0, 5000, 'in-flight back to 0');
  });

  it('instruments a request once when mounted on the app and on a sub-app', async () => {
    t.reset();
    const sub = express();
    sub.use(goldenSignals({ obs: t.obs }));
    sub.get('/thing/:id', (_req, res) => {
      res.send('thing');
    });
    const app = express();
    app.use(goldenSignals({ obs: t.obs }));
    app.use('/sub', sub);
    expect((await serve(app, '/sub/thing/1')).status).toBe(200);
    await waitFor(() => t.finishedSpans().length >= 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(t.finishedSpans().map((s) => s.name)).toEqual(['GET /sub/thing/:id']);
    expect(activeRequests(t.obs)).toBe(0);
  });

  it('works without tracing: metrics and no trace headers, no spans', async () => {
    t.reset();
    const app = express();
    app.use(goldenSignals({ obs: t.obs, tracing: false }));
    app.get('/quiet', (_req, res) => {
      res.send('q');
    });
    const s = await listen(app);
    try {
      const res = await fetch(s.url + '/quiet');
      await res.text();
      expect(res.headers.get('traceresponse')).toBeNull();
      expect(res.headers.get('x-trace-id')).toBeNull();
      await waitFor(() => t.finishedLogs().length === 1);
      expect(t.finishedSpans()).toHaveLength(0);
      expect(t.finishedLogs()[0]!.spanContext).toBeUndefined();
      let count = 0;
      t.obs.recorder.forEachSeries('http.server', (series) => {
        if (series.route === '/quiet') count += series.duration.count;
      });
      expect(count).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('honours a custom trace id header name and can drop both headers', async () => {
    const app = express();
    app.use(goldenSignals({ obs: t.obs, traceIdHeader: 'X-Request-Trace', traceResponseHeader: false }));
    app.get('/h', (_req, res) => {
      res.send('h');
    });
    const s = await listen(app);
    try {
      const res = await fetch(s.url + '/h');
      await res.text();
      expect(res.headers.get('x-request-trace')).toMatch(/^[0-9a-f]{32}$/);
      expect(res.headers.get('x-trace-id')).toBeNull();
      expect(res.headers.get('traceresponse')).toBeNull();
    } finally {
      await s.close();
    }
  });
});

describe('options', () => {
  it('throws TRISIGNAL_EXPRESS_MISSING_OBS without the Observability handle', () => {
    for (const make of [() => goldenSignals({} as never), () => errorHandler({} as never)]) {
      try {
        make();
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ExpressMiddlewareError);
        expect(isTrisignalError(error)).toBe(true);
        expect((error as ExpressMiddlewareError).code).toBe('TRISIGNAL_EXPRESS_MISSING_OBS');
        expect((error as Error).message).toContain('init()');
      }
    }
  });

  it.each([
    [{ obs: { tracerProvider: {} } }, '`obs`'],
    [{ traceIdHeader: 'bad header' }, '`traceIdHeader`'],
    [{ query: 'some' }, '`query`'],
    [{ tracing: 'yes' }, '`tracing`'],
    [{ captureRequestHeaders: ['ok', 'bad header'] }, '`captureRequestHeaders[1]`'],
    [{ captureResponseHeaders: 'x-a' }, '`captureResponseHeaders`'],
    [{ admission: {} }, '`admission`'],
    [{ unmatchedRoute: '' }, '`unmatchedRoute`'],
  ])('rejects %j with TRISIGNAL_EXPRESS_INVALID_OPTION naming %s', (options, field) => {
    const t = { obs: createTelemetry({ registerGlobals: false }).obs };
    try {
      goldenSignals({ ...t, ...options } as never);
      expect.unreachable();
    } catch (error) {
      expect((error as ExpressMiddlewareError).code).toBe('TRISIGNAL_EXPRESS_INVALID_OPTION');
      expect((error as Error).message).toContain(`Expected ${field}`);
    } finally {
      void t.obs.shutdown();
    }
  });
});
