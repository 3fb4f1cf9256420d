/**
 * Per-route figures over the last few seconds, from the difference of two cumulative snapshots of the
 * golden-signal series (the same arithmetic Prometheus applies to `rate()` and `histogram_quantile()`).
 */
import type { OperationStats, ServiceStats } from '../service-stats.js';

export interface RouteWindow {
  readonly service: string;
  readonly kind: OperationStats['kind'];
  readonly operation: string;
  readonly perSecond: number;
  /** Seconds; NaN without requests in the window. */
  readonly p50: number;
  readonly p99: number;
  /** Errors (sheds excluded) / requests, 0…1. */
  readonly errorRatio: number;
  readonly shed: number;
  /** Cumulative requests since start. */
  readonly total: number;
}

/**
 * The q-quantile of per-bucket counts, interpolated linearly inside the bucket (lower edge 0 for the
 * first); in the overflow bucket it is the highest bound, as `histogram_quantile` answers.
 */
export function quantileFromBuckets(
  q: number,
  bounds: readonly number[],
  buckets: readonly number[],
): number {
  let total = 0;
  for (const c of buckets) total += c;
  if (!(total > 0)) return NaN;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    const c = buckets[i]!;
    if (seen + c >= rank && c > 0) {
      if (i >= bounds.length) return bounds[bounds.length - 1] ?? NaN;
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      const upper = bounds[i]!;
      return lower + (upper - lower) * ((rank - seen) / c);
    }
    seen += c;
  }
  return bounds[bounds.length - 1] ?? NaN;
}

/** Figures of every operation between `before` (older) and `after` (newer) snapshots of one service. */
export function windowStats(before: ServiceStats | undefined, after: ServiceStats): RouteWindow[] {
  const seconds = before === undefined ? NaN : (after.timeMillis - before.timeMillis) / 1000;
  const old = new Map((before?.operations ?? []).map((o) => [`${o.kind}|${o.operation}`, o]));
  return after.operations.map((now) => {
    const prev = old.get(`${now.kind}|${now.operation}`);
    const count = now.count - (prev?.count ?? 0);
    const errors = now.errors - (prev?.errors ?? 0);
    const buckets = now.buckets.map((c, i) => c - (prev?.buckets[i] ?? 0));
    return {
      service: after.service,
      kind: now.kind,
      operation: now.operation,
      perSecond: seconds > 0 ? count / seconds : NaN,
      p50: quantileFromBuckets(0.5, now.bounds, buckets),
      p99: quantileFromBuckets(0.99, now.bounds, buckets),
      errorRatio: count > 0 ? errors / count : NaN,
      shed: now.shed - (prev?.shed ?? 0),
      total: now.count,
    };
  });
}
