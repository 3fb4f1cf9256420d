import type { ExporterMetrics } from '../metrics.js';
import { postOnce, type HttpAttempt, type HttpTarget } from '../transport/http-transport.js';
import { backoffMillis, type ResolvedRetryOptions } from './retry.js';
import type { StoredEncoding } from './batch-record.js';
import type { WarnOnce } from './warn-once.js';

/** How one attempt ended, as the protocol's rules read it. */
export type Verdict =
  | { readonly outcome: 'success'; readonly status: number }
  | {
      readonly outcome: 'retryable';
      readonly status: number | undefined;
      readonly errorType: string;
      /** From `Retry-After`, when the receiver sent one. */
      readonly retryAfterMillis: number | undefined;
    }
  | { readonly outcome: 'permanent'; readonly status: number | undefined; readonly errorType: string };

/** The protocol-specific part of sending: which answers are retried, and what a success body means. */
export interface DeliveryProtocol {
  classify(attempt: HttpAttempt): Verdict;
  /** Called with every 2xx response (OTLP reads `partial_success` here); returns the items the receiver rejected. */
  onSuccess?(attempt: Extract<HttpAttempt, { kind: 'response' }>, batch: OutgoingBatch): number;
}

/** A batch ready for the wire: encoded and compressed. */
export interface OutgoingBatch {
  readonly body: Buffer;
  /** Spans, data points, log records or samples in it (what the metrics count). */
  readonly items: number;
  /** The body's `Content-Encoding`. */
  readonly encoding: StoredEncoding;
}

/** Everything `deliver` needs besides the batch. */
export interface SenderContext {
  readonly target: HttpTarget;
  /** Request headers for a body in this encoding (content type, encoding, user agent, user headers). */
  readonly headers: (encoding: StoredEncoding) => Readonly<Record<string, string>>;
  readonly timeoutMillis: number;
  readonly retry: ResolvedRetryOptions;
  readonly protocol: DeliveryProtocol;
  readonly metrics: ExporterMetrics;
  readonly warn: WarnOnce;
  readonly random?: (() => number) | undefined;
  /** Called when an attempt failed and the batch waits for a retry (the durable queue stops flushes waiting then). */
  readonly onRetryWait?: (() => void) | undefined;
}

/** `sent`: delivered; `dropped`: given up (counted); `aborted`: interrupted by shutdown, not counted. */
export type DeliveryOutcome = 'sent' | 'dropped' | 'aborted';

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Sends one batch until it is delivered, permanently refused, out of retry time, or aborted: attempts
 * time out after `timeoutMillis`; retryable failures wait for the receiver's `Retry-After` or an
 * exponential backoff with jitter. Never rejects.
 */
export async function deliver(
  batch: OutgoingBatch,
  ctx: SenderContext,
  signal: AbortSignal,
): Promise<DeliveryOutcome> {
  const { metrics } = ctx;
  const firstAttempt = Date.now();
  for (let retry = 1; ; retry++) {
    if (signal.aborted) return 'aborted';
    const started = performance.now();
    metrics.addBytes(batch.body.length);
    const attempt = await postOnce(
      ctx.target,
      ctx.headers(batch.encoding),
      batch.body,
      ctx.timeoutMillis,
      signal,
    );
    if (attempt.kind === 'error' && signal.aborted) return 'aborted';
    const verdict = ctx.protocol.classify(attempt);
    const status = attempt.kind === 'response' ? attempt.status : undefined;
    metrics.recordAttempt((performance.now() - started) / 1000, verdict.outcome, status);
    if (verdict.outcome === 'success') {
      const rejected = attempt.kind === 'response' ? (ctx.protocol.onSuccess?.(attempt, batch) ?? 0) : 0;
      metrics.addSent(Math.max(0, batch.items - rejected));
      return 'sent';
    }
    metrics.addFailed(batch.items, verdict.errorType);
    if (verdict.outcome === 'permanent') {
      metrics.addDropped(batch.items, 'permanent_error', verdict.status);
      ctx.warn.warn(
        `permanent:${verdict.errorType}`,
        `dropped ${batch.items} items: the receiver answered ${verdict.errorType}, which must not be retried${describeBody(attempt)}`,
      );
      return 'dropped';
    }
    const wait = verdict.retryAfterMillis ?? backoffMillis(retry, ctx.retry, ctx.random);
    const max = ctx.retry.maxElapsedMillis;
    if (max > 0 && Date.now() + wait - firstAttempt > max) {
      metrics.addDropped(batch.items, 'retries_exhausted');
      ctx.warn.warn(
        'retries_exhausted',
        `dropped ${batch.items} items after retrying for ${Date.now() - firstAttempt} ms (last error: ${verdict.errorType})`,
      );
      return 'dropped';
    }
    metrics.addRetried(batch.items);
    ctx.onRetryWait?.();
    await sleep(wait, signal);
  }
}

function describeBody(attempt: HttpAttempt): string {
  if (attempt.kind !== 'response' || attempt.body === undefined || attempt.body.length === 0) return '';
  const text = attempt.body
    .subarray(0, 200)
    .toString('utf8')
    .replace(/[^\x20-\x7e]+/g, ' ')
    .trim();
  return text === '' ? '' : ` (${text})`;
}
