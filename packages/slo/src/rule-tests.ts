/**
 * Generates a promtool unit-test file for a generated rule file: per class a fast burn (the page fires
 * at the predicted minute and not one minute before), a slow burn (ticket, no page), a latency
 * regression, a sustained slow tail, low traffic (the guard keeps everything quiet), plus a healthy run
 * of every class and an absent-data run. Expectations come from `RuleModel`, a minute-by-minute model of
 * the rules; the real promtool then holds the rules to them.
 */
import { formatDuration } from './duration.js';
import {
  LABEL_HTTP_METHOD,
  LABEL_HTTP_ROUTE,
  LABEL_HTTP_STATUS,
  LABEL_RPC_GRPC_STATUS,
  LABEL_RPC_METHOD,
  LABEL_RPC_SERVICE,
  LABEL_RPC_SYSTEM,
  LABEL_SLO_CLASS,
  LABEL_SLO_PERIOD,
  LABEL_SLO_SERVICE,
  LABEL_SLO_THRESHOLD,
  LABEL_URL_SCHEME,
  PROM_HTTP_SERVER_DURATION,
  PROM_RPC_SERVER_DURATION,
} from './names.js';
import { formatNumber, openMetricsFloat, quote } from './promql.js';
import {
  ALERT_ABSENT,
  ALERT_BURN,
  ALERT_LATENCY_REGRESSION,
  ALERT_LATENCY_SUSTAINED,
  RULE_BUDGET_REMAINING,
  RULE_ERROR_RATIO_PERIOD,
  ruleBurnRate,
  ruleErrorRatio,
  ruleLatencySli,
  ruleRequests,
} from './rule-names.js';
import { type AlertingRule, generateRules, ruleGroupNames, type RuleFile } from './rules.js';
import { type ClassCounters, type FiringAlert, RuleModel } from './simulate.js';
import type { SloClassSpec, SloObjective, SloSpec } from './spec.js';
import { burnRateWindows } from './windows.js';

/** One `input_series` entry. */
export interface PromtoolInputSeries {
  readonly series: string;
  readonly values: string;
}

/** One `alert_rule_test` entry. */
export interface PromtoolAlertTest {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts: readonly {
    readonly exp_labels: Readonly<Record<string, string>>;
    readonly exp_annotations: Readonly<Record<string, string>>;
  }[];
}

/** One `promql_expr_test` entry. */
export interface PromtoolExprTest {
  readonly expr: string;
  readonly eval_time: string;
  readonly exp_samples: readonly { readonly labels: string; readonly value: number }[];
}

/** One test group. */
export interface PromtoolTestGroup {
  readonly name: string;
  readonly interval: string;
  readonly input_series: readonly PromtoolInputSeries[];
  readonly alert_rule_test: readonly PromtoolAlertTest[];
  readonly promql_expr_test?: readonly PromtoolExprTest[];
}

/** A promtool test file. */
export interface PromtoolTestFile {
  readonly rule_files: readonly string[];
  readonly evaluation_interval: string;
  readonly group_eval_order: readonly string[];
  readonly tests: readonly PromtoolTestGroup[];
}

/** Requests per minute of the synthetic traffic. */
const RATE = 1000;
/** Minutes of healthy traffic before a scenario's incident starts. */
const WARMUP = 60;

interface Minute {
  readonly ok: number;
  readonly errors: number;
  readonly errorVia: 'http' | 'rpc';
  /** Ok requests that land in a slow bucket (`Infinity` = above every boundary). */
  readonly slow: { readonly count: number; readonly le: number } | undefined;
}

interface ClassPlan {
  readonly cls: SloClassSpec;
  readonly leSet: readonly number[];
  readonly fastLe: number;
  readonly slowLe: number;
}

interface Scenario {
  readonly counters: ClassCounters[];
  readonly series: PromtoolInputSeries[];
}

