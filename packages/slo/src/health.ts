/**
 * The health score: the four golden signals folded into one number in [0, 1] (1 = healthy). Each
 * signal maps to a component through a ramp — 1 at or below `good`, 0 at or above `bad`, linear in
 * between; unknown signals (NaN: no traffic, no baseline yet) count as healthy, since there is no
 * evidence against them. The seed's weights are the defaults: latency 0.4, errors 0.3, saturation 0.2,
 * traffic 0.1.
 */
import { invalidOption } from './errors.js';

/** A ramp: 1 at or below `good`, 0 at or above `bad`. */
export interface HealthRamp {
  readonly good: number;
  readonly bad: number;
}

/** The raw signals (NaN when unknown). */
export interface HealthSignals {
  /** Worst availability burn rate over the health window, across classes. */
  readonly errorBurnRate: number;
  /** Worst latency-objective burn rate over the health window. */
  readonly latencyBurnRate: number;
  /** Worst live pN / its own baseline, across classes. */
  readonly latencyBaselineRatio: number;
  /** Event-loop delay p99 above the monitor's resolution, in seconds. */
  readonly eventLoopDelaySeconds: number;
  readonly eventLoopUtilization: number;
  readonly heapUsedRatio: number;
  /** In flight / `maxInFlight` (NaN without a limit). */
  readonly inFlightRatio: number;
  /** Request rate / its baseline. */
  readonly trafficRatio: number;
}

/** The score and its components, each in [0, 1]. */
export interface HealthScore {
  readonly score: number;
  readonly components: {
    readonly latency: number;
    readonly errors: number;
    readonly saturation: number;
    readonly traffic: number;
  };
}

/** Options of the health score. */
export interface HealthOptions {
  /** @default { latency: 0.4, errors: 0.3, saturation: 0.2, traffic: 0.1 } */
  readonly weights?:
    Partial<Readonly<Record<'latency' | 'errors' | 'saturation' | 'traffic', number>>> | undefined;
  /** @default { good: 1, bad: 14.4 } (the page burn rate of a 30d period) */
  readonly errorBurnRate?: HealthRamp | undefined;
  /** @default { good: 1, bad: 14.4 } */
  readonly latencyBurnRate?: HealthRamp | undefined;
  /** @default { good: 1.2, bad: 3 } */
  readonly latencyBaselineRatio?: HealthRamp | undefined;
  /** @default { good: 0.02, bad: 0.2 } (seconds above the monitor resolution) */
  readonly eventLoopDelaySeconds?: HealthRamp | undefined;
  /** @default { good: 0.7, bad: 0.95 } */
  readonly eventLoopUtilization?: HealthRamp | undefined;
  /** @default { good: 0.8, bad: 0.95 } */
  readonly heapUsedRatio?: HealthRamp | undefined;
  /** @default { good: 0.8, bad: 1 } */
  readonly inFlightRatio?: HealthRamp | undefined;
  /** @default { good: 1.5, bad: 4 } (a surge; a drop is not overload) */
  readonly trafficRatio?: HealthRamp | undefined;
}

/** Health options with every default applied. */
export interface ResolvedHealthOptions {
  readonly weights: Readonly<Record<'latency' | 'errors' | 'saturation' | 'traffic', number>>;
  readonly errorBurnRate: HealthRamp;
  readonly latencyBurnRate: HealthRamp;
  readonly latencyBaselineRatio: HealthRamp;
  readonly eventLoopDelaySeconds: HealthRamp;
  readonly eventLoopUtilization: HealthRamp;
  readonly heapUsedRatio: HealthRamp;
  readonly inFlightRatio: HealthRamp;
  readonly trafficRatio: HealthRamp;
}

