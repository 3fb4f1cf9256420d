'use strict';
// OTLP/HTTP protobuf exporters for the trisignal variants, pointed at the local sink.
// @trisignal/exporters (issue 4) is used when it is built and exports OTLP/HTTP exporters; until then
// the upstream @opentelemetry/exporter-*-otlp-proto family stands in, and the variant says so.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const sink = process.env.OTLP_SINK_URL ?? 'http://127.0.0.1:4318';

function loadTrisignalExporters() {
  const entry = path.resolve(__dirname, '../../../../packages/exporters/dist/otlp-http.cjs');
  if (!fs.existsSync(entry)) return undefined;
  let mod;
  try {
    mod = require(entry);
  } catch {
    return undefined;
  }
  const durableDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trisignal-bench-wal-'));
  const factory = mod.otlpHttp ?? mod.createOtlpHttpExporters;
  if (typeof factory === 'function') {
    // One bundle for the three signals; durable through the WAL when the package supports it.
    const bundle = factory({ endpoint: sink, durable: { dir: durableDir } });
    if (bundle && (bundle.spanExporter || bundle.metricExporter || bundle.logExporter)) {
      return { kind: '@trisignal/exporters otlp-http (durable WAL)', ...bundle };
    }
  }
  const span = mod.createOtlpHttpSpanExporter;
  const metric = mod.createOtlpHttpMetricExporter;
  const log = mod.createOtlpHttpLogExporter;
  if (typeof span === 'function' && typeof metric === 'function' && typeof log === 'function') {
    const durable = { dir: durableDir };
    return {
      kind: '@trisignal/exporters otlp-http (durable WAL)',
      spanExporter: span({ endpoint: sink, durable: { dir: path.join(durable.dir, 'traces') } }),
      metricExporter: metric({ endpoint: sink, durable: { dir: path.join(durable.dir, 'metrics') } }),
      logExporter: log({ endpoint: sink, durable: { dir: path.join(durable.dir, 'logs') } }),
    };
  }
  return undefined;
}

function loadUpstreamExporters(reason) {
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
  const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-proto');
  const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-proto');
  return {
    kind: `STAND-IN upstream @opentelemetry/exporter-*-otlp-proto 0.223.0 (no WAL): ${reason}`,
    spanExporter: new OTLPTraceExporter({ url: `${sink}/v1/traces` }),
    metricExporter: new OTLPMetricExporter({ url: `${sink}/v1/metrics` }),
    logExporter: new OTLPLogExporter({ url: `${sink}/v1/logs` }),
  };
}

/** Span, metric and log exporters to the sink, plus a label saying which ones they are. */
function loadExporters() {
  if (process.env.BENCH_FORCE_UPSTREAM_EXPORTERS === '1') {
    return loadUpstreamExporters('forced with BENCH_FORCE_UPSTREAM_EXPORTERS=1');
  }
  return (
    loadTrisignalExporters() ??
    loadUpstreamExporters('@trisignal/exporters not built (or without OTLP/HTTP exporters)')
  );
}

module.exports = { loadExporters, sink };
