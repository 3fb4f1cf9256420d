const BRAND = Symbol.for('@trisignal/error');

/**
 * Base class of every error trisignal throws: a stable `code`, a message that names the field, the value
 * and what was expected, and an optional `cause`.
 */
export class TrisignalError<TCode extends string = string> extends Error {
  readonly code: TCode;
  override readonly name: string = 'TrisignalError';

  constructor(code: TCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** Codes thrown by `@trisignal/core`. */
export type CoreErrorCode =
  | 'TRISIGNAL_CORE_INVALID_OPTION'
  | 'TRISIGNAL_CORE_INVALID_ENV'
  | 'TRISIGNAL_CORE_SHUTDOWN'
  | 'TRISIGNAL_CORE_TIMEOUT';

/** An error thrown by `@trisignal/core`. */
export class CoreError extends TrisignalError<CoreErrorCode> {
  override readonly name: string = 'CoreError';
}

/**
 * True for any error thrown by a trisignal package, even from a duplicate install of another version
 * (the check is a global symbol brand, not `instanceof`).
 */
export function isTrisignalError(value: unknown): value is TrisignalError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** Renders a value for an error message: strings quoted, everything else as JSON where possible. */
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

/** Builds the house-style message: Expected `field` to be <expected>, got `<value>`. */
export function invalidOption(field: string, value: unknown, expected: string): CoreError {
  return new CoreError(
    'TRISIGNAL_CORE_INVALID_OPTION',
    `Expected \`${field}\` to be ${expected}, got \`${describeValue(value)}\``,
  );
}
