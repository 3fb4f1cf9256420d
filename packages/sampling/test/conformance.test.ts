/** Every sampler of the package runs the workspace's shared sampler conformance suite. */
import { testSampler } from '@trisignal/conformance';
import { createAdaptiveSampler } from '../src/adaptive-sampler.js';
import { createSamplerFromEnv } from '../src/env.js';
import { createParentBasedSampler } from '../src/parent-based-sampler.js';
import { createProbabilitySampler } from '../src/probability-sampler.js';
import { createRateLimitingSampler } from '../src/rate-limiting-sampler.js';
import { createRuleBasedSampler } from '../src/rule-based-sampler.js';

for (const ratio of [1, 0.5, 0.25, 0.1, 1 / 3, 0.01, 0.001]) {
  testSampler({
    name: `probability ${ratio}`,
    create: () => createProbabilitySampler({ ratio }),
    expectedRate: ratio,
    writesThreshold: true,
  });
}
testSampler({ name: 'probability 0', create: () => createProbabilitySampler({ ratio: 0 }), expectedRate: 0 });
for (const parentMode of ['equalizing', 'proportional'] as const) {
  testSampler({
    name: `probability 0.2 (${parentMode})`,
    create: () => createProbabilitySampler({ ratio: 0.2, parentMode }),
    expectedRate: 0.2,
    writesThreshold: true,
  });
}
testSampler({
  name: 'parent-based(probability 0.25)',
  create: () => createParentBasedSampler({ root: createProbabilitySampler({ ratio: 0.25 }) }),
  expectedRate: 0.25,
  writesThreshold: true,
});
testSampler({
  name: 'rate-limiting 100/s',
  create: () => createRateLimitingSampler({ tracesPerSecond: 100 }),
  deterministic: false,
});
testSampler({
  name: 'rule-based (never /health, always /checkout, 10 % of the rest)',
  create: () =>
    createRuleBasedSampler({
      rules: [
        { attributes: { 'http.route': '/health' }, sampler: 'always_off' },
        { attributes: { 'http.route': '/checkout' }, sampler: 'always_on' },
      ],
      fallback: createProbabilitySampler({ ratio: 0.1 }),
    }),
  expectedRate: 0.1,
  writesThreshold: true,
});
testSampler({
  name: 'adaptive (initial probability 0.2, no feed yet)',
  create: () => createAdaptiveSampler({ initialProbability: 0.2, autoTick: false }),
  expectedRate: 0.2,
  writesThreshold: true,
});
testSampler({
  name: 'adaptive (measured key)',
  create: () => {
    let now = 0;
    let count = 0;
    const sampler = createAdaptiveSampler({
      autoTick: false,
      now: () => now,
      targetTracesPerSecond: 25,
      feed: {
        forEachSeries: (kind, visit) =>
          kind === 'http.server' && visit({ operation: 'GET /x', isError: false, duration: { count } }),
      },
    });
    count = 500; // 100 req/s → p = 0.25
    now = 5000;
    sampler.tick();
    return sampler;
  },
  expectedRate: 0.25,
  writesThreshold: true,
});
testSampler({
  name: 'env parentbased_trisignal_probability',
  create: () =>
    createSamplerFromEnv({
      OTEL_TRACES_SAMPLER: 'parentbased_trisignal_probability',
      OTEL_TRACES_SAMPLER_ARG: '0.3',
    }),
  expectedRate: 0.3,
  writesThreshold: true,
});
