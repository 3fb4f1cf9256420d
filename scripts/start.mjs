#!/usr/bin/env node
// `npm start`: install, build what the reference app needs, and run it (apps/reference: orders and
// inventory as two processes, an embedded OTLP receiver, the load scenario and a live view; nothing
// external). Environment variables are passed through (see apps/reference/README.md).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { install, pnpm, ROOT } from './bootstrap.mjs';

const APP = '@trisignal/reference';
// Ctrl-C reaches every process of the terminal's group: the install or build stops by itself, and the
// app handles it (load off, services flush, summary). This process only waits, and never starts the
// app after an interrupted build.
let interrupted = false;
process.on('SIGINT', () => (interrupted = true));
process.on('SIGTERM', () => (interrupted = true));
install();
pnpm(['turbo', 'run', 'build', `--filter=${APP}...`, '--output-logs=errors-only']);
if (interrupted) process.exit(130);
const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  cwd: path.join(ROOT, 'apps', 'reference'),
  stdio: 'inherit',
});
if (result.error) {
  process.stderr.write(`start: could not run the reference app: ${result.error.message}\n`);
  process.exit(1);
}
process.exit(result.status ?? 1);
