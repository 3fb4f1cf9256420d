#!/usr/bin/env node
// The gRPC overhead benchmark of issue 7 (`pnpm bench:grpc`, or `pnpm --filter @trisignal/middleware-grpc
// bench`): unary calls per second on 127.0.0.1, bare vs our server + client interceptors vs
// @opentelemetry/instrumentation-grpc, on @trisignal/bench's harness (each variant's server in a fresh
// process, interleaved rounds, medians, ratios to bare in the same round). The client of each variant
// runs in its own process too (grpc-load.mjs), instrumented like the server.
//
//   node bench/run.mjs [--rounds 3] [--duration 10] [--warmup 5] [--concurrency 50]
//                      [--variants a,b,c,d,e,f,g (calibration: j,k,l)] [--slice S] [--json out.json]
// --slice S: all variants of a round stay up and are measured in turns of S seconds (harness `sliceSeconds`).
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatSummary, median, runBenchmark, startProcess, stopProcess } from '@trisignal/bench';
import { CALIBRATION_PROBES } from '@trisignal/bench/busy';
import { createGrpcLoad } from './grpc-load.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const serverScript = path.join(here, 'server.cjs');

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '50' },
    variants: { type: 'string', default: 'a,b,c,d,e,f,g' },
    slice: { type: 'string', default: '0' },
    json: { type: 'string' },
  },
});

const ALL = [
  { name: 'a', label: 'bare grpc-js (no instrumentation)', env: { MODE: 'bare' } },
  {
    name: 'b',
    label: 'trisignal serverInterceptor + clientInterceptor, BSP, discarding exporter (metrics in-process)',
    env: { MODE: 'trisignal', EXPORT: 'discard' },
  },
  {
    name: 'c',
    label: '@opentelemetry/instrumentation-grpc (server + client), sdk-trace-base BSP, discarding exporter',
    env: { MODE: 'otel', EXPORT: 'discard' },
  },
  {
    name: 'd',
    label:
      'trisignal interceptors, @trisignal/exporters OTLP/HTTP proto (durable WAL) traces + metrics (5 s) to the sink',
    env: { MODE: 'trisignal', EXPORT: 'otlp' },
  },
  {
    name: 'e',
    label: '@opentelemetry/instrumentation-grpc, OTLP/HTTP proto traces to the sink',
    env: { MODE: 'otel', EXPORT: 'otlp' },
  },
  {
    name: 'f',
    label: 'reference: bare grpc-js + an AsyncLocalStorage context manager in use (no spans, no metrics)',
    env: { MODE: 'als' },
  },
  {
    name: 'g',
    label:
      'reference: pass-through server + client interceptors + the context manager (floor of interceptor tracing)',
    env: { MODE: 'noop' },
  },
  // Calibration (not in the default set): bare grpc-js, the server burning a fixed amount of CPU per call.
  ...CALIBRATION_PROBES.map(([name, micros]) => ({
    name,
    label: `calibration: bare grpc-js, the server burns ${micros} µs of CPU per call (no telemetry)`,
    env: { MODE: 'busy', BENCH_BUSY_MICROS: String(micros) },
  })),
];

const wanted = new Set(values.variants.split(','));
const rounds = Number(values.rounds);
const durationSeconds = Number(values.duration);
const warmupSeconds = Number(values.warmup);
const concurrency = Number(values.concurrency);
const sliceSeconds = Number(values.slice);

const sinkScript = fileURLToPath(import.meta.resolve('@trisignal/bench/otlp-sink'));
const sink = await startProcess(sinkScript);
const sinkUrl = `http://127.0.0.1:${sink.port}`;
const variants = ALL.filter((v) => wanted.has(v.name)).map((v) => ({
  ...v,
  script: serverScript,
  env: { ...v.env, OTLP_SINK_URL: sinkUrl },
}));

const command = `node packages/middleware-grpc/bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim();
const header = [
  `Command: \`${command}\``,
  `Node ${process.version} on ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}; the client process (${concurrency} unary calls in flight on one channel), the server process and the OTLP sink share these ${os.cpus().length} cores with other work on the machine.`,
  sliceSeconds > 0
    ? `${rounds} rounds; in each, every variant's server runs in a fresh process, gets ${warmupSeconds} s of warm-up, then ${durationSeconds} s measured in turns of ${sliceSeconds} s (order rotates every turn; a fresh client process per turn); medians over rounds; ratios are to bare grpc-js in the same round.`
    : `${rounds} interleaved rounds (order rotates), ${warmupSeconds} s warm-up + ${durationSeconds} s measured per variant and round, server and client in fresh processes; medians; ratios are to bare grpc-js in the same round.`,
];
process.stdout.write(header.join('\n') + '\n\n');

let result;
try {
  result = await runBenchmark({
    variants,
    baseline: 'a',
    rounds,
    durationSeconds,
    warmupSeconds,
    sliceSeconds,
    load: createGrpcLoad({ concurrency }),
  });
} finally {
  await stopProcess(sink.child);
}

const fmt = (n, digits = 1) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '—';
const clientCpu = result.summary.map((s) => {
  const perRound = result.rounds.map((r) => r[s.name]);
  const client = median(perRound.map((m) => m.clientCpuMicrosPerRequest));
  return `| (${s.name}) | ${fmt(s.cpuMicrosPerRequest)} | ${fmt(client)} | ${fmt(s.cpuMicrosPerRequest + client)} |`;
});
const infoLines = Object.entries(result.info).map(([name, text]) => `- (${name}) ${text}`);
process.stdout.write(
  [
    `Load average (1/5/15 min) before: ${result.loadBefore}; after: ${result.loadAfter}`,
    '',
    formatSummary(result, { serviceColumn: 'sink CPU µs/call (not measured)' }),
    '',
    'CPU per call, medians over rounds (server from /proc, client from process.cpuUsage()):',
    '',
    '| variant | server µs/call | client µs/call | both µs/call |',
    '|---|---|---|---|',
    ...clientCpu,
    '',
    ...infoLines,
    '',
  ].join('\n'),
);
if (values.json) writeFileSync(values.json, JSON.stringify({ command, header, ...result }, null, 2));
