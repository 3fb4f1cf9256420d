'use strict';
// Shared by the benchmark's server and client processes: the proto, and the tracing set-up of each
// mode. MODE: bare | trisignal | otel (references: als | noop; calibration: busy). EXPORT: discard
// (spans dropped after the batch processor, no encoding) | otlp (OTLP/HTTP protobuf to the local sink
// at OTLP_SINK_URL; trisignal also exports its metrics every 5 s). Instrumentation is set up before @grpc/grpc-js is loaded, as OpenTelemetry's
// grpc instrumentation needs (it patches the module as it is required).
const path = require('node:path');

const MODE = process.env.MODE ?? 'bare';
const EXPORT = process.env.EXPORT ?? 'discard';
const SINK = process.env.OTLP_SINK_URL ?? 'http://127.0.0.1:4318';

function pkgVersion(name) {
  try {
    return require(`${name}/package.json`).version;
  } catch {
    return '?';
  }
}

/** A span exporter that drops everything (measures instrumentation, not encoding). */
const discardExporter = {
  export(_spans, done) {
    done({ code: 0 });
  },
  shutdown() {
    return Promise.resolve();
  },
  forceFlush() {
    return Promise.resolve();
  },
};

function spanExporter() {
  if (EXPORT !== 'otlp') return discardExporter;
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter({ url: `${SINK}/v1/traces` });
}

/**
 * Sets up the mode; returns what the server and client need: interceptors (trisignal), a shutdown,
 * and a one-line description.
 */
function setup(side) {
  if (MODE === 'bare') {
    return {
      serverInterceptors: [],
      clientInterceptors: [],
      shutdown: async () => {},
      describe: 'no instrumentation',
    };
  }
  if (MODE === 'busy') {
    // Calibration: no instrumentation, the server handler burns BENCH_BUSY_MICROS µs of CPU per call.
    const { createBusy } = require('@trisignal/bench/busy');
    const micros = Number(process.env.BENCH_BUSY_MICROS ?? 5);
    const busy = side === 'server' ? createBusy(micros) : undefined;
    return {
      serverInterceptors: [],
      clientInterceptors: [],
      onCall: busy,
      shutdown: async () => {},
      describe: `no instrumentation; the server burns ${micros} µs of CPU per call${busy ? ` (${busy.iterations} loop iterations)` : ''}`,
    };
  }
  if (MODE === 'als') {
    // Tuning reference: no instrumentation, but an AsyncLocalStorage context manager in use, as every
    // tracing variant has (on Node 20 it puts async hooks on every promise, timer and tick).
    const api = require('@opentelemetry/api');
    const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
    api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    api.context.with(api.ROOT_CONTEXT.setValue(Symbol('x'), 1), () => {});
    return {
      serverInterceptors: [],
      clientInterceptors: [],
      shutdown: async () => {},
      describe: 'AsyncLocalStorage context manager only',
    };
  }
  if (MODE === 'noop') {
    // Tuning reference: interceptors that do nothing on both sides, plus the context manager in use:
    // the floor of any interceptor-based instrumentation that makes its spans active.
    const api = require('@opentelemetry/api');
    const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
    api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    api.context.with(api.ROOT_CONTEXT.setValue(Symbol('x'), 1), () => {});
    const grpc = require('@grpc/grpc-js');
    return {
      serverInterceptors: [(_descriptor, call) => new grpc.ServerInterceptingCall(call)],
      clientInterceptors: [(options, nextCall) => new grpc.InterceptingCall(nextCall(options))],
      shutdown: async () => {},
      describe: 'pass-through server and client interceptors + AsyncLocalStorage context manager',
    };
  }
  if (MODE === 'otel') {
    const api = require('@opentelemetry/api');
    const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
    const { W3CTraceContextPropagator } = require('@opentelemetry/core');
    const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
    const { registerInstrumentations } = require('@opentelemetry/instrumentation');
    const { GrpcInstrumentation } = require('@opentelemetry/instrumentation-grpc');
    const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(spanExporter())] });
    api.trace.setGlobalTracerProvider(provider);
    api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    registerInstrumentations({ instrumentations: [new GrpcInstrumentation()] });
    return {
      serverInterceptors: [],
      clientInterceptors: [],
      shutdown: () => provider.shutdown(),
      describe:
        `@opentelemetry/instrumentation-grpc ${pkgVersion('@opentelemetry/instrumentation-grpc')}, ` +
        `sdk-trace-base ${pkgVersion('@opentelemetry/sdk-trace-base')} BatchSpanProcessor, ` +
        (EXPORT === 'otlp' ? 'OTLP/HTTP proto traces to the sink' : 'discarding exporter'),
    };
  }
  if (MODE === 'trisignal') {
    const { init } = require('@trisignal/core');
    const { clientInterceptor, serverInterceptor } = require('@trisignal/middleware-grpc');
    const options = { service: `bench-${side}`, spanExporters: [spanExporter()], signalHooks: false };
    // Tuning knob for decomposing the cost: BENCH_TRISIGNAL=disabled (no SDK: no spans, no context
    // manager; propagation and metrics only), sampled-out (context manager, non-recording spans),
    // no-batch (spans dropped as they end, nothing queued) or no-runtime (runtime metrics off).
    if (process.env.BENCH_TRISIGNAL === 'disabled') options.disabled = true;
    if (process.env.BENCH_TRISIGNAL === 'no-batch') {
      // Spans end and are dropped at once (no batch queue holding them until export).
      options.spanExporters = [];
      options.spanProcessors = [
        { onStart() {}, onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} },
      ];
    }
    if (process.env.BENCH_TRISIGNAL === 'no-runtime') options.runtimeMetrics = false;
    if (process.env.BENCH_TRISIGNAL === 'sampled-out') {
      const { AlwaysOffSampler } = require('@opentelemetry/sdk-trace-base');
      options.sampler = new AlwaysOffSampler();
    }
    if (EXPORT === 'otlp') {
      // Our own exporters, as the HTTP benchmark's full variant: OTLP/HTTP protobuf, gzip, durable WAL.
      const fs = require('node:fs');
      const os = require('node:os');
      const { otlpHttp } = require('@trisignal/exporters/otlp-http');
      const bundle = otlpHttp({
        endpoint: SINK,
        signals: ['traces', 'metrics'],
        durable: { dir: fs.mkdtempSync(path.join(os.tmpdir(), `trisignal-bench-${side}-`)) },
      });
      options.spanExporters = [bundle.spanExporter];
      options.metricExporters = [bundle.metricExporter];
      options.metricExportIntervalMillis = 5000;
    }
    const obs = init(options);
    return {
      serverInterceptors: [serverInterceptor({ obs })],
      clientInterceptors: [clientInterceptor({ obs })],
      shutdown: () => obs.shutdown(),
      describe:
        `@trisignal/middleware-grpc serverInterceptor + clientInterceptor, core BatchSpanProcessor, ` +
        (EXPORT === 'otlp'
          ? '@trisignal/exporters OTLP/HTTP proto (gzip, durable WAL) traces + metrics (5 s) to the sink'
          : 'discarding exporter, metrics recorded in-process'),
    };
  }
  throw new Error(`unknown MODE ${MODE}`);
}

function loadProto(grpc) {
  const protoLoader = require('@grpc/proto-loader');
  const definition = protoLoader.loadSync(path.join(__dirname, 'bench.proto'), {
    keepCase: false,
    defaults: true,
  });
  return grpc.loadPackageDefinition(definition).bench;
}

module.exports = { MODE, EXPORT, setup, loadProto, pkgVersion };
