import { invalidOption } from './errors.js';

/** The semantic-convention advice for `http.server.request.duration` and `rpc.*.call.duration`, in seconds. */
export const SEMCONV_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
]);

/** The seed's exponential set: 1 ms × 2^k for k = 0…11 (1 ms … 2.048 s), in seconds. */
export const EXPONENTIAL_DURATION_BUCKETS: readonly number[] = Object.freeze(
  Array.from({ length: 12 }, (_, k) => 2 ** k / 1000),
);

/** Boundaries for body and message sizes, in bytes (0, then powers of 4 from 64 B to 16 MiB). */
export const SIZE_BUCKETS: readonly number[] = Object.freeze([
  0, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216,
]);

/** Boundaries for messages per RPC stream. */
export const MESSAGE_COUNT_BUCKETS: readonly number[] = Object.freeze([
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000,
]);

/** A named bucket set or explicit boundaries. */
export type BucketOption = 'semconv' | 'exponential' | readonly number[];

/** Resolves and validates a bucket option: finite, strictly increasing, at least one boundary. */
export function resolveBuckets(option: BucketOption | undefined, field: string): readonly number[] {
  if (option === undefined || option === 'semconv') return SEMCONV_DURATION_BUCKETS;
  if (option === 'exponential') return EXPONENTIAL_DURATION_BUCKETS;
  if (!Array.isArray(option) || option.length === 0) {
    throw invalidOption(
      field,
      option,
      "'semconv', 'exponential' or a non-empty array of increasing finite numbers",
    );
  }
  const bounds = option as readonly unknown[];
  for (let i = 0; i < bounds.length; i++) {
    const b = bounds[i];
    if (typeof b !== 'number' || !Number.isFinite(b)) {
      throw invalidOption(`${field}[${i}]`, b, 'a finite number');
    }
    const prev = bounds[i - 1] as number | undefined;
    if (prev !== undefined && b <= prev) {
      throw invalidOption(`${field}[${i}]`, b, `greater than the previous boundary ${prev}`);
    }
  }
  return Object.freeze([...(bounds as number[])]);
}
