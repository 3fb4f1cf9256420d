import { type Sampler } from '@opentelemetry/sdk-trace-base';
import { type InitAware, type Observability } from '@trisignal/core';
import { type SeriesFeed } from '../series-feed.js';

interface Lifecycle {
  attach?: unknown;
  onInit?: unknown;
  shutdown?: unknown;
}

/**
 * The distinct delegates of a composed sampler, for the calls it forwards: `init()` only sees the outer
 * sampler, so an adaptive sampler inside a parent-based or rule-based one gets its feed, meter and
 * shutdown through here. A sampler used in several places is called once.
 */
export class SamplerDelegates {
  readonly #samplers: readonly Sampler[];
  #shutdown: Promise<void> | undefined;

  constructor(samplers: Iterable<Sampler | undefined>) {
    const distinct = new Set<Sampler>();
    for (const sampler of samplers) if (sampler !== undefined) distinct.add(sampler);
    this.#samplers = [...distinct];
  }

  onInit(obs: Observability): void {
    for (const sampler of this.#samplers) {
      const s = sampler as Lifecycle;
      if (typeof s.onInit === 'function') (sampler as unknown as InitAware).onInit(obs);
    }
  }

  attach(feed: SeriesFeed): void {
    for (const sampler of this.#samplers) {
      const s = sampler as Lifecycle;
      if (typeof s.attach === 'function') (s as { attach(feed: SeriesFeed): void }).attach(feed);
    }
  }

  /** Shuts down every delegate with a lifecycle (window timers). Idempotent. */
  shutdown(): Promise<void> {
    this.#shutdown ??= Promise.all(
      this.#samplers.map(async (sampler) => {
        const s = sampler as Lifecycle;
        if (typeof s.shutdown === 'function') await (s as { shutdown(): Promise<void> }).shutdown();
      }),
    ).then(() => undefined);
    return this.#shutdown;
  }
}
