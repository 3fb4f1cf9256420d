import { diag } from '@opentelemetry/api';
import type { CollectionResult, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzip } from 'node:zlib';
import { invalidEnv, invalidOption } from '../errors.js';
import { challenge, createAuthCheck, type ScrapeAuth } from './auth.js';
import { negotiateFormat } from './negotiate.js';
import {
  CONTENT_TYPES,
  serializeMetrics,
  type ExpositionFormat,
  type ExpositionOptions,
} from './serialize.js';

/** Anything that collects metrics on demand: core's `Observability` (`obs.collect()`), an sdk `MetricReader`, or a function. */
export type ScrapeSource =
  | { collect(): Promise<CollectionResult | ResourceMetrics> }
  | (() => Promise<CollectionResult | ResourceMetrics> | CollectionResult | ResourceMetrics);

/** Options of {@link prometheusScrape}. */
export interface PrometheusScrapeOptions extends ExpositionOptions {
  /** Require a bearer token or basic credentials (401 otherwise). @default undefined (open) */
  readonly auth?: ScrapeAuth | undefined;
  /** Exposition format: by `Accept` header, or fixed. @default 'negotiate' */
  readonly format?: 'negotiate' | ExpositionFormat | undefined;
  /** gzip the response when the scraper accepts it (compressed on the thread pool). @default true */
  readonly compression?: boolean | undefined;
}

/** A request handler for `node:http` servers and Express (`app.get('/metrics', handler)`). */
export type ScrapeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

function toResourceMetrics(result: CollectionResult | ResourceMetrics): ResourceMetrics {
  if ('resourceMetrics' in result) {
    for (const error of result.errors) diag.debug(`trisignal: metric collection reported: ${String(error)}`);
    return result.resourceMetrics;
  }
  return result;
}

function validateAuth(auth: ScrapeAuth | undefined): void {
  if (auth === undefined) return;
  if ('bearerToken' in auth) {
    if (typeof auth.bearerToken !== 'string' || auth.bearerToken === '') {
      throw invalidOption('auth.bearerToken', auth.bearerToken, 'a non-empty string');
    }
  } else if (
    typeof auth.username !== 'string' ||
    typeof auth.password !== 'string' ||
    auth.username.includes(':')
  ) {
    throw invalidOption(
      'auth',
      auth,
      'either { bearerToken } or { username, password } (username without ":")',
    );
  }
}

/**
 * Serves the current metrics for Prometheus: text 0.0.4 or OpenMetrics 1.0 (with exemplars) by the
 * scraper's `Accept` header, gzip when accepted, optional bearer/basic auth. Only GET and HEAD.
 * @example
 * app.get('/metrics', prometheusScrape(obs));
 * http.createServer(prometheusScrape(obs)).listen(9464);
 */
export function prometheusScrape(source: ScrapeSource, options: PrometheusScrapeOptions = {}): ScrapeHandler {
  validateAuth(options.auth);
  const format = options.format ?? 'negotiate';
  if (!['negotiate', 'text', 'openmetrics'].includes(format)) {
    throw invalidOption('format', format, "'negotiate', 'text' or 'openmetrics'");
  }
  const collect = typeof source === 'function' ? source : () => source.collect();
  const check = options.auth === undefined ? undefined : createAuthCheck(options.auth);
  const compression = options.compression ?? true;
  let warned = false;

  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (check !== undefined && !check(req)) {
      res.writeHead(401, { 'WWW-Authenticate': challenge(options.auth!) }).end();
      return;
    }
    const chosen: ExpositionFormat = format === 'negotiate' ? negotiateFormat(req.headers.accept) : format;
    void (async () => {
      let body: string;
      try {
        body = serializeMetrics(toResourceMetrics(await collect()), chosen, options);
      } catch (error) {
        if (!warned) {
          warned = true;
          diag.warn(`trisignal: metrics collection for a scrape failed: ${String(error)}`);
        }
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('metrics collection failed\n');
        return;
      }
      const headers: Record<string, string> = { 'Content-Type': CONTENT_TYPES[chosen] };
      const acceptEncoding = String(req.headers['accept-encoding'] ?? '');
      let payload: Buffer = Buffer.from(body, 'utf8');
      if (compression && payload.length > 1024 && /\bgzip\b/i.test(acceptEncoding)) {
        payload = await new Promise<Buffer>((resolve, reject) =>
          gzip(payload, (error, out) => (error === null ? resolve(out) : reject(error))),
        ).catch(() => payload);
        if (payload.length > 0 && payload[0] === 0x1f && payload[1] === 0x8b)
          headers['Content-Encoding'] = 'gzip';
      }
      headers['Content-Length'] = String(payload.length);
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : payload);
    })();
  };
}

/** Options of {@link startPrometheusServer}. */
export interface PrometheusServerOptions extends PrometheusScrapeOptions {
  /** @default `OTEL_EXPORTER_PROMETHEUS_PORT`, else 9464 */
  readonly port?: number | undefined;
  /** Interface to listen on. @default `OTEL_EXPORTER_PROMETHEUS_HOST`, else all interfaces */
  readonly host?: string | undefined;
  /** Path that serves the metrics (others answer 404). @default '/metrics' */
  readonly endpoint?: string | undefined;
  /** Where `OTEL_*` variables are read from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
}

/** A running scrape server. */
export interface PrometheusServer extends AsyncDisposable {
  readonly server: Server;
  readonly port: number;
  /** `http://<host>:<port><endpoint>` */
  readonly url: string;
  /** Stops listening and closes open connections. Idempotent. */
  shutdown(): Promise<void>;
}

/** Defaults of the scrape server. */
export const PROMETHEUS_SERVER_DEFAULTS = Object.freeze({ port: 9464, endpoint: '/metrics' });

function resolvePort(options: PrometheusServerOptions): number {
  const vars = options.env ?? process.env;
  if (options.port !== undefined) {
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
      throw invalidOption('port', options.port, 'an integer from 0 to 65535');
    }
    return options.port;
  }
  const raw = vars['OTEL_EXPORTER_PROMETHEUS_PORT']?.trim();
  if (raw === undefined || raw === '') return PROMETHEUS_SERVER_DEFAULTS.port;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw invalidEnv('OTEL_EXPORTER_PROMETHEUS_PORT', raw, 'an integer from 0 to 65535');
  }
  return n;
}

/**
 * Starts a standalone HTTP server (default port 9464, the OpenTelemetry Prometheus exporter's) that
 * serves {@link prometheusScrape} at `endpoint`; resolves once it listens.
 */
export async function startPrometheusServer(
  source: ScrapeSource,
  options: PrometheusServerOptions = {},
): Promise<PrometheusServer> {
  const port = resolvePort(options);
  const vars = options.env ?? process.env;
  const host = options.host ?? (vars['OTEL_EXPORTER_PROMETHEUS_HOST']?.trim() || undefined);
  const endpoint = options.endpoint ?? PROMETHEUS_SERVER_DEFAULTS.endpoint;
  if (typeof endpoint !== 'string' || !endpoint.startsWith('/')) {
    throw invalidOption('endpoint', endpoint, 'a path starting with "/"');
  }
  const handler = prometheusScrape(source, options);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== endpoint) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`metrics are at ${endpoint}\n`);
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = host ?? 'localhost';
  let closing: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };
  return {
    server,
    port: address.port,
    url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}${endpoint}`,
    shutdown,
    [Symbol.asyncDispose]: shutdown,
  };
}
