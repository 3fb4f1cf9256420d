import type { MeterProvider } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  AggregationTemporality,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { TelemetryExporter } from '@trisignal/core';
import type { Agent } from 'node:http';
import type { DurableOptions } from '../delivery/durable-options.js';
import { ExporterCore } from '../delivery/exporter-core.js';
import {
  parseRetryAfter,
  REMOTE_WRITE_RETRY_DEFAULTS,
  resolveRetryOptions,
  type RetryOptions,
} from '../delivery/retry.js';
import type { DeliveryProtocol, Verdict } from '../delivery/sender.js';
import { invalidOption } from '../errors.js';
import type { HttpAttempt } from '../transport/http-transport.js';
import { VERSION } from '../version.js';
import { toWriteRequest, type ConvertOptions } from './convert.js';
import { encodeWriteRequest, splitWriteRequest, type WriteChunk } from './encode.js';
import { loadSnappy, snappyCompress } from './snappy.js';

/** Options of the remote-write exporter. */
export interface RemoteWriteExporterOptions extends ConvertOptions {
  /** The receiver's write URL, e.g. `http://prometheus:9090/api/v1/write`. */
  readonly url: string;
  /** Extra headers (e.g. a tenant header). The protocol's own headers cannot be overridden. @default {} */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Sent as `Authorization: Bearer <token>`. @default undefined */
  readonly bearerToken?: string | undefined;
  /** Sent as HTTP basic credentials. @default undefined */
  readonly basicAuth?: { readonly username: string; readonly password: string } | undefined;
  /** Deadline of one request (Prometheus's `remote_timeout`). @default 30000 */
  readonly timeoutMillis?: number | undefined;
  /** Retry 429 like 5xx (Prometheus's `retry_on_http_429`); otherwise 429 is dropped. @default false */
  readonly retryOn429?: boolean | undefined;
  /** Backoff (default 30 ms doubling to 5 s, Prometheus's) and give-up time. */
  readonly retry?: RetryOptions | undefined;
  /** Samples per request (Prometheus's `max_samples_per_send`). @default 2000 */
  readonly maxSamplesPerSend?: number | undefined;
  /** Durable mode through a WAL in `dir`; per-series order is kept across restarts. @default undefined */
  readonly durable?: DurableOptions | undefined;
  /** In-memory mode: bytes of compressed requests waiting before new ones are dropped. @default 33554432 (32 MiB) */
  readonly maxPendingBytes?: number | undefined;
  /** How long `shutdown()` keeps sending what is queued. @default 5000 */
  readonly shutdownTimeoutMillis?: number | undefined;
  /** @default a keep-alive agent */
  readonly httpAgent?: Agent | undefined;
  /** Where the self-metrics go. @default the global meter provider */
  readonly meterProvider?: MeterProvider | undefined;
}

/** Defaults of the remote-write exporter. */
export const REMOTE_WRITE_DEFAULTS = Object.freeze({
  timeoutMillis: 30_000,
  retryOn429: false,
  maxSamplesPerSend: 2000,
  maxPendingBytes: 32 * 1024 * 1024,
  shutdownTimeoutMillis: 5000,
});

/** Headers the remote-write spec reserves: users cannot set them. */
const RESERVED = new Set([
  'content-encoding',
  'content-type',
  'content-length',
  'user-agent',
  'x-prometheus-remote-write-version',
]);

/**
 * Remote write 1.0 status rules (Prometheus `storage/remote/client.go`): 2xx success; 5xx and
 * connection failures retried (with `Retry-After` honoured); 429 retried only on option; other 4xx
 * dropped.
 */
export function classifyRemoteWrite(attempt: HttpAttempt, retryOn429: boolean): Verdict {
  if (attempt.kind === 'error') {
    return {
      outcome: 'retryable',
      status: undefined,
      errorType: attempt.errorType,
      retryAfterMillis: undefined,
    };
  }
  const status = attempt.status;
  if (status >= 200 && status < 300) return { outcome: 'success', status };
  if (status >= 500 || (status === 429 && retryOn429)) {
    return {
      outcome: 'retryable',
      status,
      errorType: String(status),
      retryAfterMillis: parseRetryAfter(attempt.headers['retry-after']),
    };
  }
  return { outcome: 'permanent', status, errorType: String(status) };
}

function positiveInteger(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
    throw invalidOption(field, value, 'a positive integer');
  return value;
}

class RemoteWriteExporter implements PushMetricExporter {
  readonly #core: ExporterCore<WriteChunk>;
  readonly #convert: ConvertOptions;
  readonly #maxSamples: number;

