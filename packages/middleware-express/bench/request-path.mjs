#!/usr/bin/env node
// Micro-benchmark of the middleware's own per-request work, without sockets: one request through
// goldenSignals() (span start + end, context.with, recorder, access-log record) on node:http request
// and response objects, against the same loop with a no-op middleware. Exporters discard (no encoding),
// so this is the request-path cost; encoding and export happen off the request path in a real service.
//
//   pnpm --filter @trisignal/middleware-express build && node bench/request-path.mjs [iterations]
import { init } from '@trisignal/core';
import { goldenSignals } from '@trisignal/middleware-express';
import { handle, makeRequest } from './fake-request.mjs';

const iterations = Number(process.argv[2] ?? 200_000);
// Processors that keep what they get in a bounded array, like the batch processors' queues, minus the
// export: a synchronous loop never lets a batch processor's timer run, so its queue would overflow.
function discardingProcessor() {
  let buffer = [];
  const keep = (item) => {
    buffer.push(item);
    if (buffer.length >= 512) buffer = [];
  };
  return {
    onStart() {},
    onEnd: keep,
    onEmit: keep,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}
const obs = init({
  service: 'bench',
  spanProcessors: [discardingProcessor()],
  logProcessors: [discardingProcessor()],
  signalHooks: false,
  runtimeMetrics: false,
});
// CPU time, not wall time: on a shared machine the process is descheduled at random, which wall time
// would charge to whatever variant happened to be running.
function run(name, middleware, n) {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const { req, res } = makeRequest();
    middleware(req, res, () => handle(req, res));
    res.emit('close');
  }
  const used = process.cpuUsage(start);
  const micros = (used.user + used.system) / n;
  return { name, micros };
}

const variants = {
  'no-op middleware': (req, res, next) => next(),
  'goldenSignals() full': goldenSignals({ obs }),
  'goldenSignals() no access log': goldenSignals({ obs, accessLog: false }),
  'goldenSignals() tracing: false, no access log': goldenSignals({ obs, tracing: false, accessLog: false }),
};
for (const [name, mw] of Object.entries(variants)) run(name, mw, 20_000); // warm-up
const results = {};
for (let round = 0; round < 5; round++) {
  for (const [name, mw] of Object.entries(variants))
    (results[name] ??= []).push(run(name, mw, iterations).micros);
}
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
const base = median(results['no-op middleware']);
console.log(`Node ${process.version}, ${iterations} requests × 5 rounds, medians (CPU µs per request)`);
for (const [name, xs] of Object.entries(results)) {
  const m = median(xs);
  console.log(`${name.padEnd(48)} ${m.toFixed(2).padStart(7)} µs  (+${(m - base).toFixed(2)} µs over no-op)`);
}
await obs.shutdown();
