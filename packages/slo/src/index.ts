/**
 * @trisignal/slo — one SLO model for a Node.js service. A spec (YAML, JSON or `defineSlo()`) names the
 * service classes (gold / silver / bronze / custom), their availability and latency objectives and the
 * routes and RPC methods they cover. From it come Prometheus recording and multiwindow burn-rate alert
 * rules with their own promtool tests, a Grafana dashboard, the class rules for core's matcher, a live
 * in-process evaluator fed by core's golden-signal recorder, and an admission controller (health score,
 * breaker, class-ordered shedding) that implements core's `Admission`.
 */
export {
  defineSlo,
  toClassRules,
  toCoreOptions,
  SLO_SPEC_VERSION,
  SLO_SPEC_DEFAULTS,
  SLO_DEFAULT_BUCKETS,
} from './spec.js';
export type {
  SloSpec,
  SloSpecInput,
  SloClassInput,
  SloClassSpec,
  SloMatchInput,
  LatencyObjectiveInput,
  AlertingInput,
  SeverityInput,
  LatencyRegressionInput,
  LatencySustainedInput,
  SloObjective,
  SloAlerting,
  SloPeriod,
  SloBucketOption,
} from './spec.js';
export { parseSpecText, loadSlo, loadSloFile, toSpecInput, detectDialect, LOAD_DEFAULTS } from './load.js';
export type { LoadOptions } from './load.js';
export { importSloth, importOpenSlo } from './import.js';
export type { ImportResult } from './import.js';
export { SloError } from './errors.js';
export type { SloErrorCode } from './errors.js';

export {
  burnRateWindows,
  burnRateFactor,
  burnRate,
  budgetConsumedAtFire,
  timeToFire,
  WORKBOOK_WINDOWS,
  SLI_WINDOWS_SECONDS,
} from './windows.js';
export type { BurnRateWindow } from './windows.js';
export { generateRules, renderRules, ruleGroupNames, RECORDED_QUANTILES } from './rules.js';
export type { RuleFile, RuleGroup, RecordingRule, AlertingRule } from './rules.js';
export { generateRuleTests } from './rule-tests.js';
export type {
  PromtoolTestFile,
  PromtoolTestGroup,
  PromtoolInputSeries,
  PromtoolAlertTest,
  PromtoolExprTest,
} from './rule-tests.js';
export { generateDashboard, renderDashboard, dashboardUid } from './dashboard.js';
export type { GrafanaDashboard, DashboardPanel, DashboardTarget } from './dashboard.js';
export { generateArtifacts } from './generate.js';
export type { SloArtifacts, GeneratedFile } from './generate.js';
export { runPromtool, checkRules, testRules } from './promtool.js';
export type { PromtoolOptions, PromtoolResult } from './promtool.js';
export {
  ruleRequests,
  ruleErrors,
  ruleWithin,
  ruleErrorRatio,
  ruleLatencySli,
  ruleBurnRate,
  ruleLatencyQuantile,
  RULE_ERROR_RATIO_PERIOD,
  RULE_LATENCY_SLI_PERIOD,
  RULE_BURN_RATE_PERIOD,
  RULE_BUDGET_REMAINING,
  RULE_OBJECTIVE,
  RULE_ERROR_BUDGET,
  ALERT_BURN,
  ALERT_LATENCY_REGRESSION,
  ALERT_LATENCY_SUSTAINED,
  ALERT_ABSENT,
} from './rule-names.js';
export { leMatcher, leRenderings } from './promql.js';
export {
  toPrometheusName,
  toPrometheusLabel,
  knownSeriesNames,
  PROMETHEUS_METRICS,
  PROM_HTTP_SERVER_DURATION,
  PROM_RPC_SERVER_DURATION,
  PROM_HTTP_SERVER_ACTIVE,
  PROM_RPC_SERVER_ACTIVE,
  PROM_EVENTLOOP_DELAY_P99,
  PROM_EVENTLOOP_UTILIZATION,
  PROM_HEAP_USED,
  PROM_HEAP_MAX,
  PROM_CPU_UTILIZATION,
  PROM_SLO_HEALTH_SCORE,
  PROM_SLO_BREAKER_STATE,
  PROM_SLO_SHED,
  PROM_SLO_SHED_PROBABILITY,
  PROM_SLO_BURN_RATE,
  PROM_SLO_ERROR_BUDGET_REMAINING,
} from './names.js';
export type { PrometheusMetricName, PrometheusMetricType } from './names.js';

export { createSloEvaluator, SLO_EVALUATOR_DEFAULTS, SHED_ERROR_TYPE } from './evaluator.js';
export type {
  SloEvaluator,
  SloEvaluatorOptions,
  SloEvaluatorSnapshot,
  ClassLiveState,
  ObjectiveLiveState,
  WindowStats,
  GoldenSignalSource,
  LiveSeries,
  SaturationSource,
  SaturationReading,
  SloClock,
} from './evaluator.js';
export { computeHealth, resolveHealthOptions, HEALTH_DEFAULTS } from './health.js';
export type {
  HealthOptions,
  HealthRamp,
  HealthSignals,
  HealthScore,
  ResolvedHealthOptions,
} from './health.js';
export { BREAKER_DEFAULTS } from './breaker.js';
export type { BreakerOptions, BreakerState } from './breaker.js';
export { createSloAdmission, SLO_ADMISSION_DEFAULTS, SHED_REASONS } from './admission.js';
export type { SloAdmission, SloAdmissionOptions, SloAdmissionState, ShedReason } from './admission.js';
export {
  METRIC_SLO_HEALTH_SCORE,
  METRIC_SLO_HEALTH_COMPONENT,
  METRIC_SLO_BREAKER_STATE,
  METRIC_SLO_BREAKER_TRANSITIONS,
  METRIC_SLO_SHED,
  METRIC_SLO_SHED_PROBABILITY,
  METRIC_SLO_BURN_RATE,
  METRIC_SLO_ERROR_BUDGET_REMAINING,
  METRIC_SLO_LATENCY_QUANTILE,
  METRIC_SLO_LATENCY_BASELINE,
  METRIC_SLO_SKIPPED_SERIES,
  METRIC_SLO_ADMISSION_ERRORS,
  ATTR_SLO_SHED_REASON,
  ATTR_SLO_SLI,
  ATTR_SLO_THRESHOLD,
  ATTR_SLO_WINDOW,
  ATTR_SLO_HEALTH_COMPONENT,
  ATTR_SLO_BREAKER_STATE,
  ATTR_SLO_QUANTILE,
} from './semconv.js';
export { VERSION } from './version.js';
