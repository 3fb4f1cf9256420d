import { SpanStatusCode } from '@opentelemetry/api';
import { ADMIT, type Admission, type AdmissionOutcome, type AdmissionRequest } from '@trisignal/core';
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

describe.each(EXPRESS_VERSIONS)('admission control on $name', ({ express }) => {
  let t: Telemetry;
  let server: Running;
  const asked: AdmissionRequest[] = [];
  const completed: [AdmissionRequest, AdmissionOutcome][] = [];
  let handled = 0;

  beforeAll(async () => {
    t = createTelemetry({ sloClasses: [{ class: 'bronze', route: '/reports/*' }] });
    const admission: Admission = {
      admit(request) {
        asked.push(request);
        return request.sloClass === 'bronze'
          ? { admit: false, retryAfterSeconds: 2.2, reason: 'overload' }
          : ADMIT;
      },
      complete(request, outcome) {
        completed.push([request, outcome]);
      },
    };
    const app = express();
    app.use(goldenSignals({ obs: t.obs, admission }));
    app.get('/reports/:id', (_req, res) => {
      handled++;
      res.send('report');
    });
    app.get('/orders/:id', (_req, res) => {
      handled++;
      res.send('order');
    });
    app.use(errorHandler({ obs: t.obs }));
    server = await listen(app);
  });

  afterAll(async () => {
    await server.close();
    await t.shutdown();
  });

  afterEach(() => {
    t.reset();
    asked.length = 0;
    completed.length = 0;
    handled = 0;
  });

  async function shedCount(): Promise<number> {
    const collected = await t.obs.collect();
    const metric = collected.resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'trisignal.express.shed');
    return (metric?.dataPoints ?? []).reduce((sum, p) => sum + (p.value as number), 0);
  }

  it('sheds with 503 and Retry-After before the handler, counts it, and says why on the span', async () => {
    const before = await shedCount();
    const res = await fetch(server.url + '/reports/7');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toEqual({ error: 'Service Unavailable', reason: 'overload' });
    expect(handled).toBe(0);
    expect(asked).toEqual([{ kind: 'http', method: 'GET', route: undefined, sloClass: 'bronze' }]);
    await waitFor(() => t.finishedSpans().length === 1);
    const span = t.finishedSpans()[0]!;
    expect(span.attributes['trisignal.admission.reason']).toBe('overload');
    expect(span.attributes['error.type']).toBe('shed');
    expect(span.attributes['http.response.status_code']).toBe(503);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.status.message).toContain('overload');
    expect(await shedCount()).toBe(before + 1);
    expect(httpSeries(t.obs).some((s) => s.attributes['error.type'] === 'shed')).toBe(true);
    // The shed request's series and span carry the class admission shed, not the default class.
    const shedSeries = httpSeries(t.obs).filter((s) => s.attributes['error.type'] === 'shed');
    expect(shedSeries.map((s) => s.attributes['trisignal.slo.class'])).toEqual(['bronze']);
    expect(shedSeries[0]!.attributes['http.route']).toBeUndefined();
    expect(span.attributes['trisignal.slo.class']).toBe('bronze');
    // Shed requests are not reported back as outcomes of admitted work.
    expect(completed).toHaveLength(0);
  });

  it('admits other classes, runs the handler and reports the outcome once', async () => {
    const res = await fetch(server.url + '/orders/1');
    expect(res.status).toBe(200);
    await res.text();
    expect(handled).toBe(1);
    await waitFor(() => completed.length === 1);
    expect(completed[0]![0].sloClass).toBe('silver');
    expect(completed[0]![1].error).toBe(false);
    expect(completed[0]![1].durationSeconds).toBeGreaterThanOrEqual(0);
  });

  it('admits when the controller throws', async () => {
    const app = express();
    app.use(
      goldenSignals({
        obs: t.obs,
        admission: {
          admit() {
            throw new Error('controller bug');
          },
        },
      }),
    );
    app.get('/x', (_req, res) => {
      res.send('fine');
    });
    const s = await (await import('./harness.js')).listen(app);
    try {
      const res = await fetch(s.url + '/x');
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('fine');
    } finally {
      await s.close();
    }
  });
});
