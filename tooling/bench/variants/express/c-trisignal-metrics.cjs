'use strict';
// trisignal metrics only: golden-signal metrics (and runtime metrics) for every request, no spans, no
// access log; OTLP/HTTP protobuf to the local sink every 5 s.
const express = require('express');
const { init } = require('@trisignal/core');
const { goldenSignals, errorHandler } = require('@trisignal/middleware-express');
const { createApp, listen, info, pkgVersion } = require('./app.cjs');
const { loadExporters } = require('./exporters.cjs');

const exporters = loadExporters();
const obs = init({
  service: 'bench',
  metricExporters: [exporters.metricExporter],
  metricExportIntervalMillis: 5000,
  signalHooks: false,
});
info(`exporters: ${exporters.kind}; goldenSignals({ tracing: false, accessLog: false })`);
const app = createApp(express, {
  before: (a) => a.use(goldenSignals({ obs, tracing: false, accessLog: false })),
  after: (a) => a.use(errorHandler({ obs })),
});
listen(app);
process.on('SIGTERM', () => {
  obs.shutdown().finally(() => process.exit(0));
});
