'use strict';
// The load generator of one variant, in its own process (forked by grpc-load.mjs) and instrumented
// like the server (MODE). Keeps `concurrency` unary calls in flight on one channel to TARGET; on an IPC
// `run` message it measures for `seconds` and replies with the count, latencies and its own CPU time.
const { setup, loadProto } = require('./common.cjs');

const mode = setup('client');
const grpc = require('@grpc/grpc-js');
const bench = loadProto(grpc);

const client = new bench.Items(process.env.TARGET, grpc.credentials.createInsecure(), {
  interceptors: mode.clientInterceptors,
});

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function run(seconds, concurrency) {
  return new Promise((resolve) => {
    const latencies = [];
    let errors = 0;
    let stopping = false;
    let inFlight = 0;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const one = (id) => {
      inFlight++;
      const t0 = performance.now();
      client.Get({ id }, (error) => {
        inFlight--;
        if (error) errors++;
        else latencies.push(performance.now() - t0);
        if (!stopping) one(id + concurrency);
        else if (inFlight === 0) finish();
      });
    };
    const finish = () => {
      const elapsed = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      latencies.sort((a, b) => a - b);
      resolve({
        requests: latencies.length,
        rps: latencies.length / elapsed,
        p50: Number(percentile(latencies, 50).toFixed(2)),
        p99: Number(percentile(latencies, 99).toFixed(2)),
        errors,
        clientCpuMicrosPerRequest: (cpu.user + cpu.system) / latencies.length,
      });
    };
    setTimeout(() => {
      stopping = true;
    }, seconds * 1000);
    for (let i = 0; i < concurrency; i++) one(i);
  });
}

process.on('message', (message) => {
  if (message?.cmd === 'run') {
    run(message.seconds, message.concurrency).then((result) => process.send?.({ result }));
  } else if (message?.cmd === 'stop') {
    client.close();
    mode.shutdown().finally(() => process.exit(0));
  }
});
process.send?.({ ready: true });
