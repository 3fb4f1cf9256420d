import { TrisignalError } from '@trisignal/core';

/** Codes thrown by `@trisignal/middleware-grpc` (only when an interceptor is created, never per call). */
export type GrpcMiddlewareErrorCode = 'TRISIGNAL_GRPC_MISSING_OBS' | 'TRISIGNAL_GRPC_INVALID_OPTION';

/** An error thrown by `serverInterceptor()` or `clientInterceptor()` when their options are wrong. */
export class GrpcMiddlewareError extends TrisignalError<GrpcMiddlewareErrorCode> {
  override readonly name: string = 'GrpcMiddlewareError';
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
export function invalidOption(field: string, value: unknown, expected: string): GrpcMiddlewareError {
  return new GrpcMiddlewareError(
    'TRISIGNAL_GRPC_INVALID_OPTION',
    `Expected \`${field}\` to be ${expected}, got \`${describeValue(value)}\``,
  );
}
