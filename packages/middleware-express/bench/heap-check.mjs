// Heap check: 600k requests through goldenSignals() (span, metrics, access log; processors discard)
// must leave the heap flat after GC. `node --expose-gc bench/heap-check.mjs` after a build.
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { init } from '@trisignal/core';
import { goldenSignals } from '@trisignal/middleware-express';
const obs = init({
  service: 'leak',
  signalHooks: false,
  runtimeMetrics: false,
  spanProcessors: [{ onStart() {}, onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} }],
  logProcessors: [{ onEmit() {}, forceFlush: async () => {}, shutdown: async () => {} }],
});
const mw = goldenSignals({ obs });
const socket = new Socket();
const route = { path: '/items/:id' };
function one(i) {
  const req = new IncomingMessage(socket);
  req.method = 'GET';
  req.url = `/api/items/${i}?x=${i}`;
  req.httpVersion = '1.1';
  req.headers = { host: '127.0.0.1:3000', 'user-agent': 'ua' };
  const res = new ServerResponse(req);
  mw(req, res, () => {
    req.baseUrl = '/api';
    req.route = route;
    res.statusCode = 200;
    res._header = 'x';
    res.finished = true;
  });
  res.emit('close');
}
for (let round = 0; round < 6; round++) {
  for (let i = 0; i < 100_000; i++) one(i);
  globalThis.gc();
  await new Promise((r) => setTimeout(r, 10));
  globalThis.gc();
  console.log(
    `after ${(round + 1) * 100}k requests: heapUsed ${(process.memoryUsage().heapUsed / 1048576).toFixed(1)} MB`,
  );
}
await obs.shutdown();
