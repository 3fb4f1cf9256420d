#!/usr/bin/env node
/**
 * `trisignal-wal`: inspect, verify and dump a WAL directory (read-only). See `inspect.ts`.
 */
import { runCli } from './inspect.js';

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`trisignal-wal: ${String(error)}\n`);
    process.exitCode = 2;
  },
);
