// One configuration of the pipeline-cost benchmark, in its own process: drives `iterations` requests
// through goldenSignals() on node:http request/response objects (no sockets), with the real exporters
// sending to the sink at OTLP_SINK_URL, yielding to the event loop every 64 requests so the batch
// processors, the WAL and the HTTP client do their work as in a service. Prints one JSON line: CPU µs
// per request for the whole process and per thread kind (main, V8 workers, libuv pool).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { handle, makeRequest } = await import(
  path.resolve(here, '../../../../packages/middleware-express/bench/fake-request.mjs')
);
const config = process.env.PIPELINE_CONFIG ?? 'full';
const parts = new Set(config.split('+'));
const iterations = Number(process.env.PIPELINE_ITERATIONS ?? 100_000);
const sink = process.env.OTLP_SINK_URL;

let obs;
let middleware = (_req, _res, next) => next();
if (!parts.has('bare')) {
  // batch<N>: span and log batches of N (queues of 4 N) instead of the default 512 (queues of 2048).
  const batch = [...parts].find((p) => /^batch\d+$/.test(p));
  if (batch !== undefined) {
    const n = batch.slice(5);
    for (const prefix of ['OTEL_BSP', 'OTEL_BLRP']) {
      process.env[`${prefix}_MAX_EXPORT_BATCH_SIZE`] = n;
      process.env[`${prefix}_MAX_QUEUE_SIZE`] = String(4 * Number(n));
    }
  }
  const { init } = await import('@trisignal/core');
  const { goldenSignals } = await import('@trisignal/middleware-express');
  // alt: the exporters from another build (PIPELINE_ALT_EXPORTERS = its dist directory), for A/B runs.
  const exportersDist = parts.has('alt')
    ? process.env.PIPELINE_ALT_EXPORTERS
    : path.resolve(here, '../../../../packages/exporters/dist');
  const { otlpHttp } = await import(path.join(exportersDist, 'otlp-http.js'));
  const wal = parts.has('memory')
    ? {}
    : {
        durable: {
          dir: fs.mkdtempSync(path.join(os.tmpdir(), 'trisignal-pipeline-')),
          // fsyncinterval / fsyncnever: the WAL's other sync policies (default `always`).
          ...(parts.has('fsyncinterval') ? { fsync: 'interval' } : {}),
          ...(parts.has('fsyncnever') ? { fsync: 'never' } : {}),
        },
      };
  const bundle = otlpHttp({
    endpoint: sink,
    ...(parts.has('nocompression') ? { compression: 'none' } : {}),
    ...wal,
  });
  obs = init({
    service: 'bench',
    spanExporters: [bundle.spanExporter],
    metricExporters: [bundle.metricExporter],
    logExporters: [bundle.logExporter],
    metricExportIntervalMillis: 5000,
    signalHooks: false,
  });
  middleware = goldenSignals({
    obs,
    ...(parts.has('nolog') ? { accessLog: false } : {}),
    ...(parts.has('notrace') ? { tracing: false } : {}),
  });
}

async function run(n) {
  for (let i = 0; i < n; i++) {
    const { req, res } = makeRequest();
    middleware(req, res, () => handle(req, res));
    res.emit('close');
    if ((i & 63) === 63) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** CPU ticks (1/100 s) per thread kind, from /proc (Linux). */
function threadTicks() {
  const out = {};
  for (const tid of fs.readdirSync('/proc/self/task')) {
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const comm = fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
    // Node 24 names its threads (libuv-worker, V8Worker); on Node 20 every thread is called `node`.
    const kind =
      tid === String(process.pid)
        ? 'main'
        : comm.startsWith('libuv')
          ? 'libuv'
          : comm.startsWith('V8')
            ? 'v8'
            : 'threads';
    out[kind] = (out[kind] ?? 0) + Number(fields[11]) + Number(fields[12]);
  }
  return out;
}

await run(Math.min(30_000, iterations)); // warm-up
const ticks0 = threadTicks();
const cpu0 = process.cpuUsage();
await run(iterations);
await obs?.forceFlush();
const cpu = process.cpuUsage(cpu0);
const ticks1 = threadTicks();
const perThread = {};
for (const [k, v] of Object.entries(ticks1)) perThread[k] = ((v - (ticks0[k] ?? 0)) * 10_000) / iterations;
await obs?.shutdown();
process.stdout.write(
  JSON.stringify({
    config,
    total: (cpu.user + cpu.system) / iterations,
    sys: cpu.system / iterations,
    ...perThread,
  }) + '\n',
);
process.exit(0);
