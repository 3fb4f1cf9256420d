/**
 * A minute-by-minute model of the generated rules on synthetic counters, with Prometheus 2.42 semantics
 * for samples and evaluations aligned on whole minutes (closed range selectors, no extrapolation, groups
 * evaluated in file order). The promtool test generator uses it to predict which alerts fire when; the
 * real promtool then checks the prediction against the real rules, so the model and the rules check
 * each other.
 */
import { histogramQuantile, quantileOf } from './histogram-quantile.js';
import { formatNumber } from './promql.js';
import {
  LABEL_SEVERITY,
  LABEL_SLO_CLASS,
  LABEL_SLO_SERVICE,
  LABEL_SLO_SLI,
  LABEL_SLO_THRESHOLD,
} from './names.js';
import { ALERT_ABSENT, ALERT_BURN, ALERT_LATENCY_REGRESSION, ALERT_LATENCY_SUSTAINED } from './rule-names.js';
import type { SloObjective, SloSpec } from './spec.js';
import { burnRateWindows } from './windows.js';

/** Cumulative counters of one class, one value per minute (index = minute). */
export interface ClassCounters {
  readonly className: string;
  readonly requests: readonly number[];
  readonly errors: readonly number[];
  /** Cumulative count of requests at or below each bucket boundary (`Infinity` = all). */
  readonly buckets: ReadonlyMap<number, readonly number[]>;
}

/** A firing alert as promtool lists it: labels (without `alertname`) and expanded annotations. */
export interface FiringAlert {
  readonly alertname: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** A boolean with a flag saying that a comparison behind it was within 2% of its threshold. */
interface Verdict {
  readonly v: boolean;
  readonly m: boolean;
}

const MARGIN = 0.02;

function cmp(lhs: number, op: '>' | '>=', rhs: number): Verdict {
  if (Number.isNaN(lhs)) return { v: false, m: false };
  const v = op === '>' ? lhs > rhs : lhs >= rhs;
  const scale = Math.max(Math.abs(rhs), 1e-12);
  return { v, m: Math.abs(lhs - rhs) / scale < MARGIN };
}

function and(...vs: Verdict[]): Verdict {
  const v = vs.every((x) => x.v);
  const m = v ? vs.some((x) => x.m) : vs.filter((x) => !x.v).every((x) => x.m);
  return { v, m };
}

function or(...vs: Verdict[]): Verdict {
  const v = vs.some((x) => x.v);
  const m = v ? vs.filter((x) => x.v).every((x) => x.m) : vs.some((x) => x.m);
  return { v, m };
}

/** Evaluates the spec's alert rules minute by minute over synthetic counters. */
export class RuleModel {
  readonly #spec: SloSpec;
  readonly #classes: ReadonlyMap<string, ClassCounters>;
  readonly #minutes: number;
  readonly #quantileCache = new Map<string, number>();

  constructor(spec: SloSpec, counters: readonly ClassCounters[]) {
    this.#spec = spec;
    this.#classes = new Map(counters.map((c) => [c.className, c]));
    this.#minutes = Math.min(...counters.map((c) => c.requests.length - 1), Infinity);
  }

  get minutes(): number {
    return this.#minutes;
  }

  /** `increase(x[w])` at minute t: undefined before two samples exist. */
  increase(values: readonly number[], t: number, windowSeconds: number): number | undefined {
    if (t < 1 || t >= values.length) return undefined;
    return values[t]! - values[Math.max(0, t - windowSeconds / 60)]!;
  }

  #inc(c: ClassCounters, which: 'requests' | 'errors', t: number, w: number): number {
    return this.increase(c[which], t, w) ?? NaN;
  }

