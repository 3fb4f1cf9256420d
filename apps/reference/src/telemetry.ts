/**
 * The one place where the reference app meets trisignal: everything a service needs for traces, metrics
 * and logs, golden signals, sampling, durable export and SLO-driven shedding. Copy this file when you
 * start your own service from this app.
 */
import path from 'node:path';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { init, type Observability, type TelemetryExporter } from '@trisignal/core';
import {
  createOtlpHttpSpanExporter,
  otlpHttp,
  remoteWrite,
  startPrometheusServer,
  type PrometheusServer,
} from '@trisignal/exporters';
import {
  createAdaptiveSampler,
  createParentBasedSampler,
  createTailSamplingProcessor,
  type AdaptiveSampler,
  type TailSamplingProcessor,
} from '@trisignal/sampling';
import {
  createSloAdmission,
  loadSloFile,
  toCoreOptions,
  type SloAdmission,
  type SloSpec,
} from '@trisignal/slo';

/** How one service process is wired; filled from the launcher's environment. */
export interface TelemetryOptions {
  readonly service: 'orders' | 'inventory';
  readonly sloFile: string;
  /** WALs go under `<dataDir>/wal/<service>/{traces,metrics,logs,remote-write}`. */
  readonly dataDir: string;
  /** Scrape port (busy: a free one is used and reported). */
  readonly metricsPort: number;
  /** Interface of the scrape server. */
  readonly host: string;
  /** Push metrics by OTLP (`OTEL_METRICS_EXPORTER` has `otlp`). */
  readonly otlpMetrics: boolean;
  /** Serve metrics for scraping (`OTEL_METRICS_EXPORTER` has `prometheus`). */
  readonly prometheus: boolean;
  readonly remoteWriteUrl: string | undefined;
  readonly remoteWriteLabels: Readonly<Record<string, string>>;
  readonly targetTracesPerSecond: number;
  /** In-flight requests at which the saturation part of the health score reads 2/3 bad. */
  readonly maxInFlight: number;
}

export interface Telemetry {
  readonly obs: Observability;
  readonly spec: SloSpec;
  readonly admission: SloAdmission;
  readonly adaptive: AdaptiveSampler;
  readonly tail: TailSamplingProcessor;
  /** The scrape server, unless `OTEL_METRICS_EXPORTER` leaves `prometheus` out. */
  readonly scrape: PrometheusServer | undefined;
  /** The scrape port asked for was busy. */
  readonly scrapePortFallback: boolean;
  /** Flushes and stops everything (exporters deliver what they can within their timeout). */
  shutdown(): Promise<void>;
}

/**
 * The health score behind shedding, tuned for this demo's short phases: a 10 s window, and saturation
 * (in flight against `maxInFlight`, event-loop delay) weighing most, so an error burst or a latency
 * regression alone does not shed, while overload sheds bronze first and reaches gold only when it is deep.
 */
const HEALTH = {
  weights: { latency: 0.1, errors: 0.1, saturation: 0.6, traffic: 0.2 },
  inFlightRatio: { good: 0.5, bad: 1.5 },
} as const;

/** Starts a service's telemetry: init() with exporters, samplers and SLO classes, scrape server, admission. */
export async function startTelemetry(o: TelemetryOptions): Promise<Telemetry> {
  const { spec } = await loadSloFile(o.sloFile);
  const walDir = path.join(o.dataDir, 'wal', o.service);
  // Delivered records stay on disk until the log needs room: keep each log small for a demo.
  const durable = (dir: string) => ({ dir, maxBytes: 64 * 1024 * 1024, maxSegmentBytes: 4 * 1024 * 1024 });

  // Head: one probability per route, learnt from every request (sampled or not), children follow their
  // parent. Tail: of what the head kept, errors and slow traces are always exported, the rest within a
  // span budget. Both wire themselves to the handle through InitAware.
  const adaptive = createAdaptiveSampler({
    targetTracesPerSecond: o.targetTracesPerSecond,
    matchUrlPath: true,
  });
  const spanExporter = createOtlpHttpSpanExporter({ durable: durable(path.join(walDir, 'traces')) });
  const tail = createTailSamplingProcessor({
    downstream: new BatchSpanProcessor(spanExporter),
    policies: [
      { type: 'status_code', statusCodes: ['ERROR'] },
      { type: 'latency', thresholdMillis: 500 },
      { type: 'rate_limiting', spansPerSecond: 500 },
    ],
    graceMillis: 500,
  });

  // OTLP endpoint: OTEL_EXPORTER_OTLP_ENDPOINT (the launcher points it at its embedded receiver).
  const exporters: TelemetryExporter[] = [
    otlpHttp({ signals: o.otlpMetrics ? ['metrics', 'logs'] : ['logs'], durable: durable(walDir) }),
  ];
  if (o.remoteWriteUrl !== undefined) {
    exporters.push(
      remoteWrite({
        url: o.remoteWriteUrl,
        externalLabels: o.remoteWriteLabels,
        durable: durable(path.join(walDir, 'remote-write')),
      }),
    );
  }

  const obs = init({
    service: o.service,
    serviceVersion: '1.0.0',
    ...toCoreOptions(spec), // class rules, default class, the bucket set with 3 s
    exporters,
    spanProcessors: [tail],
    sampler: createParentBasedSampler({ root: adaptive }),
    // OTEL_METRIC_EXPORT_INTERVAL wins when set; otherwise push every 5 s (core's default is 60 s).
    metricExportIntervalMillis: process.env['OTEL_METRIC_EXPORT_INTERVAL'] ? undefined : 5000,
    // The process handles SIGINT / SIGTERM itself: stop serving first, then flush.
    signalHooks: false,
  });

  const admission = createSloAdmission({
    spec,
    source: obs.recorder,
    saturation: obs.runtime,
    meter: obs.meter,
    health: HEALTH,
    healthWindow: '10s',
    maxInFlight: o.maxInFlight,
  });

  let scrapePortFallback = false;
  let scrape: PrometheusServer | undefined;
  if (o.prometheus) {
    try {
      scrape = await startPrometheusServer(obs, { port: o.metricsPort, host: o.host });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      scrapePortFallback = true;
      scrape = await startPrometheusServer(obs, { port: 0, host: o.host });
    }
  }

  let stopping: Promise<void> | undefined;
  return {
    obs,
    spec,
    admission,
    adaptive,
    tail,
    scrape,
    scrapePortFallback,
    shutdown() {
      stopping ??= (async () => {
        await admission.shutdown();
        await obs.shutdown({ timeoutMillis: 10_000 }).catch(() => undefined);
        await scrape?.shutdown();
      })();
      return stopping;
    },
  };
}
