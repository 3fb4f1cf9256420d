import { Document } from 'yaml';
import { formatDuration } from './duration.js';
import {
  GRPC_SERVER_ERROR_CODES,
  HTTP_ERROR_STATUS_REGEX,
  LABEL_ERROR_TYPE,
  LABEL_HTTP_STATUS,
  LABEL_RPC_GRPC_STATUS,
  LABEL_SEVERITY,
  LABEL_SLO_CLASS,
  LABEL_SLO_PERIOD,
  LABEL_SLO_SERVICE,
  LABEL_SLO_THRESHOLD,
  PROM_HTTP_SERVER_DURATION,
  PROM_RPC_SERVER_DURATION,
} from './names.js';
import { equalityMatchers, formatNumber, type LabelMatcher, leMatcher, selector } from './promql.js';
import {
  ALERT_ABSENT,
  ALERT_BURN,
  ALERT_LATENCY_REGRESSION,
  ALERT_LATENCY_SUSTAINED,
  RULE_BUDGET_REMAINING,
  RULE_BURN_RATE_PERIOD,
  RULE_ERROR_BUDGET,
  RULE_ERROR_RATIO_PERIOD,
  RULE_LATENCY_SLI_PERIOD,
  RULE_OBJECTIVE,
  ruleBurnRate,
  ruleErrorRatio,
  ruleErrors,
  ruleLatencyQuantile,
  ruleLatencySli,
  ruleRequests,
  ruleWithin,
} from './rule-names.js';
import type { SloObjective, SloSpec } from './spec.js';
import { burnRateWindows, SLI_WINDOWS_SECONDS, type BurnRateWindow } from './windows.js';

/** A Prometheus recording rule. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** A Prometheus alerting rule. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** A rule group. */
export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly (RecordingRule | AlertingRule)[];
}

/** A Prometheus rule file. */
export interface RuleFile {
  readonly groups: readonly RuleGroup[];
}

/** Quantiles recorded per class for dashboards (the regression alert's quantile is added). */
export const RECORDED_QUANTILES: readonly number[] = Object.freeze([0.5, 0.9, 0.99]);

/** Names of the generated rule groups, in evaluation order (the promtool tests pin this order). */
export function ruleGroupNames(spec: SloSpec): { sli: string; period: string; alerts: string } {
  return {
    sli: `trisignal-slo:${spec.service}:sli`,
    period: `trisignal-slo:${spec.service}:period`,
    alerts: `trisignal-slo:${spec.service}:alerts`,
  };
}

function matchers(spec: SloSpec, extra: readonly LabelMatcher[] = []): LabelMatcher[] {
  return [...equalityMatchers(spec.selector), ...extra];
}

function classMatcher(className: string): LabelMatcher {
  return { name: LABEL_SLO_CLASS, op: '=', value: className };
}

/** `sum by (…) (fn(http…[w]) or fn(rpc…[w]))`: HTTP and RPC series never share a label set, so `or` unions them. */
function bothKinds(
  fn: 'increase' | 'rate',
  suffix: '_count' | '_bucket',
  spec: SloSpec,
  windowSeconds: number,
  by: readonly string[],
  httpExtra: readonly LabelMatcher[][],
  rpcExtra: readonly LabelMatcher[][],
): string {
  const w = formatDuration(windowSeconds);
  const terms = [
    ...httpExtra.map(
      (extra) =>
        `${fn}(${selector(PROM_HTTP_SERVER_DURATION.prometheus + suffix, matchers(spec, extra))}[${w}])`,
    ),
    ...rpcExtra.map(
      (extra) =>
        `${fn}(${selector(PROM_RPC_SERVER_DURATION.prometheus + suffix, matchers(spec, extra))}[${w}])`,
    ),
  ];
  return `sum by (${by.join(', ')}) (${terms.join(' or ')})`;
}

function ownSeries(spec: SloSpec, name: string, labels: Readonly<Record<string, string>> = {}): string {
  return selector(name, equalityMatchers({ [LABEL_SLO_SERVICE]: spec.service, ...labels }));
}

