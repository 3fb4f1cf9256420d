import { SpanStatusCode } from '@opentelemetry/api';
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler, goldenSignals } from '@trisignal/middleware-express';
import {
  activeRequests,
  createTelemetry,
  EXPRESS_VERSIONS,
  httpSeries,
  listen,
  type Running,
  type Telemetry,
  waitFor,
} from './harness.js';

describe.each(EXPRESS_VERSIONS)('aborted and streaming requests on $name', ({ express }) => {
  let t: Telemetry;
  let server: Running;
  let arrived: () => void = () => undefined;

  beforeAll(async () => {
    t = createTelemetry();
    const app = express();
    app.use(goldenSignals({ obs: t.obs }));
    app.get('/slow', (_req, res) => {
      arrived();
      // Never answers on its own: the client goes away first.
      res.on('close', () => undefined);
    });
    app.get('/stream', (req, res) => {
      res.setHeader('content-type', 'text/plain');
      const chunks = Number(req.query['chunks'] ?? 5);
      let sent = 0;
      const timer = setInterval(() => {
        if (sent === chunks) {
          clearInterval(timer);
          res.end('done\n');
          return;
        }
        res.write(`chunk ${sent++}\n`);
        if (sent === 1) arrived();
      }, 2);
      res.on('close', () => clearInterval(timer));
    });
    app.use(errorHandler({ obs: t.obs }));
    server = await listen(app);
  });

  afterAll(async () => {
    await server.close();
    await t.shutdown();
  });

  afterEach(() => t.reset());

  /** Sends GET `path`, waits until the handler ran (and maybe started streaming), then destroys the socket. */
  async function abortAfterArrival(path: string): Promise<void> {
    const reached = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const req = http.get(server.url + path);
    req.on('error', () => undefined);
    req.on('response', (res) => res.on('error', () => undefined).resume());
    await reached;
    req.destroy();
  }

  it('ends the span of a request whose client disconnects once, with error.type client_aborted', async () => {
    await abortAfterArrival('/slow');
    await waitFor(() => t.finishedSpans().length === 1, 5000, 'aborted span');
    // Give a second end (or a second record) every chance to show up.
    await new Promise((r) => setTimeout(r, 50));
    const spans = t.finishedSpans();
    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    expect(span.name).toBe('GET /slow');
    expect(span.attributes['error.type']).toBe('client_aborted');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['http.response.status_code']).toBeUndefined();
    const series = httpSeries(t.obs).filter((s) => s.attributes['http.route'] === '/slow');
    expect(series).toHaveLength(1);
    expect(series[0]!.count).toBe(1);
    expect(series[0]!.attributes['error.type']).toBe('client_aborted');
    expect(activeRequests(t.obs)).toBe(0);
    await waitFor(() => t.finishedLogs().length === 1);
    expect(t.finishedLogs()[0]!.severityText).toBe('WARN');
  });

  it('ends a stream aborted midway once, keeping the status already sent', async () => {
    await abortAfterArrival('/stream?chunks=1000');
    await waitFor(() => t.finishedSpans().length === 1, 5000, 'aborted stream span');
    await new Promise((r) => setTimeout(r, 50));
    expect(t.finishedSpans()).toHaveLength(1);
    const span = t.finishedSpans()[0]!;
    expect(span.attributes['http.response.status_code']).toBe(200);
    expect(span.attributes['error.type']).toBe('client_aborted');
    expect(activeRequests(t.obs)).toBe(0);
  });

  it('ends a streamed response when the last chunk is out, and leaks nothing across many', async () => {
    const res = await fetch(server.url + '/stream?chunks=5');
    expect(await res.text()).toBe('chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\ndone\n');
    await waitFor(() => t.finishedSpans().length === 1);
    const span = t.finishedSpans()[0]!;
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['error.type']).toBeUndefined();
    t.reset();
    await Promise.all(
      Array.from({ length: 50 }, () => fetch(server.url + '/stream?chunks=3').then((r) => r.text())),
    );
    await waitFor(() => t.finishedSpans().length === 50);
    expect(activeRequests(t.obs)).toBe(0);
    // A chunked body has no length: it is not measured rather than guessed.
    const collected = await t.obs.collect();
    const size = collected.resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'http.server.response.body.size');
    const streamed = size?.dataPoints.filter((p) => p.attributes['http.route'] === '/stream') ?? [];
    expect(streamed.every((p) => (p.value as { count: number }).count === 0)).toBe(true);
  });
});
