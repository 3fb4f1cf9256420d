'use strict';
// trisignal metrics only as (c), without any exporter: the golden-signal recording on the request path
// alone (no metric reader, so nothing turns AsyncLocalStorage on either).
const express = require('express');
const { init } = require('@trisignal/core');
const { goldenSignals, errorHandler } = require('@trisignal/middleware-express');
const { createApp, listen, info } = require('./app.cjs');

const obs = init({ service: 'bench', signalHooks: false, runtimeMetrics: false });
info('goldenSignals({ tracing: false, accessLog: false }), no exporters');
const app = createApp(express, {
  before: (a) => a.use(goldenSignals({ obs, tracing: false, accessLog: false })),
  after: (a) => a.use(errorHandler({ obs })),
});
listen(app);
process.on('SIGTERM', () => {
  obs.shutdown().finally(() => process.exit(0));
});