function objectiveSelector(spec: SloSpec, name: string, o: SloObjective): string {
  return ownSeries(spec, name, o.labels);
}

/** The (class, threshold) pairs that need within-threshold series, per window. */
function latencyPairs(spec: SloSpec): { className: string; threshold: number; windows: readonly number[] }[] {
  const pairs = new Map<string, { className: string; threshold: number; windows: Set<number> }>();
  const add = (className: string, threshold: number, windows: readonly number[]): void => {
    const key = `${className}\u0000${threshold}`;
    let p = pairs.get(key);
    if (p === undefined) {
      p = { className, threshold, windows: new Set() };
      pairs.set(key, p);
    }
    for (const w of windows) p.windows.add(w);
  };
  for (const c of spec.classes) {
    for (const l of c.latency) add(c.name, l.thresholdSeconds, SLI_WINDOWS_SECONDS);
    if (!spec.alerting.latencySustained.disable)
      add(c.name, spec.alerting.latencySustained.thresholdSeconds, [300]);
  }
  return [...pairs.values()].map((p) => ({
    className: p.className,
    threshold: p.threshold,
    windows: [...p.windows].sort((a, b) => a - b),
  }));
}

function sliGroup(spec: SloSpec): RuleGroup {
  const rules: RecordingRule[] = [];
  const service = { [LABEL_SLO_SERVICE]: spec.service };
  const httpError: LabelMatcher[][] = [
    [{ name: LABEL_HTTP_STATUS, op: '=~', value: HTTP_ERROR_STATUS_REGEX }],
    [
      { name: LABEL_HTTP_STATUS, op: '=', value: '' },
      { name: LABEL_ERROR_TYPE, op: '!=', value: '' },
    ],
  ];
  const rpcError: LabelMatcher[][] = [
    [{ name: LABEL_RPC_GRPC_STATUS, op: '=~', value: GRPC_SERVER_ERROR_CODES.join('|') }],
  ];
  const pairs = latencyPairs(spec);
  for (const w of SLI_WINDOWS_SECONDS) {
    rules.push({
      record: ruleRequests(w),
      expr: bothKinds('increase', '_count', spec, w, [LABEL_SLO_CLASS], [[]], [[]]),
      labels: service,
    });
    // No failed series yet must read as 0 errors, not as no data: fill from the request count.
    rules.push({
      record: ruleErrors(w),
      expr: `${bothKinds('increase', '_count', spec, w, [LABEL_SLO_CLASS], httpError, rpcError)} or on (${LABEL_SLO_CLASS}) (0 * ${ownSeries(spec, ruleRequests(w))})`,
      labels: service,
    });
    rules.push({
      record: ruleErrorRatio(w),
      expr: `${ownSeries(spec, ruleErrors(w))} / ${ownSeries(spec, ruleRequests(w))}`,
      labels: service,
    });
    for (const p of pairs) {
      if (!p.windows.includes(w)) continue;
      // The class is a static label too, so no two rules share a name and label set (promtool lint).
      const labels = {
        ...service,
        [LABEL_SLO_CLASS]: p.className,
        [LABEL_SLO_THRESHOLD]: formatNumber(p.threshold),
      };
      const extra = [classMatcher(p.className), leMatcher(p.threshold)];
      rules.push({
        record: ruleWithin(w),
        expr: bothKinds('increase', '_bucket', spec, w, [LABEL_SLO_CLASS], [extra], [extra]),
        labels,
      });
      rules.push({
        record: ruleLatencySli(w),
        expr: `${ownSeries(spec, ruleWithin(w), { [LABEL_SLO_CLASS]: p.className, [LABEL_SLO_THRESHOLD]: formatNumber(p.threshold) })} / ignoring (${LABEL_SLO_THRESHOLD}) ${ownSeries(spec, ruleRequests(w), { [LABEL_SLO_CLASS]: p.className })}`,
        labels,
      });
    }
  }
  for (const q of recordedQuantiles(spec)) {
    rules.push({
      record: ruleLatencyQuantile(q),
      expr: `histogram_quantile(${formatNumber(q)}, ${bothKinds('rate', '_bucket', spec, 300, [LABEL_SLO_CLASS, 'le'], [[]], [[]])})`,
      labels: service,
    });
  }
  for (const w of SLI_WINDOWS_SECONDS) {
    for (const o of spec.objectives) {
      const bad =
        o.sli === 'availability'
          ? ownSeries(spec, ruleErrorRatio(w), { [LABEL_SLO_CLASS]: o.className })
          : `(1 - ${ownSeries(spec, ruleLatencySli(w), { [LABEL_SLO_CLASS]: o.className, [LABEL_SLO_THRESHOLD]: o.labels[LABEL_SLO_THRESHOLD]! })})`;
      rules.push({
        record: ruleBurnRate(w),
        expr: `${bad} / ${formatNumber(o.budget)}`,
        labels: { ...service, ...o.labels },
      });
    }
  }
  return { name: ruleGroupNames(spec).sli, rules };
}