  constructor(o: RemoteWriteExporterOptions) {
    if (typeof o !== 'object' || o === null) throw invalidOption('options', o, 'an object with `url`');
    let url: URL;
    try {
      url = new URL(o.url);
    } catch {
      throw invalidOption('url', o.url, 'an http(s) URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw invalidOption('url', o.url, 'an http(s) URL');
    loadSnappy();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.headers ?? {})) {
      if (typeof v !== 'string') throw invalidOption(`headers.${k}`, v, 'a string');
      if (!RESERVED.has(k.toLowerCase())) headers[k] = v;
    }
    if (o.bearerToken !== undefined) {
      if (typeof o.bearerToken !== 'string' || o.bearerToken === '')
        throw invalidOption('bearerToken', o.bearerToken, 'a non-empty string');
      headers['Authorization'] = `Bearer ${o.bearerToken}`;
    } else if (o.basicAuth !== undefined) {
      const { username, password } = o.basicAuth;
      headers['Authorization'] = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
    }
    Object.assign(headers, {
      'Content-Type': 'application/x-protobuf',
      'User-Agent': `trisignal-exporters/${VERSION}`,
      'X-Prometheus-Remote-Write-Version': '0.1.0',
    });
    this.#maxSamples = positiveInteger(
      'maxSamplesPerSend',
      o.maxSamplesPerSend ?? REMOTE_WRITE_DEFAULTS.maxSamplesPerSend,
    );
    this.#convert = o;
    const retryOn429 = o.retryOn429 ?? REMOTE_WRITE_DEFAULTS.retryOn429;
    const protocol: DeliveryProtocol = { classify: (a) => classifyRemoteWrite(a, retryOn429) };
    this.#core = new ExporterCore<WriteChunk>({
      componentType: 'prometheus_remote_write_exporter',
      url,
      headers,
      timeoutMillis: positiveInteger('timeoutMillis', o.timeoutMillis ?? REMOTE_WRITE_DEFAULTS.timeoutMillis),
      retry: resolveRetryOptions(o.retry, o.durable !== undefined, REMOTE_WRITE_RETRY_DEFAULTS),
      durable: o.durable,
      maxPendingBytes: positiveInteger(
        'maxPendingBytes',
        o.maxPendingBytes ?? REMOTE_WRITE_DEFAULTS.maxPendingBytes,
      ),
      // One request at a time: a series' samples must arrive in timestamp order.
      maxConcurrentRequests: 1,
      shutdownTimeoutMillis: positiveInteger(
        'shutdownTimeoutMillis',
        o.shutdownTimeoutMillis ?? REMOTE_WRITE_DEFAULTS.shutdownTimeoutMillis,
      ),
      httpAgent: o.httpAgent,
      meterProvider: o.meterProvider,
      count: (chunk) => chunk.samples,
      encode: (chunk) => encodeWriteRequest(chunk.series, chunk.metadata),
      compress: snappyCompress,
      encoding: 'snappy',
      walCompression: 'none',
      createProtocol: () => protocol,
    });
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    let chunks: WriteChunk[];
    try {
      chunks = splitWriteRequest(toWriteRequest(metrics, this.#convert), this.#maxSamples);
    } catch (error) {
      resultCallback({
        code: ExportResultCode.FAILED,
        error: error instanceof Error ? error : new Error(String(error)),
      });
      return;
    }
    if (chunks.length === 0) {
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    let pending = chunks.length;
    let failure: ExportResult | undefined;
    for (const chunk of chunks) {
      this.#core.export(chunk, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) failure ??= result;
        if (--pending === 0) resultCallback(failure ?? { code: ExportResultCode.SUCCESS });
      });
    }
  }

  selectAggregationTemporality(): AggregationTemporality {
    // Prometheus counters and histograms are cumulative.
    return AggregationTemporality.CUMULATIVE;
  }

  forceFlush(): Promise<void> {
    return this.#core.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.#core.shutdown();
  }
}

/**
 * A `PushMetricExporter` that sends Prometheus remote write 1.0 (protobuf `WriteRequest`, snappy block
 * format), one request at a time so every series' samples stay in order; durable through a WAL on option.
 * @example
 * init({ metricExporters: [createRemoteWriteExporter({ url: 'http://prometheus:9090/api/v1/write' })] });
 */
export function createRemoteWriteExporter(options: RemoteWriteExporterOptions): PushMetricExporter {
  return new RemoteWriteExporter(options);
}

/** The same as a bundle for `init({ exporters: [remoteWrite({ url })] })`. */
export function remoteWrite(options: RemoteWriteExporterOptions): TelemetryExporter {
  return { metricExporter: createRemoteWriteExporter(options) };
}
