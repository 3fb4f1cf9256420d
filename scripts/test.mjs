#!/usr/bin/env node
// `npm test`: install (frozen lockfile), build the packages, typecheck and lint them, then run every
// package's tests with vitest. Arguments after `--` go to vitest (e.g. `npm test -- --project core`).
import { install, pnpm } from './bootstrap.mjs';

install();
pnpm(['exec', 'prettier', '--check', '.', '--log-level=warn']);
pnpm(['turbo', 'run', 'build', 'typecheck', 'lint', '--output-logs=errors-only']);
pnpm(['exec', 'vitest', 'run', ...process.argv.slice(2)]);
