import { configDefaults } from 'vitest/config';
import { defineProject } from '@trisignal/vitest-config';

const base = defineProject('reference');

// Unit and integration tests of the reference app (fast ones; they run in `npm test`). They import
// `@trisignal/*` from source like every package's tests. The end-to-end test runs only through
// `npm run test:e2e` (vitest.e2e.config.ts).
export default {
  ...base,
  test: { ...base.test, exclude: [...configDefaults.exclude, 'test/e2e/**'] },
};
