'use strict';
// One run of cpu-per-call.mjs: server and client of MODE in this process; prints one JSON line.
const { setup, loadProto } = require('../common.cjs');

const mode = setup('both');
const grpc = require('@grpc/grpc-js');
const bench = loadProto(grpc);

const server = new grpc.Server({ interceptors: mode.serverInterceptors });
server.addService(bench.Items.service, {
  Get(call, callback) {
    callback(null, { id: call.request.id, name: 'widget', price: 9.99, tags: ['blue', 'small'] });
  },
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), async (error, port) => {
  if (error) throw error;
  const client = new bench.Items(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    interceptors: mode.clientInterceptors,
  });
  const run = (seconds) =>
    new Promise((resolve) => {
      let calls = 0;
      let stop = false;
      let inFlight = 0;
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const one = () => {
        inFlight++;
        client.Get({ id: calls }, () => {
          inFlight--;
          calls++;
          if (!stop) one();
          else if (inFlight === 0) {
            const cpu = process.cpuUsage(c0);
            resolve({ rps: calls / ((performance.now() - t0) / 1000), cpu: (cpu.user + cpu.system) / calls });
          }
        });
      };
      setTimeout(() => (stop = true), seconds * 1000);
      for (let i = 0; i < 50; i++) one();
    });
  await run(Number(process.env.WARMUP ?? 3));
  const result = await run(Number(process.env.SECONDS ?? 4));
  process.stdout.write(JSON.stringify(result) + '\n');
  client.close();
  server.forceShutdown();
  await mode.shutdown();
  process.exit(0);
});
