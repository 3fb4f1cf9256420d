import { statusName } from './status.js';

/**
 * What the interceptors hand to core's classifier for a call that ended with a non-OK status. grpc-js
 * shows interceptors the status, never the handler's error, so this is shaped like grpc-js's own
 * `ServiceError` (numeric `code` plus `details`), which core classifies by its gRPC code. A plain
 * object: capturing a stack here would only show interceptor internals.
 */
export interface GrpcStatusError {
  readonly name: 'GrpcStatus';
  /** `4 DEADLINE_EXCEEDED: Deadline exceeded`, as grpc-js words its client errors. */
  readonly message: string;
  readonly code: number;
  readonly details: string;
}

/** Builds the classifier input for a status. */
export function statusError(code: number, details: string | undefined): GrpcStatusError {
  const text = typeof details === 'string' ? details : '';
  return {
    name: 'GrpcStatus',
    message: `${code} ${statusName(code)}: ${text}`,
    code,
    details: text,
  };
}
