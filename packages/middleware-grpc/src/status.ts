/**
 * gRPC status codes as plain numbers, so this package needs no runtime value from `@grpc/grpc-js` to
 * reason about them (the values are fixed by the gRPC protocol).
 */
export const GRPC_STATUS = Object.freeze({
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
});

/** The name of a gRPC status code. */
export type GrpcStatusName = keyof typeof GRPC_STATUS;

/** Code → name (index = code). */
export const GRPC_STATUS_NAMES: readonly GrpcStatusName[] = Object.freeze(
  Object.keys(GRPC_STATUS) as GrpcStatusName[],
);

/**
 * The codes that make a SERVER span an error (semantic conventions for gRPC: UNKNOWN,
 * DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS). The others are the caller's
 * business. On CLIENT spans every code but OK is an error.
 */
export const GRPC_SERVER_ERROR_CODES: ReadonlySet<number> = new Set([2, 4, 12, 13, 14, 15]);

/** True when `code` ends a server span in error. */
export function isServerError(code: number): boolean {
  return GRPC_SERVER_ERROR_CODES.has(code);
}

/** A status code as received (numbers outside 0…16 are possible on the wire): its name, or `_OTHER`. */
export function statusName(code: number): string {
  return GRPC_STATUS_NAMES[code] ?? '_OTHER';
}
