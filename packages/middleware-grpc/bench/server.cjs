'use strict';
// A benchmark variant: the Items service on 127.0.0.1:$PORT, instrumented as MODE says (common.cjs).
const { MODE, setup, loadProto, pkgVersion } = require('./common.cjs');

const mode = setup('server');
const grpc = require('@grpc/grpc-js');
const bench = loadProto(grpc);

const ITEM = { id: 0, name: 'widget', price: 9.99, tags: ['blue', 'small'] };
const server = new grpc.Server({ interceptors: mode.serverInterceptors });
server.addService(bench.Items.service, {
  Get(call, callback) {
    mode.onCall?.();
    callback(null, { ...ITEM, id: call.request.id });
  },
});
// Before binding: the harness reads this line once the port accepts connections.
process.stdout.write(
  `BENCH_INFO ${MODE}: ${mode.describe}; @grpc/grpc-js ${pkgVersion('@grpc/grpc-js')}; node ${process.version}\n`,
);
server.bindAsync(`127.0.0.1:${process.env.PORT}`, grpc.ServerCredentials.createInsecure(), (error) => {
  if (error) throw error;
});
process.on('SIGTERM', () => {
  server.forceShutdown();
  mode.shutdown().finally(() => process.exit(0));
});