function leSetFor(spec: SloSpec, cls: SloClassSpec): ClassPlan {
  const thresholds = cls.latency.map((l) => l.thresholdSeconds);
  const sustained = spec.alerting.latencySustained;
  const relevant = [...thresholds, ...(sustained.disable ? [] : [sustained.thresholdSeconds])];
  const fastLe = relevant.length > 0 ? Math.min(...relevant) : spec.buckets[0]!;
  const maxT = thresholds.length > 0 ? Math.max(...thresholds) : fastLe;
  const factor = spec.alerting.latencyRegression.factor;
  const fits = (b: number): boolean => b > maxT && b >= (factor + 0.3) * fastLe;
  const slowLe =
    spec.buckets.find((b) => fits(b) && (sustained.disable || b <= sustained.thresholdSeconds)) ??
    spec.buckets.find(fits) ??
    Infinity;
  const leSet = [...new Set([...relevant, fastLe, slowLe, Infinity])].sort((a, b) => a - b);
  return { cls, leSet, fastLe, slowLe };
}

function compress(values: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < values.length) {
    const start = values[i]!;
    if (i === values.length - 1) {
      parts.push(formatNumber(start));
      break;
    }
    const step = values[i + 1]! - start;
    let j = i + 1;
    while (j + 1 < values.length && values[j + 1]! - values[j]! === step) j++;
    parts.push(`${formatNumber(start)}${step >= 0 ? '+' : ''}${formatNumber(step)}x${j - i}`);
    i = j + 1;
  }
  return parts.join(' ');
}

function seriesName(name: string, labels: Readonly<Record<string, string>>): string {
  return `${name}{${Object.keys(labels)
    .map((k) => `${k}=${quote(labels[k]!)}`)
    .join(',')}}`;
}

function buildClass(
  spec: SloSpec,
  plan: ClassPlan,
  minutes: number,
  at: (t: number) => Minute,
  leStyle: 'js' | 'openmetrics',
): Scenario {
  const name = plan.cls.name;
  interface Acc {
    count: number[];
    buckets: Map<number, number[]>;
    used: boolean;
  }
  const make = (): Acc => ({ count: [0], buckets: new Map(plan.leSet.map((le) => [le, [0]])), used: false });
  const ok = make();
  const httpErr = make();
  const rpcErr = make();
  for (let t = 1; t <= minutes; t++) {
    const m = at(t);
    const add = (acc: Acc, n: number, slow: Minute['slow']): void => {
      acc.count.push(acc.count[t - 1]! + n);
      if (n > 0) acc.used = true;
      for (const le of plan.leSet) {
        const arr = acc.buckets.get(le)!;
        const slowCount = slow === undefined ? 0 : slow.count;
        const fastHere = le >= plan.fastLe ? n - slowCount : 0;
        const slowHere = slow !== undefined && le >= slow.le ? slowCount : 0;
        arr.push(arr[t - 1]! + fastHere + slowHere);
      }
    };
    add(ok, m.ok, m.slow);
    add(httpErr, m.errorVia === 'http' ? m.errors : 0, undefined);
    add(rpcErr, m.errorVia === 'rpc' ? m.errors : 0, undefined);
  }
  const base = { ...spec.selector, [LABEL_SLO_CLASS]: name };
  const series: PromtoolInputSeries[] = [];
  const emit = (metric: string, labels: Record<string, string>, acc: Acc): void => {
    series.push({ series: seriesName(`${metric}_count`, labels), values: compress(acc.count) });
    for (const le of plan.leSet) {
      const rendered = le === Infinity ? '+Inf' : leStyle === 'js' ? String(le) : openMetricsFloat(le);
      series.push({
        series: seriesName(`${metric}_bucket`, { ...labels, le: rendered }),
        values: compress(acc.buckets.get(le)!),
      });
    }
  };
  const http = PROM_HTTP_SERVER_DURATION.prometheus;
  const rpc = PROM_RPC_SERVER_DURATION.prometheus;
  const httpLabels = (status: string): Record<string, string> => ({
    ...base,
    [LABEL_HTTP_METHOD]: 'GET',
    [LABEL_HTTP_ROUTE]: `/${name}`,
    [LABEL_HTTP_STATUS]: status,
    [LABEL_URL_SCHEME]: 'http',
  });
  emit(http, httpLabels('200'), ok);
  if (httpErr.used) emit(http, httpLabels('500'), httpErr);
  if (rpcErr.used) {
    emit(
      rpc,
      {
        ...base,
        [LABEL_RPC_SYSTEM]: 'grpc',
        [LABEL_RPC_SERVICE]: 'test.Service',
        [LABEL_RPC_METHOD]: name,
        [LABEL_RPC_GRPC_STATUS]: '14',
      },
      rpcErr,
    );
  }
  const sum = (...arrays: number[][]): number[] =>
    arrays[0]!.map((_, i) => arrays.reduce((s, a) => s + a[i]!, 0));
  const counters: ClassCounters = {
    className: name,
    requests: sum(ok.count, httpErr.count, rpcErr.count),
    errors: sum(httpErr.count, rpcErr.count),
    buckets: new Map(
      plan.leSet.map((le) => [
        le,
        sum(ok.buckets.get(le)!, httpErr.buckets.get(le)!, rpcErr.buckets.get(le)!),
      ]),
    ),
  };
  return { counters: [counters], series };
}

