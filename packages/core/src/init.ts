import {
  context,
  DiagConsoleLogger,
  DiagLogLevel,
  diag,
  type Meter,
  metrics,
  propagation,
  type Span,
  type TextMapPropagator,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Resource } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import {
  type CollectionResult,
  MeterProvider,
  type MetricCollectOptions,
  type MetricProducer,
  MetricReader,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createErrorClassifier, type ErrorClassification } from './classify-error.js';
import { withSpan, type WithSpanOptions } from './context.js';
import { createErrorMetrics, type ErrorMetrics } from './error-metrics.js';
import { CoreError } from './errors.js';
import { installSignalHooks, type SignalHooks, withDeadline } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { type InitOptions, type MetricReaderOption, resolveInitOptions } from './options.js';
import { recordError, type RecordErrorOptions } from './record-error.js';
import { createGoldenSignalRecorder, type GoldenSignalRecorder } from './recorder.js';
import { buildResource } from './resource.js';
import { createRuntimeMetrics, type RuntimeMetrics } from './runtime-metrics.js';
import { createSloClassMatcher, type SloClassMatcher } from './slo-class.js';
import { VERSION } from './version.js';

/** Deadline options of `forceFlush` and `shutdown`. */
export interface FlushOptions {
  /** @default the `shutdownTimeoutMillis` given to init (5000) */
  readonly timeoutMillis?: number | undefined;
}

/**
 * The handle `init()` returns: the three providers sharing one Resource, the golden-signal recorder
 * every middleware records into, and the lifecycle of it all.
 */
export interface Observability extends AsyncDisposable {
  /** True when the SDK is disabled (`OTEL_SDK_DISABLED=true` or `disabled: true`): nothing is exported. */
  readonly disabled: boolean;
  readonly resource: Resource;
  readonly tracerProvider: BasicTracerProvider;
  readonly meterProvider: MeterProvider;
  readonly loggerProvider: LoggerProvider;
  /** A tracer named after the service, for application code. */
  readonly tracer: Tracer;
  /** A meter named after the service, for application code. */
  readonly meter: Meter;
  /** A logger whose records carry the active trace and span ids. */
  readonly logger: Logger;
  readonly propagator: TextMapPropagator;
  /** The head sampler in use (from options, `OTEL_TRACES_SAMPLER`, or parent-based always-on). */
  readonly sampler: Sampler;
  readonly recorder: GoldenSignalRecorder;
  readonly sloClasses: SloClassMatcher;
  /** Runtime metrics and the saturation snapshot; undefined when turned off. */
  readonly runtime: RuntimeMetrics | undefined;
  /** Classifies an error with the built-in and configured rules. */
  classifyError(error: unknown): ErrorClassification;
  /**
   * Records an error on a span (status, `error.type`, exception event) and counts it on `trisignal.errors`.
   * Pass `spanKind: SpanKind.SERVER` for server spans, where an error answered below 500 is not a span error.
   */
  recordError(
    span: Span,
    error: unknown,
    options?: Pick<RecordErrorOptions, 'spanKind' | 'setStatus'>,
  ): ErrorClassification;
  /** Runs `fn` in a new span of `obs.tracer`; errors are recorded and counted. */
  withSpan<TResult>(name: string, fn: (span: Span) => TResult, options?: WithSpanOptions): TResult;
  /** Collects every metric now (sdk instruments and the golden signals), for pull exporters. */
  collect(options?: MetricCollectOptions): Promise<CollectionResult>;
  /** Exports everything buffered in all three signals. Idempotent while in flight. */
  forceFlush(options?: FlushOptions): Promise<void>;
  /** Flushes and stops all three signals within the deadline. Idempotent. */
  shutdown(options?: FlushOptions): Promise<void>;
}

/**
 * Implemented by components passed to `init()` (sampler, processors, exporters, readers, exporter
 * bundles) that need the finished handle, e.g. an adaptive sampler reading `obs.recorder`, or a processor
 * reporting its own metrics through `obs.meterProvider`. `onInit` runs once, before `init()` returns; an
 * error thrown from it shuts the handle down and is rethrown.
 */
export interface InitAware {
  onInit(obs: Observability): void;
}

function isInitAware(value: unknown): value is InitAware {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { onInit?: unknown }).onInit === 'function'
  );
}

/** A pull reader owned by core so that `collect()` works whatever readers the user configured. */
class PullMetricReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function attachProducers(reader: MetricReader, producers: MetricProducer[]): void {
  // MetricReader takes producers only in its constructor; readers built by the user get ours through
  // the reader's own producer list, which sdk-metrics 2.x keeps in `_metricProducers`.
  const list = (reader as unknown as { _metricProducers?: unknown })._metricProducers;
  if (Array.isArray(list)) {
    list.push(...producers);
  } else {
    diag.warn(
      'trisignal: could not attach the golden-signal producer to a metric reader; pass a factory ' +
        '`(producers) => new Reader({ metricProducers: producers })` in `metricReaders` instead',
    );
  }
}

