/**
 * The one place where OpenTelemetry instrument and attribute names meet their Prometheus forms, as our
 * exporters expose them and as Prometheus's own OTLP translation writes them (`.` → `_`, unit suffix,
 * `_total` on counters, `_bucket` / `_count` / `_sum` on histograms). Rules, promtool tests and the
 * dashboard use only these constants; the exporters package can be checked against this table.
 */
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_RPC_GRPC_STATUS_CODE,
  ATTR_RPC_METHOD,
  ATTR_RPC_SERVICE,
  ATTR_RPC_SYSTEM,
  ATTR_SLO_CLASS as CORE_ATTR_SLO_CLASS,
  ATTR_URL_SCHEME,
  METRIC_HTTP_SERVER_ACTIVE_REQUESTS,
  METRIC_HTTP_SERVER_REQUEST_DURATION,
  METRIC_RPC_SERVER_ACTIVE_CALLS,
  METRIC_RPC_SERVER_CALL_DURATION,
} from '@trisignal/core';
import {
  ATTR_SLO_SHED_REASON,
  METRIC_SLO_BREAKER_STATE,
  METRIC_SLO_BURN_RATE,
  METRIC_SLO_ERROR_BUDGET_REMAINING,
  METRIC_SLO_HEALTH_SCORE,
  METRIC_SLO_SHED,
  METRIC_SLO_SHED_PROBABILITY,
} from './semconv.js';

/** How an instrument is exposed: counters get `_total`, `1` becomes `_ratio` only on gauges. */
export type PrometheusMetricType = 'counter' | 'gauge' | 'histogram' | 'updowncounter';

const UNIT_SUFFIX: Readonly<Record<string, string>> = Object.freeze({
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  min: 'minutes',
  h: 'hours',
  d: 'days',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  '%': 'percent',
});

/** `http.request.method` → `http_request_method` (any character outside `[a-zA-Z0-9_]` becomes `_`). */
export function toPrometheusLabel(attribute: string): string {
  const name = attribute.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `key_${name}` : name;
}

/**
 * The Prometheus metric name of an OpenTelemetry instrument (the `UnderscoreEscapingWithSuffixes`
 * translation): `http.server.request.duration` + `s` + histogram → `http_server_request_duration_seconds`
 * (series `_bucket`, `_count`, `_sum`); `nodejs.eventloop.utilization` + `1` + gauge → `…_ratio`;
 * a counter gets `_total`; annotations in braces (`{request}`) are dropped.
 */
export function toPrometheusName(name: string, unit: string, type: PrometheusMetricType): string {
  let out = name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/_+/g, '_');
  const cleanUnit = unit.replace(/\{[^}]*\}/g, '').trim();
  let suffix: string | undefined;
  if (cleanUnit === '1') suffix = type === 'gauge' || type === 'updowncounter' ? 'ratio' : undefined;
  else if (cleanUnit !== '') {
    const [main, per] = cleanUnit.split('/');
    const mainSuffix = main === undefined || main === '' ? '' : (UNIT_SUFFIX[main] ?? main);
    const perSuffix = per === undefined ? '' : `per_${UNIT_SUFFIX[per] ?? per}`;
    suffix = [mainSuffix, perSuffix].filter((s) => s !== '').join('_') || undefined;
  }
  if (suffix !== undefined && !out.endsWith(`_${suffix}`)) out += `_${suffix}`;
  if (type === 'counter' && !out.endsWith('_total')) out += '_total';
  return out;
}

/** The metrics the rules, tests and dashboard read, with the OpenTelemetry instrument each one comes from. */
export interface PrometheusMetricName {
  readonly otel: string;
  readonly unit: string;
  readonly type: PrometheusMetricType;
  readonly prometheus: string;
}

function metric(otel: string, unit: string, type: PrometheusMetricType): PrometheusMetricName {
  return Object.freeze({ otel, unit, type, prometheus: toPrometheusName(otel, unit, type) });
}

/** `http.server.request.duration` (s, histogram) → `http_server_request_duration_seconds`. */
export const PROM_HTTP_SERVER_DURATION = metric(METRIC_HTTP_SERVER_REQUEST_DURATION, 's', 'histogram');
/** `rpc.server.call.duration` (s, histogram) → `rpc_server_call_duration_seconds`. */
export const PROM_RPC_SERVER_DURATION = metric(METRIC_RPC_SERVER_CALL_DURATION, 's', 'histogram');
/** `http.server.active_requests` ({request}, up/down) → `http_server_active_requests`. */
export const PROM_HTTP_SERVER_ACTIVE = metric(
  METRIC_HTTP_SERVER_ACTIVE_REQUESTS,
  '{request}',
  'updowncounter',
);
/** `rpc.server.active_calls` ({call}, up/down) → `rpc_server_active_calls`. */
export const PROM_RPC_SERVER_ACTIVE = metric(METRIC_RPC_SERVER_ACTIVE_CALLS, '{call}', 'updowncounter');
/** `nodejs.eventloop.delay.p99` (s, gauge) → `nodejs_eventloop_delay_p99_seconds`. */
export const PROM_EVENTLOOP_DELAY_P99 = metric('nodejs.eventloop.delay.p99', 's', 'gauge');
/** `nodejs.eventloop.utilization` (1, gauge) → `nodejs_eventloop_utilization_ratio`. */
export const PROM_EVENTLOOP_UTILIZATION = metric('nodejs.eventloop.utilization', '1', 'gauge');
/** `v8js.memory.heap.used` (By, up/down) → `v8js_memory_heap_used_bytes`. */
export const PROM_HEAP_USED = metric('v8js.memory.heap.used', 'By', 'updowncounter');
/** `v8js.memory.heap.max` (By, gauge) → `v8js_memory_heap_max_bytes`. */
export const PROM_HEAP_MAX = metric('v8js.memory.heap.max', 'By', 'gauge');
/** `process.cpu.utilization` (1, gauge) → `process_cpu_utilization_ratio`. */
export const PROM_CPU_UTILIZATION = metric('process.cpu.utilization', '1', 'gauge');

