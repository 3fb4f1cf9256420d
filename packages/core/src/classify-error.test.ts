import { SpanStatusCode } from '@opentelemetry/api';
import fc from 'fast-check';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  classifyError,
  createErrorClassifier,
  type ErrorCategory,
  type ErrorClassification,
  grpcCodeToHttpStatus,
  httpStatusToGrpcCode,
  normaliseErrorMessage,
  rootCauseLabel,
} from './classify-error.js';
import { isTrisignalError } from './errors.js';

const HOST = '127.0.0.1';

/** Runs `produce` and returns what it threw or rejected with; fails the test if it succeeds. */
async function caught(produce: () => unknown): Promise<unknown> {
  try {
    await produce();
  } catch (error) {
    return error;
  }
  throw new Error('expected the operation to fail');
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve((server.address() as net.AddressInfo).port));
  });
}

/** A port that was just free: nothing listens there, so connecting is refused. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function connectError(port: number): Promise<unknown> {
  return new Promise((resolve) => {
    const socket = net.connect(port, HOST);
    socket.once('error', resolve);
    socket.once('connect', () => {
      socket.destroy();
      resolve(new Error(`port ${port} unexpectedly accepted a connection`));
    });
  });
}

/** Servers that misbehave on purpose; every accepted socket is destroyed in afterAll. */
const sockets = new Set<net.Socket>();
const servers: net.Server[] = [];
const ports = { reset: 0, destroy: 0, hang: 0, finish: 0, http: 0, refused: 0, refused2: 0 };

function track(server: net.Server): net.Server {
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  servers.push(server);
  return server;
}