function merge(...scenarios: Scenario[]): Scenario {
  return { counters: scenarios.flatMap((s) => s.counters), series: scenarios.flatMap((s) => s.series) };
}

function expandTemplates(text: string, labels: Readonly<Record<string, string>>): string {
  return text.replace(
    /\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g,
    (_, name: string) => labels[name] ?? '',
  );
}

class TestBuilder {
  readonly #spec: SloSpec;
  readonly #alertRules: readonly AlertingRule[];

  constructor(spec: SloSpec, rules: RuleFile) {
    this.#spec = spec;
    this.#alertRules = rules.groups.flatMap((g) => g.rules.filter((r): r is AlertingRule => 'alert' in r));
  }

  #annotations(alert: FiringAlert): Record<string, string> {
    const rule = this.#alertRules.find(
      (r) => r.alert === alert.alertname && Object.entries(r.labels).every(([k, v]) => alert.labels[k] === v),
    );
    if (rule === undefined)
      throw new Error(`internal: no rule for alert ${alert.alertname} ${JSON.stringify(alert.labels)}`);
    const out: Record<string, string> = {};
    for (const k of Object.keys(rule.annotations).sort())
      out[k] = expandTemplates(rule.annotations[k]!, alert.labels);
    return out;
  }

  alertTests(model: RuleModel, minutes: readonly number[], names: readonly string[]): PromtoolAlertTest[] {
    const out: PromtoolAlertTest[] = [];
    for (const t of minutes) {
      const firing = model.firing(t).alerts;
      for (const alertname of names) {
        const alerts = firing
          .filter((a) => a.alertname === alertname)
          .sort((a, b) => (JSON.stringify(a.labels) < JSON.stringify(b.labels) ? -1 : 1));
        out.push({
          eval_time: formatDuration(t * 60),
          alertname,
          exp_alerts: alerts.map((a) => ({ exp_labels: a.labels, exp_annotations: this.#annotations(a) })),
        });
      }
    }
    return out;
  }

  enabled(alertname: string): boolean {
    const a = this.#spec.alerting;
    const on = (s: 'page' | 'ticket'): boolean => !(s === 'page' ? a.page : a.ticket).disable;
    if (alertname === ALERT_BURN) return on('page') || on('ticket');
    if (alertname === ALERT_LATENCY_REGRESSION)
      return !a.latencyRegression.disable && on(a.latencyRegression.severity);
    if (alertname === ALERT_LATENCY_SUSTAINED)
      return !a.latencySustained.disable && on(a.latencySustained.severity);
    return !a.absent.disable && on(a.absent.severity);
  }
}

function isBurn(alert: FiringAlert, o: SloObjective, severity?: 'page' | 'ticket'): boolean {
  return (
    alert.alertname === ALERT_BURN &&
    Object.entries(o.labels).every(([k, v]) => alert.labels[k] === v) &&
    (severity === undefined || alert.labels['severity'] === severity)
  );
}

function sample(name: string, labels: Record<string, string>, value: number, t: number): PromtoolExprTest {
  const sorted = Object.keys(labels).sort();
  const sel = `${name}{${sorted.map((k) => `${k}=${quote(labels[k]!)}`).join(',')}}`;
  return { expr: sel, eval_time: formatDuration(t * 60), exp_samples: [{ labels: sel, value }] };
}

/**
 * Keeps the samples whose exact value prints cleanly. promtool 2.42 compares floats exactly (no
 * fuzzy_compare before 3.5), so an expected value must be the very double Prometheus computes; those
 * that print with binary noise (0.07 / 0.01 = 7.000000000000001) are left out rather than written noisy.
 */
function exact(samples: PromtoolExprTest[]): PromtoolExprTest[] {
  return samples.filter((s) => s.exp_samples.every((e) => String(e.value) === formatNumber(e.value)));
}

/** Generates the promtool unit tests for `generateRules(spec)`, stored as `ruleFileName`. */
export function generateRuleTests(spec: SloSpec, ruleFileName: string): PromtoolTestFile {
  const rules = generateRules(spec);
  const builder = new TestBuilder(spec, rules);
  const groups = ruleGroupNames(spec);
  const tests: PromtoolTestGroup[] = [];
  const plans = new Map(spec.classes.map((c) => [c.name, leSetFor(spec, c)]));
  const allNames = [ALERT_BURN, ALERT_LATENCY_REGRESSION, ALERT_LATENCY_SUSTAINED, ALERT_ABSENT].filter((n) =>
    builder.enabled(n),
  );
  const svc = { [LABEL_SLO_SERVICE]: spec.service };
  const healthyMinute = (plan: ClassPlan, rate = RATE): Minute => {
    const latencyBudgets = plan.cls.objectives.filter((o) => o.sli === 'latency').map((o) => o.budget);
    const ls = spec.alerting.latencySustained;
    const slowShare = Math.min(
      ...latencyBudgets,
      ...(ls.disable || plan.slowLe <= ls.thresholdSeconds ? [] : [1 - ls.quantile]),
      0.01,
    );
    const slow = Math.floor(0.3 * slowShare * rate);
    const errors = Math.floor(0.5 * plan.cls.objectives[0]!.budget * rate);
    return {
      ok: rate - errors,
      errors,
      errorVia: 'http',
      slow: slow > 0 ? { count: slow, le: plan.slowLe } : undefined,
    };
  };
  const check = (model: RuleModel, minutes: readonly number[], names: readonly string[]): boolean =>
    minutes.every((t) => names.every((n) => !model.firing(t).marginal.has(n)));

  const windows = burnRateWindows(spec.periodSeconds);
  for (const cls of spec.classes) {
    const plan = plans.get(cls.name)!;
    const availability = cls.objectives[0]!;

    // Fast burn, twice: after 150 healthy minutes the 1h/5m pair fires first; after 60 minutes the 6h
    // window holds little history and the 6h/30m pair fires first. Each pages at the predicted minute,
    // not one minute before, so each pair's factor is pinned.
    const pairNames = windows.filter((w) => w.severity === 'page').map((w) => `${w.long}/${w.short}`);
    for (const [pairIndex, warmup] of [
      [0, 150],
      [1, 60],
    ] as const) {
      if (spec.alerting.page.disable) break;
      const horizon = warmup + 120;
      const candidates = [90, 60, 40, 25, 15, 10, 6.5].map((m) =>
        Math.round(RATE * Math.min(1, m * availability.budget)),
      );
      let done = false;
      for (const errors of [...new Set(candidates.filter((k) => k >= 1)), RATE]) {
        const sc = buildClass(
          spec,
          plan,
          horizon,
          (t) =>
            t <= warmup
              ? { ok: RATE, errors: 0, errorVia: 'http', slow: undefined }
              : { ok: RATE - errors, errors, errorVia: 'http', slow: undefined },
          'js',
        );
        const model = new RuleModel(spec, sc.counters);
        const fire = model.firstMinute(warmup + 1, horizon, (as) =>
          as.some((a) => isBurn(a, availability, 'page')),
        );
        if (fire === undefined || !check(model, [fire - 1, fire], [ALERT_BURN])) continue;
        const holding = model.pairsHolding(availability, 'page', fire);
        if (!holding[pairIndex] || holding.filter(Boolean).length !== 1) continue;
        const end = Math.min(horizon, fire + 10);
        if (!check(model, [end], [ALERT_BURN])) continue;
        tests.push({
          name: `${cls.name}: fast burn (${formatNumber((errors / RATE) * 100)}% errors from minute ${warmup}) pages at ${fire}m through the ${pairNames[pairIndex]!} pair, not before`,
          interval: '1m',
          input_series: sc.series,
          alert_rule_test: builder.alertTests(model, [fire - 1, fire, end], [ALERT_BURN]),
          promql_expr_test: exact([
            sample(
              ruleRequests(3600),
              { ...svc, [LABEL_SLO_CLASS]: cls.name },
              model.requests(cls.name, fire, 3600),
              fire,
            ),
            sample(
              ruleErrorRatio(300),
              { ...svc, [LABEL_SLO_CLASS]: cls.name },
              model.errorRatio(cls.name, fire, 300),
              fire,
            ),
            sample(
              ruleBurnRate(3600),
              { ...svc, ...availability.labels },
              model.burnRate(availability, fire, 3600),
              fire,
            ),
          ]),
        });
        done = true;
        break;
      }
      if (!done) {
        // An objective so loose that this pair can never page (the Workbook's 90% example): record that
        // a full outage does not page through it, instead of pretending.
        const sc = buildClass(
          spec,
          plan,
          horizon,
          (t) =>
            t <= warmup
              ? { ok: RATE, errors: 0, errorVia: 'http', slow: undefined }
              : { ok: 0, errors: RATE, errorVia: 'http', slow: undefined },
          'js',
        );
        const model = new RuleModel(spec, sc.counters);
        tests.push({
          name: `${cls.name}: a full outage from minute ${warmup} never pages through the ${pairNames[pairIndex]!} pair (objective too loose for its factor)`,
          interval: '1m',
          input_series: sc.series,
          alert_rule_test: builder.alertTests(model, [warmup + 5, horizon], [ALERT_BURN]),
        });
      }
    }

    // Slow burn: a ticket, never a page (errors through gRPC, Prometheus 3 style `le`).
    if (!spec.alerting.ticket.disable) {
      let done = false;
      for (const warmup of [50, 70, 45]) {
        for (const m of [4, 3, 5, 2.5]) {
          const errors = Math.round(RATE * m * availability.budget);
          if (errors < 1 || errors >= RATE || done) continue;
          const horizon = warmup + 240;
          const sc = buildClass(
            spec,
            plan,
            horizon,
            (t) =>
              t <= warmup
                ? { ok: RATE, errors: 0, errorVia: 'rpc', slow: undefined }
                : { ok: RATE - errors, errors, errorVia: 'rpc', slow: undefined },
            'openmetrics',
          );
          const model = new RuleModel(spec, sc.counters);
          const fire = model.firstMinute(warmup + 1, horizon, (as) =>
            as.some((a) => isBurn(a, availability, 'ticket')),
          );
          if (fire === undefined) continue;
          const end = Math.min(horizon, fire + 30);
          if (!check(model, [fire - 1, fire, end], [ALERT_BURN])) continue;
          if (
            model.firstMinute(1, horizon, (as) => as.some((a) => isBurn(a, availability, 'page'))) !==
            undefined
          )
            continue;
          tests.push({
            name: `${cls.name}: slow burn (${formatNumber((errors / RATE) * 100)}% gRPC UNAVAILABLE from minute ${warmup}) opens a ticket at ${fire}m, not before, and does not page`,
            interval: '1m',
            input_series: sc.series,
            alert_rule_test: builder.alertTests(model, [fire - 1, fire, end], [ALERT_BURN]),
          });
          done = true;
        }
      }
      if (!done) throw new Error(`internal: no slow-burn scenario found for class ${cls.name}`);
    }

    // Latency regression: every request becomes slow at minute 60.
    {
      const lr = spec.alerting.latencyRegression;
      const names = [ALERT_LATENCY_REGRESSION, ALERT_BURN].filter((n) => builder.enabled(n));
      const latencyObjectives = cls.objectives.filter((o) => o.sli === 'latency');
      const horizon = WARMUP + 30;
      const sc = buildClass(
        spec,
        plan,
        horizon,
        (t) =>
          t <= WARMUP
            ? { ok: RATE, errors: 0, errorVia: 'http', slow: undefined }
            : { ok: RATE, errors: 0, errorVia: 'http', slow: { count: RATE, le: plan.slowLe } },
        'js',
      );
      const model = new RuleModel(spec, sc.counters);
      const regressionOn = builder.enabled(ALERT_LATENCY_REGRESSION);
      const fire = regressionOn
        ? model.firstMinute(WARMUP + 1, horizon, (as) =>
            as.some((a) => a.alertname === ALERT_LATENCY_REGRESSION),
          )
        : model.firstMinute(WARMUP + 1, horizon, (as) =>
            as.some((a) => latencyObjectives.some((o) => isBurn(a, o))),
          );
      if (fire !== undefined && names.length > 0) {
        if (!check(model, [fire - 1, fire], names))
          throw new Error(`internal: marginal latency scenario for class ${cls.name}`);
        const first = latencyObjectives[0];
        tests.push({
          name: `${cls.name}: latency regression (all requests ≤ ${formatNumber(plan.slowLe)}s from minute ${WARMUP}) ${regressionOn ? `fires ${ALERT_LATENCY_REGRESSION} at ${fire}m (p${formatNumber(lr.quantile * 100)} above ${formatNumber(lr.factor)}× baseline for ${formatDuration(lr.forSeconds)})` : `burns the latency budget at ${fire}m`}, not before`,
          interval: '1m',
          input_series: sc.series,
          alert_rule_test: builder.alertTests(model, [fire - 1, fire], names),
          ...(first === undefined
            ? {}
            : {
                promql_expr_test: exact([
                  sample(
                    ruleLatencySli(300),
                    {
                      ...svc,
                      [LABEL_SLO_CLASS]: cls.name,
                      [LABEL_SLO_THRESHOLD]: first.labels[LABEL_SLO_THRESHOLD]!,
                    },
                    model.latencySli(cls.name, first.thresholdSeconds!, fire, 300),
                    fire,
                  ),
                ]),
              }),
        });
      }
    }

    // Sustained slow tail: a share of requests above the threshold for `for`.
    if (builder.enabled(ALERT_LATENCY_SUSTAINED)) {
      const ls = spec.alerting.latencySustained;
      const horizon = WARMUP + 30;
      let done = false;
      for (const m of [5, 10, 3, 20]) {
        const slow = Math.round(RATE * m * (1 - ls.quantile));
        if (slow < 1 || slow >= RATE) continue;
        const sc = buildClass(
          spec,
          plan,
          horizon,
          (t) =>
            t <= WARMUP
              ? { ok: RATE, errors: 0, errorVia: 'http', slow: undefined }
              : { ok: RATE, errors: 0, errorVia: 'http', slow: { count: slow, le: Infinity } },
          'openmetrics',
        );
        const model = new RuleModel(spec, sc.counters);
        const fire = model.firstMinute(WARMUP + 1, horizon, (as) =>
          as.some((a) => a.alertname === ALERT_LATENCY_SUSTAINED),
        );
        if (fire === undefined || !check(model, [fire - 1, fire], [ALERT_LATENCY_SUSTAINED])) continue;
        tests.push({
          name: `${cls.name}: ${formatNumber((slow / RATE) * 100)}% of requests above ${formatNumber(ls.thresholdSeconds)}s from minute ${WARMUP} fires ${ALERT_LATENCY_SUSTAINED} at ${fire}m, not before (Prometheus 3 style le)`,
          interval: '1m',
          input_series: sc.series,
          alert_rule_test: builder.alertTests(model, [fire - 1, fire], [ALERT_LATENCY_SUSTAINED]),
        });
        done = true;
        break;
      }
      if (!done) throw new Error(`internal: no sustained-latency scenario found for class ${cls.name}`);
    }

    // Low traffic: one request a minute, then a burst of failed and slow requests.
    {
      const burstAt = WARMUP + 1;
      const unguarded = { ...spec, alerting: { ...spec.alerting, minRequests: 0 } } as SloSpec;
      let chosen: { sc: Scenario; horizon: number } | undefined;
      for (let k = 1; k <= 30 && chosen === undefined; k++) {
        const horizon = burstAt + 15;
        const sc = buildClass(
          spec,
          plan,
          horizon,
          (t) =>
            t === burstAt
              ? { ok: k + 1, errors: k, errorVia: 'http', slow: { count: k, le: Infinity } }
              : { ok: 1, errors: 0, errorVia: 'http', slow: undefined },
          'js',
        );
        const wouldPage = new RuleModel(unguarded, sc.counters).firstMinute(burstAt, horizon, (as) =>
          as.some((a) => isBurn(a, availability, 'page')),
        );
        if (wouldPage !== undefined) chosen = { sc, horizon };
      }
      if (chosen !== undefined) {
        const model = new RuleModel(spec, chosen.sc.counters);
        const names = [ALERT_BURN, ALERT_LATENCY_REGRESSION, ALERT_LATENCY_SUSTAINED].filter((n) =>
          builder.enabled(n),
        );
        const times = [burstAt, burstAt + 5, chosen.horizon];
        if (!check(model, times, names))
          throw new Error(`internal: marginal low-traffic scenario for class ${cls.name}`);
        tests.push({
          name: `${cls.name}: low traffic (1 request a minute, then a burst that would page without the guard) ${spec.alerting.minRequests > 0 ? `stays quiet: fewer than ${spec.alerting.minRequests} requests in every long window` : 'fires (no guard configured)'}`,
          interval: '1m',
          input_series: chosen.sc.series,
          alert_rule_test: builder.alertTests(model, times, names),
        });
      }
    }
  }

  // Healthy: every class within its objectives for three hours; nothing fires.
  {
    const horizon = 120;
    const sc = merge(
      ...spec.classes.map((c) =>
        buildClass(spec, plans.get(c.name)!, horizon, () => healthyMinute(plans.get(c.name)!), 'js'),
      ),
    );
    const model = new RuleModel(spec, sc.counters);
    const times = [30, 75, horizon];
    for (const t of times) {
      if (model.firing(t).alerts.length > 0)
        throw new Error(
          `internal: healthy scenario fires at ${t}m: ${JSON.stringify(model.firing(t).alerts)}`,
        );
    }
    const first = spec.classes[0]!;
    const o = first.objectives[0]!;
    const periodRatio = model.periodErrorRatio(first.name, horizon);
    tests.push({
      name: 'healthy: every class within its objectives for 2h, nothing fires; period SLI and budget are exact',
      interval: '1m',
      input_series: sc.series,
      alert_rule_test: builder.alertTests(model, times, allNames),
      promql_expr_test: exact([
        sample(
          RULE_ERROR_RATIO_PERIOD,
          { ...svc, [LABEL_SLO_CLASS]: first.name, [LABEL_SLO_PERIOD]: spec.period },
          periodRatio,
          horizon,
        ),
        sample(
          RULE_BUDGET_REMAINING,
          { ...svc, ...o.labels, [LABEL_SLO_PERIOD]: spec.period },
          1 - periodRatio / o.budget,
          horizon,
        ),
      ]),
    });
  }

  // Absent: only the first class has data; the others are reported after `absent.for`.
  if (builder.enabled(ALERT_ABSENT)) {
    const forMinutes = spec.alerting.absent.forSeconds / 60;
    const horizon = forMinutes + 10;
    const first = plans.get(spec.classes[0]!.name)!;
    const sc = buildClass(spec, first, horizon, () => healthyMinute(first), 'js');
    const model = new RuleModel(spec, sc.counters);
    tests.push({
      name: `absent data: classes without any series fire ${ALERT_ABSENT} after ${formatDuration(forMinutes * 60)}; ${first.cls.name} has data and does not`,
      interval: '1m',
      input_series: sc.series,
      alert_rule_test: builder.alertTests(model, [forMinutes - 1, forMinutes, horizon], [ALERT_ABSENT]),
    });
  }

  return {
    rule_files: [ruleFileName],
    evaluation_interval: '1m',
    group_eval_order: [groups.sli, groups.period, groups.alerts],
    tests,
  };
}
