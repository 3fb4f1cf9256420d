import { type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  type SamplingResult,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { type Observability } from '@trisignal/core';
import { type AdaptiveSamplerOptions, createAdaptiveSampler } from './adaptive-sampler.js';
import { describeValue, isSamplingError, SamplingError } from './errors.js';
import { SamplerDelegates } from './internal/delegates.js';
import { type SamplingMetrics } from './metrics.js';
import { createParentBasedSampler } from './parent-based-sampler.js';
import { createProbabilitySampler } from './probability-sampler.js';
import { createRateLimitingSampler } from './rate-limiting-sampler.js';
import { type ManagedSampler } from './managed-sampler.js';
import { type SeriesFeed } from './series-feed.js';

/** Values of `OTEL_TRACES_SAMPLER` that {@link createSamplerFromEnv} understands. */
export const SAMPLER_NAMES = Object.freeze([
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
  'trisignal_adaptive',
  'parentbased_trisignal_adaptive',
  'trisignal_ratelimited',
  'parentbased_trisignal_ratelimited',
  'trisignal_probability',
  'parentbased_trisignal_probability',
] as const);

/** One of {@link SAMPLER_NAMES}. */
export type SamplerName = (typeof SAMPLER_NAMES)[number];

/** Options of {@link createSamplerFromEnv}. */
export interface SamplerFromEnvOptions {
  /** Traffic feed for an adaptive sampler. @default `obs.recorder` of the `init()` it is given to (or `attach()`) */
  readonly feed?: SeriesFeed | undefined;
  /** Where self-metrics go. @default each sampler's own, reporting through `obs.meterProvider` once given to `init()` */
  readonly metrics?: SamplingMetrics | undefined;
  /** Monotonic clock in milliseconds (adaptive and rate-limited samplers). @default performance.now */
  readonly now?: (() => number) | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

function invalidEnv(name: string, value: string, expected: string, cause?: unknown): SamplingError {
  return new SamplingError(
    'TRISIGNAL_SAMPLING_INVALID_ENV',
    `Expected environment variable \`${name}\` to be ${expected}, got \`${describeValue(value)}\``,
    cause === undefined ? undefined : { cause },
  );
}

const ARG = 'OTEL_TRACES_SAMPLER_ARG';

/**
 * Reads `OTEL_TRACES_SAMPLER_ARG`: either one number (the sampler's main parameter) or `key=value` pairs
 * separated by commas (as OpenTelemetry does for `jaeger_remote`).
 */
function parseArg(raw: string | undefined, keys: readonly string[], primary: string): Map<string, string> {
  const params = new Map<string, string>();
  if (raw === undefined) return params;
  if (!raw.includes('=')) {
    params.set(primary, raw);
    return params;
  }
  for (const part of raw.split(',')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    const key = eq < 0 ? trimmed : trimmed.slice(0, eq).trim();
    if (eq < 0 || !keys.includes(key)) {
      throw invalidEnv(ARG, raw, `a number or key=value pairs with keys ${keys.join(', ')}`);
    }
    params.set(key, trimmed.slice(eq + 1).trim());
  }
  return params;
}

function num(params: Map<string, string>, key: string, raw: string | undefined): number | undefined {
  const value = params.get(key);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value === '' || !Number.isFinite(n)) throw invalidEnv(ARG, raw ?? '', `a number for \`${key}\``);
  return n;
}

class EnvSampler implements ManagedSampler {
  readonly #sampler: Sampler;
  readonly #delegates: SamplerDelegates;

  constructor(sampler: Sampler) {
    this.#sampler = sampler;
    // Ours forward onInit / attach / shutdown to what they wrap; the upstream samplers have none of them.
    this.#delegates = new SamplerDelegates([sampler]);
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    return this.#sampler.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  attach(feed: SeriesFeed): void {
    this.#delegates.attach(feed);
  }

  onInit(obs: Observability): void {
    this.#delegates.onInit(obs);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.#delegates.shutdown();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  toString(): string {
    return this.#sampler.toString();
  }
}

function ratio(raw: string | undefined): number {
  if (raw === undefined) return 1;
  const value = Number(raw);
  if (raw === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw invalidEnv(ARG, raw, 'a probability in [0, 1]');
  }
  return value;
}

function build(name: string, arg: string | undefined, options: SamplerFromEnvOptions): EnvSampler {
  const base = name.startsWith('parentbased_trisignal_') ? name.slice('parentbased_'.length) : name;
  const parentBased = base !== name;
  const wrap = (root: Sampler): EnvSampler =>
    new EnvSampler(parentBased ? createParentBasedSampler({ root, metrics: options.metrics }) : root);
  switch (base) {
    case 'always_on':
      return new EnvSampler(new AlwaysOnSampler());
    case 'always_off':
      return new EnvSampler(new AlwaysOffSampler());
    case 'traceidratio':
      return new EnvSampler(new TraceIdRatioBasedSampler(ratio(arg)));
    case 'parentbased_always_on':
      return new EnvSampler(new ParentBasedSampler({ root: new AlwaysOnSampler() }));
    case 'parentbased_always_off':
      return new EnvSampler(new ParentBasedSampler({ root: new AlwaysOffSampler() }));
    case 'parentbased_traceidratio':
      return new EnvSampler(new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio(arg)) }));
    case 'trisignal_adaptive': {
      const p = parseArg(
        arg,
        [
          'target',
          'min',
          'initial',
          'window',
          'policy',
          'errorThreshold',
          'maxKeys',
          'precision',
          'qpsWeight',
          'errorWeight',
        ],
        'target',
      );
      const policy = p.get('policy');
      if (policy !== undefined && policy !== 'target-rate' && policy !== 'seed') {
        throw invalidEnv(ARG, arg ?? '', "`policy` 'target-rate' or 'seed'");
      }
      const adaptiveOptions: AdaptiveSamplerOptions = {
        feed: options.feed,
        metrics: options.metrics,
        now: options.now,
        policy,
        targetTracesPerSecond: num(p, 'target', arg),
        minProbability: num(p, 'min', arg),
        initialProbability: num(p, 'initial', arg),
        windowMillis: num(p, 'window', arg),
        errorRateThreshold: num(p, 'errorThreshold', arg),
        maxKeys: num(p, 'maxKeys', arg),
        precision: num(p, 'precision', arg),
        seedWeights: { qps: num(p, 'qpsWeight', arg), errorRatePercent: num(p, 'errorWeight', arg) },
      };
      return wrap(createAdaptiveSampler(adaptiveOptions));
    }
    case 'trisignal_ratelimited': {
      const p = parseArg(arg, ['rate', 'burst'], 'rate');
      return wrap(
        createRateLimitingSampler({
          tracesPerSecond: num(p, 'rate', arg) ?? 100,
          burst: num(p, 'burst', arg),
          now: options.now,
          metrics: options.metrics,
        }),
      );
    }
    case 'trisignal_probability': {
      const p = parseArg(arg, ['ratio', 'precision', 'mode'], 'ratio');
      const mode = p.get('mode');
      if (mode !== undefined && mode !== 'independent' && mode !== 'equalizing' && mode !== 'proportional') {
        throw invalidEnv(ARG, arg ?? '', "`mode` 'independent', 'equalizing' or 'proportional'");
      }
      return wrap(
        createProbabilitySampler({
          ratio: num(p, 'ratio', arg) ?? 1,
          precision: num(p, 'precision', arg),
          parentMode: mode,
          metrics: options.metrics,
        }),
      );
    }
    default:
      throw invalidEnv('OTEL_TRACES_SAMPLER', name, `one of ${SAMPLER_NAMES.join(', ')}`);
  }
}

