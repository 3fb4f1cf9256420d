'use strict';
// express-prom-bundle with prom-client default metrics, method and path labels; the load function
// scrapes /metrics every second.
const express = require('express');
const promBundle = require('express-prom-bundle');
const { createApp, listen, info, pkgVersion } = require('./app.cjs');

info(
  `express-prom-bundle ${pkgVersion('express-prom-bundle')}, prom-client ` +
    `${pkgVersion('prom-client')}, includeMethod + includePath, default metrics`,
);
const app = createApp(express, {
  before: (a) =>
    a.use(
      promBundle({
        includeMethod: true,
        includePath: true,
        promClient: { collectDefaultMetrics: {} },
      }),
    ),
});
listen(app);
