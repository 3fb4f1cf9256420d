'use strict';
// trisignal metrics only: golden-signal metrics (and runtime metrics) for every request, no spans, no
// access log; OTLP/HTTP protobuf to the local sink every 5 s.
// BENCH_NO_EXPORTER=1 (decomposition probe i): no exporter and no runtime metrics, so only the recording
// on the request path is left (no metric reader, so nothing turns AsyncLocalStorage on either).
const express = require('express');
const { init } = require('@trisignal/core');
const { goldenSignals, errorHandler } = require('@trisignal/middleware-express');
const { createApp, listen, info } = require('./app.cjs');
const { loadExporters } = require('./exporters.cjs');

const noExporter = process.env.BENCH_NO_EXPORTER === '1';
const exporters = noExporter ? undefined : loadExporters();
const obs = init({
  service: 'bench',
  metricExporters: noExporter ? [] : [exporters.metricExporter],
  metricExportIntervalMillis: 5000,
  runtimeMetrics: !noExporter,
  signalHooks: false,
});
info(
  `${noExporter ? 'no exporter, no runtime metrics' : `exporters: ${exporters.kind}`}; ` +
    'goldenSignals({ tracing: false, accessLog: false })',
);
const app = createApp(express, {
  before: (a) => a.use(goldenSignals({ obs, tracing: false, accessLog: false })),
  after: (a) => a.use(errorHandler({ obs })),
});
listen(app);
process.on('SIGTERM', () => {
  obs.shutdown().finally(() => process.exit(0));
});