/**
 * Builds the sampler named by `OTEL_TRACES_SAMPLER` (+ `OTEL_TRACES_SAMPLER_ARG`): the six standard
 * OpenTelemetry names (same samplers as the SDK, but an invalid argument throws instead of falling back)
 * and ours, each also with a `parentbased_` prefix:
 * - `trisignal_adaptive`: arg = target traces/s per key, or `target=…,min=…,initial=…,window=…,policy=seed|target-rate,errorThreshold=…,maxKeys=…,precision=…,qpsWeight=…,errorWeight=…`;
 * - `trisignal_ratelimited`: arg = traces/s (default 100), or `rate=…,burst=…`;
 * - `trisignal_probability`: arg = ratio (default 1), or `ratio=…,precision=…,mode=independent|equalizing|proportional`.
 * Unset means `parentbased_always_on`. Throws `TRISIGNAL_SAMPLING_INVALID_ENV` on anything else.
 * Core's own `OTEL_TRACES_SAMPLER` parsing knows only the standard names: pass this as `sampler` and core
 * leaves the variable to it. Given to `init()`, an adaptive sampler reads `obs.recorder` and stops with
 * `obs.shutdown()` (outside `init()`: `attach(feed)` and `shutdown()`).
 * @example
 * // OTEL_TRACES_SAMPLER=parentbased_trisignal_adaptive OTEL_TRACES_SAMPLER_ARG=target=5
 * init({ sampler: createSamplerFromEnv() })
 */
export function createSamplerFromEnv(
  env: Env = process.env,
  options: SamplerFromEnvOptions = {},
): ManagedSampler {
  const name = env['OTEL_TRACES_SAMPLER']?.trim().toLowerCase() || 'parentbased_always_on';
  const rawArg = env[ARG]?.trim();
  const arg = rawArg === '' ? undefined : rawArg;
  try {
    return build(name, arg, options);
  } catch (error) {
    // An invalid value inside the argument surfaces as an option error of the sampler; report it as
    // what the user has to fix: the environment variable.
    if (isSamplingError(error) && error.code === 'TRISIGNAL_SAMPLING_INVALID_OPTION') {
      throw invalidEnv(ARG, arg ?? '', `valid for ${name} (${error.message})`, error);
    }
    throw error;
  }
}
