import { defineProject } from '@trisignal/vitest-config';

const base = defineProject('reference-e2e');

// End to end against a real Prometheus (installed by scripts/ensure-prometheus.mjs when missing), run by
// `npm run test:e2e` at the repository root. The app runs as it does for `npm start`: separate processes
// importing the built packages. Every wait is bounded; the whole file takes about three minutes.
export default {
  ...base,
  root: import.meta.dirname,
  test: {
    ...base.test,
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
};
