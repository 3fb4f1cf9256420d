/**
 * Names of the series the generated recording rules write and of the alerts they define. They are
 * fixed (the service and class are labels), so one dashboard and one set of queries serve every service.
 */
import { formatDuration } from './duration.js';

/** Requests in the window, by class (`increase` of `_count`, HTTP and RPC server). */
export const ruleRequests = (windowSeconds: number): string =>
  `trisignal_slo:requests:increase${formatDuration(windowSeconds)}`;
/** Failed requests in the window, by class (HTTP 5xx or no response with an error; gRPC 2, 4, 12, 13, 14, 15). */
export const ruleErrors = (windowSeconds: number): string =>
  `trisignal_slo:errors:increase${formatDuration(windowSeconds)}`;
/** Requests that finished within a latency threshold (`_bucket{le=threshold}`), by class and `slo_threshold`. */
export const ruleWithin = (windowSeconds: number): string =>
  `trisignal_slo:requests_within_threshold:increase${formatDuration(windowSeconds)}`;
/** Failed / all requests in the window. */
export const ruleErrorRatio = (windowSeconds: number): string =>
  `trisignal_slo:error_ratio:ratio${formatDuration(windowSeconds)}`;
/** Share of requests within the latency threshold in the window (the latency SLI). */
export const ruleLatencySli = (windowSeconds: number): string =>
  `trisignal_slo:latency_sli:ratio${formatDuration(windowSeconds)}`;
/** Bad-event ratio / error budget, per objective (`slo_sli`, `slo_threshold`). */
export const ruleBurnRate = (windowSeconds: number): string =>
  `trisignal_slo:burn_rate:ratio${formatDuration(windowSeconds)}`;
/** The pN latency over 5 minutes, by class (`histogram_quantile`). */
export const ruleLatencyQuantile = (quantile: number): string =>
  `trisignal_slo:latency_${quantileName(quantile)}:rate5m`;

/** Over the whole period (`slo_period` label), from the recorded 5m numerators and denominators. */
export const RULE_ERROR_RATIO_PERIOD = 'trisignal_slo:error_ratio:ratio_period';
export const RULE_LATENCY_SLI_PERIOD = 'trisignal_slo:latency_sli:ratio_period';
export const RULE_BURN_RATE_PERIOD = 'trisignal_slo:burn_rate:ratio_period';
/** 1 − period burn rate: the share of the period's error budget left (negative once overspent). */
export const RULE_BUDGET_REMAINING = 'trisignal_slo:error_budget_remaining:ratio';
/** The objective (0.999) and error budget (0.001) of each objective, for dashboards. */
export const RULE_OBJECTIVE = 'trisignal_slo:objective:ratio';
export const RULE_ERROR_BUDGET = 'trisignal_slo:error_budget:ratio';

export const ALERT_BURN = 'SloErrorBudgetBurn';
export const ALERT_LATENCY_REGRESSION = 'SloLatencyRegression';
export const ALERT_LATENCY_SUSTAINED = 'SloLatencySustained';
export const ALERT_ABSENT = 'SloDataAbsent';

/** 0.99 → `p99`, 0.999 → `p999`, 0.5 → `p50`, 0.9 → `p90`. */
export function quantileName(quantile: number): string {
  const percent = String(Number((quantile * 100).toPrecision(10)));
  const [whole, fractionDigits = ''] = percent.split('.');
  return `p${whole!.padStart(2, '0')}${fractionDigits}`;
}