beforeAll(async () => {
  ports.reset = await listen(track(net.createServer((socket) => socket.resetAndDestroy())));
  ports.destroy = await listen(track(net.createServer((socket) => socket.destroy())));
  ports.hang = await listen(track(net.createServer(() => undefined)));
  ports.finish = await listen(track(net.createServer((socket) => socket.destroy())));
  ports.http = await listen(
    track(
      http.createServer((req, res) => {
        res.statusCode = Number(req.url?.slice(1) ?? '500');
        res.end();
      }),
    ),
  );
  ports.refused = await closedPort();
  ports.refused2 = await closedPort();
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

interface Expected {
  readonly category: ErrorCategory;
  readonly errorType: string;
  readonly httpStatus: number;
  readonly grpcCode: number;
  readonly retryable: boolean;
  readonly rootName?: string;
  readonly rootCode?: string;
}

interface RealCase {
  readonly name: string;
  readonly produce: () => Promise<unknown>;
  readonly expected: Expected;
  /** Some platforms report a broken pipe as ECONNRESET: accept either, with the same verdict. */
  readonly alternativeCodes?: readonly string[];
}

const TRANSIENT_REFUSED = {
  category: 'transient',
  errorType: 'ECONNREFUSED',
  httpStatus: 503,
  grpcCode: 14,
  retryable: true,
} as const;
const CANCELLED = {
  category: 'cancelled',
  errorType: 'AbortError',
  httpStatus: 499,
  grpcCode: 1,
  retryable: false,
} as const;
const TIMED_OUT = {
  category: 'timeout',
  errorType: 'TimeoutError',
  httpStatus: 504,
  grpcCode: 4,
  retryable: true,
} as const;
const SERVER_FILE = { category: 'server', httpStatus: 500, grpcCode: 13, retryable: false } as const;

const REAL_ERRORS: readonly RealCase[] = [
  {
    name: 'net.connect to a closed port (ECONNREFUSED)',
    produce: () => connectError(ports.refused),
    expected: { ...TRANSIENT_REFUSED, rootName: 'Error', rootCode: 'ECONNREFUSED' },
  },
  {
    name: 'fetch to a closed port (TypeError "fetch failed" caused by ECONNREFUSED)',
    produce: () => caught(() => fetch(`http://${HOST}:${ports.refused}/`)),
    expected: { ...TRANSIENT_REFUSED, rootName: 'Error', rootCode: 'ECONNREFUSED' },
  },
  {
    name: 'Promise.any over two refused connections (AggregateError)',
    produce: () =>
      caught(() =>
        Promise.any([
          connectError(ports.refused).then((e) => Promise.reject(e as Error)),
          connectError(ports.refused2).then((e) => Promise.reject(e as Error)),
        ]),
      ),
    expected: { ...TRANSIENT_REFUSED, rootCode: 'ECONNREFUSED' },
  },
  {
    name: 'http.get to a server that resets the connection (ECONNRESET)',
    produce: () =>
      new Promise((resolve) => {
        http.get(`http://${HOST}:${ports.reset}/`, (res) => res.resume()).once('error', resolve);
      }),
    expected: {
      category: 'transient',
      errorType: 'ECONNRESET',
      httpStatus: 502,
      grpcCode: 14,
      retryable: true,
      rootCode: 'ECONNRESET',
    },
  },
  {
    name: 'fetch to a server that closes the socket (undici UND_ERR_SOCKET)',
    produce: () => caught(() => fetch(`http://${HOST}:${ports.destroy}/`)),
    expected: {
      category: 'transient',
      errorType: 'UND_ERR_SOCKET',
      httpStatus: 502,
      grpcCode: 14,
      retryable: true,
      rootName: 'SocketError',
      rootCode: 'UND_ERR_SOCKET',
    },
  },
  {
    name: 'writing to a socket the peer has closed (EPIPE)',
    produce: () =>
      new Promise((resolve) => {
        const socket = net.connect({ port: ports.finish, host: HOST, allowHalfOpen: true });
        socket.once('error', resolve);
        socket.resume();
        socket.once('end', () => {
          const write = (): void => {
            if (socket.destroyed) return;
            socket.write(Buffer.alloc(1024));
            setTimeout(write, 1);
          };
          write();
        });
      }),
    expected: {
      category: 'transient',
      errorType: 'EPIPE',
      httpStatus: 502,
      grpcCode: 14,
      retryable: true,
      rootCode: 'EPIPE',
    },
    alternativeCodes: ['ECONNRESET'],
  },
  {
    name: 'listen on a port in use (EADDRINUSE)',
    produce: () =>
      new Promise((resolve) => {
        const server = net.createServer();
        server.once('error', resolve);
        server.listen(ports.hang, HOST, () =>
          server.close(() => resolve(new Error('listen unexpectedly worked'))),
        );
      }),
    expected: { ...SERVER_FILE, errorType: 'EADDRINUSE', rootCode: 'EADDRINUSE' },
  },
  {
    name: 'readFile of a missing file (ENOENT)',
    produce: () => caught(() => readFile(`${tmpdir()}/trisignal-missing-${process.pid}/file.json`)),
    expected: { ...SERVER_FILE, errorType: 'ENOENT', rootCode: 'ENOENT' },
  },
  {
    name: 'readFile of a directory (EISDIR)',
    produce: () => caught(() => readFile(tmpdir())),
    expected: { ...SERVER_FILE, errorType: 'EISDIR', rootCode: 'EISDIR' },
  },
  {
    name: 'spawn of a missing binary (ENOENT)',
    produce: () =>
      new Promise((resolve) => {
        spawn('trisignal-no-such-binary-for-tests').once('error', resolve);
      }),
    expected: { ...SERVER_FILE, errorType: 'ENOENT', rootCode: 'ENOENT' },
  },
  {
    name: 'timers/promises setTimeout with an aborted signal (AbortError caused by DOMException AbortError)',
    produce: () => caught(() => sleep(10_000, undefined, { signal: AbortSignal.abort() })),
    expected: { ...CANCELLED, rootName: 'AbortError' },
  },
  {
    name: 'fetch with an aborted signal (DOMException AbortError)',
    produce: () => caught(() => fetch(`http://${HOST}:${ports.hang}/`, { signal: AbortSignal.abort() })),
    expected: { ...CANCELLED, rootName: 'AbortError', rootCode: '20' },
  },
  {
    name: 'timers/promises setTimeout with AbortSignal.timeout (AbortError caused by TimeoutError)',
    produce: () => caught(() => sleep(10_000, undefined, { signal: AbortSignal.timeout(1) })),
    expected: { ...TIMED_OUT, rootName: 'TimeoutError' },
  },
  {
    name: 'fetch to a server that never answers, with AbortSignal.timeout (DOMException TimeoutError)',
    produce: () => caught(() => fetch(`http://${HOST}:${ports.hang}/`, { signal: AbortSignal.timeout(20) })),
    expected: { ...TIMED_OUT, rootName: 'TimeoutError', rootCode: '23' },
  },
  {
    name: 'http.get to a server that never answers, with AbortSignal.timeout',
    produce: () =>
      new Promise((resolve) => {
        http.get(`http://${HOST}:${ports.hang}/`, { signal: AbortSignal.timeout(20) }).once('error', resolve);
      }),
    expected: { ...TIMED_OUT, rootName: 'TimeoutError' },
  },
  {
    name: 'stream.finished on a stream destroyed early (ERR_STREAM_PREMATURE_CLOSE)',
    produce: () =>
      caught(() => {
        const stream = new PassThrough();
        const done = finished(stream);
        stream.destroy();
        return done;
      }),
    expected: {
      category: 'cancelled',
      errorType: 'ERR_STREAM_PREMATURE_CLOSE',
      httpStatus: 499,
      grpcCode: 1,
      retryable: false,
    },
  },
  {
    name: 'JSON.parse of invalid JSON (SyntaxError)',
    produce: () => caught(() => JSON.parse('{"a":}')),
    expected: {
      category: 'server',
      errorType: 'SyntaxError',
      httpStatus: 500,
      grpcCode: 13,
      retryable: false,
      rootName: 'SyntaxError',
    },
  },
  {
    name: 'reading a property of undefined (TypeError)',
    produce: () => caught(() => (JSON.parse('{}') as { a: { b: number } }).a.b),
    expected: { category: 'server', errorType: 'TypeError', httpStatus: 500, grpcCode: 13, retryable: false },
  },
  {
    name: 'an invalid array length (RangeError)',
    produce: () => caught(() => new Array<unknown>(-1)),
    expected: {
      category: 'server',
      errorType: 'RangeError',
      httpStatus: 500,
      grpcCode: 13,
      retryable: false,
    },
  },
  {
    name: 'new URL of garbage (TypeError ERR_INVALID_URL)',
    produce: () => caught(() => new URL('not a url')),
    expected: {
      category: 'server',
      errorType: 'ERR_INVALID_URL',
      httpStatus: 500,
      grpcCode: 13,
      retryable: false,
      rootCode: 'ERR_INVALID_URL',
    },
  },
  {
    name: 'Buffer.from(undefined) (TypeError ERR_INVALID_ARG_TYPE)',
    produce: () => caught(() => Buffer.from(undefined as unknown as string)),
    expected: {
      category: 'server',
      errorType: 'ERR_INVALID_ARG_TYPE',
      httpStatus: 500,
      grpcCode: 13,
      retryable: false,
    },
  },
  {
    name: 'Promise.any over a refused connection and a JSON error: the most severe member decides',
    produce: () =>
      caught(() =>
        Promise.any([
          connectError(ports.refused).then((e) => Promise.reject(e as Error)),
          Promise.resolve().then(() => JSON.parse('nope') as unknown),
        ]),
      ),
    expected: {
      category: 'server',
      errorType: 'SyntaxError',
      httpStatus: 500,
      grpcCode: 13,
      retryable: false,
      rootName: 'SyntaxError',
    },
  },
];

function expectVerdict(c: ErrorClassification, expected: Expected): void {
  expect({
    category: c.category,
    errorType: c.errorType,
    httpStatus: c.httpStatus,
    grpcCode: c.grpcCode,
    retryable: c.retryable,
    status: c.status,
  }).toEqual({
    category: expected.category,
    errorType: expected.errorType,
    httpStatus: expected.httpStatus,
    grpcCode: expected.grpcCode,
    retryable: expected.retryable,
    status: SpanStatusCode.ERROR,
  });
  if (expected.rootName !== undefined) expect(c.rootCause.name).toBe(expected.rootName);
  if (expected.rootCode !== undefined) expect(c.rootCause.code).toBe(expected.rootCode);
  expect(c.fingerprint).toMatch(/^[0-9a-f]{16}$/);
}

describe('classifyError over real Node errors', () => {
  it.each(REAL_ERRORS)('$name', async ({ produce, expected, alternativeCodes }) => {
    const error = await produce();
    expect(error).toBeInstanceOf(Object);
    const c = classifyError(error);
    const code = c.rootCause.code;
    if (alternativeCodes !== undefined && code !== undefined && alternativeCodes.includes(code)) {
      expectVerdict(c, { ...expected, errorType: code, rootCode: code, httpStatus: c.httpStatus });
    } else {
      expectVerdict(c, expected);
    }
  });

  it('gives the root cause of fetch failures, not the wrapper', async () => {
    const error = await caught(() => fetch(`http://${HOST}:${ports.refused}/`));
    expect((error as Error).message).toBe('fetch failed');
    const { rootCause } = classifyError(error);
    expect(rootCause.message).toBe(`connect ECONNREFUSED ${HOST}:${ports.refused}`);
    expect(rootCauseLabel(rootCause)).toBe('ECONNREFUSED');
  });

  it('classifies fetch Responses by status and leaves successful ones UNSET', async () => {
    const unavailable = await fetch(`http://${HOST}:${ports.http}/503`);
    const notFound = await fetch(`http://${HOST}:${ports.http}/404`);
    const ok = await fetch(`http://${HOST}:${ports.http}/200`);
    await Promise.all([unavailable.text(), notFound.text(), ok.text()]);
    expect(classifyError(unavailable)).toMatchObject({
      category: 'transient',
      httpStatus: 503,
      grpcCode: 14,
      retryable: true,
      errorType: '503',
    });
    expect(classifyError(notFound)).toMatchObject({
      category: 'client',
      httpStatus: 404,
      grpcCode: 5,
      retryable: false,
      errorType: '404',
    });
    expect(classifyError(ok)).toMatchObject({
      status: SpanStatusCode.UNSET,
      httpStatus: 200,
      grpcCode: 0,
      retryable: false,
    });
  });
});

function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), {
    code,
    details,
    metadata: { internalRepr: new Map() },
  });
}

