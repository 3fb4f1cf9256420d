import type { Attributes, TextMapPropagator } from '@opentelemetry/api';
import type { LogRecordExporter, LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type {
  MetricProducer,
  MetricReader,
  PushMetricExporter,
  ViewOptions,
} from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  type IdGenerator,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import type { BucketOption } from './buckets.js';
import type { ErrorRule } from './classify-error.js';
import { CoreError, describeValue, invalidOption } from './errors.js';
import type { ExemplarFilter } from './exemplar.js';
import { readEnvConfig, type EnvConfig } from './env.js';
import { PooledIdGenerator } from './id-generator.js';
import type { LogLevel } from './logger.js';
import {
  createPropagator,
  DEFAULT_PROPAGATORS,
  PROPAGATOR_NAMES,
  type PropagatorName,
} from './propagation.js';
import type { RuntimeMetricsOptions } from './runtime-metrics.js';
import type { SloClassRule, SloClass } from './slo-class.js';

/** A metric reader, or a factory that receives the producers (the golden-signal recorder) to wire in. */
export type MetricReaderOption = MetricReader | ((producers: MetricProducer[]) => MetricReader);

/**
 * An exporter bundle: what an exporter package hands to `init({ exporters })`, one entry per signal it
 * serves. Core imports no exporter; it only wires these values in.
 */
export interface TelemetryExporter {
  /** Wrapped in a BatchSpanProcessor (`OTEL_BSP_*`). */
  readonly spanExporter?: SpanExporter | undefined;
  /** Wrapped in a PeriodicExportingMetricReader (`OTEL_METRIC_EXPORT_*`). */
  readonly metricExporter?: PushMetricExporter | undefined;
  /** A pull or custom reader. */
  readonly metricReader?: MetricReaderOption | undefined;
  /** Wrapped in a BatchLogRecordProcessor (`OTEL_BLRP_*`). */
  readonly logExporter?: LogRecordExporter | undefined;
}

/** Batch processor settings (spans and log records share the shape). */
export interface BatchOptions {
  /** @default 2048 */
  readonly maxQueueSize?: number | undefined;
  /** @default 512 */
  readonly maxExportBatchSize?: number | undefined;
  /** @default 5000 for spans, 1000 for logs */
  readonly scheduledDelayMillis?: number | undefined;
  /** @default 30000 */
  readonly exportTimeoutMillis?: number | undefined;
}

/** When and how core flushes on process signals. */
export interface SignalHookOptions {
  /** Signals that trigger flush-then-exit. @default ['SIGTERM', 'SIGINT'] */
  readonly signals?: readonly NodeJS.Signals[] | undefined;
  /** Flush when the event loop drains (`beforeExit`). @default true */
  readonly beforeExit?: boolean | undefined;
}

/** Options of {@link init}. Options win over `OTEL_*` variables, which win over defaults. */
export interface InitOptions {
  /** `service.name`. @default OTEL_SERVICE_NAME, else `unknown_service:node` */
  readonly service?: string | undefined;
  /** `service.version`. */
  readonly serviceVersion?: string | undefined;
  /** `deployment.environment.name`. */
  readonly environment?: string | undefined;
  /** Extra resource attributes (merged over OTEL_RESOURCE_ATTRIBUTES). */
  readonly resourceAttributes?: Attributes | undefined;
  /** Exporter bundles, e.g. `[otlpHttp()]`. */
  readonly exporters?: readonly TelemetryExporter[] | undefined;
  /** Span exporters, each behind a BatchSpanProcessor. */
  readonly spanExporters?: readonly SpanExporter[] | undefined;
  /** Span processors used as given (e.g. a tail sampler in front of a batch processor). */
  readonly spanProcessors?: readonly SpanProcessor[] | undefined;
  /** Push metric exporters, each behind a PeriodicExportingMetricReader. */
  readonly metricExporters?: readonly PushMetricExporter[] | undefined;
  /** Metric readers (instances or factories taking the golden-signal producers). */
  readonly metricReaders?: readonly MetricReaderOption[] | undefined;
  /** sdk-metrics views. */
  readonly views?: readonly ViewOptions[] | undefined;
  /** Log record exporters, each behind a BatchLogRecordProcessor. */
  readonly logExporters?: readonly LogRecordExporter[] | undefined;
  /** Log record processors used as given. */
  readonly logProcessors?: readonly LogRecordProcessor[] | undefined;
  /** Head sampler. @default from OTEL_TRACES_SAMPLER, else parent-based always-on */
  readonly sampler?: Sampler | undefined;
  /**
   * Trace and span id generator (e.g. one for AWS X-Ray ids).
   * @default a {@link PooledIdGenerator}: random ids from a pooled CSPRNG buffer
   */
  readonly idGenerator?: IdGenerator | undefined;
  /** Propagator names or a propagator. @default OTEL_PROPAGATORS, else ['tracecontext', 'baggage'] */
  readonly propagators?: readonly PropagatorName[] | TextMapPropagator | undefined;
  /** BatchSpanProcessor settings. @default OTEL_BSP_*, else the OpenTelemetry defaults */
  readonly spanBatch?: BatchOptions | undefined;
  /** BatchLogRecordProcessor settings. @default OTEL_BLRP_*, else the OpenTelemetry defaults */
  readonly logBatch?: BatchOptions | undefined;
  /** Push interval of metric exporters. @default OTEL_METRIC_EXPORT_INTERVAL, else 60000 */
  readonly metricExportIntervalMillis?: number | undefined;
  /** Timeout of one metric export. @default OTEL_METRIC_EXPORT_TIMEOUT, else 30000 */
  readonly metricExportTimeoutMillis?: number | undefined;
  /** Deadline of `shutdown()` and `forceFlush()`. @default 5000 */
  readonly shutdownTimeoutMillis?: number | undefined;
  /** Flush on SIGTERM / SIGINT / beforeExit, then exit as the process would have. @default true */
  readonly signalHooks?: boolean | SignalHookOptions | undefined;
  /** Register the providers, propagator and context manager as the OpenTelemetry globals. @default true */
  readonly registerGlobals?: boolean | undefined;
  /** Duration buckets of the golden-signal histograms, in seconds. @default 'semconv' */
  readonly durationBuckets?: BucketOption | undefined;
  /** Which observations become exemplars. @default 'trace_based' */
  readonly exemplarFilter?: ExemplarFilter | undefined;
  /** Series per kind in the golden-signal recorder before overflow. @default 2000 */
  readonly maxSeries?: number | undefined;
  /** Service classes by route or RPC method. @default no rules: everything is `defaultSloClass` */
  readonly sloClasses?: readonly SloClassRule[] | undefined;
  /** Class of requests no rule matches. @default 'silver' */
  readonly defaultSloClass?: SloClass | undefined;
  /** Runtime and saturation metrics; `false` turns them off. @default true */
  readonly runtimeMetrics?: boolean | RuntimeMetricsOptions | undefined;
  /** Extra error classification rules, run before the built-in ones. @default [] */
  readonly errorRules?: readonly ErrorRule[] | undefined;
  /** Distinct root causes on `trisignal.errors` before `other`. @default 50 */
  readonly maxErrorRootCauses?: number | undefined;
  /** Level of `obs.logger`. @default 'info' */
  readonly logLevel?: LogLevel | undefined;
  /** Environment to read `OTEL_*` from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Turn the SDK off (no-op providers). @default OTEL_SDK_DISABLED, else false */
  readonly disabled?: boolean | undefined;
}

/** Core defaults. */
export const CORE_DEFAULTS = Object.freeze({
  shutdownTimeoutMillis: 5000,
  metricExportIntervalMillis: 60_000,
  metricExportTimeoutMillis: 30_000,
  signals: Object.freeze(['SIGTERM', 'SIGINT'] as NodeJS.Signals[]),
  spanBatch: Object.freeze({
    maxQueueSize: 2048,
    maxExportBatchSize: 512,
    scheduledDelayMillis: 5000,
    exportTimeoutMillis: 30_000,
  }),
  logBatch: Object.freeze({
    maxQueueSize: 2048,
    maxExportBatchSize: 512,
    scheduledDelayMillis: 1000,
    exportTimeoutMillis: 30_000,
  }),
});

export interface ResolvedBatch {
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
  readonly scheduledDelayMillis: number;
  readonly exportTimeoutMillis: number;
}

/** Options after merging with the environment and defaults, validated. */
export interface ResolvedInitOptions {
  readonly disabled: boolean;
  readonly serviceName: string | undefined;
  readonly serviceVersion: string | undefined;
  readonly environment: string | undefined;
  readonly envResourceAttributes: Readonly<Record<string, string>> | undefined;
  readonly resourceAttributes: Attributes | undefined;
  readonly sampler: Sampler;
  readonly idGenerator: IdGenerator;
  readonly propagator: TextMapPropagator;
  readonly spanBatch: ResolvedBatch;
  readonly logBatch: ResolvedBatch;
  readonly metricExportIntervalMillis: number;
  readonly metricExportTimeoutMillis: number;
  readonly shutdownTimeoutMillis: number;
  readonly signals: readonly NodeJS.Signals[];
  readonly beforeExit: boolean;
  readonly registerGlobals: boolean;
  readonly logLevel: string | undefined;
  readonly env: EnvConfig;
}

function checkInt(field: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalidOption(field, value, `an integer ≥ ${min}`);
  }
  return value;
}

