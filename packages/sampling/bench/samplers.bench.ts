/**
 * vitest bench: one iteration = 1000 root decisions (so timer overhead stays small), ours beside upstream
 * TraceIdRatioBasedSampler in the same file. ns per decision = 1e6 / hz. The interleaved, median-based
 * figures in docs come from bench/report.ts.
 */
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { ParentBasedSampler, type Sampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { createSeededTraceIdGenerator } from '@trisignal/conformance';
import { bench, describe } from 'vitest';
import {
  createAdaptiveSampler,
  createParentBasedSampler,
  createProbabilitySampler,
  createRateLimitingSampler,
  createRuleBasedSampler,
} from '../src/index.js';

const ids = createSeededTraceIdGenerator(1);
const TRACE_IDS = Array.from({ length: 1000 }, () => ids());
let sink = 0;

function batch(sampler: Sampler): () => void {
  return () => {
    for (let i = 0; i < 1000; i++) {
      sink += sampler.shouldSample(
        ROOT_CONTEXT,
        TRACE_IDS[i]!,
        'GET /api/items/:id',
        SpanKind.SERVER,
        {},
        [],
      ).decision;
    }
  };
}

describe('1000 root decisions', () => {
  bench('upstream TraceIdRatioBasedSampler(0.1)', batch(new TraceIdRatioBasedSampler(0.1)));
  bench(
    'upstream ParentBasedSampler(ratio 0.1)',
    batch(new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.1) })),
  );
  bench('probability 0.1 (writes th)', batch(createProbabilitySampler({ ratio: 0.1 })));
  bench(
    'parent-based(probability 0.1)',
    batch(createParentBasedSampler({ root: createProbabilitySampler({ ratio: 0.1 }) })),
  );
  bench('adaptive (initial 0.1)', batch(createAdaptiveSampler({ initialProbability: 0.1, autoTick: false })));
  bench('rate-limiting 1000/s', batch(createRateLimitingSampler({ tracesPerSecond: 1000 })));
  bench(
    'rule-based (health/checkout/10 %)',
    batch(
      createRuleBasedSampler({
        rules: [
          { attributes: { 'http.route': '/health' }, sampler: 'always_off' },
          { attributes: { 'http.route': '/checkout' }, sampler: 'always_on' },
        ],
        fallback: createProbabilitySampler({ ratio: 0.1 }),
      }),
    ),
  );
});

export { sink };
