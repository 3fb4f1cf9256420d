/**
 * Names of the instruments and attributes `@trisignal/slo` emits about itself (`trisignal.slo.*`). The
 * golden signals it reads are core's (`@trisignal/core` semconv) and are never redefined here; their
 * Prometheus forms live in `names.ts`.
 */

export const METRIC_SLO_HEALTH_SCORE = 'trisignal.slo.health.score';
export const METRIC_SLO_HEALTH_COMPONENT = 'trisignal.slo.health.component';
export const METRIC_SLO_BREAKER_STATE = 'trisignal.slo.breaker.state';
export const METRIC_SLO_BREAKER_TRANSITIONS = 'trisignal.slo.breaker.transitions';
export const METRIC_SLO_SHED = 'trisignal.slo.shed';
export const METRIC_SLO_SHED_PROBABILITY = 'trisignal.slo.shed.probability';
export const METRIC_SLO_BURN_RATE = 'trisignal.slo.burn_rate';
export const METRIC_SLO_ERROR_BUDGET_REMAINING = 'trisignal.slo.error_budget.remaining';
export const METRIC_SLO_LATENCY_QUANTILE = 'trisignal.slo.latency.quantile';
export const METRIC_SLO_LATENCY_BASELINE = 'trisignal.slo.latency.baseline';
/** Recorder series the evaluator could not use (a bucket layout other than the spec's); counted, never fatal. */
export const METRIC_SLO_SKIPPED_SERIES = 'trisignal.slo.evaluator.skipped_series';
/** `admit()` calls that hit an internal error and admitted by default (should stay 0). */
export const METRIC_SLO_ADMISSION_ERRORS = 'trisignal.slo.admission.errors';

/** Why a request was shed: `breaker_open`, `breaker_half_open`, `overload`. */
export const ATTR_SLO_SHED_REASON = 'trisignal.slo.shed.reason';
/** `availability` or `latency`. */
export const ATTR_SLO_SLI = 'trisignal.slo.sli';
/** Latency objective threshold in seconds (latency SLIs only), as a string such as `0.25`. */
export const ATTR_SLO_THRESHOLD = 'trisignal.slo.threshold';
/** Rolling window of a burn rate, e.g. `5m`. */
export const ATTR_SLO_WINDOW = 'trisignal.slo.window';
/** Health score component: `latency`, `errors`, `saturation`, `traffic`. */
export const ATTR_SLO_HEALTH_COMPONENT = 'trisignal.slo.health.component';
/** Breaker state a transition went to: `closed`, `open`, `half_open`. */
export const ATTR_SLO_BREAKER_STATE = 'trisignal.slo.breaker.state';
/** Quantile of a latency gauge, e.g. `0.99`. */
export const ATTR_SLO_QUANTILE = 'trisignal.slo.quantile';
