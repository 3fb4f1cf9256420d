/**
 * @trisignal/conformance — shared vitest suites that every implementation in the workspace runs
 * (unstorage's `testDriver` idea): `testSampler({ create })` for OpenTelemetry samplers, plus seeded id
 * generators for statistical tests.
 */
export { testSampler } from './sampler.js';
export type { SamplerConformanceOptions } from './sampler.js';
export { createSeededTraceIdGenerator, createSeededSpanIdGenerator } from './trace-ids.js';
