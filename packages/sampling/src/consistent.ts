/**
 * The consistent-probability decision shared by every probability sampler of this package (fixed ratio,
 * adaptive per key, tail `probabilistic`): R ≥ T on 56 bits, `th` written into the `ot` tracestate
 * member, a parent's `th` checked and honoured according to the parent mode.
 */
import {
  type Context,
  createTraceState,
  INVALID_SPANID,
  INVALID_TRACEID,
  type SpanContext,
  trace,
  TraceFlags,
  type TraceState,
} from '@opentelemetry/api';
import { SamplingDecision, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import { OT_KEY, readOtValue, withOtValue } from './ot-trace-state.js';
import {
  ALWAYS,
  encodeThreshold,
  NEVER,
  parseHex7,
  passes,
  probabilityOf,
  thresholdAtLeast,
  thresholdFor,
  type ThresholdValue,
} from './threshold.js';

/**
 * How a probability sampler treats a parent (`tracestate-probability-sampling.md`):
 * - `independent`: decide R ≥ T whatever the parent did, write this sampler's `th` (the base case of the
 *   specification's consistent probability sampler);
 * - `equalizing`: never sample what the parent dropped; a parent `th` above ours is kept as it is,
 *   otherwise keep iff R ≥ T and write ours;
 * - `proportional`: never sample what the parent dropped; multiply the parent's probability by ours
 *   (T_o = ProbabilityToThreshold(p · ThresholdToProbability(T_s))) and keep iff R ≥ T_o.
 */
export type ParentMode = 'independent' | 'equalizing' | 'proportional';

/** The modes, for validation. */
export const PARENT_MODES: readonly ParentMode[] = Object.freeze([
  'independent',
  'equalizing',
  'proportional',
]);

/** Shared frozen results: the tracer only reads them. */
export const NOT_RECORD: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });
export const RECORD_AND_SAMPLED: SamplingResult = Object.freeze({
  decision: SamplingDecision.RECORD_AND_SAMPLED,
});

/** A probability compiled once: its threshold halves, its `th` and the result a sampled root returns. */
export class CompiledProbability implements ThresholdValue {
  readonly probability: number;
  readonly precision: number;
  readonly hi: number;
  readonly lo: number;
  /** True for p = 1: every span passes, even one whose trace id carries no randomness. */
  readonly always: boolean;
  /** The `th` value; undefined for p = 0 (never sampling is not probability sampling). */
  readonly th: string | undefined;
  /** `th:<th>`, the whole `ot` value of a root or of a parent without one; undefined for p = 0. */
  readonly otValue: string | undefined;
  /** `{ RECORD_AND_SAMPLED, ot=th:… }`, shared by every sampled root span. */
  readonly sampledRoot: SamplingResult;

  constructor(probability: number, precision: number) {
    this.probability = probability;
    this.precision = precision;
    const t = probability >= 1 ? ALWAYS : thresholdFor(probability, precision);
    this.hi = t.hi;
    this.lo = t.lo;
    this.always = t === ALWAYS;
    this.th = t === NEVER ? undefined : encodeThreshold(t);
    this.otValue = this.th === undefined ? undefined : 'th:' + this.th;
    this.sampledRoot =
      this.otValue === undefined
        ? RECORD_AND_SAMPLED
        : Object.freeze({
            decision: SamplingDecision.RECORD_AND_SAMPLED,
            traceState: createTraceState(OT_KEY + '=' + this.otValue),
          });
  }

  #products: Map<string, CompiledProbability> | undefined;

  /** The probability the rounded threshold really applies. */
  get effectiveProbability(): number {
    return probabilityOf(this);
  }

