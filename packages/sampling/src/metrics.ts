import {
  type BatchObservableCallback,
  type Meter,
  type Observable,
  type ObservableCounter,
  type ObservableGauge,
  type ObservableUpDownCounter,
} from '@opentelemetry/api';
import { type Observability } from '@trisignal/core';
import { type DecisionCounts } from './internal/decision-counts.js';
import {
  ATTR_SAMPLER,
  ATTR_SAMPLING_KEY,
  ATTR_SAMPLING_OUTCOME,
  ATTR_SAMPLING_TAIL_BOUND,
  METRIC_SAMPLING_ADAPTIVE_KEYS,
  METRIC_SAMPLING_ADAPTIVE_KEYS_REFUSED,
  METRIC_SAMPLING_DECISIONS,
  METRIC_SAMPLING_PROBABILITY,
  METRIC_SAMPLING_TAIL_BUFFER_SIZE,
  METRIC_SAMPLING_TAIL_BUFFER_SPANS,
  METRIC_SAMPLING_TAIL_BUFFER_TRACES,
  METRIC_SAMPLING_TAIL_EVICTIONS,
  METRIC_SAMPLING_TAIL_LATE_SPANS,
} from './semconv.js';
import { VERSION } from './version.js';

/** Instrumentation scope of the meter `onInit` takes from `obs.meterProvider`. */
const SCOPE = '@trisignal/sampling';

/**
 * Self-metrics of the samplers and tail processors that share it. Every instrument is observable and
 * reads counters the components keep anyway, so counting costs nothing on the hot path, and a meter can
 * be set after the samplers exist (`init()` creates the MeterProvider after you built the sampler you
 * pass to it) without losing earlier counts.
 */
export interface SamplingMetrics {
  /** Reports through `meter` from now on (replacing a previous meter). */
  setMeter(meter: Meter): void;
}

/** Snapshot a tail processor exposes to its metrics. */
export interface TailStatsSource {
  readonly traces: number;
  readonly spans: number;
  readonly bytes: number;
  /** Evictions keyed `<bound>:<outcome>` (bound `traces` | `spans` | `bytes`, outcome `sampled` | `dropped`). */
  readonly evictions: ReadonlyMap<string, number>;
  readonly lateSampled: number;
  readonly lateDropped: number;
}

interface AdaptiveSource {
  readonly name: string;
  readonly visitProbabilities: (observe: (key: string, probability: number) => void) => void;
  readonly keys: () => { readonly tracked: number; readonly refused: number };
}

interface Instruments {
  readonly decisions: ObservableCounter;
  readonly probability: ObservableGauge;
  readonly adaptiveKeys: ObservableUpDownCounter;
  readonly adaptiveRefused: ObservableGauge;
  readonly tailTraces: ObservableUpDownCounter;
  readonly tailSpans: ObservableUpDownCounter;
  readonly tailSize: ObservableUpDownCounter;
  readonly evictions: ObservableCounter;
  readonly lateSpans: ObservableCounter;
}

