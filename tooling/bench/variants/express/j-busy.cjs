'use strict';
// Calibration probe: bare Express plus a middleware that burns BENCH_BUSY_MICROS µs of CPU per request
// (a calibrated loop, no telemetry). Shows what a given amount of per-request server work costs the
// throughput ratio on this machine.
const express = require('express');
const { createBusy } = require('../../src/busy.cjs');
const { createApp, listen, info } = require('./app.cjs');

const micros = Number(process.env.BENCH_BUSY_MICROS ?? 5);
const busy = createBusy(micros);
info(`bare Express + ${micros} µs of CPU per request (${busy.iterations} loop iterations)`);
const app = createApp(express, {
  before: (a) =>
    a.use((_req, _res, next) => {
      busy();
      next();
    }),
});
listen(app);
process.on('SIGTERM', () => process.exit(0));