/** Defaults of {@link HealthOptions}. */
export const HEALTH_DEFAULTS: ResolvedHealthOptions = Object.freeze({
  weights: Object.freeze({ latency: 0.4, errors: 0.3, saturation: 0.2, traffic: 0.1 }),
  errorBurnRate: Object.freeze({ good: 1, bad: 14.4 }),
  latencyBurnRate: Object.freeze({ good: 1, bad: 14.4 }),
  latencyBaselineRatio: Object.freeze({ good: 1.2, bad: 3 }),
  eventLoopDelaySeconds: Object.freeze({ good: 0.02, bad: 0.2 }),
  eventLoopUtilization: Object.freeze({ good: 0.7, bad: 0.95 }),
  heapUsedRatio: Object.freeze({ good: 0.8, bad: 0.95 }),
  inFlightRatio: Object.freeze({ good: 0.8, bad: 1 }),
  trafficRatio: Object.freeze({ good: 1.5, bad: 4 }),
});

const RAMPS = [
  'errorBurnRate',
  'latencyBurnRate',
  'latencyBaselineRatio',
  'eventLoopDelaySeconds',
  'eventLoopUtilization',
  'heapUsedRatio',
  'inFlightRatio',
  'trafficRatio',
] as const;

/** Validates health options and applies defaults; throws `TRISIGNAL_SLO_INVALID_OPTION`. */
export function resolveHealthOptions(o: HealthOptions = {}, path = 'health'): ResolvedHealthOptions {
  const weights = { ...HEALTH_DEFAULTS.weights };
  for (const key of ['latency', 'errors', 'saturation', 'traffic'] as const) {
    const w = o.weights?.[key] ?? HEALTH_DEFAULTS.weights[key];
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0)
      throw invalidOption(`${path}.weights.${key}`, w, 'a non-negative number');
    weights[key] = w;
  }
  if (weights.latency + weights.errors + weights.saturation + weights.traffic <= 0) {
    throw invalidOption(`${path}.weights`, o.weights, 'weights whose sum is positive');
  }
  const out: Record<string, unknown> = { weights: Object.freeze(weights) };
  for (const key of RAMPS) {
    const r = o[key] ?? HEALTH_DEFAULTS[key];
    if (
      typeof r !== 'object' ||
      r === null ||
      !Number.isFinite(r.good) ||
      !Number.isFinite(r.bad) ||
      !(r.bad > r.good)
    ) {
      throw invalidOption(`${path}.${key}`, r, '{ good, bad } with finite numbers and bad > good');
    }
    out[key] = Object.freeze({ good: r.good, bad: r.bad });
  }
  return Object.freeze(out) as unknown as ResolvedHealthOptions;
}

/** 1 at or below `good`, 0 at or above `bad`, linear between; NaN (unknown) is 1. */
export function ramp(value: number, r: HealthRamp): number {
  if (!(value > r.good)) return 1;
  if (value >= r.bad) return 0;
  return (r.bad - value) / (r.bad - r.good);
}

/** Folds the signals into the score. Pure: same signals, same score. */
export function computeHealth(
  signals: HealthSignals,
  options: ResolvedHealthOptions = HEALTH_DEFAULTS,
): HealthScore {
  const latency = Math.min(
    ramp(signals.latencyBurnRate, options.latencyBurnRate),
    ramp(signals.latencyBaselineRatio, options.latencyBaselineRatio),
  );
  const errors = ramp(signals.errorBurnRate, options.errorBurnRate);
  const saturation = Math.min(
    ramp(signals.eventLoopDelaySeconds, options.eventLoopDelaySeconds),
    ramp(signals.eventLoopUtilization, options.eventLoopUtilization),
    ramp(signals.heapUsedRatio, options.heapUsedRatio),
    ramp(signals.inFlightRatio, options.inFlightRatio),
  );
  const traffic = ramp(signals.trafficRatio, options.trafficRatio);
  const w = options.weights;
  const total = w.latency + w.errors + w.saturation + w.traffic;
  const score =
    (w.latency * latency + w.errors * errors + w.saturation * saturation + w.traffic * traffic) / total;
  return { score, components: { latency, errors, saturation, traffic } };
}
