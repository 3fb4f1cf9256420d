import type { Attributes, BatchObservableCallback, Counter, Meter, Observable } from '@opentelemetry/api';
import { ATTR_SLO_CLASS } from '@trisignal/core';
import {
  ATTR_SLO_BREAKER_STATE,
  ATTR_SLO_HEALTH_COMPONENT,
  ATTR_SLO_QUANTILE,
  ATTR_SLO_SHED_REASON,
  ATTR_SLO_SLI,
  ATTR_SLO_THRESHOLD,
  ATTR_SLO_WINDOW,
  METRIC_SLO_ADMISSION_ERRORS,
  METRIC_SLO_BREAKER_STATE,
  METRIC_SLO_BREAKER_TRANSITIONS,
  METRIC_SLO_BURN_RATE,
  METRIC_SLO_ERROR_BUDGET_REMAINING,
  METRIC_SLO_HEALTH_COMPONENT,
  METRIC_SLO_HEALTH_SCORE,
  METRIC_SLO_LATENCY_BASELINE,
  METRIC_SLO_LATENCY_QUANTILE,
  METRIC_SLO_SHED,
  METRIC_SLO_SHED_PROBABILITY,
  METRIC_SLO_SKIPPED_SERIES,
} from './semconv.js';
import { formatNumber } from './promql.js';

/** What the evaluator gauges read at collection time (a subset of the evaluator snapshot). */
export interface EvaluatorGaugeState {
  readonly classes: readonly {
    readonly className: string;
    readonly latency: { readonly quantile: number; readonly value: number; readonly baseline: number };
    readonly objectives: readonly {
      readonly objective: { readonly sli: string; readonly thresholdSeconds: number | undefined };
      readonly burnRates: readonly { readonly window: string; readonly value: number }[];
      readonly budgetRemaining: number;
    }[];
  }[];
}

/** What the admission gauges read at collection time. */
export interface AdmissionGaugeState {
  readonly health: number;
  readonly components: Readonly<Record<'latency' | 'errors' | 'saturation' | 'traffic', number>>;
  /** 0 closed, 1 half-open, 2 open. */
  readonly breakerState: number;
  readonly classes: readonly string[];
  readonly shedProbability: ArrayLike<number>;
  readonly reasons: readonly string[];
  /** Shed count of class `c` and reason `r`. */
  shedCount(classIndex: number, reasonIndex: number): number;
}

/**
 * Self-metrics of the slo package. Without a `Meter` every method is a no-op. Gauges are observable
 * (read at collection time), so `admit()` never touches an instrument.
 */
export class SloMetrics {
  readonly #meter: Meter | undefined;
  readonly #callbacks: { callback: BatchObservableCallback; observables: Observable[] }[] = [];
  readonly #transitions: Counter | undefined;
  readonly #skipped: Counter | undefined;
  readonly #admissionErrors: Counter | undefined;

