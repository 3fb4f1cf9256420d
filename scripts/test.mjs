#!/usr/bin/env node
// `npm test`: install (frozen lockfile), check formatting, build, typecheck and lint the packages, check
// them as npm will publish them (publint, attw), then run every package's tests with vitest.
// Arguments go to vitest (e.g. `npm test -- --project core`).
import { install, pnpm } from './bootstrap.mjs';

install();
pnpm(['exec', 'prettier', '--check', '.', '--log-level=warn']);
pnpm(['turbo', 'run', 'build', 'typecheck', 'lint', '--output-logs=errors-only']);
pnpm(['exec', 'node', 'scripts/check-packages.mjs']);
pnpm(['exec', 'vitest', 'run', ...process.argv.slice(2)]);