function httpError(status: number, message = 'http error'): Error {
  return Object.assign(new Error(message), { status, statusCode: status, expose: status < 500 });
}

function systemError(code: string, message = `${code.toLowerCase()} failure`): Error {
  return Object.assign(new Error(message), { code, errno: -1, syscall: 'connect' });
}

describe('classifyError over library-shaped errors', () => {
  it.each([
    [400, 'client', 3, false],
    [401, 'client', 16, false],
    [403, 'client', 7, false],
    [404, 'client', 5, false],
    [408, 'timeout', 4, true],
    [409, 'client', 6, false],
    [422, 'client', 3, false],
    [429, 'transient', 8, true],
    [499, 'cancelled', 1, false],
    [500, 'server', 13, false],
    [501, 'server', 12, false],
    [502, 'transient', 14, true],
    [503, 'transient', 14, true],
    [504, 'timeout', 4, true],
    [507, 'server', 13, false],
  ] as const)(
    'maps http-errors status %i to %s (gRPC %i, retryable %s)',
    (status, category, grpcCode, retryable) => {
      expect(classifyError(httpError(status))).toMatchObject({
        category,
        grpcCode,
        retryable,
        httpStatus: status,
        errorType: String(status),
        status: SpanStatusCode.ERROR,
      });
    },
  );

  it.each([
    [1, 'cancelled', 499, 'CANCELLED'],
    [2, 'server', 500, 'UNKNOWN'],
    [3, 'client', 400, 'INVALID_ARGUMENT'],
    [4, 'timeout', 504, 'DEADLINE_EXCEEDED'],
    [5, 'client', 404, 'NOT_FOUND'],
    [6, 'client', 409, 'ALREADY_EXISTS'],
    [7, 'client', 403, 'PERMISSION_DENIED'],
    [8, 'transient', 429, 'RESOURCE_EXHAUSTED'],
    [9, 'client', 400, 'FAILED_PRECONDITION'],
    [10, 'transient', 409, 'ABORTED'],
    [11, 'client', 400, 'OUT_OF_RANGE'],
    [12, 'server', 501, 'UNIMPLEMENTED'],
    [13, 'server', 500, 'INTERNAL'],
    [14, 'transient', 503, 'UNAVAILABLE'],
    [15, 'server', 500, 'DATA_LOSS'],
    [16, 'client', 401, 'UNAUTHENTICATED'],
  ] as const)(
    'maps gRPC ServiceError code %i to %s (HTTP %i, %s)',
    (code, category, httpStatus, errorType) => {
      const c = classifyError(grpcError(code, 'details'));
      expect(c).toMatchObject({
        category,
        httpStatus,
        errorType,
        grpcCode: code,
        status: SpanStatusCode.ERROR,
      });
      expect(c.retryable).toBe(category === 'transient' || category === 'timeout');
    },
  );

  it('treats a gRPC status with code 0 as not an error', () => {
    expect(classifyError({ code: 0, details: 'OK', metadata: {} })).toMatchObject({
      status: SpanStatusCode.UNSET,
      grpcCode: 0,
      httpStatus: 200,
    });
  });

  it('does not mistake a bare numeric code (MongoDB) for a gRPC code', () => {
    const mongo = Object.assign(new Error('E11000 duplicate key'), { name: 'MongoServerError', code: 11 });
    expect(classifyError(mongo)).toMatchObject({
      category: 'unknown',
      errorType: 'MongoServerError',
      grpcCode: 2,
      httpStatus: 500,
    });
  });

  it.each([
    ['ETIMEDOUT', 'timeout', 504, 4],
    ['EAI_AGAIN', 'transient', 503, 14],
    ['EHOSTUNREACH', 'transient', 503, 14],
    ['ENETUNREACH', 'transient', 503, 14],
    ['ECONNABORTED', 'transient', 502, 14],
    ['EMFILE', 'transient', 503, 8],
    ['ENOTFOUND', 'server', 502, 14],
    ['EACCES', 'server', 500, 13],
    ['ENOSPC', 'server', 507, 8],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout', 504, 4],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout', 504, 4],
    ['UND_ERR_BODY_TIMEOUT', 'timeout', 504, 4],
    ['ABORT_ERR', 'cancelled', 499, 1],
    ['ERR_HTTP_REQUEST_TIMEOUT', 'timeout', 408, 4],
    ['ERR_HTTP_HEADERS_SENT', 'server', 500, 13],
    ['ERR_TLS_HANDSHAKE_TIMEOUT', 'server', 502, 13],
    ['CERT_HAS_EXPIRED', 'server', 502, 13],
  ] as const)('maps code %s to %s (HTTP %i, gRPC %i)', (code, category, httpStatus, grpcCode) => {
    const c = classifyError(systemError(code));
    expect(c).toMatchObject({ category, httpStatus, grpcCode, errorType: code });
    expect(c.retryable).toBe(category === 'transient' || category === 'timeout');
  });

  it('prefers an HTTP status over a generic library code (axios, got)', () => {
    const axios = Object.assign(new Error('Request failed with status code 503'), {
      name: 'AxiosError',
      code: 'ERR_BAD_RESPONSE',
      response: { status: 503 },
    });
    const got = Object.assign(new Error('Response code 404 (Not Found)'), {
      name: 'HTTPError',
      code: 'ERR_NON_2XX_3XX_RESPONSE',
      response: { statusCode: 404 },
    });
    expect(classifyError(axios)).toMatchObject({ category: 'transient', errorType: '503' });
    expect(classifyError(got)).toMatchObject({ category: 'client', errorType: '404', grpcCode: 5 });
  });

  it('classifies an undici connect timeout inside "fetch failed" as a timeout', () => {
    const cause = Object.assign(new Error('Connect Timeout Error'), {
      name: 'ConnectTimeoutError',
      code: 'UND_ERR_CONNECT_TIMEOUT',
    });
    const c = classifyError(new TypeError('fetch failed', { cause }));
    expect(c).toMatchObject({
      category: 'timeout',
      errorType: 'UND_ERR_CONNECT_TIMEOUT',
      rootCause: { name: 'ConnectTimeoutError' },
    });
  });

  it('treats an unrecognised "fetch failed" as a transient network failure', () => {
    const c = classifyError(new TypeError('fetch failed', { cause: new Error('something odd') }));
    expect(c).toMatchObject({
      category: 'transient',
      errorType: 'TypeError',
      httpStatus: 502,
      retryable: true,
    });
  });

  it('falls back to unknown with the class name or constant-like code as error.type', () => {
    class PaymentDeclinedError extends Error {
      override readonly name = 'PaymentDeclinedError';
    }
    expect(classifyError(new Error('boom'))).toMatchObject({
      category: 'unknown',
      errorType: 'Error',
      httpStatus: 500,
      grpcCode: 2,
      retryable: false,
    });
    expect(classifyError(new PaymentDeclinedError('no'))).toMatchObject({
      category: 'unknown',
      errorType: 'PaymentDeclinedError',
    });
    expect(classifyError(Object.assign(new Error('x'), { code: 'PAYMENT_DECLINED' }))).toMatchObject({
      errorType: 'PAYMENT_DECLINED',
    });
    expect(classifyError(Object.assign(new Error('x'), { code: 'not a constant' }))).toMatchObject({
      errorType: 'Error',
    });
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'does not read Object.prototype for code %j',
    (code) => {
      expect(classifyError(Object.assign(new Error('x'), { code }))).toMatchObject({
        category: 'unknown',
        errorType: 'Error',
        rootCause: { code },
      });
    },
  );

  it('classifies thrown primitives, undefined and null as unknown errors', () => {
    expect(classifyError('boom')).toMatchObject({
      category: 'unknown',
      status: SpanStatusCode.ERROR,
      errorType: '_OTHER',
      rootCause: { name: 'string', code: undefined, message: 'boom' },
    });
    expect(classifyError(undefined)).toMatchObject({
      status: SpanStatusCode.ERROR,
      rootCause: { name: 'undefined' },
    });
    expect(classifyError(null)).toMatchObject({ status: SpanStatusCode.ERROR, rootCause: { name: 'null' } });
    expect(classifyError(42).rootCause).toEqual({ name: 'number', code: undefined, message: '42' });
  });
});

