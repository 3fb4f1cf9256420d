import { TraceFlags } from '@opentelemetry/api';
import {
  DataPointType,
  type HistogramMetricData,
  MeterProvider,
  MetricReader,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXPONENTIAL_DURATION_BUCKETS, SEMCONV_DURATION_BUCKETS } from './buckets.js';
import { isTrisignalError } from './errors.js';
import { getBucketExemplars, getExemplars } from './exemplar.js';
import { createGoldenSignalRecorder, type GoldenSeriesView } from './recorder.js';

const sampled = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
};
const unsampled = {
  traceId: '1af7651916cd43dd8448eb211c80319c',
  spanId: 'c7ad6b7169203331',
  traceFlags: TraceFlags.NONE,
};

class TestReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function find<TData>(metrics: { descriptor: { name: string } }[], name: string): TData {
  const metric = metrics.find((m) => m.descriptor.name === name);
  if (metric === undefined) throw new Error(`metric ${name} not produced`);
  return metric as TData;
}

describe('createGoldenSignalRecorder', () => {
  it('records HTTP duration, sizes and count per label set with semconv attributes', () => {
    const recorder = createGoldenSignalRecorder();
    for (const seconds of [0.004, 0.02, 0.02, 3]) {
      recorder.recordHttpServer({
        method: 'GET',
        route: '/api/items/:id',
        statusCode: 200,
        sloClass: 'silver',
        protocolVersion: '1.1',
        durationSeconds: seconds,
        requestBodyBytes: 0,
        responseBodyBytes: 120,
      });
    }
    recorder.recordHttpServer({
      method: 'POST',
      route: '/checkout',
      statusCode: 503,
      errorType: '503',
      durationSeconds: 0.3,
    });

    const metrics = recorder.collectSync();
    const duration = find<HistogramMetricData>(metrics, 'http.server.request.duration');
    expect(duration.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(duration.descriptor.unit).toBe('s');
    expect(duration.dataPoints).toHaveLength(2);
    const get = duration.dataPoints.find((p) => p.attributes['http.request.method'] === 'GET')!;
    expect(get.attributes).toEqual({
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'http.route': '/api/items/:id',
      'http.response.status_code': 200,
      'network.protocol.version': '1.1',
      'trisignal.slo.class': 'silver',
    });
    expect(get.value.count).toBe(4);
    expect(get.value.sum).toBeCloseTo(3.044, 10);
    expect(get.value.min).toBe(0.004);
    expect(get.value.max).toBe(3);
    expect(get.value.buckets.boundaries).toEqual(SEMCONV_DURATION_BUCKETS);
    // 0.004 → le 0.005; 0.02 → le 0.025 (twice); 3 → le 5
    const counts = get.value.buckets.counts;
    expect(counts[0]).toBe(1);
    expect(counts[2]).toBe(2);
    expect(counts[SEMCONV_DURATION_BUCKETS.indexOf(5)]).toBe(1);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4);

    const post = duration.dataPoints.find((p) => p.attributes['http.request.method'] === 'POST')!;
    expect(post.attributes['error.type']).toBe('503');
    expect(post.attributes['http.route']).toBe('/checkout');

    const responseSize = find<HistogramMetricData>(metrics, 'http.server.response.body.size');
    expect(responseSize.descriptor.unit).toBe('By');
    expect(responseSize.dataPoints).toHaveLength(1); // the POST reported no sizes
    expect(responseSize.dataPoints[0]!.value.sum).toBe(480);
    const requestSize = find<HistogramMetricData>(metrics, 'http.server.request.body.size');
    expect(requestSize.dataPoints[0]!.value.count).toBe(4);
  });

  it('treats histogram upper bounds as inclusive (le semantics)', () => {
    const recorder = createGoldenSignalRecorder({ durationBuckets: [0.1, 0.2] });
    for (const v of [0.1, 0.1000001, 0.2, 0.5]) {
      recorder.recordHttpServer({ method: 'GET', route: '/', statusCode: 200, durationSeconds: v });
    }
    const point = find<HistogramMetricData>(recorder.collectSync(), 'http.server.request.duration')
      .dataPoints[0]!;
    expect(point.value.buckets.counts).toEqual([1, 2, 1]);
  });

  it('keeps the latest sampled observation of each bucket as its exemplar and ignores unsampled ones', () => {
    const recorder = createGoldenSignalRecorder({ durationBuckets: 'exponential' });
    recorder.recordHttpServer({
      method: 'GET',
      route: '/a',
      statusCode: 200,
      durationSeconds: 0.0015,
      spanContext: unsampled,
    });
    recorder.recordHttpServer({
      method: 'GET',
      route: '/a',
      statusCode: 200,
      durationSeconds: 0.003,
      spanContext: sampled,
    });
    recorder.recordHttpServer({
      method: 'GET',
      route: '/a',
      statusCode: 200,
      durationSeconds: 0.0031,
      spanContext: { ...sampled, spanId: 'aaaaaaaaaaaaaaaa' },
    });
    const point = find<HistogramMetricData>(recorder.collectSync(), 'http.server.request.duration')
      .dataPoints[0]!;
    expect(point.value.buckets.boundaries).toEqual(EXPONENTIAL_DURATION_BUCKETS);
    const perBucket = getBucketExemplars(point)!;
    expect(perBucket).toHaveLength(EXPONENTIAL_DURATION_BUCKETS.length + 1);
    expect(perBucket[1]).toBeUndefined(); // 0.0015 s is in le=0.002 but was not sampled
    const ex = perBucket[2]!; // le=0.004
    expect(ex.traceId).toBe(sampled.traceId);
    expect(ex.spanId).toBe('aaaaaaaaaaaaaaaa');
    expect(ex.value).toBe(0.0031);
    expect(ex.timestamp[0]).toBeGreaterThan(1_600_000_000);
    expect(getExemplars(point)).toEqual([ex]);
  });

  it('records no exemplars with the always_off filter', () => {
    const recorder = createGoldenSignalRecorder({ exemplarFilter: 'always_off' });
    recorder.recordHttpServer({
      method: 'GET',
      route: '/a',
      statusCode: 200,
      durationSeconds: 0.01,
      spanContext: sampled,
    });
    const point = find<HistogramMetricData>(recorder.collectSync(), 'http.server.request.duration')
      .dataPoints[0]!;
    expect(getExemplars(point)).toEqual([]);
  });

  it('tracks in-flight requests per method and scheme', () => {
    const recorder = createGoldenSignalRecorder();
    const a = recorder.httpServerActive('GET', 'http');
    const b = recorder.httpServerActive('GET', 'http');
    const c = recorder.httpServerActive('POST', 'https');
    expect(a).toBe(b);
    expect(a.value).toBe(2);
    a.dec();
    const active = find<SumMetricData>(recorder.collectSync(), 'http.server.active_requests');
    expect(active.isMonotonic).toBe(false);
    const values = Object.fromEntries(
      active.dataPoints.map((p) => [
        `${String(p.attributes['http.request.method'])} ${String(p.attributes['url.scheme'])}`,
        p.value,
      ]),
    );
    expect(values).toEqual({ 'GET http': 1, 'POST https': 1 });
    c.dec();
    expect(c.value).toBe(0);
  });

  it('sends label sets beyond maxSeries to one overflow series and counts them', () => {
    const recorder = createGoldenSignalRecorder({ maxSeries: 10 });
    for (let i = 0; i < 1000; i++) {
      recorder.recordHttpServer({ method: 'GET', route: `/r/${i}`, statusCode: 200, durationSeconds: 0.01 });
    }
    const metrics = recorder.collectSync();
    const duration = find<HistogramMetricData>(metrics, 'http.server.request.duration');
    expect(duration.dataPoints).toHaveLength(11);
    const overflow = duration.dataPoints.find((p) => p.attributes['otel.metric.overflow'] === true)!;
    expect(overflow.value.count).toBe(990);
    expect(recorder.overflowCount).toBe(990);
    expect(find<SumMetricData>(metrics, 'trisignal.recorder.overflow').dataPoints[0]!.value).toBe(990);
  });

  it('records RPC server and client calls with gRPC attributes and error classification', () => {
    const recorder = createGoldenSignalRecorder();
    recorder.recordRpcServer({
      service: 'shop.Inventory',
      method: 'Reserve',
      grpcStatusCode: 0,
      durationSeconds: 0.002,
      requestBytes: 30,
      responseBytes: 10,
      requestMessages: 1,
      responseMessages: 1,
      spanContext: sampled,
    });
    recorder.recordRpcServer({
      service: 'shop.Inventory',
      method: 'Reserve',
      grpcStatusCode: 14,
      errorType: '14',
      durationSeconds: 0.5,
    });
    recorder.recordRpcServer({
      service: 'shop.Inventory',
      method: 'Reserve',
      grpcStatusCode: 5,
      durationSeconds: 0.001,
    });
    recorder.recordRpcClient({
      service: 'shop.Inventory',
      method: 'Reserve',
      grpcStatusCode: 5,
      durationSeconds: 0.003,
    });
    const metrics = recorder.collectSync();
    const server = find<HistogramMetricData>(metrics, 'rpc.server.call.duration');
    expect(server.dataPoints).toHaveLength(3);
    expect(server.dataPoints[0]!.attributes).toEqual({
      'rpc.system': 'grpc',
      'rpc.service': 'shop.Inventory',
      'rpc.method': 'Reserve',
      'rpc.grpc.status_code': 0,
    });
    expect(getExemplars(server.dataPoints[0]!)).toHaveLength(1);
    expect(find<HistogramMetricData>(metrics, 'rpc.server.request.size').dataPoints[0]!.value.sum).toBe(30);
    expect(find<HistogramMetricData>(metrics, 'rpc.server.requests_per_rpc').dataPoints[0]!.value.count).toBe(
      1,
    );
    expect(find<HistogramMetricData>(metrics, 'rpc.client.call.duration').dataPoints).toHaveLength(1);

    const views: GoldenSeriesView[] = [];
    recorder.forEachSeries('rpc.server', (s) => views.push(s));
    // UNAVAILABLE (14) is a server error; NOT_FOUND (5) is not (semconv).
    expect(views.map((v) => [v.statusCode, v.isError])).toEqual([
      [0, false],
      [14, true],
      [5, false],
    ]);
    expect(views[0]!.operation).toBe('shop.Inventory/Reserve');
    const client: GoldenSeriesView[] = [];
    recorder.forEachSeries('rpc.client', (s) => client.push(s));
    expect(client[0]!.isError).toBe(true); // any non-OK status is an error on a client span
  });

  it('exposes live series to in-process consumers with operation names and error flags', () => {
    const recorder = createGoldenSignalRecorder();
    recorder.recordHttpServer({ method: 'GET', route: '/a', statusCode: 200, durationSeconds: 0.01 });
    recorder.recordHttpServer({
      method: 'GET',
      route: '/a',
      statusCode: 500,
      errorType: '500',
      durationSeconds: 0.01,
    });
    recorder.recordHttpServer({ method: 'GET', route: '/a', statusCode: 404, durationSeconds: 0.01 });
    recorder.recordHttpServer({ method: 'GET', route: undefined, statusCode: 404, durationSeconds: 0.01 });
    const seen: [string, number, boolean, number][] = [];
    recorder.forEachSeries('http.server', (s) =>
      seen.push([s.operation, s.statusCode, s.isError, s.duration.count]),
    );
    expect(seen).toEqual([
      ['GET /a', 200, false, 1],
      ['GET /a', 500, true, 1],
      ['GET /a', 404, false, 1],
      ['GET', 404, false, 1],
    ]);
  });

  it('ignores negative and NaN durations without throwing', () => {
    const recorder = createGoldenSignalRecorder();
    recorder.recordHttpServer({ method: 'GET', route: '/', statusCode: 200, durationSeconds: -1 });
    recorder.recordHttpServer({ method: 'GET', route: '/', statusCode: 200, durationSeconds: Number.NaN });
    expect(
      recorder.collectSync().find((m) => m.descriptor.name === 'http.server.request.duration'),
    ).toBeUndefined();
  });

  it('reaches an sdk-metrics MetricReader through its producer, with exemplars intact', async () => {
    const recorder = createGoldenSignalRecorder();
    const reader = new TestReader({ metricProducers: [recorder.metricProducer] });
    const provider = new MeterProvider({ readers: [reader] });
    provider.getMeter('app').createCounter('app.things').add(2);
    recorder.recordHttpServer({
      method: 'GET',
      route: '/x',
      statusCode: 200,
      durationSeconds: 0.2,
      spanContext: sampled,
    });
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const names = resourceMetrics.scopeMetrics.flatMap((s) =>
      s.metrics.map((m) => `${s.scope.name}:${m.descriptor.name}`),
    );
    expect(names).toContain('app:app.things');
    expect(names).toContain('@trisignal/core:http.server.request.duration');
    const duration = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'http.server.request.duration') as HistogramMetricData;
    expect(getExemplars(duration.dataPoints[0]!)[0]!.traceId).toBe(sampled.traceId);
    await provider.shutdown();
  });

  it('validates its options with typed errors', () => {
    const bad = [
      { durationBuckets: [] },
      { durationBuckets: [0.1, 0.1] },
      { durationBuckets: [0.1, Number.NaN] },
      { durationBuckets: 'linear' },
      { maxSeries: 0 },
      { exemplarFilter: 'always_on' },
    ];
    for (const options of bad) {
      let caught: unknown;
      try {
        createGoldenSignalRecorder(options as never);
      } catch (error) {
        caught = error;
      }
      expect(isTrisignalError(caught), JSON.stringify(options)).toBe(true);
      expect((caught as { code: string }).code).toBe('TRISIGNAL_CORE_INVALID_OPTION');
      expect((caught as Error).message).toMatch(/^Expected `/);
    }
  });

  it('keeps count, sum and bucket totals consistent for any sequence of observations', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { maxLength: 200 }), (values) => {
        const recorder = createGoldenSignalRecorder();
        for (const v of values)
          recorder.recordHttpServer({ method: 'GET', route: '/', statusCode: 200, durationSeconds: v });
        let seen = 0;
        recorder.forEachSeries('http.server', (s) => {
          seen += s.duration.count;
          expect(s.duration.counts.reduce((a, b) => a + b, 0)).toBe(s.duration.count);
          // every value lands in the first bucket whose bound is ≥ it
          expect(s.duration.sum).toBeCloseTo(
            values.reduce((a, b) => a + b, 0),
            6,
          );
        });
        expect(seen).toBe(values.length);
      }),
    );
  });
});