function checkString(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw invalidOption(field, value, 'a non-empty string');
  return value;
}

function checkArray(field: string, value: unknown): void {
  if (value !== undefined && !Array.isArray(value)) throw invalidOption(field, value, 'an array');
}

function resolveBatch(
  field: string,
  option: BatchOptions | undefined,
  env: {
    maxQueueSize?: number | undefined;
    maxExportBatchSize?: number | undefined;
    scheduledDelayMillis?: number | undefined;
    exportTimeoutMillis?: number | undefined;
  },
  defaults: ResolvedBatch,
): ResolvedBatch {
  if (option !== undefined && (typeof option !== 'object' || option === null)) {
    throw invalidOption(field, option, 'an object');
  }
  const maxQueueSize = checkInt(
    `${field}.maxQueueSize`,
    option?.maxQueueSize ?? env.maxQueueSize ?? defaults.maxQueueSize,
    1,
  );
  const requestedBatch = checkInt(
    `${field}.maxExportBatchSize`,
    option?.maxExportBatchSize ?? env.maxExportBatchSize ?? defaults.maxExportBatchSize,
    1,
  );
  return {
    maxQueueSize,
    // The SDK clamps the batch to the queue; doing it here keeps the resolved options truthful.
    maxExportBatchSize: Math.min(requestedBatch, maxQueueSize),
    scheduledDelayMillis: checkInt(
      `${field}.scheduledDelayMillis`,
      option?.scheduledDelayMillis ?? env.scheduledDelayMillis ?? defaults.scheduledDelayMillis,
      0,
    ),
    exportTimeoutMillis: checkInt(
      `${field}.exportTimeoutMillis`,
      option?.exportTimeoutMillis ?? env.exportTimeoutMillis ?? defaults.exportTimeoutMillis,
      0,
    ),
  };
}

