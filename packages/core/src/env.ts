import { CoreError, describeValue } from './errors.js';

/** The `OTEL_*` settings core understands, parsed and validated. Unset or empty variables are absent. */
export interface EnvConfig {
  readonly sdkDisabled?: boolean;
  readonly serviceName?: string;
  readonly resourceAttributes?: Readonly<Record<string, string>>;
  readonly propagators?: readonly string[];
  readonly tracesSampler?: string;
  readonly tracesSamplerArg?: string;
  readonly bspScheduleDelayMillis?: number;
  readonly bspExportTimeoutMillis?: number;
  readonly bspMaxQueueSize?: number;
  readonly bspMaxExportBatchSize?: number;
  readonly blrpScheduleDelayMillis?: number;
  readonly blrpExportTimeoutMillis?: number;
  readonly blrpMaxQueueSize?: number;
  readonly blrpMaxExportBatchSize?: number;
  readonly metricExportIntervalMillis?: number;
  readonly metricExportTimeoutMillis?: number;
  readonly logLevel?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function invalidEnv(name: string, value: string, expected: string): CoreError {
  return new CoreError(
    'TRISIGNAL_CORE_INVALID_ENV',
    `Expected environment variable \`${name}\` to be ${expected}, got \`${describeValue(value)}\``,
  );
}

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function readInt(env: Env, name: string, min: number): number | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw invalidEnv(name, raw, `an integer ≥ ${min}`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw invalidEnv(name, raw, `an integer ≥ ${min}`);
  return value;
}

function readBool(env: Env, name: string): boolean | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw invalidEnv(name, raw, '`true` or `false`');
}

/**
 * Parses `OTEL_RESOURCE_ATTRIBUTES` (`key1=value1,key2=value2`, values percent-encoded per the
 * OpenTelemetry resource SDK spec).
 */
export function parseResourceAttributes(
  raw: string,
  name = 'OTEL_RESOURCE_ATTRIBUTES',
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw invalidEnv(name, raw, 'a list of key=value pairs separated by commas');
    const key = pair.slice(0, eq).trim();
    const encoded = pair.slice(eq + 1).trim();
    if (key === '' || /[\s"\\]/.test(key))
      throw invalidEnv(name, raw, `a valid attribute key (got ${JSON.stringify(key)})`);
    let value: string;
    try {
      value = decodeURIComponent(encoded);
    } catch {
      throw invalidEnv(name, raw, `percent-encoded values (bad encoding in ${JSON.stringify(encoded)})`);
    }
    out[key] = value;
  }
  return out;
}

/** Reads and validates the `OTEL_*` variables core honours. Throws `TRISIGNAL_CORE_INVALID_ENV`. */
export function readEnvConfig(env: Env = process.env): EnvConfig {
  const config: Record<string, unknown> = {};
  const set = (key: keyof EnvConfig, value: unknown): void => {
    if (value !== undefined) config[key] = value;
  };
  set('sdkDisabled', readBool(env, 'OTEL_SDK_DISABLED'));
  set('serviceName', read(env, 'OTEL_SERVICE_NAME'));
  const attrs = read(env, 'OTEL_RESOURCE_ATTRIBUTES');
  if (attrs !== undefined) set('resourceAttributes', parseResourceAttributes(attrs));
  const propagators = read(env, 'OTEL_PROPAGATORS');
  if (propagators !== undefined) {
    set(
      'propagators',
      propagators
        .split(',')
        .map((p) => p.trim().toLowerCase())
        .filter((p) => p !== ''),
    );
  }
  set('tracesSampler', read(env, 'OTEL_TRACES_SAMPLER')?.toLowerCase());
  set('tracesSamplerArg', read(env, 'OTEL_TRACES_SAMPLER_ARG'));
  set('bspScheduleDelayMillis', readInt(env, 'OTEL_BSP_SCHEDULE_DELAY', 0));
  set('bspExportTimeoutMillis', readInt(env, 'OTEL_BSP_EXPORT_TIMEOUT', 0));
  set('bspMaxQueueSize', readInt(env, 'OTEL_BSP_MAX_QUEUE_SIZE', 1));
  set('bspMaxExportBatchSize', readInt(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 1));
  set('blrpScheduleDelayMillis', readInt(env, 'OTEL_BLRP_SCHEDULE_DELAY', 0));
  set('blrpExportTimeoutMillis', readInt(env, 'OTEL_BLRP_EXPORT_TIMEOUT', 0));
  set('blrpMaxQueueSize', readInt(env, 'OTEL_BLRP_MAX_QUEUE_SIZE', 1));
  set('blrpMaxExportBatchSize', readInt(env, 'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE', 1));
  set('metricExportIntervalMillis', readInt(env, 'OTEL_METRIC_EXPORT_INTERVAL', 1));
  set('metricExportTimeoutMillis', readInt(env, 'OTEL_METRIC_EXPORT_TIMEOUT', 0));
  const logLevel = read(env, 'OTEL_LOG_LEVEL')?.toLowerCase();
  if (logLevel !== undefined) {
    if (!['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'].includes(logLevel)) {
      throw invalidEnv('OTEL_LOG_LEVEL', logLevel, 'one of none, error, warn, info, debug, verbose, all');
    }
    set('logLevel', logLevel);
  }
  return config;
}
