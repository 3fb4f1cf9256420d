#!/usr/bin/env node
// `npm run test:e2e`: the end-to-end tests against a real Prometheus 2.42 (installed from apt when it is
// missing and we are root: scripts/ensure-prometheus.mjs). It installs and builds what they run (the
// reference app's services import the built packages, as `npm start` does), then runs both suites:
// the exporters' (scrape, OpenMetrics exemplars, remote write) and the reference app's (the whole
// pipeline, exact counts, alerts, kill -9 recovery). Arguments go to vitest.
import { install, pnpm } from './bootstrap.mjs';
import { ensurePrometheus } from './ensure-prometheus.mjs';

install();
ensurePrometheus();
pnpm(['turbo', 'run', 'build', '--filter=@trisignal/reference...', '--output-logs=errors-only']);
pnpm(['exec', 'vitest', 'run', '--config', 'vitest.e2e.config.ts', ...process.argv.slice(2)]);