/** Builds a standard sampler from `OTEL_TRACES_SAMPLER` / `_ARG`. */
export function samplerFromEnv(name: string | undefined, arg: string | undefined): Sampler {
  const ratio = (): number => {
    if (arg === undefined) return 1;
    const value = Number(arg);
    if (arg.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new CoreError(
        'TRISIGNAL_CORE_INVALID_ENV',
        `Expected environment variable \`OTEL_TRACES_SAMPLER_ARG\` to be a probability in [0, 1], got \`${describeValue(arg)}\``,
      );
    }
    return value;
  };
  switch (name ?? 'parentbased_always_on') {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    default:
      throw new CoreError(
        'TRISIGNAL_CORE_INVALID_ENV',
        `Expected environment variable \`OTEL_TRACES_SAMPLER\` to be one of always_on, always_off, traceidratio, ` +
          `parentbased_always_on, parentbased_always_off, parentbased_traceidratio, got \`${describeValue(name)}\` ` +
          `(for other samplers pass \`sampler\` to init(), e.g. from @trisignal/sampling)`,
      );
  }
}

function isPropagator(value: unknown): value is TextMapPropagator {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as TextMapPropagator).inject === 'function' &&
    typeof (value as TextMapPropagator).extract === 'function'
  );
}

function isSampler(value: unknown): value is Sampler {
  return typeof value === 'object' && value !== null && typeof (value as Sampler).shouldSample === 'function';
}

