'use strict';
// trisignal full: traces at 100 % sampling + golden-signal metrics + one access log per request,
// exported as OTLP/HTTP protobuf to the local sink; metrics every 5 s (as the OpenTelemetry variant).
const express = require('express');
const { init } = require('@trisignal/core');
const { goldenSignals, errorHandler } = require('@trisignal/middleware-express');
const { createApp, listen, info, pkgVersion } = require('./app.cjs');
const { loadExporters } = require('./exporters.cjs');

const exporters = loadExporters();
const obs = init({
  service: 'bench',
  spanExporters: [exporters.spanExporter],
  metricExporters: [exporters.metricExporter],
  logExporters: [exporters.logExporter],
  metricExportIntervalMillis: 5000,
  signalHooks: false,
});
info(`exporters: ${exporters.kind}; sampler: ${obs.sampler.toString()}`);
const app = createApp(express, {
  before: (a) => a.use(goldenSignals({ obs })),
  after: (a) => a.use(errorHandler({ obs })),
});
listen(app);
process.on('SIGTERM', () => {
  obs.shutdown().finally(() => process.exit(0));
});
