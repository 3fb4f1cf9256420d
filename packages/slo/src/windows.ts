/**
 * Multiwindow, multi-burn-rate alert windows (SRE Workbook ch. 5). Each alert pairs a long window with a
 * short one (long / 12); the burn-rate factor comes from the share of the error budget the alert may
 * consume before firing: `factor = budgetShare × period / longWindow` (14.4 = 2% × 720h / 1h).
 */
import { formatDuration } from './duration.js';
import { clean } from './promql.js';

/** One page or ticket condition: both windows must burn faster than `factor`. */
export interface BurnRateWindow {
  readonly severity: 'page' | 'ticket';
  readonly longSeconds: number;
  readonly shortSeconds: number;
  /** Share of the period's error budget consumed when the alert fires (0.02 = 2%). */
  readonly budgetShare: number;
  /** Burn-rate threshold derived from the period. */
  readonly factor: number;
  /** `1h`, `5m`… */
  readonly long: string;
  readonly short: string;
}

/** The Workbook's four window pairs and the budget share each may consume. */
export const WORKBOOK_WINDOWS: readonly {
  readonly severity: 'page' | 'ticket';
  readonly longSeconds: number;
  readonly shortSeconds: number;
  readonly budgetShare: number;
}[] = Object.freeze([
  { severity: 'page', longSeconds: 3600, shortSeconds: 300, budgetShare: 0.02 },
  { severity: 'page', longSeconds: 6 * 3600, shortSeconds: 1800, budgetShare: 0.05 },
  { severity: 'ticket', longSeconds: 86_400, shortSeconds: 7200, budgetShare: 0.1 },
  { severity: 'ticket', longSeconds: 3 * 86_400, shortSeconds: 6 * 3600, budgetShare: 0.1 },
]);

/** Every window the recording rules cover, shortest first: 5m, 30m, 1h, 2h, 6h, 1d, 3d. */
export const SLI_WINDOWS_SECONDS: readonly number[] = Object.freeze(
  [...new Set(WORKBOOK_WINDOWS.flatMap((w) => [w.longSeconds, w.shortSeconds]))].sort((a, b) => a - b),
);

/**
 * The burn-rate factor for a budget share over a period and a long window, to 4 significant digits
 * (28d / 3d gives 0.9333 rather than a repeating decimal).
 */
export function burnRateFactor(budgetShare: number, periodSeconds: number, longSeconds: number): number {
  return Number(clean((budgetShare * periodSeconds) / longSeconds).toPrecision(4));
}

/** The four window pairs with factors derived from the period (30d: 14.4, 6, 3, 1; 28d: 13.44, 5.6, 2.8, 0.9333). */
export function burnRateWindows(periodSeconds: number): readonly BurnRateWindow[] {
  return WORKBOOK_WINDOWS.map((w) =>
    Object.freeze({
      ...w,
      factor: burnRateFactor(w.budgetShare, periodSeconds, w.longSeconds),
      long: formatDuration(w.longSeconds),
      short: formatDuration(w.shortSeconds),
    }),
  );
}

/** Burn rate: how many times faster than sustainable the budget is spent (`errorRatio / (1 − target)`). */
export function burnRate(errorRatio: number, budget: number): number {
  return errorRatio / budget;
}

/** Share of the period's budget consumed when an alert at `factor` fires after a full long window: `factor × long / period`. */
export function budgetConsumedAtFire(factor: number, longSeconds: number, periodSeconds: number): number {
  return clean((factor * longSeconds) / periodSeconds);
}

/** Seconds until a constant error ratio fires an alert at `factor` with a full long window: `budget / errorRatio × long × factor`. */
export function timeToFire(errorRatio: number, budget: number, factor: number, longSeconds: number): number {
  return (budget / errorRatio) * longSeconds * factor;
}