describe('classifyError cause chains', () => {
  it('lets a strong signal beat a built-in error class (400 wrapping a SyntaxError)', () => {
    const c = classifyError(
      Object.assign(new Error('invalid body', { cause: new SyntaxError('bad') }), { status: 400 }),
    );
    expect(c).toMatchObject({ category: 'client', errorType: '400', rootCause: { name: 'SyntaxError' } });
  });

  it('lets the deepest of equally strong signals decide (500 wrapping ECONNRESET)', () => {
    const c = classifyError(
      Object.assign(new Error('upstream failed', { cause: systemError('ECONNRESET') }), { status: 500 }),
    );
    expect(c).toMatchObject({ category: 'transient', errorType: 'ECONNRESET', retryable: true });
  });

  it('keeps an AbortError whose cause carries no signal a cancellation', () => {
    const c = classifyError(
      Object.assign(new Error('aborted', { cause: new Error('shutting down') }), { name: 'AbortError' }),
    );
    expect(c).toMatchObject({ category: 'cancelled', rootCause: { message: 'shutting down' } });
  });

  it('does not descend into primitive causes', () => {
    expect(classifyError(new Error('outer', { cause: 'a string' })).rootCause.message).toBe('outer');
  });

  it('stops on cyclic causes at the last error before the cycle closes', () => {
    const a = new Error('a');
    const c = new Error('c', { cause: a });
    const b = new Error('b', { cause: c });
    (a as { cause?: unknown }).cause = b;
    expect(classifyError(a)).toMatchObject({ category: 'unknown', rootCause: { message: 'c' } });
    const self = new Error('self');
    (self as { cause?: unknown }).cause = self;
    expect(classifyError(self).rootCause.message).toBe('self');
  });

  it('stops after 16 links of a long chain', () => {
    let error = new Error('link 0');
    for (let i = 1; i < 1000; i++) error = new Error(`link ${i}`, { cause: error });
    expect(classifyError(error).rootCause.message).toBe('link 984');
  });

  it('bounds the work on wide, deep aggregates', () => {
    const leaf = (): AggregateError => new AggregateError([systemError('ECONNRESET')], 'leaf');
    let error: unknown = leaf();
    for (let i = 0; i < 20; i++)
      error = new AggregateError(
        Array.from({ length: 50 }, () => error),
        `level ${i}`,
      );
    expect(() => classifyError(error)).not.toThrow();
  });
});

