import { TrisignalError } from '@trisignal/core';

/** Every code an {@link ExporterError} can carry; the README's Errors table lists each one. */
export const EXPORTER_ERROR_CODES = [
  'TRISIGNAL_EXPORTER_INVALID_OPTION',
  'TRISIGNAL_EXPORTER_INVALID_ENV',
  'TRISIGNAL_EXPORTER_MISSING_DEPENDENCY',
  'TRISIGNAL_EXPORTER_SHUTDOWN',
  'TRISIGNAL_EXPORTER_QUEUE_FULL',
  'TRISIGNAL_EXPORTER_ENCODE_FAILED',
  'TRISIGNAL_EXPORTER_WAL_FAILED',
] as const;

/** Codes thrown or reported (through `ExportResult.error`) by `@trisignal/exporters`. */
export type ExporterErrorCode = (typeof EXPORTER_ERROR_CODES)[number];

/** An error from `@trisignal/exporters` (`isTrisignalError()` recognises it). */
export class ExporterError extends TrisignalError<ExporterErrorCode> {
  override readonly name: string = 'ExporterError';
}

/** True when `value` is an {@link ExporterError}, also across duplicate installs (checked by code). */
export function isExporterError(value: unknown): value is ExporterError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[Symbol.for('@trisignal/error')] === true &&
    (EXPORTER_ERROR_CODES as readonly string[]).includes(String((value as { code?: unknown }).code))
  );
}

/** Renders a value for an error message: strings quoted, everything else as JSON where possible. */
function describeValue(value: unknown): string {
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

/** The house-style option error: Expected `field` to be <expected>, got `<value>`. */
export function invalidOption(field: string, value: unknown, expected: string): ExporterError {
  return new ExporterError(
    'TRISIGNAL_EXPORTER_INVALID_OPTION',
    `Expected \`${field}\` to be ${expected}, got \`${describeValue(value)}\``,
  );
}

/** The same for an environment variable. */
export function invalidEnv(name: string, value: string, expected: string): ExporterError {
  return new ExporterError(
    'TRISIGNAL_EXPORTER_INVALID_ENV',
    `Expected \`${name}\` to be ${expected}, got \`${describeValue(value)}\``,
  );
}