/** Quantiles recorded per class: p50, p90, p99 and the regression alert's. */
export function recordedQuantiles(spec: SloSpec): number[] {
  const qs = new Set(RECORDED_QUANTILES);
  if (!spec.alerting.latencyRegression.disable) qs.add(spec.alerting.latencyRegression.quantile);
  return [...qs].sort((a, b) => a - b);
}

function periodGroup(spec: SloSpec): RuleGroup {
  const rules: RecordingRule[] = [];
  const p = spec.period;
  const service = { [LABEL_SLO_SERVICE]: spec.service };
  const periodLabels = { ...service, [LABEL_SLO_PERIOD]: p };
  // Exact over the period: sums of recorded numerators over sums of denominators (traffic-weighted),
  // never an average of 5m ratios.
  rules.push({
    record: RULE_ERROR_RATIO_PERIOD,
    expr: `sum_over_time(${ownSeries(spec, ruleErrors(300))}[${p}]) / sum_over_time(${ownSeries(spec, ruleRequests(300))}[${p}])`,
    labels: periodLabels,
  });
  for (const o of spec.objectives) {
    if (o.sli !== 'latency') continue;
    rules.push({
      record: RULE_LATENCY_SLI_PERIOD,
      expr: `sum_over_time(${ownSeries(spec, ruleWithin(300), { [LABEL_SLO_CLASS]: o.className, [LABEL_SLO_THRESHOLD]: o.labels[LABEL_SLO_THRESHOLD]! })}[${p}]) / ignoring (${LABEL_SLO_THRESHOLD}) sum_over_time(${ownSeries(spec, ruleRequests(300), { [LABEL_SLO_CLASS]: o.className })}[${p}])`,
      labels: { ...periodLabels, [LABEL_SLO_THRESHOLD]: o.labels[LABEL_SLO_THRESHOLD]! },
    });
  }
  for (const o of spec.objectives) {
    const bad =
      o.sli === 'availability'
        ? ownSeries(spec, RULE_ERROR_RATIO_PERIOD, { [LABEL_SLO_CLASS]: o.className, [LABEL_SLO_PERIOD]: p })
        : `(1 - ${ownSeries(spec, RULE_LATENCY_SLI_PERIOD, { [LABEL_SLO_CLASS]: o.className, [LABEL_SLO_PERIOD]: p, [LABEL_SLO_THRESHOLD]: o.labels[LABEL_SLO_THRESHOLD]! })})`;
    rules.push({
      record: RULE_BURN_RATE_PERIOD,
      expr: `${bad} / ${formatNumber(o.budget)}`,
      labels: { ...periodLabels, ...o.labels },
    });
  }
  for (const o of spec.objectives) {
    rules.push({
      record: RULE_BUDGET_REMAINING,
      expr: `1 - ${ownSeries(spec, RULE_BURN_RATE_PERIOD, { ...o.labels, [LABEL_SLO_PERIOD]: p })}`,
      labels: { ...periodLabels, ...o.labels },
    });
  }
  for (const o of spec.objectives) {
    rules.push({
      record: RULE_OBJECTIVE,
      expr: `vector(${formatNumber(o.target)})`,
      labels: { ...periodLabels, ...o.labels },
    });
    rules.push({
      record: RULE_ERROR_BUDGET,
      expr: `vector(${formatNumber(o.budget)})`,
      labels: { ...periodLabels, ...o.labels },
    });
  }
  return { name: ruleGroupNames(spec).period, rules };
}

