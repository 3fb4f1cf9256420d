/** Series kinds of core's golden-signal recorder. */
export type FeedKind = 'http.server' | 'rpc.server' | 'rpc.client';

/** What the adaptive sampler reads of one series (core's `GoldenSeriesView` has these fields). */
export interface FeedSeries {
  /** `GET /api/items/:id` or `shop.Inventory/Reserve`: the server span's name, used as the key. */
  readonly operation: string;
  /** True when the series' requests count as failures. */
  readonly isError: boolean;
  /** Cumulative request count of the series (the duration histogram's count). */
  readonly duration: { readonly count: number };
}

/**
 * Where adaptive sampling learns traffic and errors: every request, sampled or not. Core's golden-signal
 * recorder (`obs.recorder`) satisfies it; so does any object with the same `forEachSeries`.
 */
export interface SeriesFeed {
  forEachSeries(kind: FeedKind, visit: (series: FeedSeries) => void): void;
}

/** True for an object with a `forEachSeries` function. */
export function isSeriesFeed(value: unknown): value is SeriesFeed {
  return (
    typeof value === 'object' && value !== null && typeof (value as SeriesFeed).forEachSeries === 'function'
  );
}
