import { type Sampler } from '@opentelemetry/sdk-trace-base';
import { type InitAware, type Observability } from '@trisignal/core';
import { type SeriesFeed } from './series-feed.js';

/**
 * A sampler with a lifecycle, that may need a feed. Passed to `init()` (directly or inside another of our
 * samplers) it needs neither `attach` nor `setMeter`: `onInit` wires it, `obs.shutdown()` stops it.
 */
export interface ManagedSampler extends Sampler, InitAware, AsyncDisposable {
  /**
   * Gives the adaptive samplers inside their traffic feed, e.g. `obs.recorder` (no-op for the others).
   * The manual path: `init()` attaches `obs.recorder` to every adaptive sampler that was given no feed.
   */
  attach(feed: SeriesFeed): void;
  /**
   * Called by `init()` with the finished handle: adaptive samplers without a feed attach `obs.recorder`,
   * and self-metrics without a meter report through `obs.meterProvider`. Forwarded to every delegate once.
   */
  onInit(obs: Observability): void;
  /** Resolves at once: samplers hold nothing to export. */
  forceFlush(): Promise<void>;
  /** Stops window timers (also of delegates). Idempotent. Decisions keep working with the last probabilities. */
  shutdown(): Promise<void>;
}