describe('classifyError AggregateError members', () => {
  it.each([
    ['server beats transient', [systemError('ECONNREFUSED'), new TypeError('bug')], 'server', 'TypeError'],
    [
      'timeout beats transient',
      [systemError('ECONNREFUSED'), systemError('ETIMEDOUT')],
      'timeout',
      'ETIMEDOUT',
    ],
    [
      'transient beats cancelled',
      [Object.assign(new Error('x'), { name: 'AbortError' }), systemError('EPIPE')],
      'transient',
      'EPIPE',
    ],
    ['client beats timeout', [systemError('ETIMEDOUT'), httpError(404)], 'client', '404'],
    ['unknown beats client', [httpError(404), new Error('mystery')], 'unknown', 'Error'],
    [
      'the first member wins ties',
      [systemError('ECONNRESET'), systemError('ECONNREFUSED')],
      'transient',
      'ECONNRESET',
    ],
  ] as const)('%s', (_label, members, category, errorType) => {
    expect(classifyError(new AggregateError(members, 'all failed'))).toMatchObject({ category, errorType });
  });

  it('follows an aggregate found inside a cause chain to its member', () => {
    const aggregate = new AggregateError(
      [systemError('ECONNREFUSED', 'connect ECONNREFUSED ::1:80')],
      'connect failed',
    );
    const c = classifyError(new TypeError('fetch failed', { cause: aggregate }));
    expect(c).toMatchObject({
      errorType: 'ECONNREFUSED',
      rootCause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED ::1:80' },
    });
  });

  it('classifies an empty AggregateError as itself', () => {
    expect(classifyError(new AggregateError([], 'none'))).toMatchObject({
      category: 'unknown',
      errorType: 'AggregateError',
    });
  });
});

