import { diag, type MeterProvider } from '@opentelemetry/api';
import type { Agent } from 'node:http';
import { invalidEnv, invalidOption } from '../errors.js';
import { resolveRetryOptions, type ResolvedRetryOptions, type RetryOptions } from '../delivery/retry.js';
import type { OtlpCompression } from '../transport/compression.js';
import type { DurableOptions } from '../delivery/durable-options.js';
import { VERSION } from '../version.js';

/** The three OTLP signals. */
export type OtlpSignal = 'traces' | 'metrics' | 'logs';

/** Body encoding: binary protobuf or the OTLP/JSON mapping. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** Metric temporality preference (`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`). */
export type TemporalityPreference = 'cumulative' | 'delta' | 'lowmemory';

/** Options of the OTLP/HTTP exporters. Options win over `OTEL_EXPORTER_OTLP_*` variables, which win over defaults. */
export interface OtlpHttpExporterOptions {
  /**
   * Full URL of this signal's endpoint, used as is.
   * @default `OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT`, else `endpoint` + `/v1/<signal>`
   */
  readonly url?: string | undefined;
  /**
   * Base URL; `/v1/traces`, `/v1/metrics` or `/v1/logs` is appended.
   * @default `OTEL_EXPORTER_OTLP_ENDPOINT`, else `http://localhost:4318`
   */
  readonly endpoint?: string | undefined;
  /**
   * Extra request headers (merged over `OTEL_EXPORTER_OTLP_HEADERS` and the per-signal variable).
   * `Content-Type`, `Content-Encoding` and `Content-Length` are set by the exporter.
   * @default {}
   */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Deadline of one HTTP attempt. @default `OTEL_EXPORTER_OTLP_(<SIGNAL>_)TIMEOUT`, else 10000 */
  readonly timeoutMillis?: number | undefined;
  /** Body compression. @default `OTEL_EXPORTER_OTLP_(<SIGNAL>_)COMPRESSION`, else 'gzip' */
  readonly compression?: OtlpCompression | undefined;
  /** Compression level (gzip 1–9, zstd 1–22). @default zlib's default for gzip, 3 for zstd */
  readonly compressionLevel?: number | undefined;
  /** Body encoding. @default `OTEL_EXPORTER_OTLP_(<SIGNAL>_)PROTOCOL`, else 'http/protobuf' */
  readonly protocol?: OtlpProtocol | undefined;
  /**
   * Durable mode: every batch is appended to a write-ahead log under `dir` (one subdirectory per signal)
   * and sent from there; a batch leaves the log only once the receiver accepted it.
   * @default undefined (in-memory queue)
   */
  readonly durable?: DurableOptions | undefined;
  /** In-memory mode: bytes of encoded batches waiting or in flight before new batches are dropped. @default 33554432 (32 MiB) */
  readonly maxPendingBytes?: number | undefined;
  /** In-memory mode: requests in flight at once (durable mode sends one at a time, in log order). @default 2 */
  readonly maxConcurrentRequests?: number | undefined;
  /** Backoff and give-up time of retries. */
  readonly retry?: RetryOptions | undefined;
  /** How long `shutdown()` keeps sending what is queued before giving up on it. @default 5000 */
  readonly shutdownTimeoutMillis?: number | undefined;
  /** Agent for the requests (TLS settings, proxies, sockets). @default a keep-alive agent per exporter */
  readonly httpAgent?: Agent | undefined;
  /** Where the self-metrics go. @default the global meter provider (looked up at the first export) */
  readonly meterProvider?: MeterProvider | undefined;
  /** Where `OTEL_*` variables are read from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
}

/** Options with every field resolved for one signal. */
export interface ResolvedOtlpHttpOptions {
  readonly signal: OtlpSignal;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMillis: number;
  readonly compression: OtlpCompression;
  readonly compressionLevel: number | undefined;
  readonly protocol: OtlpProtocol;
  readonly durable: DurableOptions | undefined;
  readonly maxPendingBytes: number;
  readonly maxConcurrentRequests: number;
  readonly retry: ResolvedRetryOptions;
  readonly shutdownTimeoutMillis: number;
  readonly httpAgent: Agent | undefined;
  readonly meterProvider: MeterProvider | undefined;
  readonly temporalityPreference: TemporalityPreference;
}

/** Defaults of the OTLP/HTTP exporters. */
export const OTLP_HTTP_DEFAULTS = Object.freeze({
  endpoint: 'http://localhost:4318',
  timeoutMillis: 10_000,
  compression: 'gzip' as const,
  protocol: 'http/protobuf' as const,
  maxPendingBytes: 32 * 1024 * 1024,
  maxConcurrentRequests: 2,
  shutdownTimeoutMillis: 5000,
  temporalityPreference: 'cumulative' as const,
});

const SIGNAL_PATH: Readonly<Record<OtlpSignal, string>> = {
  traces: 'v1/traces',
  metrics: 'v1/metrics',
  logs: 'v1/logs',
};
const SIGNAL_ENV: Readonly<Record<OtlpSignal, string>> = {
  traces: 'TRACES',
  metrics: 'METRICS',
  logs: 'LOGS',
};
const COMPRESSIONS: readonly string[] = ['none', 'gzip', 'zstd'];
const PROTOCOLS: readonly string[] = ['http/protobuf', 'http/json'];
const RESERVED_HEADERS = new Set(['content-type', 'content-encoding', 'content-length']);

function env(vars: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const v = vars[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function parseUrl(field: string, value: string, fromEnv: boolean): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw fromEnv
      ? invalidEnv(field, value, 'an http(s) URL')
      : invalidOption(field, value, 'an http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw fromEnv
      ? invalidEnv(field, value, 'an http(s) URL')
      : invalidOption(field, value, 'an http(s) URL');
  }
  return url;
}

function withPath(base: URL, path: string): URL {
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path}`;
  return url;
}

/** Parses `OTEL_EXPORTER_OTLP_HEADERS` (`k1=v1,k2=v2`, values percent-encoded). */
export function parseHeadersEnv(name: string, value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw invalidEnv(name, value, 'a list of `key=value` pairs separated by commas');
    const key = part.slice(0, eq).trim();
    let v: string;
    try {
      v = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      throw invalidEnv(name, value, 'percent-encoded header values');
    }
    if (key === '') throw invalidEnv(name, value, 'a list of `key=value` pairs separated by commas');
    out[key] = v;
  }
  return out;
}

function positiveInteger(field: string, value: unknown, fromEnv: boolean): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) {
    throw fromEnv
      ? invalidEnv(field, String(value), 'a positive integer')
      : invalidOption(field, value, 'a positive integer');
  }
  return n;
}

/** Resolves the options of one signal's exporter: options, then the per-signal and generic variables, then defaults. */
export function resolveOtlpHttpOptions(
  signal: OtlpSignal,
  o: OtlpHttpExporterOptions & { readonly temporalityPreference?: TemporalityPreference | undefined } = {},
): ResolvedOtlpHttpOptions {
  const vars = o.env ?? process.env;
  const S = SIGNAL_ENV[signal];

  let url: URL;
  if (o.url !== undefined) url = parseUrl('url', o.url, false);
  else if (o.endpoint !== undefined)
    url = withPath(parseUrl('endpoint', o.endpoint, false), SIGNAL_PATH[signal]);
  else {
    const signalEndpoint = env(vars, `OTEL_EXPORTER_OTLP_${S}_ENDPOINT`);
    const generic = env(vars, 'OTEL_EXPORTER_OTLP_ENDPOINT');
    url =
      signalEndpoint !== undefined
        ? parseUrl(`OTEL_EXPORTER_OTLP_${S}_ENDPOINT`, signalEndpoint, true)
        : withPath(
            generic !== undefined
              ? parseUrl('OTEL_EXPORTER_OTLP_ENDPOINT', generic, true)
              : new URL(OTLP_HTTP_DEFAULTS.endpoint),
            SIGNAL_PATH[signal],
          );
  }

  const headers: Record<string, string> = {};
  const genericHeaders = env(vars, 'OTEL_EXPORTER_OTLP_HEADERS');
  const signalHeaders = env(vars, `OTEL_EXPORTER_OTLP_${S}_HEADERS`);
  const merge = (from: Readonly<Record<string, string>>): void => {
    for (const [k, v] of Object.entries(from)) {
      if (RESERVED_HEADERS.has(k.toLowerCase())) continue;
      for (const existing of Object.keys(headers))
        if (existing.toLowerCase() === k.toLowerCase()) delete headers[existing];
      headers[k] = v;
    }
  };
  if (genericHeaders !== undefined) merge(parseHeadersEnv('OTEL_EXPORTER_OTLP_HEADERS', genericHeaders));
  if (signalHeaders !== undefined) merge(parseHeadersEnv(`OTEL_EXPORTER_OTLP_${S}_HEADERS`, signalHeaders));
  if (o.headers !== undefined) {
    if (typeof o.headers !== 'object' || o.headers === null)
      throw invalidOption('headers', o.headers, 'an object of strings');
    for (const [k, v] of Object.entries(o.headers)) {
      if (typeof v !== 'string') throw invalidOption(`headers.${k}`, v, 'a string');
    }
    merge(o.headers);
  }

  const pick = (name: string): { value: string; name: string } | undefined => {
    const specific = env(vars, `OTEL_EXPORTER_OTLP_${S}_${name}`);
    if (specific !== undefined) return { value: specific, name: `OTEL_EXPORTER_OTLP_${S}_${name}` };
    const generic = env(vars, `OTEL_EXPORTER_OTLP_${name}`);
    return generic === undefined ? undefined : { value: generic, name: `OTEL_EXPORTER_OTLP_${name}` };
  };

  let timeoutMillis: number;
  if (o.timeoutMillis !== undefined) timeoutMillis = positiveInteger('timeoutMillis', o.timeoutMillis, false);
  else {
    const e = pick('TIMEOUT');
    timeoutMillis =
      e === undefined ? OTLP_HTTP_DEFAULTS.timeoutMillis : positiveInteger(e.name, e.value, true);
  }

  let compression: OtlpCompression;
  if (o.compression !== undefined) {
    if (!COMPRESSIONS.includes(o.compression))
      throw invalidOption('compression', o.compression, "'none', 'gzip' or 'zstd'");
    compression = o.compression;
  } else {
    const e = pick('COMPRESSION');
    if (e !== undefined && !COMPRESSIONS.includes(e.value))
      throw invalidEnv(e.name, e.value, "'none', 'gzip' or 'zstd'");
    compression = (e?.value as OtlpCompression | undefined) ?? OTLP_HTTP_DEFAULTS.compression;
  }
  const compressionLevel = o.compressionLevel;
  if (compressionLevel !== undefined) {
    const max = compression === 'zstd' ? 22 : 9;
    if (!Number.isInteger(compressionLevel) || compressionLevel < 1 || compressionLevel > max) {
      throw invalidOption(
        'compressionLevel',
        compressionLevel,
        `an integer from 1 to ${max} for ${compression}`,
      );
    }
  }

  let protocol: OtlpProtocol;
  if (o.protocol !== undefined) {
    if (!PROTOCOLS.includes(o.protocol))
      throw invalidOption('protocol', o.protocol, "'http/protobuf' or 'http/json'");
    protocol = o.protocol;
  } else {
    const e = pick('PROTOCOL');
    if (e !== undefined && !PROTOCOLS.includes(e.value)) {
      // `grpc` is a valid value of the variable for other exporters in the process; this one speaks HTTP.
      diag.warn(
        `trisignal: ${e.name}=${e.value} is not an HTTP protocol; the OTLP/HTTP exporter uses http/protobuf`,
      );
    }
    protocol =
      e !== undefined && PROTOCOLS.includes(e.value)
        ? (e.value as OtlpProtocol)
        : OTLP_HTTP_DEFAULTS.protocol;
  }

  let temporalityPreference: TemporalityPreference = OTLP_HTTP_DEFAULTS.temporalityPreference;
  if (o.temporalityPreference !== undefined) {
    if (!['cumulative', 'delta', 'lowmemory'].includes(o.temporalityPreference)) {
      throw invalidOption(
        'temporalityPreference',
        o.temporalityPreference,
        "'cumulative', 'delta' or 'lowmemory'",
      );
    }
    temporalityPreference = o.temporalityPreference;
  } else {
    const e = env(vars, 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE')?.toLowerCase();
    if (e !== undefined) {
      if (!['cumulative', 'delta', 'lowmemory'].includes(e)) {
        throw invalidEnv(
          'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE',
          e,
          "'cumulative', 'delta' or 'lowmemory'",
        );
      }
      temporalityPreference = e as TemporalityPreference;
    }
  }

  if (
    o.durable !== undefined &&
    (typeof o.durable !== 'object' || typeof o.durable.dir !== 'string' || o.durable.dir === '')
  ) {
    throw invalidOption('durable.dir', o.durable?.dir, 'a directory path');
  }

  return {
    signal,
    url,
    headers: Object.freeze(
      Object.keys(headers).some((k) => k.toLowerCase() === 'user-agent')
        ? headers
        : { 'User-Agent': `trisignal-exporters/${VERSION}`, ...headers },
    ),
    timeoutMillis,
    compression,
    compressionLevel,
    protocol,
    durable: o.durable,
    maxPendingBytes: positiveInteger(
      'maxPendingBytes',
      o.maxPendingBytes ?? OTLP_HTTP_DEFAULTS.maxPendingBytes,
      false,
    ),
    maxConcurrentRequests: positiveInteger(
      'maxConcurrentRequests',
      o.maxConcurrentRequests ?? OTLP_HTTP_DEFAULTS.maxConcurrentRequests,
      false,
    ),
    retry: resolveRetryOptions(o.retry, o.durable !== undefined),
    shutdownTimeoutMillis: positiveInteger(
      'shutdownTimeoutMillis',
      o.shutdownTimeoutMillis ?? OTLP_HTTP_DEFAULTS.shutdownTimeoutMillis,
      false,
    ),
    httpAgent: o.httpAgent,
    meterProvider: o.meterProvider,
    temporalityPreference,
  };
}
