/**
 * The per-key policies of the adaptive sampler, as pure functions of one window's traffic.
 */

/** What a policy sees about one key after one window. */
export interface AdaptiveWindow {
  /** The key (span name). */
  readonly key: string;
  /** Requests per second in the window, sampled or not. */
  readonly qps: number;
  /** Share of those requests that failed, 0…1 (0 without requests). */
  readonly errorRate: number;
  /** Requests and failures counted in the window. */
  readonly requests: number;
  readonly errors: number;
  /** Window length in seconds. */
  readonly windowSeconds: number;
  /** The probability applied during the window. */
  readonly previousProbability: number;
}

/** A custom policy: the next probability of a key (clamped to [0, 1]; NaN or a throw keeps the previous one). */
export type AdaptivePolicyFunction = (window: AdaptiveWindow) => number;

/** Weights of the seed policy. */
export interface SeedWeights {
  /** Weight of QPS. @default 0.8 */
  readonly qps?: number | undefined;
  /** Weight of the error rate in percent. @default 5 */
  readonly errorRatePercent?: number | undefined;
}

/** The seed's floor. */
export const SEED_MIN_PROBABILITY = 0.001;
export const SEED_DEFAULT_WEIGHTS = Object.freeze({ qps: 0.8, errorRatePercent: 5 });

/**
 * The seed's policy exactly as written: p = min(1, max(0.001, (0.8·QPS + 5·error rate in %) / 100)),
 * with configurable weights. Note that it grows with QPS.
 */
export function seedProbability(
  qps: number,
  errorRatePercent: number,
  weights: { readonly qps: number; readonly errorRatePercent: number } = SEED_DEFAULT_WEIGHTS,
): number {
  return Math.min(
    1,
    Math.max(SEED_MIN_PROBABILITY, (weights.qps * qps + weights.errorRatePercent * errorRatePercent) / 100),
  );
}

/** Parameters of the target-rate policy. */
export interface TargetRateParams {
  readonly targetTracesPerSecond: number;
  readonly minProbability: number;
  readonly maxIncreasePerWindow: number;
  readonly errorRateThreshold: number;
}

/**
 * The target-rate policy: p = clamp(target / QPS, min, 1); while the key's error rate is above the
 * threshold the goal is 1 instead; a window without requests also aims at 1 (as Jaeger doubles an idle
 * operation's probability). Increases are capped at `maxIncreasePerWindow` of the previous value
 * (Jaeger: +50 %), decreases apply in full, so a burst is cut at once and recovery is gradual.
 */
export function targetRateProbability(w: AdaptiveWindow, params: TargetRateParams): number {
  let goal: number;
  if (w.requests > 0 && w.errorRate > params.errorRateThreshold) goal = 1;
  else if (w.qps > 0) goal = params.targetTracesPerSecond / w.qps;
  else goal = 1;
  goal = Math.min(1, Math.max(params.minProbability, goal));
  const previous = w.previousProbability;
  if (goal > previous) {
    const capped = previous * (1 + params.maxIncreasePerWindow);
    return Math.max(params.minProbability, Math.min(goal, capped));
  }
  return goal;
}
