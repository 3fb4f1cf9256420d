#!/usr/bin/env node
// `npm start`: install, build what the main app needs, and run it.
import { install, pnpm } from './bootstrap.mjs';

const APP = '@trisignal/quickstart';
install();
pnpm(['turbo', 'run', 'build', `--filter=${APP}...`, '--output-logs=errors-only']);
pnpm(['--filter', APP, 'start'], { stdio: 'inherit' });
