import { TrisignalError } from '@trisignal/core';

/** Codes thrown by `@trisignal/sampling`. */
export type SamplingErrorCode = 'TRISIGNAL_SAMPLING_INVALID_OPTION' | 'TRISIGNAL_SAMPLING_INVALID_ENV';

/**
 * An error thrown by `@trisignal/sampling`. Only construction and configuration throw; `shouldSample`,
 * `onEnd` and window recomputation never do.
 */
export class SamplingError extends TrisignalError<SamplingErrorCode> {
  override readonly name: string = 'SamplingError';
}

/** Renders a value for an error message: strings quoted, everything else as JSON where possible. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (value instanceof RegExp) return String(value);
  try {
    const json = JSON.stringify(value);
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Builds the house-style message: Expected `field` to be <expected>, got `<value>`. */
export function invalidOption(field: string, value: unknown, expected: string): SamplingError {
  return new SamplingError(
    'TRISIGNAL_SAMPLING_INVALID_OPTION',
    `Expected \`${field}\` to be ${expected}, got \`${describeValue(value)}\``,
  );
}

/** `Array.isArray` without widening a readonly list to `any[]`. */
export function isList(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

/** Throws unless `value` is a finite number in [min, max]; returns it. */
export function checkNumber(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Infinity ? `a finite number ≥ ${min}` : `a number in [${min}, ${max}]`;
    throw invalidOption(field, value, range);
  }
  return value;
}

/** Throws unless `value` is an integer in [min, max]; returns it. */
export function checkInteger(
  field: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`;
    throw invalidOption(field, value, range);
  }
  return value;
}

/** True for an error thrown by `@trisignal/sampling`. */
export function isSamplingError(value: unknown): value is SamplingError {
  return value instanceof SamplingError;
}
