import { TrisignalError } from '@trisignal/core';

/** Codes thrown by `@trisignal/middleware-express` (only at construction, never per request). */
export type ExpressMiddlewareErrorCode = 'TRISIGNAL_EXPRESS_MISSING_OBS' | 'TRISIGNAL_EXPRESS_INVALID_OPTION';

/** An error thrown by `goldenSignals()` or `errorHandler()` when their options are wrong. */
export class ExpressMiddlewareError extends TrisignalError<ExpressMiddlewareErrorCode> {
  override readonly name: string = 'ExpressMiddlewareError';
}

/** Renders a value for an error message: strings quoted, everything else as JSON where possible. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value !== 'object' || value === null) return String(value);
  try {
    const json = JSON.stringify(value);
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Builds the house-style message: Expected `field` to be <expected>, got `<value>`. */
export function invalidOption(field: string, value: unknown, expected: string): ExpressMiddlewareError {
  return new ExpressMiddlewareError(
    'TRISIGNAL_EXPRESS_INVALID_OPTION',
    `Expected \`${field}\` to be ${expected}, got \`${describeValue(value)}\``,
  );
}
