import { TraceFlags } from '@opentelemetry/api';
import { init } from '@trisignal/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { otlpHttp } from '../src/index.js';
import { decode, types } from './helpers/schema.js';
import { startSink, type Sink } from './helpers/sink.js';

let sink: Sink;

beforeEach(async () => {
  sink = await startSink();
});

afterEach(async () => {
  await sink.close();
});

type MetricsRequest = {
  resourceMetrics: {
    scopeMetrics: {
      metrics: {
        name: string;
        histogram?: { dataPoints: { exemplars: { traceId: string; spanId: string; asDouble: number }[] }[] };
        sum?: {
          dataPoints: {
            attributes: { key: string; value: { stringValue?: string } }[];
            asInt?: string;
            asDouble?: number;
          }[];
        };
      }[];
    }[];
  }[];
};

describe('otlpHttp() bundle with init()', () => {
  it('exports spans, metrics (with exemplars) and logs to /v1/*, and its own self-metrics', async () => {
    const obs = init({
      service: 'bundle-test',
      exporters: [otlpHttp({ endpoint: sink.url, compression: 'zstd', env: {} })],
      signalHooks: false,
      runtimeMetrics: false,
      metricExportIntervalMillis: 60_000,
    });
    try {
      obs.withSpan('work', (span) => {
        obs.logger.info('inside the span');
        obs.recorder.recordHttpServer({
          method: 'GET',
          route: '/x',
          statusCode: 200,
          sloClass: 'silver',
          durationSeconds: 0.01,
          requestBodyBytes: 0,
          responseBodyBytes: 0,
          spanContext: { ...span.spanContext(), traceFlags: TraceFlags.SAMPLED },
        });
      });
      await obs.forceFlush();
      // The first metrics export carried the exporters' own instruments' creation; a second one has their counts.
      await obs.forceFlush();

      const byPath = (p: string) => sink.requests.filter((r) => r.url === p);
      expect(byPath('/v1/traces').length).toBeGreaterThan(0);
      expect(byPath('/v1/logs').length).toBeGreaterThan(0);
      expect(byPath('/v1/metrics').length).toBeGreaterThan(0);
      expect(sink.requests.every((r) => r.headers['content-encoding'] === 'zstd')).toBe(true);

      const spans = decode(types.traceRequest, byPath('/v1/traces')[0]!.body) as {
        resourceSpans: { scopeSpans: { spans: { name: string; traceId: string }[] }[] }[];
      };
      const span = spans.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
      expect(span.name).toBe('work');

      const logs = decode(types.logsRequest, byPath('/v1/logs')[0]!.body) as {
        resourceLogs: { scopeLogs: { logRecords: { traceId: string; body: { stringValue: string } }[] }[] }[];
      };
      const record = logs.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
      expect(record.body.stringValue).toBe('inside the span');
      expect(record.traceId).toBe(span.traceId);

      // Delivery is counted when the receiver answers, which may land after a flush's metric collection:
      // flush again (bounded) until a metrics export carries both exporters' counts.
      const components = new Set<string | undefined>();
      let all: MetricsRequest['resourceMetrics'][number]['scopeMetrics'][number]['metrics'] = [];
      for (let attempt = 0; attempt < 20; attempt++) {
        const metrics = byPath('/v1/metrics').map(
          (r) => decode(types.metricsRequest, r.body) as unknown as MetricsRequest,
        );
        all = metrics.flatMap((m) =>
          m.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)),
        );
        for (const m of all.filter((x) => x.name === 'trisignal.exporter.items.sent')) {
          for (const p of m.sum!.dataPoints) {
            components.add(p.attributes.find((a) => a.key === 'otel.component.type')?.value.stringValue);
          }
        }
        if (components.has('otlp_http_span_exporter') && components.has('otlp_http_log_exporter')) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
        await obs.forceFlush();
      }
      const duration = all.find((m) => m.name === 'http.server.request.duration')!;
      const exemplars = duration.histogram!.dataPoints.flatMap((p) => p.exemplars);
      expect(exemplars).toContainEqual(expect.objectContaining({ traceId: span.traceId, asDouble: 0.01 }));
      expect([...components]).toContain('otlp_http_span_exporter');
      expect([...components]).toContain('otlp_http_log_exporter');
    } finally {
      await obs.shutdown();
    }
  });

  it('builds only the signals asked for and validates the list', () => {
    const bundle = otlpHttp({ signals: ['metrics'], env: {} });
    expect(bundle.spanExporter).toBeUndefined();
    expect(bundle.logExporter).toBeUndefined();
    expect(bundle.metricExporter).toBeDefined();
    expect(() => otlpHttp({ signals: ['profiles' as never] })).toThrow(/signals/);
    void bundle.metricExporter!.shutdown();
  });
});