function severityOf(spec: SloSpec, severity: 'page' | 'ticket'): SloSpec['alerting']['page'] {
  return severity === 'page' ? spec.alerting.page : spec.alerting.ticket;
}

function alertLabels(
  spec: SloSpec,
  severity: 'page' | 'ticket',
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return sortKeys({
    ...spec.labels,
    ...severityOf(spec, severity).labels,
    ...extra,
    [LABEL_SEVERITY]: severity,
  });
}

function alertAnnotations(
  spec: SloSpec,
  severity: 'page' | 'ticket',
  defaults: Record<string, string>,
): Record<string, string> {
  return sortKeys({ ...defaults, ...severityOf(spec, severity).annotations });
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k]!;
  return out;
}

function describeObjective(o: SloObjective): string {
  return o.sli === 'availability'
    ? `availability ${formatNumber(o.target * 100)}%`
    : `latency ${formatNumber(o.target * 100)}% within ${formatNumber(o.thresholdSeconds!)}s`;
}

function burnCondition(spec: SloSpec, o: SloObjective, w: BurnRateWindow): string {
  const factor = formatNumber(w.factor);
  const parts = [
    `${objectiveSelector(spec, ruleBurnRate(w.longSeconds), o)} > ${factor}`,
    `${objectiveSelector(spec, ruleBurnRate(w.shortSeconds), o)} > ${factor}`,
  ];
  if (spec.alerting.minRequests > 0) {
    parts.push(
      `on (${LABEL_SLO_SERVICE}, ${LABEL_SLO_CLASS}) ${ownSeries(spec, ruleRequests(w.longSeconds), { [LABEL_SLO_CLASS]: o.className })} >= ${spec.alerting.minRequests}`,
    );
  }
  return `(\n  ${parts.join('\n  and ')}\n)`;
}

