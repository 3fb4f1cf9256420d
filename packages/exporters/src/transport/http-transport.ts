import http from 'node:http';
import https from 'node:https';

/** The outcome of one HTTP POST: a response (any status), or no response at all. */
export type HttpAttempt =
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly headers: http.IncomingHttpHeaders;
      /** The body, or `undefined` when it was larger than the response limit (not read further). */
      readonly body: Buffer | undefined;
    }
  | {
      readonly kind: 'error';
      /** `timeout` or the network error's code (`ECONNREFUSED`, `ECONNRESET`, …). */
      readonly errorType: string;
      readonly error: Error;
    };

/** Responses are read up to this size (the OTLP spec's client limit); larger bodies are not parsed. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** A POST target with its keep-alive agent. */
export interface HttpTarget {
  readonly url: URL;
  readonly agent: http.Agent;
}

/** Builds the target for `url`, with a keep-alive agent unless one is given. */
export function createHttpTarget(url: URL, agent: http.Agent | undefined): HttpTarget {
  const isHttps = url.protocol === 'https:';
  return {
    url,
    agent: agent ?? (isHttps ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true })),
  };
}

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * POSTs `body` once. Never rejects: every failure is an `HttpAttempt` of kind `error`. The timeout
 * covers the whole exchange (connect, send, response).
 */
export function postOnce(
  target: HttpTarget,
  headers: Readonly<Record<string, string>>,
  body: Uint8Array,
  timeoutMillis: number,
  signal?: AbortSignal,
): Promise<HttpAttempt> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve({ kind: 'error', errorType: 'aborted', error: new Error('aborted before sending') });
      return;
    }
    let settled = false;
    const finish = (attempt: HttpAttempt): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(attempt);
    };
    const onAbort = (): void => {
      const error = new Error('aborted by shutdown');
      finish({ kind: 'error', errorType: 'aborted', error });
      request.destroy(error);
    };
    const fail = (error: Error): void => {
      const code = (error as NodeJS.ErrnoException).code;
      finish({
        kind: 'error',
        errorType: error instanceof TimeoutError ? 'timeout' : typeof code === 'string' ? code : error.name,
        error,
      });
    };
    const url = target.url;
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'POST',
        agent: target.agent,
        headers: { ...headers, 'Content-Length': String(body.byteLength) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let tooLarge = false;
        response.on('data', (chunk: Buffer) => {
          if (tooLarge) return;
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            tooLarge = true;
            chunks.length = 0;
            response.destroy();
            finish({
              kind: 'response',
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: undefined,
            });
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () =>
          finish({
            kind: 'response',
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks, size),
          }),
        );
        response.on('error', fail);
        response.on('aborted', () => fail(new Error('response aborted')));
      },
    );
    const timer = setTimeout(() => {
      const error = new TimeoutError(`no response within ${timeoutMillis} ms`);
      fail(error);
      request.destroy(error);
    }, timeoutMillis);
    request.on('error', fail);
    signal?.addEventListener('abort', onAbort, { once: true });
    request.end(body);
  });
}
