#!/usr/bin/env node
// A local OTLP/HTTP sink that reads every request body and discards it, answering 200 with an empty
// protobuf message (a valid Export*ServiceResponse with no partial success). Used by the benchmarks
// so that exporters do all their work (encoding, HTTP) without a collector in the way.
import http from 'node:http';

const port = Number(process.env.PORT ?? 4318);
let requests = 0;
let bytes = 0;

const server = http.createServer((req, res) => {
  req.on('data', (chunk) => {
    bytes += chunk.length;
  });
  req.on('end', () => {
    requests++;
    res.writeHead(200, {
      'content-type': req.headers['content-type'] ?? 'application/x-protobuf',
      'content-length': 0,
    });
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');

const stop = () => {
  process.stderr.write(`otlp-sink: ${requests} requests, ${bytes} bytes discarded\n`);
  server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