function alertsGroup(spec: SloSpec): RuleGroup {
  const rules: AlertingRule[] = [];
  const windows = burnRateWindows(spec.periodSeconds);
  for (const o of spec.objectives) {
    for (const severity of ['page', 'ticket'] as const) {
      if (severityOf(spec, severity).disable) continue;
      const pairs = windows.filter((w) => w.severity === severity);
      const speeds = pairs.map((w) => `${formatNumber(w.factor)}× (${w.long} and ${w.short})`).join(' or ');
      rules.push({
        alert: ALERT_BURN,
        expr: pairs.map((w) => burnCondition(spec, o, w)).join('\nor\n'),
        labels: alertLabels(spec, severity, { [LABEL_SLO_SERVICE]: spec.service, ...o.labels }),
        annotations: alertAnnotations(spec, severity, {
          summary: `${spec.service} ${o.className} ${describeObjective(o)}: error budget burning ${severity === 'page' ? 'fast' : 'steadily'}`,
          description: `Class ${o.className} of ${spec.service} spends the ${spec.period} error budget of its ${describeObjective(o)} objective at more than ${speeds} the sustainable rate.`,
        }),
      });
    }
  }
  const lr = spec.alerting.latencyRegression;
  if (!lr.disable && !severityOf(spec, lr.severity).disable) {
    const name = ruleLatencyQuantile(lr.quantile);
    const guard =
      spec.alerting.minRequests > 0
        ? `\nand on (${LABEL_SLO_SERVICE}, ${LABEL_SLO_CLASS}) ${ownSeries(spec, ruleRequests(300))} >= ${spec.alerting.minRequests}`
        : '';
    rules.push({
      alert: ALERT_LATENCY_REGRESSION,
      expr: `${ownSeries(spec, name)}\n  > ${formatNumber(lr.factor)} * quantile_over_time(0.5, ${ownSeries(spec, name)}[${formatDuration(lr.baselineWindowSeconds)}] offset ${formatDuration(lr.baselineOffsetSeconds)})${guard}`,
      for: formatDuration(lr.forSeconds),
      labels: alertLabels(spec, lr.severity),
      annotations: alertAnnotations(spec, lr.severity, {
        summary: `${spec.service} {{ $labels.${LABEL_SLO_CLASS} }}: p${formatNumber(lr.quantile * 100)} latency above ${formatNumber(lr.factor)}× its baseline`,
        description: `The 5m p${formatNumber(lr.quantile * 100)} latency of class {{ $labels.${LABEL_SLO_CLASS} }} has been above ${formatNumber(lr.factor)}× its median over ${formatDuration(lr.baselineWindowSeconds)} (ending ${formatDuration(lr.baselineOffsetSeconds)} ago) for ${formatDuration(lr.forSeconds)}.`,
      }),
    });
  }
  const ls = spec.alerting.latencySustained;
  if (!ls.disable && !severityOf(spec, ls.severity).disable) {
    const guard =
      spec.alerting.minRequests > 0
        ? `\nand on (${LABEL_SLO_SERVICE}, ${LABEL_SLO_CLASS}) ${ownSeries(spec, ruleRequests(300))} >= ${spec.alerting.minRequests}`
        : '';
    rules.push({
      alert: ALERT_LATENCY_SUSTAINED,
      expr: `(1 - ${ownSeries(spec, ruleLatencySli(300), { [LABEL_SLO_THRESHOLD]: formatNumber(ls.thresholdSeconds) })}) > ${formatNumber(1 - ls.quantile)}${guard}`,
      for: formatDuration(ls.forSeconds),
      labels: alertLabels(spec, ls.severity),
      annotations: alertAnnotations(spec, ls.severity, {
        summary: `${spec.service} {{ $labels.${LABEL_SLO_CLASS} }}: p${formatNumber(ls.quantile * 100)} latency above ${formatNumber(ls.thresholdSeconds)}s`,
        description: `More than ${formatNumber((1 - ls.quantile) * 100)}% of the requests of class {{ $labels.${LABEL_SLO_CLASS} }} took longer than ${formatNumber(ls.thresholdSeconds)}s for ${formatDuration(ls.forSeconds)}.`,
      }),
    });
  }
  const ab = spec.alerting.absent;
  if (!ab.disable && !severityOf(spec, ab.severity).disable) {
    for (const c of spec.classes) {
      const cls = [classMatcher(c.name)];
      rules.push({
        alert: ALERT_ABSENT,
        expr: `absent(${selector(PROM_HTTP_SERVER_DURATION.prometheus + '_count', matchers(spec, cls))})\nand absent(${selector(PROM_RPC_SERVER_DURATION.prometheus + '_count', matchers(spec, cls))})`,
        for: formatDuration(ab.forSeconds),
        labels: alertLabels(spec, ab.severity, {
          [LABEL_SLO_SERVICE]: spec.service,
          [LABEL_SLO_CLASS]: c.name,
        }),
        annotations: alertAnnotations(spec, ab.severity, {
          summary: `${spec.service} ${c.name}: no request data`,
          description: `No HTTP or RPC server duration series of class ${c.name} for ${formatDuration(ab.forSeconds)}: the SLO of this class cannot be evaluated.`,
        }),
      });
    }
  }
  return { name: ruleGroupNames(spec).alerts, rules };
}

/** Generates the recording and alerting rules of a spec (deterministic: same spec, same rules). */
export function generateRules(spec: SloSpec): RuleFile {
  return { groups: [sliGroup(spec), periodGroup(spec), alertsGroup(spec)] };
}

/** Renders a rule file as YAML with a generated-file header. */
export function renderRules(file: RuleFile, header?: string): string {
  return renderYaml(file, header);
}

/** Deterministic YAML: keys in insertion order, no line folding, block scalars for multi-line strings. */
export function renderYaml(value: unknown, header?: string): string {
  const doc = new Document(value, { keepUndefined: false, aliasDuplicateObjects: false });
  if (header !== undefined) doc.commentBefore = header;
  return doc.toString({ lineWidth: 0, minContentWidth: 0, indentSeq: true });
}
