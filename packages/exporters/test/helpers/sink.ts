/**
 * A local HTTP receiver on 127.0.0.1 for exporter tests: records every request (headers and decoded
 * body) and answers with whatever the test scripted, request by request.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const zstd = require('@mongodb-js/zstd') as { decompress(b: Buffer): Promise<Buffer> };
const snappy = require('snappy') as { uncompressSync(b: Buffer, o?: { asBuffer: boolean }): Buffer };

/** One request as the sink saw it. */
export interface ReceivedRequest {
  readonly at: number;
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The body as sent (still compressed). */
  readonly raw: Buffer;
  /** The body after undoing `Content-Encoding`. */
  readonly body: Buffer;
}

/** What the sink answers: a status with headers and a body, `hang` (never answer), or `destroy` (drop the socket). */
export type SinkReply =
  | {
      readonly status: number;
      readonly headers?: Record<string, string>;
      readonly body?: Uint8Array | string;
    }
  | 'hang'
  | 'destroy';

export interface Sink {
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  /** Replies used in order, one per request; when they run out, `fallback` answers. */
  script(...replies: SinkReply[]): void;
  fallback: SinkReply | ((req: ReceivedRequest) => SinkReply);
  /** Resolves when at least `n` requests have arrived (rejects after `timeoutMillis`). */
  waitFor(n: number, timeoutMillis?: number): Promise<void>;
  /** Stops listening (connection refused from then on) until `start()`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

async function decodeBody(raw: Buffer, encoding: string | undefined): Promise<Buffer> {
  switch (encoding) {
    case 'gzip':
      return gunzipSync(raw);
    case 'zstd':
      return zstd.decompress(raw);
    case 'snappy':
      return snappy.uncompressSync(raw, { asBuffer: true });
    default:
      return raw;
  }
}

/** Starts a sink on 127.0.0.1 (an ephemeral port unless `port` is given). */
export async function startSink(port = 0): Promise<Sink> {
  const replies: SinkReply[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const sockets = new Set<Socket>();
  let server: http.Server | undefined;
  let boundPort = port;

  const sink: Sink = {
    get url() {
      return `http://127.0.0.1:${boundPort}`;
    },
    get port() {
      return boundPort;
    },
    requests: [],
    script: (...r) => replies.push(...r),
    fallback: { status: 200 },
    waitFor(n, timeoutMillis = 15_000) {
      if (sink.requests.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`sink: ${sink.requests.length} of ${n} requests after ${timeoutMillis} ms`)),
          timeoutMillis,
        );
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    async stop() {
      if (server === undefined) return;
      const s = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async start() {
      if (server !== undefined) return;
      const s = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          void (async () => {
            const raw = Buffer.concat(chunks);
            const body = await decodeBody(raw, req.headers['content-encoding']);
            const received: ReceivedRequest = {
              at: Date.now(),
              method: req.method ?? '',
              url: req.url ?? '',
              headers: req.headers,
              raw,
              body,
            };
            sink.requests.push(received);
            for (const w of [...waiters]) {
              if (sink.requests.length >= w.n) {
                waiters.splice(waiters.indexOf(w), 1);
                w.resolve();
              }
            }
            const reply =
              replies.shift() ??
              (typeof sink.fallback === 'function' ? sink.fallback(received) : sink.fallback);
            if (reply === 'hang') return;
            if (reply === 'destroy') {
              req.socket.destroy();
              return;
            }
            res.writeHead(reply.status, reply.headers ?? {});
            res.end(reply.body ?? '');
          })();
        });
      });
      s.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(boundPort, '127.0.0.1', () => resolve());
      });
      boundPort = (s.address() as AddressInfo).port;
      server = s;
    },
    async close() {
      await sink.stop();
    },
  };
  await sink.start();
  return sink;
}
