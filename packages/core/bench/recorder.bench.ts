/**
 * Cost of recording one HTTP request's golden-signal metrics (duration + active up/down + request and
 * response sizes, one label set among 100), side by side: the trisignal recorder, prom-client, and raw
 * OpenTelemetry sdk-metrics instruments. Run: `pnpm --filter @trisignal/core bench`.
 */
import { type Attributes, TraceFlags } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { bench, describe } from 'vitest';
import { createGoldenSignalRecorder } from '../src/recorder.js';

class PullReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const ROUTES = Array.from({ length: 25 }, (_, i) => `/api/resource${i}/:id`);
const STATUSES = [200, 201, 404, 500];
const LABELS = ROUTES.flatMap((route) => STATUSES.map((status) => ({ route, status }))); // 100 label sets
const DURATIONS = Array.from({ length: 1024 }, (_, i) => 0.001 + ((i * 7919) % 1000) / 2000);
const spanContext = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
};

// trisignal
const recorder = createGoldenSignalRecorder();
let i = 0;

// prom-client
const registry = new Registry();
const promDuration = new Histogram({
  name: 'http_server_request_duration_seconds',
  help: 'duration',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
  registers: [registry],
});
const promRequests = new Counter({
  name: 'http_requests_total',
  help: 'requests',
  labelNames: ['method', 'route', 'status'],
  registers: [registry],
});
const promActive = new Gauge({
  name: 'http_server_active_requests',
  help: 'in flight',
  labelNames: ['method'],
  registers: [registry],
});
let j = 0;

// raw OpenTelemetry instruments
const provider = new MeterProvider({ readers: [new PullReader()] });
const meter = provider.getMeter('bench');
const otelDuration = meter.createHistogram('http.server.request.duration', {
  unit: 's',
  advice: {
    explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
  },
});
const otelActive = meter.createUpDownCounter('http.server.active_requests');
const otelReqSize = meter.createHistogram('http.server.request.body.size', { unit: 'By' });
const otelResSize = meter.createHistogram('http.server.response.body.size', { unit: 'By' });
let k = 0;

describe('record one HTTP request (duration + active up/down + sizes), 100 label sets', () => {
  bench('trisignal recorder', () => {
    const n = i++;
    const labels = LABELS[n % 100]!;
    const active = recorder.httpServerActive('GET', 'http');
    recorder.recordHttpServer({
      method: 'GET',
      route: labels.route,
      statusCode: labels.status,
      sloClass: 'silver',
      durationSeconds: DURATIONS[n & 1023]!,
      requestBodyBytes: 0,
      responseBodyBytes: 512,
      spanContext,
    });
    active.dec();
  });

  bench('prom-client (histogram.observe + counter.inc + gauge.inc/dec)', () => {
    const n = j++;
    const labels = LABELS[n % 100]!;
    promActive.inc({ method: 'GET' });
    const l = { method: 'GET', route: labels.route, status: labels.status };
    promDuration.observe(l, DURATIONS[n & 1023]!);
    promRequests.inc(l);
    promActive.dec({ method: 'GET' });
  });

  bench('OpenTelemetry sdk-metrics instruments (histogram + up/down + 2 size histograms)', () => {
    const n = k++;
    const labels = LABELS[n % 100]!;
    const activeAttrs: Attributes = { 'http.request.method': 'GET', 'url.scheme': 'http' };
    otelActive.add(1, activeAttrs);
    const attrs: Attributes = {
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'http.route': labels.route,
      'http.response.status_code': labels.status,
      'trisignal.slo.class': 'silver',
    };
    otelDuration.record(DURATIONS[n & 1023]!, attrs);
    otelReqSize.record(0, attrs);
    otelResSize.record(512, attrs);
    otelActive.add(-1, activeAttrs);
  });
});
