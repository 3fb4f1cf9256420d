/** Quantiles exactly as Prometheus computes them, shared by the rule model and the live evaluator. */

/** Prometheus `histogram_quantile` on classic buckets (2.42 semantics). */
export function histogramQuantile(q: number, buckets: readonly { le: number; count: number }[]): number {
  if (buckets.length < 2) return NaN;
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  if (sorted[sorted.length - 1]!.le !== Infinity) return NaN;
  // coalesce equal bounds and force monotonic counts, as Prometheus does
  const bs: { le: number; count: number }[] = [];
  for (const b of sorted) {
    const last = bs[bs.length - 1];
    if (last !== undefined && last.le === b.le) last.count += b.count;
    else bs.push({ ...b });
  }
  let max = -Infinity;
  for (const b of bs) {
    if (b.count > max) max = b.count;
    else b.count = max;
  }
  if (bs.length < 2) return NaN;
  const observations = bs[bs.length - 1]!.count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  let b = 0;
  while (b < bs.length - 1 && bs[b]!.count < rank) b++;
  if (b === bs.length - 1) return bs[bs.length - 2]!.le;
  if (b === 0 && bs[0]!.le <= 0) return bs[0]!.le;
  let bucketStart = 0;
  const bucketEnd = bs[b]!.le;
  let count = bs[b]!.count;
  if (b > 0) {
    bucketStart = bs[b - 1]!.le;
    count -= bs[b - 1]!.count;
    rank -= bs[b - 1]!.count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

/** Prometheus `quantile` over values (linear interpolation between closest ranks). */
export function quantileOf(q: number, values: readonly number[]): number {
  if (values.length === 0) return NaN;
  // Go's sort.Float64s puts NaN first.
  const sorted = [...values].sort((a, b) => (Number.isNaN(a) ? -1 : Number.isNaN(b) ? 1 : a - b));
  const n = sorted.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}

/**
 * `histogram_quantile` on per-bucket counts (`counts[i]` counts values in (bounds[i-1], bounds[i]], the
 * last one above every bound), without allocating: the live evaluator calls it every second.
 */
export function quantileFromBuckets(
  q: number,
  bounds: readonly number[],
  counts: ArrayLike<number>,
  offset = 0,
): number {
  const n = bounds.length;
  let total = 0;
  for (let i = 0; i <= n; i++) total += counts[offset + i]!;
  if (!(total > 0)) return NaN;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i <= n; i++) {
    const inBucket = counts[offset + i]!;
    const before = cumulative;
    cumulative += inBucket;
    if (cumulative >= rank && inBucket > 0) {
      if (i === n) return n > 0 ? bounds[n - 1]! : NaN;
      if (i === 0 && bounds[0]! <= 0) return bounds[0]!;
      const start = i === 0 ? 0 : bounds[i - 1]!;
      return start + (bounds[i]! - start) * ((rank - before) / inBucket);
    }
  }
  return n > 0 ? bounds[n - 1]! : NaN;
}
