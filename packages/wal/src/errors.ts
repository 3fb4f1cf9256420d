const BRAND = Symbol.for('@trisignal/error');

/** Every code a {@link WalError} can carry; the README's Errors table lists each one. */
export const WAL_ERROR_CODES = [
  'TRISIGNAL_WAL_INVALID_OPTION',
  'TRISIGNAL_WAL_INVALID_ARGUMENT',
  'TRISIGNAL_WAL_LOCKED',
  'TRISIGNAL_WAL_CLOSED',
  'TRISIGNAL_WAL_QUEUE_FULL',
  'TRISIGNAL_WAL_RECORD_TOO_LARGE',
  'TRISIGNAL_WAL_DISK_FULL',
  'TRISIGNAL_WAL_IO_ERROR',
  'TRISIGNAL_WAL_UNSUPPORTED_VERSION',
] as const;

/** Codes thrown (or rejected with) by `@trisignal/wal`. */
export type WalErrorCode = (typeof WAL_ERROR_CODES)[number];

/**
 * An error from `@trisignal/wal`. It carries the same `Symbol.for('@trisignal/error')` brand as
 * `@trisignal/core`'s `TrisignalError`, so `isTrisignalError()` recognises it without this leaf package
 * depending on core.
 */
export class WalError extends Error {
  readonly code: WalErrorCode;
  override readonly name: string = 'WalError';

  constructor(code: WalErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True when `value` is a {@link WalError} (by brand and code, so it works across duplicate installs). */
export function isWalError(value: unknown): value is WalError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true &&
    typeof (value as { code?: unknown }).code === 'string' &&
    (WAL_ERROR_CODES as readonly string[]).includes((value as { code: string }).code)
  );
}

/** Renders a value for an option message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  try {
    const json = JSON.stringify(value);
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** House-style message: Expected `field` to be <expected>, got `<value>`. */
export function invalidOption(field: string, value: unknown, expected: string): WalError {
  return new WalError(
    'TRISIGNAL_WAL_INVALID_OPTION',
    `Expected \`${field}\` to be ${expected}, got \`${describeValue(value)}\``,
  );
}

/** Maps a file-system failure to a typed error: ENOSPC/EDQUOT become DISK_FULL, anything else IO_ERROR. */
export function ioError(operation: string, path: string, cause: unknown): WalError {
  const code = (cause as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new WalError('TRISIGNAL_WAL_DISK_FULL', `No space left to ${operation} ${path}`, { cause });
  }
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new WalError('TRISIGNAL_WAL_IO_ERROR', `Failed to ${operation} ${path}: ${detail}`, { cause });
}
