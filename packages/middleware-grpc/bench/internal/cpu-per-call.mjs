#!/usr/bin/env node
// Micro-benchmark for tuning: client and server in ONE process (no network hop between processes),
// per mode, in fresh processes, alternating modes for N rounds; prints the median CPU µs per unary call
// (client + server together) and calls/s. CPU per call is steadier than throughput on a shared machine.
//
//   node bench/internal/cpu-per-call.mjs [--rounds 5] [--seconds 4] [--warmup 3] [--modes bare,trisignal,otel]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '3' },
    modes: { type: 'string', default: 'bare,trisignal,otel' },
    node: { type: 'string', default: process.execPath },
  },
});
const modes = values.modes.split(',');
const results = Object.fromEntries(modes.map((m) => [m, []]));
for (let round = 0; round < Number(values.rounds); round++) {
  for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
    // `trisignal:sampled-out`, `trisignal:disabled`, `otel:otlp`…: the part after the colon is EXPORT, or
    // for trisignal a BENCH_TRISIGNAL knob (see common.cjs).
    const [name, extra = 'discard'] = mode.split(':');
    const knob =
      extra === 'disabled' || extra === 'sampled-out' ? { BENCH_TRISIGNAL: extra } : { EXPORT: extra };
    const out = spawnSync(values.node, [path.join(here, 'in-process.cjs')], {
      env: { ...process.env, MODE: name, ...knob, SECONDS: values.seconds, WARMUP: values.warmup },
      encoding: 'utf8',
      timeout: 120_000,
    });
    const line = out.stdout.trim().split('\n').pop() ?? '';
    const parsed = JSON.parse(line);
    results[mode].push(parsed);
    process.stderr.write(
      `round ${round + 1} ${mode}: ${parsed.cpu.toFixed(1)} µs/call ${Math.round(parsed.rps)} calls/s\n`,
    );
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const base = median(results[modes[0]].map((r) => r.cpu));
for (const mode of modes) {
  const cpu = median(results[mode].map((r) => r.cpu));
  const rps = median(results[mode].map((r) => r.rps));
  console.log(
    `${mode.padEnd(18)} ${cpu.toFixed(1).padStart(7)} µs CPU/call  (+${(cpu - base).toFixed(1)})  ${Math.round(rps)} calls/s  cpu ratio ${(base / cpu).toFixed(2)}`,
  );
}
