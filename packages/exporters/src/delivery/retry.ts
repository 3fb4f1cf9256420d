import { invalidOption } from '../errors.js';

/** Retry settings of an exporter. */
export interface RetryOptions {
  /** First wait after a retryable failure. @default 1000 */
  readonly initialBackoffMillis?: number | undefined;
  /** Longest wait between two attempts (a `Retry-After` may ask for longer and is honoured). @default 5000 */
  readonly maxBackoffMillis?: number | undefined;
  /** Growth of the wait per attempt. @default 1.5 */
  readonly multiplier?: number | undefined;
  /** Random spread of each wait: `wait × (1 ± jitter)`. @default 0.2 */
  readonly jitter?: number | undefined;
  /**
   * How long a batch may be retried, counted from its first attempt; `0` retries until delivered.
   * @default 300000 in memory, 0 (until delivered) in durable mode, where the WAL's retention bounds it
   */
  readonly maxElapsedMillis?: number | undefined;
}

/** Retry settings with every field set. */
export interface ResolvedRetryOptions {
  readonly initialBackoffMillis: number;
  readonly maxBackoffMillis: number;
  readonly multiplier: number;
  readonly jitter: number;
  readonly maxElapsedMillis: number;
}

/** A set of retry defaults (OTLP's or remote write's). */
export interface RetryDefaults {
  readonly initialBackoffMillis: number;
  readonly maxBackoffMillis: number;
  readonly multiplier: number;
  readonly jitter: number;
  readonly maxElapsedMillis: number;
  readonly durableMaxElapsedMillis: number;
}

/**
 * Defaults: the OpenTelemetry JS reference client's backoff (1 s, ×1.5, ≤ 5 s, ±20 %); the give-up time
 * is the collector's `max_elapsed_time` (300 s) in memory and unlimited in durable mode.
 */
export const RETRY_DEFAULTS: RetryDefaults = Object.freeze({
  initialBackoffMillis: 1000,
  maxBackoffMillis: 5000,
  multiplier: 1.5,
  jitter: 0.2,
  maxElapsedMillis: 300_000,
  durableMaxElapsedMillis: 0,
});

function nonNegative(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidOption(field, value, 'a finite number ≥ 0');
  }
  return value;
}

/**
 * Remote-write defaults: Prometheus's `queue_config` backoff (30 ms doubling up to 5 s), with the same
 * jitter and give-up times as OTLP.
 */
export const REMOTE_WRITE_RETRY_DEFAULTS: RetryDefaults = Object.freeze({
  ...RETRY_DEFAULTS,
  initialBackoffMillis: 30,
  maxBackoffMillis: 5000,
  multiplier: 2,
});

/** Resolves retry options field by field (`durable` changes the `maxElapsedMillis` default). */
export function resolveRetryOptions(
  o: RetryOptions | undefined,
  durable: boolean,
  defaults: RetryDefaults = RETRY_DEFAULTS,
  prefix = 'retry',
): ResolvedRetryOptions {
  const initialBackoffMillis = nonNegative(
    `${prefix}.initialBackoffMillis`,
    o?.initialBackoffMillis ?? defaults.initialBackoffMillis,
  );
  const maxBackoffMillis = nonNegative(
    `${prefix}.maxBackoffMillis`,
    o?.maxBackoffMillis ?? defaults.maxBackoffMillis,
  );
  const multiplier = o?.multiplier ?? defaults.multiplier;
  if (typeof multiplier !== 'number' || !Number.isFinite(multiplier) || multiplier < 1) {
    throw invalidOption(`${prefix}.multiplier`, multiplier, 'a finite number ≥ 1');
  }
  const jitter = o?.jitter ?? defaults.jitter;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter < 1)) {
    throw invalidOption(`${prefix}.jitter`, jitter, 'a number in [0, 1)');
  }
  const maxElapsedMillis = nonNegative(
    `${prefix}.maxElapsedMillis`,
    o?.maxElapsedMillis ?? (durable ? defaults.durableMaxElapsedMillis : defaults.maxElapsedMillis),
  );
  return { initialBackoffMillis, maxBackoffMillis, multiplier, jitter, maxElapsedMillis };
}

/**
 * The wait before retry number `retry` (1 for the first retry): exponential, capped, with jitter, as
 * the OTLP spec requires for transient errors.
 */
export function backoffMillis(
  retry: number,
  o: ResolvedRetryOptions,
  random: () => number = Math.random,
): number {
  const base = Math.min(o.maxBackoffMillis, o.initialBackoffMillis * o.multiplier ** Math.max(0, retry - 1));
  const spread = base * o.jitter;
  return Math.max(0, base - spread + 2 * spread * random());
}

/**
 * Parses a `Retry-After` header: delay-seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`).
 * Returns milliseconds from `now` (0 for a date in the past), or `undefined` if absent or malformed.
 */
export function parseRetryAfter(
  value: string | readonly string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const raw: unknown = typeof value === 'string' ? value : value?.[0];
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Every HTTP-date form (IMF-fixdate, RFC 850, asctime) starts with the day name.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