/** `trisignal.slo.health.score` (1, gauge) → `trisignal_slo_health_score_ratio`. */
export const PROM_SLO_HEALTH_SCORE = metric(METRIC_SLO_HEALTH_SCORE, '1', 'gauge');
/** `trisignal.slo.breaker.state` ({state}, gauge: 0 closed, 1 half-open, 2 open) → `trisignal_slo_breaker_state`. */
export const PROM_SLO_BREAKER_STATE = metric(METRIC_SLO_BREAKER_STATE, '{state}', 'gauge');
/** `trisignal.slo.shed` ({request}, counter) → `trisignal_slo_shed_total`. */
export const PROM_SLO_SHED = metric(METRIC_SLO_SHED, '{request}', 'counter');
/** `trisignal.slo.shed.probability` (1, gauge) → `trisignal_slo_shed_probability_ratio`. */
export const PROM_SLO_SHED_PROBABILITY = metric(METRIC_SLO_SHED_PROBABILITY, '1', 'gauge');
/** `trisignal.slo.burn_rate` (1, gauge) → `trisignal_slo_burn_rate_ratio`. */
export const PROM_SLO_BURN_RATE = metric(METRIC_SLO_BURN_RATE, '1', 'gauge');
/** `trisignal.slo.error_budget.remaining` (1, gauge) → `trisignal_slo_error_budget_remaining_ratio`. */
export const PROM_SLO_ERROR_BUDGET_REMAINING = metric(METRIC_SLO_ERROR_BUDGET_REMAINING, '1', 'gauge');

/** Every raw metric the generated rules and dashboard may reference, keyed by Prometheus name. */
export const PROMETHEUS_METRICS: readonly PrometheusMetricName[] = Object.freeze([
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
]);

/** Every Prometheus series name the package may reference (histograms expanded into their three series). */
export function knownSeriesNames(): ReadonlySet<string> {
  const names = new Set<string>();
  for (const m of PROMETHEUS_METRICS) {
    if (m.type === 'histogram') for (const s of ['_bucket', '_count', '_sum']) names.add(m.prometheus + s);
    else names.add(m.prometheus);
  }
  return names;
}

/** Prometheus label names of the attributes the rules match on. */
export const LABEL_HTTP_METHOD = toPrometheusLabel(ATTR_HTTP_REQUEST_METHOD);
export const LABEL_HTTP_ROUTE = toPrometheusLabel(ATTR_HTTP_ROUTE);
export const LABEL_HTTP_STATUS = toPrometheusLabel(ATTR_HTTP_RESPONSE_STATUS_CODE);
export const LABEL_ERROR_TYPE = toPrometheusLabel(ATTR_ERROR_TYPE);
export const LABEL_URL_SCHEME = toPrometheusLabel(ATTR_URL_SCHEME);
export const LABEL_RPC_SYSTEM = toPrometheusLabel(ATTR_RPC_SYSTEM);
export const LABEL_RPC_SERVICE = toPrometheusLabel(ATTR_RPC_SERVICE);
export const LABEL_RPC_METHOD = toPrometheusLabel(ATTR_RPC_METHOD);
export const LABEL_RPC_GRPC_STATUS = toPrometheusLabel(ATTR_RPC_GRPC_STATUS_CODE);
/** `trisignal.slo.class` → `trisignal_slo_class`. */
export const LABEL_SLO_CLASS = toPrometheusLabel(CORE_ATTR_SLO_CLASS);
/** `trisignal.slo.shed.reason` → `trisignal_slo_shed_reason`. */
export const LABEL_SLO_SHED_REASON = toPrometheusLabel(ATTR_SLO_SHED_REASON);

/** Labels the generated rules add to their own series. */
export const LABEL_SLO_SERVICE = 'slo_service';
export const LABEL_SLO_SLI = 'slo_sli';
export const LABEL_SLO_THRESHOLD = 'slo_threshold';
export const LABEL_SLO_PERIOD = 'slo_period';
export const LABEL_SEVERITY = 'severity';

/** HTTP status codes that count as server errors, as a label regex. */
export const HTTP_ERROR_STATUS_REGEX = '5..';
/** gRPC codes that count as server errors on a server span (semconv): UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS. */
export const GRPC_SERVER_ERROR_CODES: readonly number[] = Object.freeze([2, 4, 12, 13, 14, 15]);
