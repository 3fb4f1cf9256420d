'use strict';
// OpenTelemetry auto-instrumentation as users run it: sdk-node + instrumentation-http +
// instrumentation-express, AlwaysOn (default parent-based always-on), BatchSpanProcessor, OTLP proto
// traces and metrics (every 5 s) to the same sink. Started before express is required, as documented.
const { NodeSDK, tracing, metrics } = require('@opentelemetry/sdk-node');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-proto');

const sink = process.env.OTLP_SINK_URL ?? 'http://127.0.0.1:4318';
const sdk = new NodeSDK({
  serviceName: 'bench',
  spanProcessors: [new tracing.BatchSpanProcessor(new OTLPTraceExporter({ url: `${sink}/v1/traces` }))],
  metricReader: new metrics.PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter({ url: `${sink}/v1/metrics` }),
    exportIntervalMillis: 5000,
  }),
  instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation()],
});
sdk.start();

const express = require('express');
const { createApp, listen, info, pkgVersion } = require('./app.cjs');

info(
  `sdk-node ${pkgVersion('@opentelemetry/sdk-node')}, instrumentation-http ` +
    `${pkgVersion('@opentelemetry/instrumentation-http')}, instrumentation-express ` +
    `${pkgVersion('@opentelemetry/instrumentation-express')}`,
);
listen(createApp(express));
process.on('SIGTERM', () => {
  sdk.shutdown().finally(() => process.exit(0));
});
