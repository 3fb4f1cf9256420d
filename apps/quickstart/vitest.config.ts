import { defineProject } from '@trisignal/vitest-config';

const config = defineProject('quickstart');
// The quickstart runs as users run it: against the built @trisignal/core, not its source.
export default { ...config, resolve: {} };