describe('classifyError never throws on hostile input', () => {
  const throwingProxy = new Proxy(
    {},
    {
      get: () => {
        throw new Error('get trap');
      },
      getPrototypeOf: () => {
        throw new Error('getPrototypeOf trap');
      },
      has: () => {
        throw new Error('has trap');
      },
      ownKeys: () => {
        throw new Error('ownKeys trap');
      },
    },
  );
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const throwingGetters = Object.defineProperties(new Error('getters'), {
    name: {
      get: () => {
        throw new Error('name');
      },
    },
    code: {
      get: () => {
        throw new Error('code');
      },
    },
    message: {
      get: () => {
        throw new Error('message');
      },
    },
    cause: {
      get: () => {
        throw new Error('cause');
      },
    },
    status: {
      get: () => {
        throw new Error('status');
      },
    },
    errors: {
      get: () => {
        throw new Error('errors');
      },
    },
  });

  it.each([
    ['a Proxy whose traps throw', throwingProxy],
    ['a revoked Proxy', revoked.proxy],
    ['an error whose getters throw', throwingGetters],
    ['an AggregateError of revoked proxies', new AggregateError([revoked.proxy, throwingProxy])],
    ['an object without prototype', Object.create(null) as object],
    ['a symbol', Symbol('s')],
    ['a bigint', 10n],
    ['a function', () => 1],
    ['an object whose errors is a revoked proxy', { errors: revoked.proxy }],
  ])('%s', (_label, value) => {
    const c = classifyError(value);
    expect(c.status).toBe(SpanStatusCode.ERROR);
    expect(c.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  const thrownValue = fc.letrec((tie) => ({
    error: fc.record(
      {
        name: fc.oneof(
          fc.constantFrom('Error', 'TypeError', 'AbortError', 'TimeoutError', 'AggregateError'),
          fc.string(),
        ),
        message: fc.oneof(fc.string(), fc.anything()),
        code: fc.oneof(
          fc.constantFrom('ECONNREFUSED', 'ETIMEDOUT', 'ERR_X', 'UND_ERR_SOCKET'),
          fc.integer({ min: -1, max: 30 }),
          fc.anything(),
        ),
        status: fc.oneof(fc.integer({ min: 0, max: 700 }), fc.anything()),
        details: fc.oneof(fc.string(), fc.anything()),
        cause: tie('value'),
        errors: fc.array(tie('value'), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.anything(), tie('error')),
  })).value;

  it('holds its invariants for arbitrary values (property)', () => {
    const categories = new Set(['client', 'server', 'transient', 'timeout', 'cancelled', 'unknown']);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything({
            withObjectString: true,
            withNullPrototype: true,
            withBigInt: true,
            withMap: true,
            withSet: true,
          }),
          thrownValue,
        ),
        (value) => {
          const c = classifyError(value);
          expect(categories.has(c.category)).toBe(true);
          expect(Number.isInteger(c.httpStatus) && c.httpStatus >= 100 && c.httpStatus <= 599).toBe(true);
          expect(Number.isInteger(c.grpcCode) && c.grpcCode >= 0 && c.grpcCode <= 16).toBe(true);
          expect(typeof c.retryable).toBe('boolean');
          expect(c.errorType.length).toBeGreaterThan(0);
          expect(c.errorType.length).toBeLessThanOrEqual(64);
          expect(c.fingerprint).toMatch(/^[0-9a-f]{16}$/);
          expect(c.rootCause.message.length).toBeLessThanOrEqual(1024);
          // Deterministic: the same value gives the same verdict.
          expect(classifyError(value)).toEqual(c);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('classification rules', () => {
  it('lets a rule override the built-in verdict on a real ENOENT', async () => {
    const error = await caught(() => readFile(`${tmpdir()}/trisignal-missing-${process.pid}.txt`));
    const classify = createErrorClassifier({
      rules: [
        (err) =>
          (err as { code?: unknown }).code === 'ENOENT'
            ? { category: 'client', httpStatus: 404, grpcCode: 5 }
            : undefined,
      ],
    });
    expect(classify(error)).toMatchObject({
      category: 'client',
      httpStatus: 404,
      grpcCode: 5,
      retryable: false,
      errorType: 'ENOENT',
      rootCause: { code: 'ENOENT' },
    });
    expect(classifyError(error)).toMatchObject({ category: 'server', httpStatus: 500 });
  });

  it("resets a changed category's defaults unless the patch sets them", () => {
    const classify = createErrorClassifier({ rules: [() => ({ category: 'transient' })] });
    expect(classify(httpError(400))).toMatchObject({
      category: 'transient',
      httpStatus: 503,
      grpcCode: 14,
      retryable: true,
      errorType: '400',
    });
  });

  it('passes the root cause and lets the first matching rule win', async () => {
    const seen: unknown[] = [];
    const classify = createErrorClassifier({
      rules: [
        (_err, root) => {
          seen.push(root);
          return undefined;
        },
        () => ({ errorType: 'first' }),
        () => ({ errorType: 'second' }),
      ],
    });
    const error = await caught(() => fetch(`http://${HOST}:${ports.refused}/`));
    expect(classify(error).errorType).toBe('first');
    expect((seen[0] as { code?: unknown }).code).toBe('ECONNREFUSED');
  });

  it('skips a rule that throws and ignores invalid patch fields', () => {
    const classify = createErrorClassifier({
      rules: [
        () => {
          throw new Error('rule bug');
        },
        () => ({
          category: 'nonsense' as ErrorCategory,
          httpStatus: 42,
          grpcCode: 99,
          retryable: 'yes' as unknown as boolean,
          errorType: '',
        }),
      ],
    });
    expect(classify(systemError('ECONNRESET'))).toMatchObject({
      category: 'transient',
      httpStatus: 502,
      grpcCode: 14,
      retryable: true,
      errorType: 'ECONNRESET',
    });
  });

  it('can mark something as not an error', () => {
    const classify = createErrorClassifier({
      rules: [
        (err) =>
          err instanceof Error && err.message === 'benign' ? { status: SpanStatusCode.UNSET } : undefined,
      ],
    });
    expect(classify(new Error('benign')).status).toBe(SpanStatusCode.UNSET);
  });

  it('accepts rules through classifyError options', () => {
    expect(classifyError(new Error('x'), { rules: [() => ({ category: 'client' })] }).category).toBe(
      'client',
    );
  });

  it.each([['not an array'], [[() => undefined, 'not a function']]])(
    'rejects invalid rules (%j)',
    (rules) => {
      let thrown: unknown;
      try {
        createErrorClassifier({ rules: rules as never });
      } catch (error) {
        thrown = error;
      }
      expect(isTrisignalError(thrown)).toBe(true);
      expect((thrown as { code: string }).code).toBe('TRISIGNAL_CORE_INVALID_OPTION');
      expect((thrown as Error).message).toMatch(/^Expected `rules` to be an array of functions, got/);
    },
  );
});

describe('HTTP and gRPC code mapping', () => {
  it.each([
    [200, 0],
    [400, 3],
    [401, 16],
    [403, 7],
    [404, 5],
    [408, 4],
    [409, 6],
    [418, 3],
    [429, 8],
    [499, 1],
    [500, 13],
    [501, 12],
    [502, 14],
    [503, 14],
    [504, 4],
    [599, 13],
    [42, 2],
    [404.5, 2],
  ])('HTTP %d → gRPC %i', (httpStatus, grpcCode) => {
    expect(httpStatusToGrpcCode(httpStatus)).toBe(grpcCode);
  });

  it('maps every gRPC code to an HTTP status that maps back to a code of the same category', () => {
    for (let code = 1; code <= 16; code++) {
      const back = httpStatusToGrpcCode(grpcCodeToHttpStatus(code));
      const category = classifyError(grpcError(code, 'x')).category;
      const backCategory = classifyError(grpcError(back, 'x')).category;
      // ABORTED (409) comes back as ALREADY_EXISTS: a conflict is not retryable as such over HTTP.
      if (code !== 10)
        expect(backCategory, `gRPC ${code} → ${grpcCodeToHttpStatus(code)} → ${back}`).toBe(category);
    }
    expect(grpcCodeToHttpStatus(17)).toBe(500);
    expect(grpcCodeToHttpStatus(-1)).toBe(500);
  });
});

describe('fingerprint', () => {
  it('is the same for the same bug with different ports, paths and ids', async () => {
    const [refusedA, refusedB] = await Promise.all([
      connectError(ports.refused),
      connectError(ports.refused2),
    ]);
    expect((refusedA as Error).message).not.toBe((refusedB as Error).message);
    expect(classifyError(refusedA).fingerprint).toBe(classifyError(refusedB).fingerprint);

    const missingA = await caught(() => readFile(`${tmpdir()}/a-${process.pid}/x.json`));
    const missingB = await caught(() => readFile(`${tmpdir()}/b-${process.pid}/yy.json`));
    expect(classifyError(missingA).fingerprint).toBe(classifyError(missingB).fingerprint);

    const jsonA = await caught(() => JSON.parse('{"a":}'));
    const jsonB = await caught(() => JSON.parse('{"bbb": 1, "c":]'));
    expect(classifyError(jsonA).fingerprint).toBe(classifyError(jsonB).fingerprint);

    const user = (id: string, n: number): Error =>
      new Error(`user ${id} not found after ${n} attempts (trace 4bf92f3577b34da6a3ce929d0e0e4736)`);
    expect(classifyError(user('0b0c6a4e-1a7d-4c4e-9f7e-3f5a2c1d9e8b', 3)).fingerprint).toBe(
      classifyError(user('9d2f1c3a-5b6e-4f70-8a91-b2c3d4e5f601', 12)).fingerprint,
    );
  });

  it('differs between different bugs', async () => {
    const refused = await connectError(ports.refused);
    const reset = await new Promise((resolve) => {
      http.get(`http://${HOST}:${ports.reset}/`).once('error', resolve);
    });
    const fingerprints = new Set([
      classifyError(refused).fingerprint,
      classifyError(reset).fingerprint,
      classifyError(new TypeError('x is not a function')).fingerprint,
      classifyError(new RangeError('x is not a function')).fingerprint,
      classifyError(new TypeError('Cannot read properties of undefined')).fingerprint,
      classifyError(systemError('ECONNRESET', 'read ECONNRESET')).fingerprint,
    ]);
    expect(fingerprints.size).toBe(6);
  });

  it('is stable across processes and releases (golden value)', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { code: 'ECONNREFUSED' });
    // sha256("Error\0ECONNREFUSED\0connect ECONNREFUSED <ip>") truncated to 16 hex characters. If this
    // changes, every stored fingerprint changes: only ever change it on purpose, in a major release.
    expect(classifyError(error).fingerprint).toBe('71468f5245eaeec3');
  });

  it.each([
    ['connect ECONNREFUSED 127.0.0.1:5432', 'connect ECONNREFUSED <ip>'],
    ['connect ECONNREFUSED ::1:3000', 'connect ECONNREFUSED <ip>'],
    ['listen EADDRINUSE: address already in use :::8080', 'listen EADDRINUSE: address already in use <ip>'],
    [
      "ENOENT: no such file or directory, open '/srv/app/42.json'",
      'ENOENT: no such file or directory, open <str>',
    ],
    ['cannot open /var/data/blob-17 for writing', 'cannot open <path> for writing'],
    ['GET https://api.example.com/users/7?x=1 failed', 'GET <url> failed'],
    ['order 3fa85f64-5717-4562-b3fc-2c963f66afa6 missing', 'order <uuid> missing'],
    ['object 507f1f77bcf86cd799439011 at 0xdeadBEEF', 'object <hex> at <hex>'],
    ['timeout of 3000ms exceeded', 'timeout of <n>ms exceeded'],
    [`Unexpected token '}', "{"a":}" is not valid JSON`, 'Unexpected token <str>, <str> is not valid JSON'],
    ['can\'t   parse "user-77"', "can't parse <str>"],
  ])('normalises %j', (message, normalised) => {
    expect(normaliseErrorMessage(message)).toBe(normalised);
  });
});
