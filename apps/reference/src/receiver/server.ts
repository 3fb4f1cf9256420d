/**
 * A small OTLP/HTTP receiver that stands in for a collector when nothing else runs: it accepts
 * `POST /v1/traces`, `/v1/metrics` and `/v1/logs` as protobuf or JSON, uncompressed or gzip / deflate /
 * zstd, decodes them with the OTLP schema, stores them (see `store.ts`), and answers as the OTLP/HTTP
 * specification says: 200 with an empty `Export*ServiceResponse` in the request's encoding once the
 * batch is stored; 400 with a `google.rpc.Status` for a body that does not decode (not retryable);
 * 413, 415, 404 and 405 for what it does not take; 503 with `Retry-After` if it cannot store.
 * `GET /stats` returns its counts as JSON.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import protobuf from 'protobufjs';
import { decodeRequest, DecodeError, otlpTypes, type OtlpSignal } from './decode.js';
import { createReceiverStore, type ReceiverStore, type StoreStats } from './store.js';

export interface ReceiverOptions {
  /** Directory of the stored files. */
  readonly dir: string;
  /** @default '127.0.0.1' */
  readonly host?: string | undefined;
  /** @default 0 (any free port) */
  readonly port?: number | undefined;
  /** Largest request body accepted, compressed or not. @default 33554432 (32 MiB) */
  readonly maxBodyBytes?: number | undefined;
}

export interface Receiver {
  /** Base URL for `OTEL_EXPORTER_OTLP_ENDPOINT` (`http://127.0.0.1:<port>`). */
  readonly url: string;
  readonly port: number;
  readonly store: ReceiverStore;
  stats(): StoreStats;
  /** Stops listening, drops open connections, waits for pending writes. Idempotent. */
  close(): Promise<void>;
}

const PATHS: Readonly<Record<string, OtlpSignal>> = {
  '/v1/traces': 'traces',
  '/v1/metrics': 'metrics',
  '/v1/logs': 'logs',
};

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

type ZstdModule = { decompress(buf: Buffer): Promise<Buffer> };
let zstd: Promise<ZstdModule> | undefined;

/** Inflates with gzip / deflate stop at `limit` bytes of output (a RangeError), so a small bomb cannot fill memory. */
async function decompress(encoding: string, body: Buffer, limit: number): Promise<Buffer> {
  switch (encoding) {
    case '':
    case 'identity':
    case 'none':
      return body;
    case 'gzip':
      return gunzip(body, { maxOutputLength: limit + 1 });
    case 'deflate':
      return inflate(body, { maxOutputLength: limit + 1 });
    case 'zstd':
      zstd ??= import('@mongodb-js/zstd') as Promise<ZstdModule>;
      return (await zstd).decompress(body);
    default:
      throw new UnsupportedEncoding(encoding);
  }
}

class UnsupportedEncoding extends Error {}
class TooLarge extends Error {}

/** `google.rpc.Status { code = 1; message = 2; }` (the OTLP/HTTP error body). */
function statusBody(format: 'protobuf' | 'json', code: number, message: string): Buffer {
  if (format === 'json') return Buffer.from(JSON.stringify({ code, message }));
  return Buffer.from(protobuf.Writer.create().uint32(8).int32(code).uint32(18).string(message).finish());
}

/**
 * Reads the body, at most `limit` bytes. A larger one is read to its end and discarded (so that the
 * client, still sending, gets the 413 instead of a reset connection), up to `4 × limit`, beyond which
 * the connection is cut.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit * 4) {
        req.destroy();
        reject(new TooLarge(`the body exceeds ${limit} bytes`));
        return;
      }
      if (size > limit) {
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () =>
      size > limit ? reject(new TooLarge(`the body exceeds ${limit} bytes`)) : resolve(Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}

/** Starts the receiver; resolves once it listens. */
export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const store = createReceiverStore(options.dir);
  const empty = {
    traces: Buffer.from(otlpTypes().traces.response.encode({}).finish()),
    metrics: Buffer.from(otlpTypes().metrics.response.encode({}).finish()),
    logs: Buffer.from(otlpTypes().logs.response.encode({}).finish()),
  };

  const answer = (
    res: ServerResponse,
    status: number,
    format: 'protobuf' | 'json',
    body: Buffer,
    headers: Record<string, string> = {},
  ): void => {
    res.writeHead(status, {
      'Content-Type': format === 'json' ? 'application/json' : 'application/x-protobuf',
      'Content-Length': String(body.length),
      ...headers,
    });
    res.end(body);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && url === '/stats') {
      answer(res, 200, 'json', Buffer.from(JSON.stringify(store.stats())));
      return;
    }
    const signal = PATHS[url];
    if (signal === undefined) {
      answer(res, 404, 'json', statusBody('json', 5, `no OTLP endpoint at ${url}`));
      return;
    }
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const format = mediaType === 'application/json' ? 'json' : 'protobuf';
    if (req.method !== 'POST') {
      answer(res, 405, format, statusBody(format, 12, 'use POST'), { Allow: 'POST' });
      return;
    }
    if (mediaType !== 'application/x-protobuf' && mediaType !== 'application/json') {
      req.resume();
      answer(res, 415, 'json', statusBody('json', 3, `unsupported Content-Type ${mediaType || '(none)'}`));
      return;
    }
    const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
    let wire: Buffer;
    try {
      wire = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof TooLarge) answer(res, 413, format, statusBody(format, 8, error.message));
      return;
    }
    let body: Buffer;
    try {
      body = await decompress(encoding, wire, maxBodyBytes);
    } catch (error) {
      if (error instanceof UnsupportedEncoding)
        answer(res, 415, format, statusBody(format, 3, `unsupported Content-Encoding ${encoding}`));
      else if (error instanceof RangeError)
        answer(
          res,
          413,
          format,
          statusBody(format, 8, `the decompressed body exceeds ${maxBodyBytes} bytes`),
        );
      else answer(res, 400, format, statusBody(format, 3, `could not decompress the ${encoding} body`));
      return;
    }
    if (body.length > maxBodyBytes) {
      answer(res, 413, format, statusBody(format, 8, `the decompressed body exceeds ${maxBodyBytes} bytes`));
      return;
    }
    let batch;
    try {
      batch = decodeRequest(signal, format, body);
    } catch (error) {
      answer(
        res,
        400,
        format,
        statusBody(format, 3, error instanceof DecodeError ? error.message : 'bad request'),
      );
      return;
    }
    try {
      await store.append(batch, {
        contentType: mediaType,
        encoding: encoding || 'none',
        bytes: wire.length,
        body,
      });
    } catch {
      answer(res, 503, format, statusBody(format, 14, 'could not store the batch; retry'), {
        'Retry-After': '1',
      });
      return;
    }
    answer(res, 200, format, format === 'json' ? Buffer.from('{}') : empty[signal]);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    store,
    stats: () => store.stats(),
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await store.close();
      })();
      return closing;
    },
  };
}