  /**
   * The proportional product with a parent threshold, p · ThresholdToProbability(T_parent), compiled
   * once per parent `th` (bounded: cleared when 256 distinct parent thresholds have been seen).
   */
  productWith(parentTh: string, parent: ThresholdValue): CompiledProbability {
    const cache = (this.#products ??= new Map<string, CompiledProbability>());
    let hit = cache.get(parentTh);
    if (hit === undefined) {
      if (cache.size >= 256) cache.clear();
      hit = new CompiledProbability(this.probability * probabilityOf(parent), this.precision);
      cache.set(parentTh, hit);
    }
    return hit;
  }
}

/** R ≥ T, where T = 0 keeps even a span without usable randomness. */
function keeps(rHi: number, rLo: number, t: ThresholdValue): boolean {
  return (t.hi === 0 && t.lo === 0) || passes(rHi, rLo, t);
}

/** A parent whose ids are well formed (propagators validate what they extract; this stays cheap). */
export function validParent(sc: SpanContext | undefined): sc is SpanContext {
  return (
    sc !== undefined &&
    sc.traceId.length === 32 &&
    sc.spanId.length === 16 &&
    sc.traceId !== INVALID_TRACEID &&
    sc.spanId !== INVALID_SPANID
  );
}

/** The 56-bit randomness halves of a trace id (its last 14 hex digits); NaN when malformed. */
export function traceIdRandomnessHi(traceId: string): number {
  return parseHex7(traceId, 18);
}
export function traceIdRandomnessLo(traceId: string): number {
  return parseHex7(traceId, 25);
}

/**
 * Decides for a span: a root passes iff R ≥ T (R from the trace id); a child follows `mode`. Never
 * throws: malformed ids or tracestate only lead to "not sampled" or to an erased `th`.
 */
export function decideConsistent(
  context: Context,
  traceId: string,
  own: CompiledProbability,
  mode: ParentMode,
): SamplingResult {
  const parent = trace.getSpanContext(context);
  if (!validParent(parent)) {
    if (own.always) return own.sampledRoot;
    return passes(traceIdRandomnessHi(traceId), traceIdRandomnessLo(traceId), own)
      ? own.sampledRoot
      : NOT_RECORD;
  }
  return decideWithParent(parent, traceId, own, mode);
}

function decideWithParent(
  parent: SpanContext,
  traceId: string,
  own: CompiledProbability,
  mode: ParentMode,
): SamplingResult {
  const parentSampled = (parent.traceFlags & TraceFlags.SAMPLED) !== 0;
  const ts = parent.traceState;
  const raw = ts?.get(OT_KEY);
  if (raw === undefined) {
    // No `ot` member: randomness from the trace id, no parent threshold.
    if (mode !== 'independent' && !parentSampled) return NOT_RECORD;
    const keep = own.always || passes(traceIdRandomnessHi(traceId), traceIdRandomnessLo(traceId), own);
    if (!keep) return NOT_RECORD;
    // A parent sampled by something that wrote no `th` has an unknown probability, and so does this span.
    if (mode !== 'independent') return RECORD_AND_SAMPLED;
    if (ts === undefined || own.otValue === undefined) return own.sampledRoot;
    return {
      decision: SamplingDecision.RECORD_AND_SAMPLED,
      traceState: withOtValue(ts, own.otValue),
    };
  }

  // Parsed once per distinct `ot` value (children of one parent share it), not once per decision.
  const ot = readOtValue(raw);
  const rv = ot.rvValid ? ot.rv : undefined;
  const rHi = ot.rvValid ? ot.rHi : traceIdRandomnessHi(traceId);
  const rLo = ot.rvValid ? ot.rLo : traceIdRandomnessLo(traceId);
  let parentT: ThresholdValue | undefined;
  const decoded = ot.threshold;
  // A threshold that disagrees with the parent's sampled flag is inconsistent: erase it.
  if (decoded !== undefined && keeps(rHi, rLo, decoded) === parentSampled) parentT = decoded;

  let keep: boolean;
  let outTh: string | undefined;
  if (mode === 'independent') {
    keep = own.always || passes(rHi, rLo, own);
    outTh = keep ? own.th : undefined;
  } else if (!parentSampled) {
    keep = false;
    outTh = undefined;
  } else if (parentT === undefined) {
    keep = own.always || passes(rHi, rLo, own);
    outTh = undefined;
  } else if (mode === 'equalizing') {
    if (thresholdAtLeast(parentT, own)) {
      keep = true;
      outTh = ot.th;
    } else {
      keep = passes(rHi, rLo, own);
      outTh = keep ? own.th : undefined;
    }
  } else {
    const product = own.productWith(ot.th!, parentT);
    keep = product.th !== undefined && passes(rHi, rLo, product);
    outTh = keep ? product.th : undefined;
  }

  if (outTh === ot.th && rv === ot.rv) return keep ? RECORD_AND_SAMPLED : NOT_RECORD;
  const value = ot.valueWith(outTh, rv);
  if (value === raw) return keep ? RECORD_AND_SAMPLED : NOT_RECORD;
  return {
    decision: keep ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD,
    traceState: withOtValue(ts!, value),
  };
}

/**
 * The tracestate a span should carry after following its parent's decision (parent-based sampling):
 * `undefined` when the parent's is fine as it is, otherwise a copy whose inconsistent or malformed `th`
 * (and malformed `rv`) is erased. Consistent means the sampled flag equals R ≥ T.
 */
export function checkParentThreshold(parent: SpanContext, traceId: string): TraceState | undefined {
  const ts = parent.traceState;
  if (ts === undefined) return undefined;
  const raw = ts.get(OT_KEY);
  if (raw === undefined) return undefined;
  const ot = readOtValue(raw);
  const rvOk = ot.rv === undefined || ot.rvValid;
  if (ot.th === undefined && rvOk) return undefined;
  const rv = rvOk ? ot.rv : undefined;
  let th = ot.th;
  if (th !== undefined) {
    const decoded = ot.threshold;
    const rHi = ot.rvValid ? ot.rHi : traceIdRandomnessHi(traceId);
    const rLo = ot.rvValid ? ot.rLo : traceIdRandomnessLo(traceId);
    const sampled = (parent.traceFlags & TraceFlags.SAMPLED) !== 0;
    if (decoded === undefined || keeps(rHi, rLo, decoded) !== sampled) th = undefined;
  }
  if (th === ot.th && rv === ot.rv) return undefined; // consistent: the tracer keeps the parent's as it is
  return withOtValue(ts, ot.valueWith(th, rv));
}
