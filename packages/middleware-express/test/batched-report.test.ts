import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { goldenSignals } from '@trisignal/middleware-express';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { activeRequests, createTelemetry, httpSeries } from './harness.js';

// The middleware reports ended requests (span end, metrics, access log) in a batch once per event-loop
// turn. These tests drive it with node:http request/response objects and no sockets, so what happens
// synchronously on `close` and what happens a turn later can be told apart.

const socket = new Socket();

function request(): { req: IncomingMessage; res: ServerResponse } {
  const req = new IncomingMessage(socket);
  req.method = 'GET';
  req.url = '/api/items/42';
  req.httpVersion = '1.1';
  req.headers = { host: '127.0.0.1:3000', 'user-agent': 'batch-test' };
  return { req, res: new ServerResponse(req) };
}

/** What routing and a handler leave behind: the matched route and a completed 200 response. */
function complete(req: IncomingMessage, res: ServerResponse): void {
  Object.assign(req, { baseUrl: '/api', route: { path: '/items/:id' } });
  res.statusCode = 200;
  res.setHeader('content-length', '2');
  Object.assign(res, { _header: 'HTTP/1.1 200 OK\r\n\r\n', finished: true });
}

const hrTimeToMilliseconds = ([seconds, nanos]: [number, number]): number => seconds * 1000 + nanos / 1e6;

function busyWait(millis: number): void {
  const until = performance.now() + millis;
  while (performance.now() < until);
}

describe('batched reporting of ended requests', () => {
  const t = createTelemetry();
  const middleware = goldenSignals({ obs: t.obs });

  afterEach(() => t.reset());
  afterAll(() => t.shutdown());

  function serve(): { req: IncomingMessage; res: ServerResponse } {
    const { req, res } = request();
    middleware(req, res, () => complete(req, res));
    return { req, res };
  }

  it('reports on the next turn with the time the response closed; forceFlush includes it', async () => {
    const served = Array.from({ length: 10 }, () => serve());
    expect(activeRequests(t.obs)).toBe(10);
    const closedBefore = performance.timeOrigin + performance.now();
    for (const { res } of served) res.emit('close');
    const closedAfter = performance.timeOrigin + performance.now();
    // In flight drops at once; span, metrics and log wait for the batch.
    expect(activeRequests(t.obs)).toBe(0);
    expect(t.finishedSpans()).toHaveLength(0);
    expect(t.finishedLogs()).toHaveLength(0);
    busyWait(50);

    await t.obs.forceFlush();
    const spans = t.finishedSpans();
    const logs = t.finishedLogs();
    expect(spans).toHaveLength(10);
    expect(logs).toHaveLength(10);
    expect(httpSeries(t.obs).reduce((sum, s) => sum + s.count, 0)).toBe(10);
    for (const span of spans) {
      expect(span.name).toBe('GET /api/items/:id');
      // The end is when the response closed, not when the batch ran 50 ms later (the SDK's clock
      // conversion is exact to about a millisecond).
      const end = hrTimeToMilliseconds(span.endTime);
      expect(end).toBeGreaterThanOrEqual(closedBefore - 2);
      expect(end).toBeLessThanOrEqual(closedAfter + 2);
    }
    for (const log of logs) {
      const at = hrTimeToMilliseconds(log.hrTime);
      expect(at).toBeGreaterThanOrEqual(closedBefore - 2);
      expect(at).toBeLessThanOrEqual(closedAfter + 2);
      expect(log.attributes['http.route']).toBe('/api/items/:id');
    }
    const ids = new Set(spans.map((s) => s.spanContext().spanId));
    expect(logs.every((l) => ids.has(l.spanContext?.spanId ?? ''))).toBe(true);
  });

  it('reports a full queue at once rather than letting it grow within one turn', async () => {
    const served = Array.from({ length: 1500 }, () => serve());
    for (const { res } of served) res.emit('close');
    // 1024 is the bound: the first 1024 were reported synchronously when the queue reached it.
    expect(t.finishedSpans()).toHaveLength(1024);
    await t.obs.forceFlush();
    expect(t.finishedSpans()).toHaveLength(1500);
    expect(t.finishedLogs()).toHaveLength(1500);
  });

  it('reports a request once even when close is emitted twice', async () => {
    const { res } = serve();
    res.emit('close');
    res.emit('close');
    await t.obs.forceFlush();
    expect(t.finishedSpans()).toHaveLength(1);
    expect(activeRequests(t.obs)).toBe(0);
  });
});
