#!/usr/bin/env node
// CPU per request of the whole telemetry pipeline, without sockets on the request side: goldenSignals()
// on node:http request/response objects, the SDK, batch processors, @trisignal/exporters (OTLP/HTTP
// protobuf, gzip, durable WAL) sending to the local sink. Steadier than the HTTP benchmark on a noisy
// machine (no load generator, no kernel network path), so it is the tool for tuning the pipeline; the
// HTTP benchmark stays the measure of the goal. Each configuration runs in a fresh process; rounds
// alternate the order; medians. CPU covers every thread of the process (main, V8 GC helpers, libuv pool).
//
//   node tooling/bench/src/pipeline-cost.mjs [--rounds 5] [--iterations 100000] [--configs bare,full,...]
// Configurations are `+`-joined parts: bare (a no-op middleware), full, memory (no WAL), nolog (no access
// log), notrace (no spans), nocompression, fsyncinterval / fsyncnever (the WAL's other sync policies), batch<N> (span and log batches of N, queues of 4 N), alt (the exporters built in
// the dist directory PIPELINE_ALT_EXPORTERS, to compare two builds side by side).
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, startProcess, stopProcess } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    iterations: { type: 'string', default: '100000' },
    configs: { type: 'string', default: 'bare,full,full+memory,full+nolog,full+nocompression' },
  },
});
const configs = values.configs.split(',');
const rounds = Number(values.rounds);
process.stdout.write(
  `Command: \`node tooling/bench/src/pipeline-cost.mjs ${process.argv.slice(2).join(' ')}\`\n` +
    `Node ${process.version}, ${os.cpus().length} cores, load average before: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}\n`,
);
const sink = await startProcess(path.join(here, 'otlp-sink.mjs'));
const results = Object.fromEntries(configs.map((c) => [c, []]));
try {
  for (let round = 0; round < rounds; round++) {
    for (const config of round % 2 === 0 ? configs : [...configs].reverse()) {
      const out = spawnSync(process.execPath, [path.join(here, 'pipeline', 'child.mjs')], {
        env: {
          ...process.env,
          PIPELINE_CONFIG: config,
          PIPELINE_ITERATIONS: values.iterations,
          OTLP_SINK_URL: `http://127.0.0.1:${sink.port}`,
        },
        encoding: 'utf8',
        timeout: 300_000,
      });
      const line = out.stdout.trim().split('\n').pop() ?? '';
      let parsed;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new Error(`${config} failed (exit ${out.status}):\n${out.stdout}\n${out.stderr}`);
      }
      results[config].push(parsed);
      const threads = Object.entries(parsed)
        .filter(([k]) => !['config', 'total', 'sys'].includes(k))
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ');
      process.stdout.write(
        `round ${round + 1}/${rounds} ${config.padEnd(24)} ${parsed.total.toFixed(1)} µs/req (${threads})\n`,
      );
    }
  }
} finally {
  await stopProcess(sink.child);
}
process.stdout.write(
  `\nload average after: ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}\n\n`,
);
process.stdout.write(
  '| configuration | CPU µs/req (median) | main thread | other threads | per round |\n|---|---:|---:|---:|---|\n',
);
for (const config of configs) {
  const rows = results[config];
  const total = median(rows.map((r) => r.total));
  const main = median(rows.map((r) => r.main));
  // /proc counts in 10 ms ticks, process.cpuUsage() in µs: on short runs the difference can dip below 0.
  const other = Math.max(0, median(rows.map((r) => r.total - r.main)));
  process.stdout.write(
    `| ${config} | ${total.toFixed(1)} | ${main.toFixed(1)} | ${other.toFixed(1)} | ${rows.map((r) => r.total.toFixed(1)).join(', ')} |\n`,
  );
}
