import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  type HistogramMetricData,
  InMemoryMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  currentTraceId,
  extractContext,
  getExemplars,
  init,
  injectContext,
  isTrisignalError,
  type Observability,
} from '../src/index.js';

const handles: Observability[] = [];
function start(options: Parameters<typeof init>[0] = {}): Observability {
  const obs = init({ signalHooks: false, env: {}, runtimeMetrics: false, ...options });
  handles.push(obs);
  return obs;
}

afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.shutdown().catch(() => undefined)));
});

describe('init', () => {
  it('correlates spans, metrics and log records produced in nested async work', async () => {
    const spans = new InMemorySpanExporter();
    const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const logExporter = new InMemoryLogRecordExporter();
    const obs = start({
      service: 'orders',
      serviceVersion: '1.2.3',
      environment: 'test',
      spanExporters: [spans],
      metricExporters: [metricExporter],
      logExporters: [logExporter],
    });

    let outerTrace = '';
    await obs.withSpan('outer', async (outer) => {
      outerTrace = outer.spanContext().traceId;
      await sleep(1);
      await Promise.all([
        obs.withSpan('child-a', async () => {
          await sleep(2);
          obs.logger.info('from a', { step: 'a' });
        }),
        obs.withSpan('child-b', async () => {
          await sleep(1);
          setImmediate(() => obs.logger.warn('from b, later'));
          await sleep(5);
        }),
      ]);
      obs.recorder.recordHttpServer({
        method: 'GET',
        route: '/orders/:id',
        statusCode: 200,
        durationSeconds: 0.012,
        spanContext: outer.spanContext(),
      });
    });
    expect(currentTraceId()).toBeUndefined();
    await obs.forceFlush();

    const finished = spans.getFinishedSpans();
    expect(finished.map((s) => s.name).sort()).toEqual(['child-a', 'child-b', 'outer']);
    const outer = finished.find((s) => s.name === 'outer')!;
    for (const child of finished.filter((s) => s.name !== 'outer')) {
      expect(child.spanContext().traceId).toBe(outerTrace);
      expect(child.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    }
    const records = logExporter.getFinishedLogRecords();
    expect(records.map((r) => r.body).sort()).toEqual(['from a', 'from b, later']);
    for (const record of records) {
      expect(record.spanContext?.traceId).toBe(outerTrace);
      const span = finished.find((s) => s.spanContext().spanId === record.spanContext?.spanId)!;
      expect(['child-a', 'child-b']).toContain(span.name);
    }
    // one Resource shared by all three signals
    for (const resource of [outer.resource, records[0]!.resource]) {
      expect(resource.attributes['service.name']).toBe('orders');
      expect(resource.attributes['service.version']).toBe('1.2.3');
      expect(resource.attributes['deployment.environment.name']).toBe('test');
      expect(resource.attributes['process.pid']).toBe(process.pid);
    }
    const exported = metricExporter.getMetrics().at(-1)!;
    expect(exported.resource.attributes['service.name']).toBe('orders');
    const duration = exported.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'http.server.request.duration') as HistogramMetricData;
    expect(getExemplars(duration.dataPoints[0]!)[0]!.traceId).toBe(outerTrace);
  });

  it('records and counts errors thrown in withSpan, ending the span once', async () => {
    const spans = new InMemorySpanExporter();
    const obs = start({ spanExporters: [spans] });
    const boom = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    await expect(obs.withSpan('db', () => Promise.reject(boom))).rejects.toBe(boom);
    expect(() =>
      obs.withSpan('sync', () => {
        throw new TypeError('bad');
      }),
    ).toThrow(TypeError);
    await obs.forceFlush();
    const [db, sync] = spans.getFinishedSpans();
    expect(db!.status.code).toBe(SpanStatusCode.ERROR);
    expect(db!.attributes['error.type']).toBe('ECONNREFUSED');
    expect(db!.events.some((e) => e.name === 'exception')).toBe(true);
    expect(sync!.status.code).toBe(SpanStatusCode.ERROR);
    expect(spans.getFinishedSpans()).toHaveLength(2);
    const { resourceMetrics } = await obs.collect();
    const errors = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'trisignal.errors');
    expect(errors?.dataPoints.reduce((n, p) => n + (p.value as number), 0)).toBe(2);
  });

  it('registers the globals once: context manager, propagator, providers', async () => {
    const spans = new InMemorySpanExporter();
    const obs = start({ spanExporters: [spans], propagators: ['tracecontext', 'baggage', 'b3'] });
    const span = trace.getTracer('x').startSpan('global');
    const carrier: Record<string, string> = {};
    context.with(trace.setSpan(context.active(), span), () => injectContext(carrier));
    span.end();
    expect(carrier['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(carrier['b3']).toContain(span.spanContext().traceId);
    const extracted = extractContext({ TraceParent: carrier['traceparent'] });
    expect(trace.getSpanContext(extracted)?.traceId).toBe(span.spanContext().traceId);
    expect(logs.getLoggerProvider()).toBeDefined();
    await obs.forceFlush();
    expect(spans.getFinishedSpans()[0]!.name).toBe('global');
    const second = init({ signalHooks: false, env: {}, runtimeMetrics: false });
    handles.push(second);
    // the second handle keeps its providers private; the first still owns the globals
    expect(propagation.fields()).toContain('b3');
    await obs.shutdown();
    expect(propagation.fields()).toEqual([]);
  });

  it('honours OTEL_* variables, with options winning over them', () => {
    const obs = start({
      env: {
        OTEL_SERVICE_NAME: 'from-env',
        OTEL_RESOURCE_ATTRIBUTES: 'team=payments,note=a%20b%2Cc,service.name=ignored',
        OTEL_TRACES_SAMPLER: 'traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_PROPAGATORS: 'b3multi',
        OTEL_BSP_MAX_QUEUE_SIZE: '100',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '500',
      },
      registerGlobals: false,
    });
    expect(obs.resource.attributes['service.name']).toBe('from-env');
    expect(obs.resource.attributes['team']).toBe('payments');
    expect(obs.resource.attributes['note']).toBe('a b,c');
    expect(obs.propagator.fields()).toContain('x-b3-traceid');
    expect(obs.propagator.fields()).not.toContain('traceparent');
    expect(obs.sampler.toString()).toBe('TraceIdRatioBased{0.25}');

    const overridden = start({
      service: 'from-options',
      sampler: new TraceIdRatioBasedSampler(0.5),
      propagators: ['tracecontext'],
      env: { OTEL_SERVICE_NAME: 'from-env', OTEL_PROPAGATORS: 'b3' },
      registerGlobals: false,
    });
    expect(overridden.resource.attributes['service.name']).toBe('from-options');
    expect(overridden.propagator.fields()).toEqual(['traceparent', 'tracestate']);
  });

  it('draws span ids from the pooled generator by default, or from the one given', async () => {
    const spans = new InMemorySpanExporter();
    const obs = start({ spanExporters: [spans] });
    for (let i = 0; i < 300; i++) obs.tracer.startSpan(`s${i}`).end();
    const custom = start({
      spanExporters: [spans],
      idGenerator: {
        generateTraceId: () => 'a'.repeat(31) + '1',
        generateSpanId: () => 'b'.repeat(15) + '1',
      },
    });
    custom.tracer.startSpan('custom').end();
    await obs.forceFlush();
    await custom.forceFlush();
    const finished = spans.getFinishedSpans();
    const ids = finished.filter((s) => s.name !== 'custom').map((s) => s.spanContext());
    expect(ids).toHaveLength(300);
    for (const { traceId, spanId } of ids) {
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(spanId).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(new Set(ids.map((c) => c.traceId)).size).toBe(300);
    const own = finished.find((s) => s.name === 'custom')!.spanContext();
    expect(own.traceId).toBe('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1');
    expect(own.spanId).toBe('bbbbbbbbbbbbbbb1');
  });

  it('turns everything off with OTEL_SDK_DISABLED=true', async () => {
    const spans = new InMemorySpanExporter();
    const obs = start({ spanExporters: [spans], env: { OTEL_SDK_DISABLED: 'true' } });
    expect(obs.disabled).toBe(true);
    obs.withSpan('nothing', () => undefined);
    await obs.forceFlush();
    expect(spans.getFinishedSpans()).toEqual([]);
    expect(trace.getTracerProvider()).not.toBe(obs.tracerProvider);
  });

  it('rejects invalid options and variables with typed errors that name the field', () => {
    const cases: [Parameters<typeof init>[0], string, RegExp][] = [
      [{ service: '' }, 'TRISIGNAL_CORE_INVALID_OPTION', /`service`.*non-empty string/],
      [
        { spanBatch: { maxQueueSize: 0 } },
        'TRISIGNAL_CORE_INVALID_OPTION',
        /`spanBatch.maxQueueSize`.*integer ≥ 1.*`0`/,
      ],
      [{ propagators: ['w3c' as never] }, 'TRISIGNAL_CORE_INVALID_OPTION', /`propagators\[0\]`.*"w3c"/],
      [{ sampler: {} as never }, 'TRISIGNAL_CORE_INVALID_OPTION', /`sampler`/],
      [
        { idGenerator: { generateTraceId: () => 'x' } as never },
        'TRISIGNAL_CORE_INVALID_OPTION',
        /`idGenerator`.*generateSpanId/,
      ],
      [{ shutdownTimeoutMillis: -5 }, 'TRISIGNAL_CORE_INVALID_OPTION', /`shutdownTimeoutMillis`/],
      [
        { signalHooks: { signals: ['TERM' as never] } },
        'TRISIGNAL_CORE_INVALID_OPTION',
        /`signalHooks.signals`/,
      ],
      [{ sloClasses: [{ class: '' }] }, 'TRISIGNAL_CORE_INVALID_OPTION', /`rules\[0\].class`/],
      [{ env: { OTEL_SDK_DISABLED: 'yes' } }, 'TRISIGNAL_CORE_INVALID_ENV', /`OTEL_SDK_DISABLED`.*"yes"/],
      [
        { env: { OTEL_TRACES_SAMPLER: 'jaeger_remote' } },
        'TRISIGNAL_CORE_INVALID_ENV',
        /`OTEL_TRACES_SAMPLER`.*jaeger_remote/,
      ],
      [
        { env: { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' } },
        'TRISIGNAL_CORE_INVALID_ENV',
        /`OTEL_TRACES_SAMPLER_ARG`/,
      ],
      [
        { env: { OTEL_BSP_SCHEDULE_DELAY: '5s' } },
        'TRISIGNAL_CORE_INVALID_ENV',
        /`OTEL_BSP_SCHEDULE_DELAY`.*"5s"/,
      ],
      [
        { env: { OTEL_RESOURCE_ATTRIBUTES: 'novalue' } },
        'TRISIGNAL_CORE_INVALID_ENV',
        /`OTEL_RESOURCE_ATTRIBUTES`/,
      ],
      [{ env: { OTEL_PROPAGATORS: 'xray' } }, 'TRISIGNAL_CORE_INVALID_ENV', /`OTEL_PROPAGATORS`.*"xray"/],
      [
        { env: { OTEL_METRIC_EXPORT_INTERVAL: '0' } },
        'TRISIGNAL_CORE_INVALID_ENV',
        /`OTEL_METRIC_EXPORT_INTERVAL`/,
      ],
    ];
    for (const [options, code, message] of cases) {
      let caught: unknown;
      try {
        handles.push(init({ signalHooks: false, runtimeMetrics: false, env: {}, ...options }));
      } catch (error) {
        caught = error;
      }
      expect(isTrisignalError(caught), JSON.stringify(options)).toBe(true);
      expect((caught as { code: string }).code).toBe(code);
      expect((caught as Error).message).toMatch(message);
    }
  });

  it('makes shutdown and forceFlush idempotent and supports await using', async () => {
    // InMemorySpanExporter forgets its spans on shutdown, so collect names in a plain exporter.
    const names: string[] = [];
    const spans = {
      export: (batch: { name: string }[], done: (r: { code: number }) => void) => {
        names.push(...batch.map((s) => s.name));
        done({ code: 0 });
      },
      shutdown: () => Promise.resolve(),
    };
    {
      await using obs = init({ signalHooks: false, env: {}, runtimeMetrics: false, spanExporters: [spans] });
      obs.tracer.startSpan('disposed').end();
      const first = obs.forceFlush();
      expect(obs.forceFlush()).toBe(first);
      await first;
    }
    expect(names).toEqual(['disposed']);
    const obs = start();
    const a = obs.shutdown();
    expect(obs.shutdown()).toBe(a);
    await a;
    await obs.forceFlush();
    await expect(obs.collect()).rejects.toMatchObject({ code: 'TRISIGNAL_CORE_SHUTDOWN' });
  });

  it('drains within the deadline even when an exporter hangs', async () => {
    const hanging = {
      export: () => undefined, // never calls back
      shutdown: () => new Promise<void>(() => undefined),
      forceFlush: () => new Promise<void>(() => undefined),
    };
    const obs = start({ spanExporters: [hanging], shutdownTimeoutMillis: 200 });
    obs.tracer.startSpan('stuck').end();
    await expect(obs.shutdown()).rejects.toMatchObject({ code: 'TRISIGNAL_CORE_TIMEOUT' });
  });

  it('classifies requests into SLO classes with the configured rules', () => {
    const obs = start({
      sloClasses: [
        { class: 'gold', method: 'POST', route: '/checkout' },
        { class: 'bronze', route: '/reports/*' },
        { class: 'gold', rpc: 'shop.Inventory/*' },
      ],
      defaultSloClass: 'silver',
    });
    expect(obs.sloClasses.matchHttp('POST', '/checkout')).toBe('gold');
    expect(obs.sloClasses.matchHttp('GET', '/checkout')).toBe('silver');
    expect(obs.sloClasses.matchHttp('GET', '/reports/daily')).toBe('bronze');
    expect(obs.sloClasses.matchRpc('shop.Inventory/Reserve')).toBe('gold');
    expect(obs.sloClasses.matchRpc('shop.Billing/Charge')).toBe('silver');
  });
});

describe('init-aware components', () => {
  it('hands the finished handle to components that implement onInit, once, and stops a sampler with a lifecycle', async () => {
    const seen: Observability[] = [];
    let samplerStopped = 0;
    const sampler = {
      shouldSample: () => ({ decision: 1 }),
      toString: () => 'TestSampler',
      onInit: (o: Observability) => seen.push(o),
      shutdown: () => {
        samplerStopped++;
        return Promise.resolve();
      },
    };
    const processor = {
      onStart: () => undefined,
      onEnd: () => undefined,
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
      onInit: (o: Observability) => seen.push(o),
    };
    const obs = start({ sampler, spanProcessors: [processor, processor] });
    expect(seen).toEqual([obs, obs]);
    expect(seen[0]!.recorder).toBe(obs.recorder);
    await obs.shutdown();
    expect(samplerStopped).toBe(1);
  });

  it('shuts down and rethrows when a component refuses the handle', () => {
    const bad = {
      export: () => undefined,
      shutdown: () => Promise.resolve(),
      onInit: () => {
        throw new Error('not configured');
      },
    };
    expect(() =>
      init({ signalHooks: false, env: {}, runtimeMetrics: false, spanExporters: [bad as never] }),
    ).toThrow('not configured');
    // the failed init released the globals it took
    expect(propagation.fields()).toEqual([]);
  });
});
