import diagnosticsChannel from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXPRESS_TRACING_CHANNEL,
  errorHandler,
  type ExpressRequestMessage,
  goldenSignals,
} from '@trisignal/middleware-express';
import {
  createTelemetry,
  EXPRESS_VERSIONS,
  listen,
  type Running,
  type Telemetry,
  waitFor,
} from './harness.js';

describe.each(EXPRESS_VERSIONS)('diagnostics_channel on $name', ({ express }) => {
  let t: Telemetry;
  let server: Running;

  beforeAll(async () => {
    t = createTelemetry();
    const app = express();
    app.use(goldenSignals({ obs: t.obs }));
    app.get('/ok/:id', (_req, res) => {
      res.send('ok');
    });
    app.get('/fail', () => {
      throw new Error('nope');
    });
    app.use(errorHandler({ obs: t.obs }));
    server = await listen(app);
  });

  afterAll(async () => {
    await server.close();
    await t.shutdown();
  });

  it('publishes start, end, error and asyncEnd on tracing:trisignal.express.request', async () => {
    const events: [string, ExpressRequestMessage][] = [];
    const channel = diagnosticsChannel.tracingChannel<unknown, ExpressRequestMessage>(
      EXPRESS_TRACING_CHANNEL,
    );
    const handlers = {
      start: (m: ExpressRequestMessage) => events.push(['start', m]),
      end: (m: ExpressRequestMessage) => events.push(['end', m]),
      asyncStart: () => undefined,
      asyncEnd: (m: ExpressRequestMessage) => events.push(['asyncEnd', { ...m }]),
      error: (m: ExpressRequestMessage) => events.push(['error', { ...m }]),
    };
    channel.subscribe(handlers);
    try {
      await (await fetch(server.url + '/ok/1')).text();
      await waitFor(() => events.some(([n]) => n === 'asyncEnd'));
      expect(events.map(([n]) => n)).toEqual(['start', 'end', 'asyncEnd']);
      const done = events[2]![1];
      expect(done.route).toBe('/ok/:id');
      expect(done.statusCode).toBe(200);
      expect(done.span?.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
      events.length = 0;
      await (await fetch(server.url + '/fail')).text();
      await waitFor(() => events.some(([n]) => n === 'asyncEnd'));
      expect(events.map(([n]) => n)).toEqual(['start', 'error', 'end', 'asyncEnd']);
      expect((events[1]![1].error as Error).message).toBe('nope');
      expect(events[3]![1].statusCode).toBe(500);
    } finally {
      channel.unsubscribe(handlers);
    }
  });
});