function buildReader(option: MetricReaderOption, producers: MetricProducer[]): MetricReader {
  if (typeof option === 'function') return option(producers);
  attachProducers(option, producers);
  return option;
}

const DIAG_LEVELS: Readonly<Record<string, DiagLogLevel>> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

/**
 * Starts traces, metrics and logs for this process with one Resource, an AsyncLocalStorage context
 * manager and the configured propagators, and returns the handle to all of it.
 * @example
 * import { init } from '@trisignal/core';
 * const obs = init({ service: 'orders', spanExporters: [exporter] });
 * obs.logger.info('started');
 * await obs.withSpan('work', async () => { ... });
 * await obs.shutdown();
 */
export function init(options: InitOptions = {}): Observability {
  const resolved = resolveInitOptions(options);
  if (resolved.logLevel !== undefined) {
    diag.setLogger(new DiagConsoleLogger(), {
      logLevel: DIAG_LEVELS[resolved.logLevel] ?? DiagLogLevel.INFO,
    });
  }
  const resource = buildResource({
    serviceName: resolved.serviceName,
    serviceVersion: resolved.serviceVersion,
    environment: resolved.environment,
    envAttributes: resolved.envResourceAttributes,
    attributes: resolved.resourceAttributes,
  });
  const serviceScope = String(resource.attributes['service.name'] ?? 'app');

  const recorder = createGoldenSignalRecorder({
    resource,
    durationBuckets: options.durationBuckets,
    exemplarFilter: options.exemplarFilter,
    maxSeries: options.maxSeries,
  });
  const sloClasses = createSloClassMatcher({
    rules: options.sloClasses,
    defaultClass: options.defaultSloClass,
  });
  const classifier = createErrorClassifier({ rules: options.errorRules ?? [] });
  const producers: MetricProducer[] = [recorder.metricProducer];
  const disabled = resolved.disabled;

  // Metrics first: the batch processors report their own queue and drops through it.
  const pullReader = new PullMetricReader({ metricProducers: producers });
  const readers: MetricReader[] = [pullReader];
  const spanProcessorsFromExporters: SpanProcessor[] = [];
  const logProcessorsFromExporters: LogRecordProcessor[] = [];
  if (!disabled) {
    const pushExporters = [
      ...(options.metricExporters ?? []),
      ...(options.exporters ?? []).flatMap((e) => (e.metricExporter === undefined ? [] : [e.metricExporter])),
    ];
    for (const exporter of pushExporters) {
      readers.push(
        new PeriodicExportingMetricReader({
          exporter,
          exportIntervalMillis: resolved.metricExportIntervalMillis,
          exportTimeoutMillis: Math.min(
            resolved.metricExportTimeoutMillis,
            resolved.metricExportIntervalMillis,
          ),
          metricProducers: producers,
        }),
      );
    }
    const readerOptions = [
      ...(options.metricReaders ?? []),
      ...(options.exporters ?? []).flatMap((e) => (e.metricReader === undefined ? [] : [e.metricReader])),
    ];
    for (const option of readerOptions) readers.push(buildReader(option, producers));
  }
  const meterProvider = new MeterProvider({
    resource,
    readers,
    ...(options.views ? { views: [...options.views] } : {}),
  });

  if (!disabled) {
    const spanExporters = [
      ...(options.spanExporters ?? []),
      ...(options.exporters ?? []).flatMap((e) => (e.spanExporter === undefined ? [] : [e.spanExporter])),
    ];
    for (const exporter of spanExporters) {
      spanProcessorsFromExporters.push(
        new BatchSpanProcessor({ exporter, ...resolved.spanBatch, selfObsMeterProvider: meterProvider }),
      );
    }
    const logExporters = [
      ...(options.logExporters ?? []),
      ...(options.exporters ?? []).flatMap((e) => (e.logExporter === undefined ? [] : [e.logExporter])),
    ];
    for (const exporter of logExporters) {
      logProcessorsFromExporters.push(
        new BatchLogRecordProcessor({ exporter, ...resolved.logBatch, selfObsMeterProvider: meterProvider }),
      );
    }
  }

  const tracerProvider = new BasicTracerProvider({
    resource,
    sampler: disabled ? new AlwaysOffSampler() : resolved.sampler,
    idGenerator: resolved.idGenerator,
    spanProcessors: disabled ? [] : [...(options.spanProcessors ?? []), ...spanProcessorsFromExporters],
  });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: disabled ? [] : [...(options.logProcessors ?? []), ...logProcessorsFromExporters],
  });

  const tracer = tracerProvider.getTracer(serviceScope, resolved.serviceVersion);
  const meter = meterProvider.getMeter(serviceScope, resolved.serviceVersion);
  const coreMeter = meterProvider.getMeter('@trisignal/core', VERSION);
  const errorMetrics: ErrorMetrics = createErrorMetrics(coreMeter, {
    maxRootCauses: options.maxErrorRootCauses,
  });
  const logger = createLogger(loggerProvider, { name: serviceScope, level: options.logLevel });
  const runtimeOption = options.runtimeMetrics ?? true;
  const runtime =
    disabled || runtimeOption === false
      ? undefined
      : createRuntimeMetrics(coreMeter, runtimeOption === true ? {} : runtimeOption);

  let registered = false;

  const timeoutOf = (o: FlushOptions | undefined): number =>
    o?.timeoutMillis ?? resolved.shutdownTimeoutMillis;
  let isShutDown = false;
  let flushing: Promise<void> | undefined;
  let shuttingDown: Promise<void> | undefined;
  let hooks: SignalHooks | undefined;

  const recordAndCount = (
    span: Span,
    error: unknown,
    recordOptions?: Pick<RecordErrorOptions, 'spanKind' | 'setStatus'>,
  ): ErrorClassification => {
    return recordError(span, error, { ...recordOptions, classifier, metrics: errorMetrics });
  };

  const forceFlush = (flushOptions?: FlushOptions): Promise<void> => {
    if (isShutDown || shuttingDown !== undefined) return shuttingDown ?? Promise.resolve();
    flushing ??= withDeadline(
      Promise.all([
        tracerProvider.forceFlush(),
        loggerProvider.forceFlush(),
        meterProvider.forceFlush(),
      ]).then(() => undefined),
      timeoutOf(flushOptions),
      'trisignal forceFlush',
    ).finally(() => {
      flushing = undefined;
    });
    return flushing;
  };

  const shutdown = (flushOptions?: FlushOptions): Promise<void> => {
    shuttingDown ??= (async () => {
      hooks?.remove();
      const work = (async () => {
        await runtime?.shutdown();
        // A sampler with a lifecycle (window timers) stops with the rest; providers do not own it.
        const sampler = options.sampler as { shutdown?: () => Promise<void> } | undefined;
        if (typeof sampler?.shutdown === 'function') await sampler.shutdown();
        // Spans and logs first, so what they report on the way out still reaches the metrics.
        await Promise.all([tracerProvider.shutdown(), loggerProvider.shutdown()]);
        await meterProvider.shutdown();
      })();
      try {
        await withDeadline(work, timeoutOf(flushOptions), 'trisignal shutdown');
      } finally {
        isShutDown = true;
        if (registered) {
          trace.disable();
          metrics.disable();
          logs.disable();
          propagation.disable();
          context.disable();
        }
      }
    })();
    return shuttingDown;
  };

  const obs: Observability = {
    disabled,
    resource,
    tracerProvider,
    meterProvider,
    loggerProvider,
    tracer,
    meter,
    logger,
    propagator: resolved.propagator,
    sampler: disabled ? new AlwaysOffSampler() : resolved.sampler,
    recorder,
    sloClasses,
    runtime,
    classifyError: classifier,
    recordError: recordAndCount,
    withSpan: (name, fn, spanOptions) =>
      withSpan(name, fn, {
        tracer,
        onError: (span, error) => void recordAndCount(span, error),
        ...spanOptions,
      }),
    collect: (collectOptions) =>
      isShutDown || shuttingDown !== undefined
        ? Promise.reject(
            new CoreError('TRISIGNAL_CORE_SHUTDOWN', 'collect(): the Observability handle is shut down'),
          )
        : pullReader.collect(collectOptions),
    forceFlush,
    shutdown,
    [Symbol.asyncDispose]: () => shutdown(),
  };

  // Components built before init() (an adaptive sampler that reads the recorder, processors that report
  // metrics) receive the finished handle.
  const components: unknown[] = [
    options.sampler,
    ...(options.spanProcessors ?? []),
    ...(options.logProcessors ?? []),
    ...(options.exporters ?? []),
    ...(options.spanExporters ?? []),
    ...(options.metricExporters ?? []),
    ...(options.logExporters ?? []),
    ...(options.metricReaders ?? []),
  ];
  for (const component of new Set(components)) {
    if (!isInitAware(component)) continue;
    try {
      component.onInit(obs);
    } catch (error) {
      void shutdown().catch(() => undefined);
      throw error;
    }
  }

  let contextManager: AsyncLocalStorageContextManager | undefined;
  if (resolved.registerGlobals && !disabled) {
    contextManager = new AsyncLocalStorageContextManager();
    contextManager.enable();
    // The API refuses a second registration; only the first init() in a process owns the globals.
    registered = context.setGlobalContextManager(contextManager);
    if (registered) {
      trace.setGlobalTracerProvider(tracerProvider);
      metrics.setGlobalMeterProvider(meterProvider);
      logs.setGlobalLoggerProvider(loggerProvider);
      propagation.setGlobalPropagator(resolved.propagator);
    } else {
      contextManager.disable();
      contextManager = undefined;
      diag.warn(
        'trisignal: OpenTelemetry globals are already registered; this init() keeps its providers private',
      );
    }
  }

  if (!disabled && (resolved.signals.length > 0 || resolved.beforeExit)) {
    hooks = installSignalHooks(resolved.signals, resolved.beforeExit, () => obs.shutdown());
  }
  if (disabled) diag.info('trisignal: SDK disabled, nothing will be exported');
  return obs;
}
