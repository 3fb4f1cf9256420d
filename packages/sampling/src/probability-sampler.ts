import { type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import { type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import { type InitAware, type Observability } from '@trisignal/core';
import { CompiledProbability, decideConsistent, PARENT_MODES, type ParentMode } from './consistent.js';
import { checkInteger, checkNumber, invalidOption } from './errors.js';
import { DecisionCounts, nextComponentName } from './internal/decision-counts.js';
import { initMetrics, registerDecisions, resolveMetrics, type SamplingMetrics } from './metrics.js';
import { DEFAULT_PRECISION } from './threshold.js';

/** Options of {@link createProbabilitySampler}. */
export interface ProbabilitySamplerOptions {
  /** Probability of keeping a trace, in [0, 1]. `0` never samples (and writes no `th`). */
  readonly ratio: number;
  /** Hex digits of the written `th` (the specification's rounding). @default 4 */
  readonly precision?: number | undefined;
  /** How a parent's decision and `th` are treated (see {@link ParentMode}). @default 'independent' */
  readonly parentMode?: ParentMode | undefined;
  /** Where self-metrics go. @default its own, reporting through `obs.meterProvider` once given to `init()` */
  readonly metrics?: SamplingMetrics | undefined;
  /** `trisignal.sampler` attribute value. @default 'probability/<n>' */
  readonly name?: string | undefined;
}

/** Probability sampler defaults. */
export const PROBABILITY_DEFAULTS = Object.freeze({
  precision: DEFAULT_PRECISION,
  parentMode: 'independent',
});

/** Validates a parent mode option. */
export function checkParentMode(field: string, value: unknown): ParentMode {
  if (!PARENT_MODES.includes(value as ParentMode)) {
    throw invalidOption(field, value, "'independent', 'equalizing' or 'proportional'");
  }
  return value as ParentMode;
}

class ProbabilitySampler implements Sampler, InitAware {
  readonly #own: CompiledProbability;
  readonly #mode: ParentMode;
  readonly #counts = new DecisionCounts();
  readonly #description: string;
  readonly #metrics: SamplingMetrics;

  constructor(ratio: number, precision: number, mode: ParentMode, name: string, metrics: SamplingMetrics) {
    this.#own = new CompiledProbability(ratio, precision);
    this.#mode = mode;
    this.#description = `ProbabilitySampler{ratio=${ratio}, th=${this.#own.th ?? 'none'}, parentMode=${mode}}`;
    this.#metrics = metrics;
    registerDecisions(metrics, name, this.#counts);
  }

  shouldSample(
    context: Context,
    traceId: string,
    _spanName: string,
    _spanKind: SpanKind,
    _attributes: Attributes,
    _links: Link[],
  ): SamplingResult {
    const result = decideConsistent(context, traceId, this.#own, this.#mode);
    this.#counts.add(result.decision);
    return result;
  }

  /** Given to `init()` (alone or inside a composed sampler): reports through `obs.meterProvider`. */
  onInit(obs: Observability): void {
    initMetrics(this.#metrics, obs);
  }

  toString(): string {
    return this.#description;
  }
}

/**
 * A consistent probability sampler: keeps a trace iff its 56-bit randomness R ≥ T = (1 − ratio)·2^56 and
 * records T as `ot=th:…` in the tracestate, so every service using the same ratio takes the same decision
 * and a backend can compute adjusted counts (1 / probability).
 * @example createProbabilitySampler({ ratio: 0.1 }) // writes ot=th:e666
 */
export function createProbabilitySampler(options: ProbabilitySamplerOptions): Sampler {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', options, 'an object');
  const ratio = checkNumber('ratio', options.ratio, 0, 1);
  const precision = checkInteger('precision', options.precision ?? PROBABILITY_DEFAULTS.precision, 1, 14);
  const mode = checkParentMode('parentMode', options.parentMode ?? PROBABILITY_DEFAULTS.parentMode);
  return new ProbabilitySampler(
    ratio,
    precision,
    mode,
    options.name ?? nextComponentName('probability'),
    resolveMetrics(options.metrics),
  );
}