  constructor(meter: Meter | undefined) {
    this.#meter = meter;
    this.#transitions = meter?.createCounter(METRIC_SLO_BREAKER_TRANSITIONS, {
      description: 'Breaker state changes, by the state entered.',
      unit: '{transition}',
    });
    this.#skipped = meter?.createCounter(METRIC_SLO_SKIPPED_SERIES, {
      description: 'Recorder series whose bucket layout differs from the spec (latency quantiles skip them).',
      unit: '{series}',
    });
    this.#admissionErrors = meter?.createCounter(METRIC_SLO_ADMISSION_ERRORS, {
      description: 'admit() calls that failed internally and admitted by default.',
      unit: '{call}',
    });
  }

  /** Exports burn rates, budget remaining and the latency quantile and baseline of a live evaluator. */
  bindEvaluator(read: () => EvaluatorGaugeState): void {
    const meter = this.#meter;
    if (meter === undefined) return;
    const burn = meter.createObservableGauge(METRIC_SLO_BURN_RATE, {
      description: 'Error-budget burn rate over a rolling window.',
      unit: '1',
    });
    const budget = meter.createObservableGauge(METRIC_SLO_ERROR_BUDGET_REMAINING, {
      description:
        'Share of the period error budget left (since process start when younger than the period).',
      unit: '1',
    });
    const quantile = meter.createObservableGauge(METRIC_SLO_LATENCY_QUANTILE, {
      description: 'Live latency quantile of a class.',
      unit: 's',
    });
    const baseline = meter.createObservableGauge(METRIC_SLO_LATENCY_BASELINE, {
      description: 'Baseline (median) of the latency quantile.',
      unit: 's',
    });
    this.#register(
      (result) => {
        for (const c of read().classes) {
          const classAttrs = { [ATTR_SLO_CLASS]: c.className };
          const q = { ...classAttrs, [ATTR_SLO_QUANTILE]: formatNumber(c.latency.quantile) };
          if (!Number.isNaN(c.latency.value)) result.observe(quantile, c.latency.value, q);
          if (!Number.isNaN(c.latency.baseline)) result.observe(baseline, c.latency.baseline, q);
          for (const o of c.objectives) {
            const attrs: Attributes = { ...classAttrs, [ATTR_SLO_SLI]: o.objective.sli };
            if (o.objective.thresholdSeconds !== undefined)
              attrs[ATTR_SLO_THRESHOLD] = formatNumber(o.objective.thresholdSeconds);
            if (Number.isFinite(o.budgetRemaining)) result.observe(budget, o.budgetRemaining, attrs);
            for (const b of o.burnRates) {
              if (Number.isFinite(b.value))
                result.observe(burn, b.value, { ...attrs, [ATTR_SLO_WINDOW]: b.window });
            }
          }
        }
      },
      [burn, budget, quantile, baseline],
    );
  }

  /** Exports the health score, its components, the breaker state and shedding of an admission controller. */
  bindAdmission(read: () => AdmissionGaugeState): void {
    const meter = this.#meter;
    if (meter === undefined) return;
    const score = meter.createObservableGauge(METRIC_SLO_HEALTH_SCORE, {
      description: 'Health score from latency, errors, saturation and traffic (1 = healthy).',
      unit: '1',
    });
    const component = meter.createObservableGauge(METRIC_SLO_HEALTH_COMPONENT, {
      description: 'One component of the health score (1 = healthy).',
      unit: '1',
    });
    const state = meter.createObservableGauge(METRIC_SLO_BREAKER_STATE, {
      description: 'Breaker state: 0 closed, 1 half-open, 2 open.',
      unit: '{state}',
    });
    const probability = meter.createObservableGauge(METRIC_SLO_SHED_PROBABILITY, {
      description: 'Probability that a request of the class is shed.',
      unit: '1',
    });
    const shed = meter.createObservableCounter(METRIC_SLO_SHED, {
      description: 'Requests shed, by class and reason.',
      unit: '{request}',
    });
    this.#register(
      (result) => {
        const s = read();
        result.observe(score, s.health);
        for (const [name, value] of Object.entries(s.components))
          result.observe(component, value, { [ATTR_SLO_HEALTH_COMPONENT]: name });
        result.observe(state, s.breakerState);
        s.classes.forEach((cls, c) => {
          result.observe(probability, s.shedProbability[c]!, { [ATTR_SLO_CLASS]: cls });
          s.reasons.forEach((reason, r) => {
            const n = s.shedCount(c, r);
            if (n > 0) result.observe(shed, n, { [ATTR_SLO_CLASS]: cls, [ATTR_SLO_SHED_REASON]: reason });
          });
        });
      },
      [score, component, state, probability, shed],
    );
  }

  #register(callback: BatchObservableCallback, observables: Observable[]): void {
    this.#meter!.addBatchObservableCallback(callback, observables);
    this.#callbacks.push({ callback, observables });
  }

  /** Counts one breaker transition. */
  recordTransition(to: 'closed' | 'open' | 'half_open'): void {
    this.#transitions?.add(1, { [ATTR_SLO_BREAKER_STATE]: to });
  }

  addSkippedSeries(n: number): void {
    this.#skipped?.add(n);
  }

  addAdmissionError(): void {
    this.#admissionErrors?.add(1);
  }

  /** Removes the observable callbacks. */
  shutdown(): void {
    for (const { callback, observables } of this.#callbacks.splice(0))
      this.#meter?.removeBatchObservableCallback(callback, observables);
  }
}
