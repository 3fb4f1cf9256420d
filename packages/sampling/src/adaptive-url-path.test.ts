import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { createSeededTraceIdGenerator } from '@trisignal/conformance';
import { describe, expect, it } from 'vitest';
import { createAdaptiveSampler } from './adaptive-sampler.js';
import { type FeedSeries, type SeriesFeed } from './series-feed.js';

/** Cumulative request counts per operation, as core's recorder would report them. */
class CountingFeed implements SeriesFeed {
  readonly counts = new Map<string, number>();
  add(operation: string, requests: number): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + requests);
  }
  forEachSeries(kind: string, visit: (series: FeedSeries) => void): void {
    if (kind !== 'http.server') return;
    for (const [operation, count] of this.counts) visit({ operation, isError: false, duration: { count } });
  }
}

/** What the Express middleware gives a sampler at span start: the method as name, method and path. */
function expressStart(method: string, path: string) {
  return [method, SpanKind.SERVER, { 'http.request.method': method, 'url.path': path }] as const;
}

function setup(matchUrlPath: boolean | undefined) {
  const feed = new CountingFeed();
  let now = 0;
  const sampler = createAdaptiveSampler({
    feed,
    autoTick: false,
    now: () => now,
    targetTracesPerSecond: 1,
    initialProbability: 1,
    ...(matchUrlPath === undefined ? {} : { matchUrlPath }),
  });
  // One window of traffic: 100 req/s on the item route, 10 on search, 1 on the slash-ended list.
  feed.add('GET /api/items/:id', 500);
  feed.add('GET /api/items/search', 50);
  feed.add('GET /files/*path', 500);
  now += 5000;
  sampler.tick();
  return sampler;
}

function sampledShare(sampler: ReturnType<typeof setup>, method: string, path: string): number {
  const ids = createSeededTraceIdGenerator(7);
  const [name, kind, attributes] = expressStart(method, path);
  let sampled = 0;
  for (let i = 0; i < 4000; i++) {
    const r = sampler.shouldSample(ROOT_CONTEXT, ids(), name, kind, attributes, []);
    if (r.decision === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
  }
  return sampled / 4000;
}

describe('createAdaptiveSampler({ matchUrlPath })', () => {
  it('gives a span started before routing its route template probability', () => {
    const sampler = setup(true);
    expect(sampler.probabilityOf('GET /api/items/:id')).toBeCloseTo(0.01, 5);
    expect(sampledShare(sampler, 'GET', '/api/items/42')).toBeLessThan(0.03);
  });

  it('prefers the most specific template and matches wildcards', () => {
    const sampler = setup(true);
    expect(sampler.probabilityOf('GET /api/items/search')).toBeCloseTo(0.1, 5);
    const search = sampledShare(sampler, 'GET', '/api/items/search');
    expect(search).toBeGreaterThan(0.06);
    expect(search).toBeLessThan(0.14);
    expect(sampledShare(sampler, 'GET', '/files/a/b/c.txt')).toBeLessThan(0.03);
  });

  it('uses the initial probability for paths, methods and syntax no template matches', () => {
    const sampler = setup(true);
    expect(sampledShare(sampler, 'GET', '/api/items/42/reviews')).toBe(1);
    expect(sampledShare(sampler, 'POST', '/api/items/42')).toBe(1);
  });

  it('keeps the previous behaviour by default: the method-only name gets the initial probability', () => {
    expect(sampledShare(setup(undefined), 'GET', '/api/items/42')).toBe(1);
    expect(sampledShare(setup(false), 'GET', '/api/items/42')).toBe(1);
  });

  it('rejects a non-boolean option', () => {
    expect(() => createAdaptiveSampler({ matchUrlPath: 'yes' as unknown as boolean })).toThrow(
      /matchUrlPath/,
    );
  });
});
