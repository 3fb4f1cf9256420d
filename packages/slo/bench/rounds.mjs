// Interleaved rounds of admit() against a trivial Admission in one process, medians reported in ns per
// call. Needs a build: `pnpm --filter @trisignal/slo build && node packages/slo/bench/rounds.mjs`.
// The machine running it may be shared: rounds are interleaved so drift hits every variant alike.
import { ADMIT } from '@trisignal/core';
import { createSloAdmission, defineSlo } from '../dist/index.js';

const spec = defineSlo({
  service: 'bench',
  classes: [
    { name: 'gold', availability: 99.9, latency: [{ quantile: 0.99, thresholdSeconds: 0.25 }] },
    { name: 'silver', availability: 99.5 },
    { name: 'bronze', availability: 99 },
  ],
});
const requests = ['gold', 'silver', 'bronze', 'silver'].map((sloClass) => ({
  kind: 'http',
  method: 'GET',
  route: `/${sloClass}`,
  sloClass,
}));

function admission(elu, saturationOnly) {
  let t = 0;
  const clock = { now: () => t };
  const a = createSloAdmission({
    spec,
    source: { forEachSeries() {} },
    saturation: {
      saturation: () => ({
        eventLoopDelayP99Seconds: 0.01,
        eventLoopDelayResolutionSeconds: 0.01,
        eventLoopUtilization: elu,
        heapUsedRatio: 0.3,
      }),
    },
    clock,
    autoStart: false,
    health: saturationOnly ? { weights: { latency: 0, errors: 0, saturation: 1, traffic: 0 } } : undefined,
  });
  a.evaluator.tick();
  t += 1000;
  a.evaluator.tick();
  return a;
}

const variants = {
  'baseline: trivial Admission (returns ADMIT)': { admit: () => ADMIT },
  'healthy (closed, nothing shed)': admission(0.2, false),
  'shedding (probabilistic, by class)': admission(0.85, true),
  'breaker open': admission(1, true),
};
const N = 2_000_000;
const ROUNDS = 9;
let sink = 0;
const results = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, a] of Object.entries(variants)) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < N; i++) sink += a.admit(requests[i & 3]).admit ? 1 : 0;
    results[name].push(Number(process.hrtime.bigint() - start) / N);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const base = median(results['baseline: trivial Admission (returns ADMIT)']);
console.log(`Node ${process.version}, ${ROUNDS} interleaved rounds × ${N} calls, median ns per admit()`);
console.log('| variant | ns/call (median) | min–max over rounds | × baseline |');
console.log('| --- | ---: | ---: | ---: |');
for (const [name, xs] of Object.entries(results)) {
  const m = median(xs);
  console.log(
    `| ${name} | ${m.toFixed(1)} | ${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)} | ${(m / base).toFixed(2)} |`,
  );
}
if (sink === -1) console.log(sink);
