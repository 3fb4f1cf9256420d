import { configDefaults } from 'vitest/config';
import { defineProject } from '@trisignal/vitest-config';

const base = defineProject('exporters');

// The real-Prometheus tests run only through `npm run test:e2e` (vitest.e2e.config.ts).
export default {
  ...base,
  test: { ...base.test, exclude: [...configDefaults.exclude, 'test/e2e/**'] },
};