class SamplingMetricsImpl implements SamplingMetrics {
  /** True for the private metrics of a component built without `metrics`: `onInit` points it at each handle. */
  readonly owned: boolean;
  readonly decisionSources: { readonly name: string; readonly counts: DecisionCounts }[] = [];
  readonly adaptiveSources: AdaptiveSource[] = [];
  readonly tailSources: { readonly name: string; readonly stats: () => TailStatsSource }[] = [];
  #meter: Meter | undefined;
  #instruments: Instruments | undefined;
  readonly #callback: BatchObservableCallback = (result) => {
    const i = this.#instruments;
    if (i === undefined) return;
    for (const { name, counts } of this.decisionSources) {
      result.observe(i.decisions, counts.sampled, {
        [ATTR_SAMPLER]: name,
        [ATTR_SAMPLING_OUTCOME]: 'sampled',
      });
      result.observe(i.decisions, counts.dropped, {
        [ATTR_SAMPLER]: name,
        [ATTR_SAMPLING_OUTCOME]: 'dropped',
      });
      if (counts.recorded > 0) {
        result.observe(i.decisions, counts.recorded, {
          [ATTR_SAMPLER]: name,
          [ATTR_SAMPLING_OUTCOME]: 'recorded',
        });
      }
    }
    for (const source of this.adaptiveSources) {
      source.visitProbabilities((key, probability) => {
        result.observe(i.probability, probability, { [ATTR_SAMPLER]: source.name, [ATTR_SAMPLING_KEY]: key });
      });
      const keys = source.keys();
      result.observe(i.adaptiveKeys, keys.tracked, { [ATTR_SAMPLER]: source.name });
      result.observe(i.adaptiveRefused, keys.refused, { [ATTR_SAMPLER]: source.name });
    }
    for (const source of this.tailSources) {
      const s = source.stats();
      const attrs = { [ATTR_SAMPLER]: source.name };
      result.observe(i.tailTraces, s.traces, attrs);
      result.observe(i.tailSpans, s.spans, attrs);
      result.observe(i.tailSize, s.bytes, attrs);
      for (const [key, n] of s.evictions) {
        const [bound, outcome] = key.split(':');
        result.observe(i.evictions, n, {
          [ATTR_SAMPLER]: source.name,
          [ATTR_SAMPLING_TAIL_BOUND]: bound ?? '',
          [ATTR_SAMPLING_OUTCOME]: outcome ?? '',
        });
      }
      result.observe(i.lateSpans, s.lateSampled, {
        [ATTR_SAMPLER]: source.name,
        [ATTR_SAMPLING_OUTCOME]: 'sampled',
      });
      result.observe(i.lateSpans, s.lateDropped, {
        [ATTR_SAMPLER]: source.name,
        [ATTR_SAMPLING_OUTCOME]: 'dropped',
      });
    }
  };

  constructor(owned: boolean) {
    this.owned = owned;
  }

  get hasMeter(): boolean {
    return this.#meter !== undefined;
  }

  setMeter(meter: Meter): void {
    // Idempotent for the same meter: components sharing one metrics object each call it from onInit.
    if (meter === this.#meter) return;
    if (this.#meter !== undefined && this.#instruments !== undefined) {
      this.#meter.removeBatchObservableCallback(
        this.#callback,
        Object.values(this.#instruments) as Observable[],
      );
    }
    this.#meter = meter;
    this.#instruments = {
      decisions: meter.createObservableCounter(METRIC_SAMPLING_DECISIONS, {
        description: 'Sampling decisions by sampler and outcome (tail samplers count traces).',
        unit: '{decision}',
      }),
      probability: meter.createObservableGauge(METRIC_SAMPLING_PROBABILITY, {
        description: 'Sampling probability currently applied, per adaptive key.',
        unit: '1',
      }),
      adaptiveKeys: meter.createObservableUpDownCounter(METRIC_SAMPLING_ADAPTIVE_KEYS, {
        description: 'Keys an adaptive sampler tracks.',
        unit: '{key}',
      }),
      adaptiveRefused: meter.createObservableGauge(METRIC_SAMPLING_ADAPTIVE_KEYS_REFUSED, {
        description: 'Keys seen in the last window that the adaptive sampler could not track (maxKeys).',
        unit: '{key}',
      }),
      tailTraces: meter.createObservableUpDownCounter(METRIC_SAMPLING_TAIL_BUFFER_TRACES, {
        description: 'Traces waiting for a tail-sampling decision.',
        unit: '{trace}',
      }),
      tailSpans: meter.createObservableUpDownCounter(METRIC_SAMPLING_TAIL_BUFFER_SPANS, {
        description: 'Spans waiting for a tail-sampling decision.',
        unit: '{span}',
      }),
      tailSize: meter.createObservableUpDownCounter(METRIC_SAMPLING_TAIL_BUFFER_SIZE, {
        description: 'Estimated memory of the spans waiting for a tail-sampling decision.',
        unit: 'By',
      }),
      evictions: meter.createObservableCounter(METRIC_SAMPLING_TAIL_EVICTIONS, {
        description: 'Traces a buffer bound forced to an early decision.',
        unit: '{trace}',
      }),
      lateSpans: meter.createObservableCounter(METRIC_SAMPLING_TAIL_LATE_SPANS, {
        description: 'Spans that ended after their trace was decided.',
        unit: '{span}',
      }),
    };
    meter.addBatchObservableCallback(this.#callback, Object.values(this.#instruments) as Observable[]);
  }
}

/**
 * Creates a metrics object samplers and tail processors can share (pass it as `metrics`). Components
 * given to `init()` set its meter themselves (`obs.meterProvider`) when it has none; outside `init()`,
 * nothing is reported until {@link SamplingMetrics.setMeter} is called.
 * @example
 * const metrics = createSamplingMetrics();
 * const adaptive = createAdaptiveSampler({ metrics });
 * init({ sampler: createParentBasedSampler({ root: adaptive, metrics }) }); // meter set by init()
 * // without init(): metrics.setMeter(meterProvider.getMeter('@trisignal/sampling'));
 */
export function createSamplingMetrics(meter?: Meter): SamplingMetrics {
  const metrics = new SamplingMetricsImpl(false);
  if (meter !== undefined) metrics.setMeter(meter);
  return metrics;
}

/** The metrics a component reports through: the user's, else a private one without a meter yet. */
export function resolveMetrics(metrics: SamplingMetrics | undefined): SamplingMetrics {
  return metrics ?? new SamplingMetricsImpl(true);
}

/**
 * From a component's `onInit`: gives its metrics the handle's meter when they are the component's own, or
 * the user's without a meter yet (a meter the user set is kept).
 */
export function initMetrics(metrics: SamplingMetrics, obs: Observability): void {
  const m = impl(metrics);
  if (m === undefined || (!m.owned && m.hasMeter)) return;
  m.setMeter(obs.meterProvider.getMeter(SCOPE, VERSION));
}

function impl(metrics: SamplingMetrics): SamplingMetricsImpl | undefined {
  return metrics instanceof SamplingMetricsImpl ? metrics : undefined;
}

/** Observes a sampler's decision counts under `name`. */
export function registerDecisions(metrics: SamplingMetrics, name: string, counts: DecisionCounts): void {
  impl(metrics)?.decisionSources.push({ name, counts });
}

/** Observes an adaptive sampler's per-key probabilities and key counts under `name`. */
export function registerAdaptive(metrics: SamplingMetrics, source: AdaptiveSource): void {
  impl(metrics)?.adaptiveSources.push(source);
}

/** Observes a tail processor's buffer and counters under `name`. */
export function registerTail(metrics: SamplingMetrics, name: string, stats: () => TailStatsSource): void {
  impl(metrics)?.tailSources.push({ name, stats });
}
