/** The evaluator and admission read core's real recorder, labelled by core's matcher built from the spec. */
import {
  ADMIT,
  createGoldenSignalRecorder,
  createSloClassMatcher,
  type Admission,
  type RuntimeMetrics,
} from '@trisignal/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createSloAdmission } from '../src/admission.js';
import type { GoldenSignalSource, SaturationSource } from '../src/evaluator.js';
import { defineSlo, toCoreOptions } from '../src/spec.js';
import { FakeClock } from './feed.js';

const spec = defineSlo({
  service: 'orders',
  classes: [
    {
      name: 'gold',
      availability: 99.9,
      latency: [{ quantile: 0.99, thresholdSeconds: 0.25 }],
      match: [{ method: 'POST', route: '/checkout' }, { rpc: 'shop.Inventory/*' }],
    },
    { name: 'silver', availability: 99.5, match: [{ route: '/api/*' }] },
  ],
});

describe('with @trisignal/core', () => {
  it('accepts the recorder, the runtime metrics and the Admission interface as they are', () => {
    expectTypeOf(createGoldenSignalRecorder()).toMatchTypeOf<GoldenSignalSource>();
    expectTypeOf<RuntimeMetrics>().toMatchTypeOf<SaturationSource>();
    expectTypeOf(createSloAdmission).returns.toMatchTypeOf<Admission>();
  });

  it('counts HTTP and RPC requests per class from the recorder that core labels with the spec rules', () => {
    const core = toCoreOptions(spec);
    const recorder = createGoldenSignalRecorder({ durationBuckets: core.durationBuckets });
    const classes = createSloClassMatcher({ rules: core.sloClasses, defaultClass: core.defaultSloClass });
    const clock = new FakeClock();
    // Shedding is probabilistic: a fixed draw near 1 keeps the decision deterministic (gold's 7 % errors
    // lower health enough that silver may be shed with some probability).
    const admission = createSloAdmission({
      spec,
      source: recorder,
      clock,
      autoStart: false,
      random: () => 0.999999,
    });
    admission.evaluator.tick();
    for (let i = 0; i < 50; i++) {
      const active = recorder.httpServerActive('POST');
      recorder.recordHttpServer({
        method: 'POST',
        route: '/checkout',
        statusCode: i < 5 ? 503 : 200,
        sloClass: classes.matchHttp('POST', '/checkout'),
        durationSeconds: i % 10 === 0 ? 0.3 : 0.02,
      });
      active.dec();
      recorder.recordRpcServer({
        service: 'shop.Inventory',
        method: 'Reserve',
        grpcStatusCode: i < 2 ? 14 : 0,
        sloClass: classes.matchRpc('shop.Inventory/Reserve'),
        durationSeconds: 0.01,
      });
      recorder.recordHttpServer({
        method: 'GET',
        route: '/api/items/:id',
        statusCode: 404,
        sloClass: classes.matchHttp('GET', '/api/items/:id'),
        durationSeconds: 0.01,
      });
    }
    const held = recorder.httpServerActive('GET');
    clock.advance(1000);
    admission.evaluator.tick();
    expect(admission.evaluator.window('gold', 60)).toMatchObject({
      requests: 100,
      errors: 7,
      slow: Float64Array.from([5]),
    });
    expect(admission.evaluator.window('silver', 60)).toMatchObject({ requests: 50, errors: 0 });
    expect(admission.evaluator.inFlight).toBe(1);
    expect(admission.evaluator.snapshot().skippedSeries).toBe(0);
    expect(
      admission.admit({ kind: 'http', method: 'GET', route: '/api/items/:id', sloClass: 'silver' }),
    ).toBe(ADMIT);
    held.dec();
  });
});
