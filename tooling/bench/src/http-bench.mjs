#!/usr/bin/env node
// The HTTP overhead benchmark of issue 6 (`pnpm bench:http`): hello-world Express 5, five variants, each
// in its own process, driven by autocannon on 127.0.0.1. Prints the command, the machine load before
// and after, every round, and the summary table (medians; ratios to bare Express from the same round).
//
//   node tooling/bench/src/http-bench.mjs [--rounds 3] [--duration 10] [--warmup 3] [--connections 50]
//                                         [--variants a,b,…,l] [--rate N] [--slice S] [--json out.json]
// --slice S keeps every variant of a round running and measures them in turns of S seconds until each has
// had --duration (see the harness's `sliceSeconds`): steadier ratios on a machine whose speed drifts.
// --rate N drives every variant at N req/s instead of saturating it: compare CPU µs/request then.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CALIBRATION_PROBES } from './busy.cjs';
import { formatSummary, runBenchmark } from './harness.mjs';
import { createHttpLoad } from './http-load.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const variantsDir = path.join(here, '..', 'variants', 'express');

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    rate: { type: 'string' },
    variants: { type: 'string', default: 'a,b,c,d,e,f,g' },
    slice: { type: 'string', default: '0' },
    json: { type: 'string' },
  },
});

const ALL = [
  { name: 'a', label: 'bare Express 5', script: 'a-bare.cjs' },
  {
    name: 'b',
    label: 'trisignal full: traces 100 % + metrics + access logs, OTLP/HTTP proto to sink',
    script: 'b-trisignal-full.cjs',
  },
  {
    name: 'c',
    label: 'trisignal metrics only (OTLP/HTTP proto every 5 s)',
    script: 'c-trisignal-metrics.cjs',
  },
  {
    name: 'd',
    label:
      'OpenTelemetry sdk-node + instrumentation-http + instrumentation-express, BSP, OTLP proto, metrics every 5 s',
    script: 'd-otel-sdk.cjs',
  },
  {
    name: 'e',
    label: 'express-prom-bundle (prom-client, default metrics), /metrics scraped every 1 s',
    script: 'e-prom-bundle.cjs',
    load: { scrapePath: '/metrics' },
  },
  {
    name: 'f',
    label: 'reference floor: context manager + context.with() around next() only (no span, metrics or logs)',
    script: 'f-context-floor.cjs',
  },
  {
    name: 'g',
    label: 'trisignal full as (b), head sampling 10 % (parentbased_traceidratio 0.1)',
    script: 'b-trisignal-full.cjs',
    env: { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' },
  },
  // Decomposition probes (not in the default set): what loading the SDK, and recording metrics, cost.
  {
    name: 'h',
    label: 'reference floor: @trisignal/core loaded and init() called, no exporters, no middleware',
    script: 'h-init-only.cjs',
  },
  {
    name: 'i',
    label: 'trisignal metrics only as (c), no exporter and no runtime metrics',
    script: 'c-trisignal-metrics.cjs',
    env: { BENCH_NO_EXPORTER: '1' },
  },
  // Calibration probes (not in the default set): bare Express + a fixed amount of CPU per request, no
  // telemetry. What a microsecond of server work costs the ratio when client and server share the cores.
  ...CALIBRATION_PROBES.map(([name, micros]) => ({
    name,
    label: `calibration: bare Express + ${micros} µs of CPU per request (calibrated loop, no telemetry)`,
    script: 'j-busy.cjs',
    env: { BENCH_BUSY_MICROS: String(micros) },
  })),
];
const wanted = new Set(values.variants.split(','));
const variants = ALL.filter((v) => wanted.has(v.name)).map((v) => ({
  ...v,
  script: path.join(variantsDir, v.script),
}));

const rounds = Number(values.rounds);
const durationSeconds = Number(values.duration);
const warmupSeconds = Number(values.warmup);
const connections = Number(values.connections);
const sliceSeconds = Number(values.slice);

const command = `node tooling/bench/src/http-bench.mjs ${process.argv.slice(2).join(' ')}`.trim();
const header = [
  `Command: \`${command}\``,
  `Node ${process.version} on ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}; client (autocannon, ${connections} connections${values.rate ? `, fixed ${values.rate} req/s` : ''}, in the harness process), server and OTLP sink share these ${os.cpus().length} cores.`,
  sliceSeconds > 0
    ? `${rounds} rounds; in each, every variant runs in a fresh process, gets ${warmupSeconds} s of warm-up, then ${durationSeconds} s measured in turns of ${sliceSeconds} s (order rotates every turn); medians over rounds; ratios are to bare Express in the same round.`
    : `${rounds} interleaved rounds (order rotates), ${warmupSeconds} s warm-up + ${durationSeconds} s measured per variant and round, each variant in a fresh process; medians; ratios are to bare Express in the same round.`,
];
process.stdout.write(header.join('\n') + '\n\n');

const result = await runBenchmark({
  variants,
  baseline: 'a',
  rounds,
  durationSeconds,
  warmupSeconds,
  sliceSeconds,
  load: createHttpLoad({ connections, ...(values.rate ? { rate: Number(values.rate) } : {}) }),
  services: [{ name: 'otlp-sink', script: path.join(here, 'otlp-sink.mjs'), envVar: 'OTLP_SINK_URL' }],
});

const infoLines = Object.entries(result.info).map(([name, text]) => `- (${name}) ${text}`);
process.stdout.write(
  [
    `Load average (1/5/15 min) before: ${result.loadBefore}; after: ${result.loadAfter}`,
    '',
    formatSummary(result),
    '',
    ...infoLines,
    '',
  ].join('\n'),
);
if (values.json) writeFileSync(values.json, JSON.stringify({ command, header, ...result }, null, 2));
