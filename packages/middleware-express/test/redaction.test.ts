import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { goldenSignals, type GoldenSignalsOptions } from '@trisignal/middleware-express';
import {
  createTelemetry,
  EXPRESS_VERSIONS,
  listen,
  type Running,
  type Telemetry,
  waitFor,
} from './harness.js';

describe.each(EXPRESS_VERSIONS)('header and query redaction on $name', ({ express }) => {
  let t: Telemetry;
  const servers: Record<string, Running> = {};

  beforeAll(async () => {
    t = createTelemetry();
    const build = async (name: string, options: Omit<GoldenSignalsOptions, 'obs'>) => {
      const app = express();
      app.use(goldenSignals({ obs: t.obs, ...options }));
      app.get('/r', (_req, res) => {
        res.setHeader('x-custom', ['one', 'two']);
        res.setHeader('x-length', 7);
        res.setHeader('set-cookie', 'session=secret');
        res.send('ok');
      });
      servers[name] = await listen(app);
    };
    await build('default', {});
    await build('allowlist', {
      captureRequestHeaders: ['X-Request-Id', 'Authorization', 'cookie', 'proxy-authorization', 'accept'],
      captureResponseHeaders: ['x-custom', 'x-length', 'Set-Cookie'],
    });
    await build('full', { query: 'full' });
    await build('omit', { query: 'omit' });
  });

  afterAll(async () => {
    for (const s of Object.values(servers)) await s.close();
    await t.shutdown();
  });

  afterEach(() => t.reset());

  async function span(server: string, path: string, headers: Record<string, string> = {}) {
    await (await fetch(servers[server]!.url + path, { headers })).text();
    await waitFor(() => t.finishedSpans().length === 1);
    return t.finishedSpans()[0]!;
  }

  const secrets = {
    authorization: 'Bearer s3cr3t',
    cookie: 'sid=s3cr3t',
    'proxy-authorization': 'Basic s3cr3t',
  };

  it('captures no header by default and redacts query values', async () => {
    const s = await span('default', '/r?token=abc123&sig=xyz&flag', { ...secrets, 'x-request-id': 'r-1' });
    expect(
      Object.keys(s.attributes).filter(
        (k) => k.startsWith('http.request.header.') || k.startsWith('http.response.header.'),
      ),
    ).toEqual([]);
    expect(s.attributes['url.query']).toBe('token=REDACTED&sig=REDACTED&flag');
    expect(JSON.stringify(s.attributes)).not.toContain('abc123');
  });

  it('captures allowlisted headers as string arrays, never authorization, cookie or set-cookie', async () => {
    const s = await span('allowlist', '/r', { ...secrets, 'x-request-id': 'r-1', accept: 'text/plain' });
    expect(s.attributes['http.request.header.x-request-id']).toEqual(['r-1']);
    expect(s.attributes['http.request.header.accept']).toEqual(['text/plain']);
    expect(s.attributes['http.response.header.x-custom']).toEqual(['one', 'two']);
    expect(s.attributes['http.response.header.x-length']).toEqual(['7']);
    expect(s.attributes['http.request.header.authorization']).toBeUndefined();
    expect(s.attributes['http.request.header.cookie']).toBeUndefined();
    expect(s.attributes['http.request.header.proxy-authorization']).toBeUndefined();
    expect(s.attributes['http.response.header.set-cookie']).toBeUndefined();
    expect(JSON.stringify(s.attributes)).not.toContain('s3cr3t');
    expect(JSON.stringify(s.attributes)).not.toContain('session=secret');
    await waitFor(() => t.finishedLogs().length === 1);
    expect(JSON.stringify(t.finishedLogs()[0]!.attributes)).not.toContain('s3cr3t');
  });

  it("keeps the query with query: 'full' and leaves it out with query: 'omit'", async () => {
    expect((await span('full', '/r?a=1&b=2')).attributes['url.query']).toBe('a=1&b=2');
    t.reset();
    expect((await span('omit', '/r?a=1&b=2')).attributes['url.query']).toBeUndefined();
  });
});