/** Merges options over `OTEL_*` variables over defaults and validates every field. */
export function resolveInitOptions(options: InitOptions): ResolvedInitOptions {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', options, 'an object');
  const env = readEnvConfig(options.env ?? process.env);

  const disabled = options.disabled ?? env.sdkDisabled ?? false;
  if (typeof disabled !== 'boolean') throw invalidOption('disabled', disabled, 'a boolean');

  const serviceName =
    checkString('service', options.service) ?? env.serviceName ?? env.resourceAttributes?.['service.name'];
  const serviceVersion = checkString('serviceVersion', options.serviceVersion);
  const environment = checkString('environment', options.environment);
  if (
    options.resourceAttributes !== undefined &&
    (typeof options.resourceAttributes !== 'object' || options.resourceAttributes === null)
  ) {
    throw invalidOption('resourceAttributes', options.resourceAttributes, 'an object of attributes');
  }
  for (const field of [
    'exporters',
    'spanExporters',
    'spanProcessors',
    'metricExporters',
    'metricReaders',
    'views',
    'logExporters',
    'logProcessors',
    'sloClasses',
    'errorRules',
  ] as const) {
    checkArray(field, options[field]);
  }

  let sampler: Sampler;
  if (options.sampler !== undefined) {
    if (!isSampler(options.sampler))
      throw invalidOption('sampler', options.sampler, 'a Sampler (an object with shouldSample())');
    sampler = options.sampler;
  } else {
    sampler = samplerFromEnv(env.tracesSampler, env.tracesSamplerArg);
  }

  const idGenerator = options.idGenerator ?? new PooledIdGenerator();
  if (
    typeof (idGenerator as Partial<IdGenerator> | null)?.generateTraceId !== 'function' ||
    typeof (idGenerator as Partial<IdGenerator>).generateSpanId !== 'function'
  ) {
    throw invalidOption(
      'idGenerator',
      options.idGenerator,
      'an IdGenerator (an object with generateTraceId() and generateSpanId())',
    );
  }

  let propagator: TextMapPropagator;
  if (options.propagators !== undefined) {
    if (isPropagator(options.propagators)) propagator = options.propagators;
    else if (Array.isArray(options.propagators)) propagator = createPropagator(options.propagators);
    else
      throw invalidOption(
        'propagators',
        options.propagators,
        'a list of propagator names or a TextMapPropagator',
      );
  } else if (env.propagators !== undefined) {
    const unknown = env.propagators.find((p) => !(PROPAGATOR_NAMES as readonly string[]).includes(p));
    if (unknown !== undefined) {
      throw new CoreError(
        'TRISIGNAL_CORE_INVALID_ENV',
        `Expected environment variable \`OTEL_PROPAGATORS\` to list only ${PROPAGATOR_NAMES.join(', ')}, got \`${describeValue(unknown)}\``,
      );
    }
    propagator = createPropagator(env.propagators, 'OTEL_PROPAGATORS');
  } else {
    propagator = createPropagator(DEFAULT_PROPAGATORS);
  }

  const spanBatch = resolveBatch(
    'spanBatch',
    options.spanBatch,
    {
      maxQueueSize: env.bspMaxQueueSize,
      maxExportBatchSize: env.bspMaxExportBatchSize,
      scheduledDelayMillis: env.bspScheduleDelayMillis,
      exportTimeoutMillis: env.bspExportTimeoutMillis,
    },
    CORE_DEFAULTS.spanBatch,
  );
  const logBatch = resolveBatch(
    'logBatch',
    options.logBatch,
    {
      maxQueueSize: env.blrpMaxQueueSize,
      maxExportBatchSize: env.blrpMaxExportBatchSize,
      scheduledDelayMillis: env.blrpScheduleDelayMillis,
      exportTimeoutMillis: env.blrpExportTimeoutMillis,
    },
    CORE_DEFAULTS.logBatch,
  );
  const metricExportIntervalMillis = checkInt(
    'metricExportIntervalMillis',
    options.metricExportIntervalMillis ??
      env.metricExportIntervalMillis ??
      CORE_DEFAULTS.metricExportIntervalMillis,
    1,
  );
  const metricExportTimeoutMillis = checkInt(
    'metricExportTimeoutMillis',
    options.metricExportTimeoutMillis ??
      env.metricExportTimeoutMillis ??
      CORE_DEFAULTS.metricExportTimeoutMillis,
    0,
  );
  const shutdownTimeoutMillis = checkInt(
    'shutdownTimeoutMillis',
    options.shutdownTimeoutMillis ?? CORE_DEFAULTS.shutdownTimeoutMillis,
    1,
  );

  const hooks = options.signalHooks ?? true;
  let signals: readonly NodeJS.Signals[] = [];
  let beforeExit = false;
  if (hooks === true) {
    signals = CORE_DEFAULTS.signals;
    beforeExit = true;
  } else if (typeof hooks === 'object' && hooks !== null) {
    signals = hooks.signals ?? CORE_DEFAULTS.signals;
    if (!Array.isArray(signals) || signals.some((s) => typeof s !== 'string' || !/^SIG[A-Z0-9]+$/.test(s))) {
      throw invalidOption('signalHooks.signals', hooks.signals, 'a list of signal names such as "SIGTERM"');
    }
    beforeExit = hooks.beforeExit ?? true;
    if (typeof beforeExit !== 'boolean')
      throw invalidOption('signalHooks.beforeExit', beforeExit, 'a boolean');
  } else if (hooks !== false) {
    throw invalidOption('signalHooks', hooks, 'a boolean or { signals, beforeExit }');
  }

  const registerGlobals = options.registerGlobals ?? true;
  if (typeof registerGlobals !== 'boolean')
    throw invalidOption('registerGlobals', registerGlobals, 'a boolean');

  return {
    disabled,
    serviceName,
    serviceVersion,
    environment,
    envResourceAttributes: env.resourceAttributes,
    resourceAttributes: options.resourceAttributes,
    sampler,
    idGenerator,
    propagator,
    spanBatch,
    logBatch,
    metricExportIntervalMillis,
    metricExportTimeoutMillis,
    shutdownTimeoutMillis,
    signals,
    beforeExit,
    registerGlobals,
    logLevel: env.logLevel,
    env,
  };
}
