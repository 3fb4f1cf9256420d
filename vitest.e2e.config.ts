import { defineConfig } from 'vitest/config';

// `npm run test:e2e` (scripts/test-e2e.mjs): the suites that need a real Prometheus. They start
// processes and servers on fixed resources, so the projects run one after the other.
export default defineConfig({
  test: {
    projects: ['packages/exporters/vitest.e2e.config.ts', 'apps/reference/vitest.e2e.config.ts'],
    fileParallelism: false,
  },
});
