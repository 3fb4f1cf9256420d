import { defineProject } from '@trisignal/vitest-config';

const base = defineProject('exporters-e2e');

// End-to-end tests against a real Prometheus (installed by scripts/ensure-prometheus.mjs when missing):
// `npm run test:e2e` at the repository root. Not part of the default `npm test` run.
export default {
  ...base,
  root: import.meta.dirname,
  test: {
    ...base.test,
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
};
