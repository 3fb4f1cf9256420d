#!/usr/bin/env node
/**
 * `trisignal-slo`: validate a spec, generate Prometheus rules with their promtool tests, run promtool on
 * them, and generate the Grafana dashboard. See `cli-run.ts`.
 */
import { runCli } from './cli-run.js';

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`trisignal-slo: ${String(error)}\n`);
    process.exitCode = 2;
  },
);
