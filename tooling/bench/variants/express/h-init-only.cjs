'use strict';
// Reference floor: the SDK loaded and init() called (no exporters, no runtime metrics, no middleware),
// serving the same app as bare Express. What loading @trisignal/core and the OpenTelemetry SDK costs a
// process that does nothing per request with them.
const express = require('express');
const { init } = require('@trisignal/core');
const { createApp, listen, info } = require('./app.cjs');

const obs = init({ service: 'bench', signalHooks: false, runtimeMetrics: false });
info('init() only: no exporters, no runtime metrics, no middleware');
listen(createApp(express));
process.on('SIGTERM', () => {
  obs.shutdown().finally(() => process.exit(0));
});
