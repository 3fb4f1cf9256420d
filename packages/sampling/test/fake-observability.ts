import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { type Sampler, SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { type Observability } from '@trisignal/core';
import { vi } from 'vitest';
import { type SeriesFeed } from '../src/series-feed.js';

/**
 * The two fields of an `Observability` handle the sampling components read in `onInit`, for unit tests
 * that do not run a real `init()` (test/core-integration.test.ts does).
 */
export function fakeObservability(
  recorder: SeriesFeed = { forEachSeries: () => undefined },
  meterProvider: MeterProvider = new MeterProvider(),
): Observability {
  return { recorder, meterProvider } as unknown as Observability;
}

/** A delegate sampler with the lifecycle our composed samplers forward, every method a spy. */
export function lifecycleSpy() {
  const sampler = {
    shouldSample: () => ({ decision: SamplingDecision.RECORD_AND_SAMPLED }),
    toString: () => 'Spy',
    onInit: vi.fn(),
    attach: vi.fn(),
    shutdown: vi.fn(() => Promise.resolve()),
  };
  return sampler satisfies Sampler;
}
