import { TrisignalError } from '@trisignal/core';

/** Codes thrown by `@trisignal/slo`. */
export type SloErrorCode =
  | 'TRISIGNAL_SLO_INVALID_SPEC'
  | 'TRISIGNAL_SLO_PARSE'
  | 'TRISIGNAL_SLO_LIMIT'
  | 'TRISIGNAL_SLO_UNSUPPORTED_FORMAT'
  | 'TRISIGNAL_SLO_INVALID_OPTION'
  | 'TRISIGNAL_SLO_PROMTOOL';

/** An error thrown by `@trisignal/slo`: a stable `code` and a message naming the path, the value and what was expected. */
export class SloError extends TrisignalError<SloErrorCode> {
  override readonly name: string = 'SloError';
  /** Path of the offending field in the spec (`classes[1].latency[0].thresholdSeconds`), when there is one. */
  readonly path: string | undefined;

  constructor(code: SloErrorCode, message: string, options?: { cause?: unknown; path?: string | undefined }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.path = options?.path;
  }
}

/** Renders a value for an error message: strings quoted, everything else as JSON where possible. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  if (typeof value === 'function') return 'a function';
  try {
    const json = JSON.stringify(value);
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** `Expected \`path\` to be <expected>, got \`<value>\`` as a `TRISIGNAL_SLO_INVALID_SPEC` error. */
export function invalidSpec(path: string, value: unknown, expected: string): SloError {
  return new SloError(
    'TRISIGNAL_SLO_INVALID_SPEC',
    `Expected \`${path}\` to be ${expected}, got \`${describeValue(value)}\``,
    {
      path,
    },
  );
}

/** The same message shape for programmatic options (`TRISIGNAL_SLO_INVALID_OPTION`). */
export function invalidOption(path: string, value: unknown, expected: string): SloError {
  return new SloError(
    'TRISIGNAL_SLO_INVALID_OPTION',
    `Expected \`${path}\` to be ${expected}, got \`${describeValue(value)}\``,
    {
      path,
    },
  );
}
