/**
 * Trace + span id for a root span, side by side: the SDK's default `RandomIdGenerator` (`Math.random()`
 * per 4 bytes, one hex encoding per id) and core's `PooledIdGenerator` (a CSPRNG pool hex-encoded once,
 * one substring per id). Run: `pnpm --filter @trisignal/core bench`.
 */
import { RandomIdGenerator } from '@opentelemetry/sdk-trace-base';
import { bench, describe } from 'vitest';
import { PooledIdGenerator } from '../src/id-generator.js';

const sdk = new RandomIdGenerator();
const pooled = new PooledIdGenerator();
let keep = '';

describe('trace id + span id', () => {
  bench('sdk-trace-base RandomIdGenerator', () => {
    keep = sdk.generateTraceId();
    keep = sdk.generateSpanId();
  });
  bench('trisignal PooledIdGenerator', () => {
    keep = pooled.generateTraceId();
    keep = pooled.generateSpanId();
  });
});

export { keep };