  #within(c: ClassCounters, threshold: number, t: number, w: number): number {
    const arr = c.buckets.get(threshold);
    return arr === undefined ? NaN : (this.increase(arr, t, w) ?? NaN);
  }

  /** `trisignal_slo:error_ratio:ratio<w>` of a class. */
  errorRatio(className: string, t: number, w: number): number {
    const c = this.#classes.get(className);
    if (c === undefined) return NaN;
    return this.#inc(c, 'errors', t, w) / this.#inc(c, 'requests', t, w);
  }

  /** `trisignal_slo:latency_sli:ratio<w>`. */
  latencySli(className: string, threshold: number, t: number, w: number): number {
    const c = this.#classes.get(className);
    if (c === undefined) return NaN;
    return this.#within(c, threshold, t, w) / this.#inc(c, 'requests', t, w);
  }

  /** `trisignal_slo:burn_rate:ratio<w>` of an objective. */
  burnRate(o: SloObjective, t: number, w: number): number {
    const bad =
      o.sli === 'availability'
        ? this.errorRatio(o.className, t, w)
        : 1 - this.latencySli(o.className, o.thresholdSeconds!, t, w);
    return bad / o.budget;
  }

  requests(className: string, t: number, w: number): number {
    const c = this.#classes.get(className);
    return c === undefined ? NaN : this.#inc(c, 'requests', t, w);
  }

  /** Period error ratio: sums of recorded 5m increases (one sample per minute from t=1). */
  periodErrorRatio(className: string, t: number): number {
    const c = this.#classes.get(className);
    if (c === undefined) return NaN;
    let e = 0;
    let r = 0;
    const first = Math.max(1, t - this.#spec.periodSeconds / 60);
    for (let s = first; s <= t; s++) {
      e += this.#inc(c, 'errors', s, 300);
      r += this.#inc(c, 'requests', s, 300);
    }
    return e / r;
  }

  /** `trisignal_slo:latency_pNN:rate5m` of a class. */
  latencyQuantile(className: string, q: number, t: number): number {
    const key = `${className}\u0000${q}\u0000${t}`;
    const hit = this.#quantileCache.get(key);
    if (hit !== undefined) return hit;
    const c = this.#classes.get(className);
    let value = NaN;
    if (c !== undefined && t >= 1) {
      const buckets = [...c.buckets.entries()].map(([le, arr]) => ({
        le,
        count: (this.increase(arr, t, 300) ?? 0) / 300,
      }));
      value = histogramQuantile(q, buckets);
    }
    this.#quantileCache.set(key, value);
    return value;
  }

  #guard(className: string, t: number, w: number): Verdict {
    if (this.#spec.alerting.minRequests <= 0) return { v: true, m: false };
    return cmp(this.requests(className, t, w), '>=', this.#spec.alerting.minRequests);
  }

  /** The burn-rate alert condition of an objective and severity at minute t. */
  burnCondition(o: SloObjective, severity: 'page' | 'ticket', t: number): Verdict {
    const pairs = burnRateWindows(this.#spec.periodSeconds).filter((w) => w.severity === severity);
    return or(
      ...pairs.map((w) =>
        and(
          cmp(this.burnRate(o, t, w.longSeconds), '>', w.factor),
          cmp(this.burnRate(o, t, w.shortSeconds), '>', w.factor),
          this.#guard(o.className, t, w.longSeconds),
        ),
      ),
    );
  }

  /** Which window pairs of a severity hold at minute t, in Workbook order (page: 1h/5m, 6h/30m). */
  pairsHolding(o: SloObjective, severity: 'page' | 'ticket', t: number): boolean[] {
    const pairs = burnRateWindows(this.#spec.periodSeconds).filter((w) => w.severity === severity);
    return pairs.map(
      (w) =>
        and(
          cmp(this.burnRate(o, t, w.longSeconds), '>', w.factor),
          cmp(this.burnRate(o, t, w.shortSeconds), '>', w.factor),
          this.#guard(o.className, t, w.longSeconds),
        ).v,
    );
  }

  regressionCondition(className: string, t: number): Verdict {
    const lr = this.#spec.alerting.latencyRegression;
    const now = this.latencyQuantile(className, lr.quantile, t);
    const end = t - lr.baselineOffsetSeconds / 60;
    const start = end - lr.baselineWindowSeconds / 60;
    const samples: number[] = [];
    // Every evaluation from t=1 on records a sample, NaN when the 5m window holds no request.
    for (let s = Math.max(1, start); s <= end; s++)
      samples.push(this.latencyQuantile(className, lr.quantile, s));
    if (samples.length === 0 || Number.isNaN(now)) return { v: false, m: false };
    const baseline = quantileOf(0.5, samples);
    return and(cmp(now, '>', lr.factor * baseline), this.#guard(className, t, 300));
  }

  sustainedCondition(className: string, t: number): Verdict {
    const ls = this.#spec.alerting.latencySustained;
    const slow = 1 - this.latencySli(className, ls.thresholdSeconds, t, 300);
    return and(cmp(slow, '>', Number(formatNumber(1 - ls.quantile))), this.#guard(className, t, 300));
  }

  #held(cond: (t: number) => Verdict, t: number, forSeconds: number): Verdict {
    const forMinutes = forSeconds / 60;
    if (t - forMinutes < 0) return { v: false, m: false };
    const vs: Verdict[] = [];
    for (let s = t - forMinutes; s <= t; s++) vs.push(cond(s));
    return and(...vs);
  }

  /** Every alert firing at minute t, with the labels promtool reports, and whether any verdict was marginal. */
  firing(t: number): { alerts: FiringAlert[]; marginal: Set<string> } {
    const spec = this.#spec;
    const alerts: FiringAlert[] = [];
    const marginal = new Set<string>();
    const severityCfg = (s: 'page' | 'ticket'): SloSpec['alerting']['page'] =>
      s === 'page' ? spec.alerting.page : spec.alerting.ticket;
    const base = (severity: 'page' | 'ticket', extra: Record<string, string>): Record<string, string> =>
      sortKeys({ ...spec.labels, ...severityCfg(severity).labels, ...extra, [LABEL_SEVERITY]: severity });
    for (const o of spec.objectives) {
      for (const severity of ['page', 'ticket'] as const) {
        if (severityCfg(severity).disable) continue;
        const v = this.burnCondition(o, severity, t);
        if (v.m) marginal.add(ALERT_BURN);
        if (v.v)
          alerts.push({
            alertname: ALERT_BURN,
            labels: base(severity, { [LABEL_SLO_SERVICE]: spec.service, ...o.labels }),
          });
      }
    }
    const lr = spec.alerting.latencyRegression;
    if (!lr.disable && !severityCfg(lr.severity).disable) {
      for (const c of spec.classes) {
        if (!this.#classes.has(c.name)) continue;
        const v = this.#held((s) => this.regressionCondition(c.name, s), t, lr.forSeconds);
        if (v.m) marginal.add(ALERT_LATENCY_REGRESSION);
        if (v.v) {
          alerts.push({
            alertname: ALERT_LATENCY_REGRESSION,
            labels: base(lr.severity, { [LABEL_SLO_SERVICE]: spec.service, [LABEL_SLO_CLASS]: c.name }),
          });
        }
      }
    }
    const ls = spec.alerting.latencySustained;
    if (!ls.disable && !severityCfg(ls.severity).disable) {
      for (const c of spec.classes) {
        if (!this.#classes.has(c.name)) continue;
        const v = this.#held((s) => this.sustainedCondition(c.name, s), t, ls.forSeconds);
        if (v.m) marginal.add(ALERT_LATENCY_SUSTAINED);
        if (v.v) {
          alerts.push({
            alertname: ALERT_LATENCY_SUSTAINED,
            labels: base(ls.severity, {
              [LABEL_SLO_SERVICE]: spec.service,
              [LABEL_SLO_CLASS]: c.name,
              [LABEL_SLO_THRESHOLD]: formatNumber(ls.thresholdSeconds),
            }),
          });
        }
      }
    }
    const ab = spec.alerting.absent;
    if (!ab.disable && !severityCfg(ab.severity).disable) {
      for (const c of spec.classes) {
        if (this.#classes.has(c.name) || t < ab.forSeconds / 60) continue;
        alerts.push({
          alertname: ALERT_ABSENT,
          labels: base(ab.severity, {
            ...spec.selector,
            [LABEL_SLO_SERVICE]: spec.service,
            [LABEL_SLO_CLASS]: c.name,
          }),
        });
      }
    }
    return { alerts, marginal };
  }

  /** First minute in [from, to] where `predicate` holds on the firing alerts, or undefined. */
  firstMinute(from: number, to: number, predicate: (alerts: FiringAlert[]) => boolean): number | undefined {
    for (let t = from; t <= Math.min(to, this.#minutes); t++) if (predicate(this.firing(t).alerts)) return t;
    return undefined;
  }
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k]!;
  return out;
}

/** The label set of a burn-rate series of an objective (for promql_expr_test). */
export function objectiveSeriesLabels(spec: SloSpec, o: SloObjective): Record<string, string> {
  return sortKeys({ [LABEL_SLO_SERVICE]: spec.service, ...o.labels, [LABEL_SLO_SLI]: o.sli });
}
