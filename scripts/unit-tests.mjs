#!/usr/bin/env node
// Runs every package's tests with whatever `node` is first on PATH (CI uses it for the Node 24 pass).
// Expects an installed and built workspace (`npm test` did both).
import { pnpm } from './bootstrap.mjs';

process.stdout.write(`unit tests on Node ${process.version}\n`);
pnpm(['exec', 'vitest', 'run', ...process.argv.slice(2)]);
