#!/usr/bin/env node
// Micro-benchmark for tuning: the CPU cost of the interceptors alone, without sockets. A fake transport
// call drives one unary call through grpc-js's own ServerInterceptingCall / InterceptingCall, with and
// without our interceptors; the difference is what the interceptors add per call (µs, min of runs).
// Needs `pnpm build` (imports dist). MODE=full|sampled-out|disabled|none via --mode.
//
//   node bench/internal/interceptor-cost.mjs [--calls 20000] [--runs 7]
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { AlwaysOffSampler } from '@opentelemetry/sdk-trace-base';
import { init } from '@trisignal/core';
import { clientInterceptor, serverInterceptor } from '@trisignal/middleware-grpc';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '7' },
    mode: { type: 'string', default: 'full' },
  },
});
// A processor that keeps nothing: in a synchronous loop a batch processor never gets to export, fills up
// and measures its drop path instead of the normal one.
const keepNothing = {
  onStart() {},
  onEnd() {},
  shutdown: () => Promise.resolve(),
  forceFlush: () => Promise.resolve(),
};
const obs = init({
  service: 'cost',
  spanProcessors: [keepNothing],
  signalHooks: false,
  runtimeMetrics: false,
  ...(values.mode === 'disabled' ? { disabled: true } : {}),
  ...(values.mode === 'sampled-out' ? { sampler: new AlwaysOffSampler() } : {}),
});
const server = serverInterceptor({ obs });
const client = clientInterceptor({ obs });
const descriptor = {
  path: '/bench.Items/Get',
  requestStream: false,
  responseStream: false,
  requestDeserialize: (b) => b,
  responseSerialize: (v) => v,
};
const reply = { id: 1, name: 'widget' };
const connection = {
  remoteAddress: '127.0.0.1',
  remotePort: 40000,
  localAddress: '127.0.0.1',
  localPort: 50051,
};

/** A stand-in for grpc-js's BaseServerInterceptingCall: synchronous, no socket. */
function fakeServerCall(stream) {
  let listener;
  return {
    stream,
    start(l) {
      listener = l;
      listener.onReceiveMetadata(new grpc.Metadata());
    },
    startRead() {
      if (!this.read) {
        this.read = true;
        listener.onReceiveMessage({ id: 1 });
      } else listener.onReceiveHalfClose();
    },
    sendMetadata() {},
    sendMessage(_m, cb) {
      cb();
    },
    sendStatus() {
      stream.sentTrailers = {};
      listener.onCancel();
    },
    getPeer: () => '127.0.0.1:40000',
    getDeadline: () => Infinity,
    getHost: () => '127.0.0.1:50051',
    getConnectionInfo: () => connection,
  };
}

/** One unary call on the server side, as grpc-js's handleUnary drives it. */
function serverCall(intercept) {
  const base = fakeServerCall({ closed: false, destroyed: false, rstCode: 0 });
  const call = intercept ? server(descriptor, base) : new grpc.ServerInterceptingCall(base);
  call.start({
    onReceiveMetadata() {
      call.startRead();
    },
    onReceiveMessage() {
      call.startRead();
    },
    onReceiveHalfClose() {
      call.sendMessage(reply, () => call.sendStatus({ code: 0, details: 'OK', metadata: null }));
    },
    onCancel() {},
  });
}

/** One unary call on the client side, with a transport that answers at once. */
const nextCall = () => ({
  start(metadata, listener) {
    listener.onReceiveMetadata(new grpc.Metadata());
    listener.onReceiveMessage(reply);
    listener.onReceiveStatus({ code: 0, details: 'OK', metadata: new grpc.Metadata() });
  },
  sendMessageWithContext() {},
  sendMessage() {},
  startRead() {},
  halfClose() {},
  cancelWithStatus() {},
  getPeer: () => '127.0.0.1:50051',
  getAuthContext: () => null,
});
const callOptions = {
  method_definition: { path: '/bench.Items/Get', requestStream: false, responseStream: false },
  deadline: Infinity,
};
function clientCall(intercept) {
  const call = intercept ? client(callOptions, nextCall) : new grpc.InterceptingCall(nextCall());
  call.start(new grpc.Metadata(), { onReceiveMetadata() {}, onReceiveMessage() {}, onReceiveStatus() {} });
  call.sendMessage({ id: 1 });
  call.halfClose();
}

function time(fn) {
  const calls = Number(values.calls);
  const t0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) fn();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / calls;
}

const runs = Number(values.runs);
const min = (fn) => Math.min(...Array.from({ length: runs }, () => time(fn)));
for (let i = 0; i < 3; i++) {
  time(() => serverCall(true));
  time(() => clientCall(true));
  time(() => serverCall(false));
  time(() => clientCall(false));
}
const s0 = min(() => serverCall(false));
const s1 = min(() => serverCall(true));
const c0 = min(() => clientCall(false));
const c1 = min(() => clientCall(true));
console.log(
  `${values.mode} (Node ${process.version}): server +${(s1 - s0).toFixed(2)} µs/call (${s0.toFixed(2)} → ${s1.toFixed(2)}), ` +
    `client +${(c1 - c0).toFixed(2)} µs/call (${c0.toFixed(2)} → ${c1.toFixed(2)}), both +${(s1 - s0 + c1 - c0).toFixed(2)} µs`,
);
await obs.shutdown();
