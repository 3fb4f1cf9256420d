/**
 * Cost of one `admit()` call beside a trivial `Admission` (returns ADMIT, nothing else), in the same run:
 * the healthy path (breaker closed, nothing shed), the shedding path (pressure on, probabilistic draw by
 * class) and the open-breaker path. Run: `pnpm --filter @trisignal/slo bench`.
 */
import { ADMIT, type Admission, type AdmissionRequest } from '@trisignal/core';
import { bench, describe } from 'vitest';
import { FakeClock, FakeRecorder, FakeSaturation } from '../test/feed.js';
import { createSloAdmission, type SloAdmission } from '../src/admission.js';
import { defineSlo } from '../src/spec.js';

const spec = defineSlo({
  service: 'bench',
  classes: [
    {
      name: 'gold',
      availability: 99.9,
      latency: [{ quantile: 0.99, thresholdSeconds: 0.25 }],
      match: [{ route: '/checkout' }],
    },
    { name: 'silver', availability: 99.5, match: [{ route: '/api/*' }] },
    { name: 'bronze', availability: 99, match: [{ route: '/reports/*' }] },
  ],
});
const requests: AdmissionRequest[] = ['gold', 'silver', 'bronze', 'silver'].map((sloClass) => ({
  kind: 'http',
  method: 'GET',
  route: `/${sloClass}`,
  sloClass,
}));

function admission(
  eventLoopUtilization: number,
  health?: Parameters<typeof createSloAdmission>[0]['health'],
): SloAdmission {
  const clock = new FakeClock();
  const saturation = new FakeSaturation();
  saturation.reading = { ...saturation.reading, eventLoopUtilization };
  const a = createSloAdmission({
    spec,
    source: new FakeRecorder(spec.buckets),
    saturation,
    clock,
    autoStart: false,
    health,
  });
  a.evaluator.tick();
  clock.advance(1000);
  a.evaluator.tick();
  return a;
}

const trivial: Admission = { admit: () => ADMIT };
const healthy = admission(0.2);
// saturation alone drives the score to 0.6: bronze shed with probability ~0.86, silver and gold admitted
const shedding = admission(0.85, { weights: { latency: 0, errors: 0, saturation: 1, traffic: 0 } });
const open = admission(1, { weights: { latency: 0, errors: 0, saturation: 1, traffic: 0 } });
if (open.state().breaker !== 'open' || !(shedding.state().shedProbability['bronze']! > 0))
  throw new Error('bench setup failed');

let i = 0;
let sink = 0;
describe('admit() per request (4 requests rotating over gold/silver/bronze)', () => {
  bench('baseline: trivial Admission (returns ADMIT)', () => {
    sink += trivial.admit(requests[i++ & 3]!).admit ? 1 : 0;
  });
  bench('createSloAdmission, healthy (closed, nothing shed)', () => {
    sink += healthy.admit(requests[i++ & 3]!).admit ? 1 : 0;
  });
  bench('createSloAdmission, shedding (probabilistic, by class)', () => {
    sink += shedding.admit(requests[i++ & 3]!).admit ? 1 : 0;
  });
  bench('createSloAdmission, breaker open (shed with Retry-After)', () => {
    sink += open.admit(requests[i++ & 3]!).admit ? 1 : 0;
  });
});

export { sink };
