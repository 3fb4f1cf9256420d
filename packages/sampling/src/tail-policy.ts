import { type AttributeValue, SpanStatusCode } from '@opentelemetry/api';
import { type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { traceIdRandomnessHi, traceIdRandomnessLo } from './consistent.js';
import { checkInteger, checkNumber, invalidOption, isList } from './errors.js';
import { isValidRv, OT_KEY, parseOtValue } from './ot-trace-state.js';
import { parseHex7, passes, thresholdFor } from './threshold.js';
import { TokenBucket } from './token-bucket.js';

/** A span status a `status_code` policy matches. */
export type TailStatusCode = 'ERROR' | 'OK' | 'UNSET';

/** What a policy sees of a buffered trace. */
export interface TailTrace {
  readonly traceId: string;
  /** The spans of this process that ended so far. */
  readonly spans: readonly ReadableSpan[];
  /** max(end) − min(start) over those spans, in milliseconds. */
  readonly durationMillis: number;
  /** True when a span has status ERROR. */
  readonly hasError: boolean;
}

interface Named {
  /** Shown in errors and referenced by a composite's `rateAllocation`. @default the type */
  readonly name?: string | undefined;
}

/**
 * A tail-sampling policy, after the OpenTelemetry Collector's `tail_sampling` processor. Policies are
 * evaluated in order and the first that samples keeps the trace, except that any `drop` policy whose
 * sub-policies all match drops it first; nothing matching means dropped.
 */
export type TailPolicy =
  | (Named & { readonly type: 'always_sample' })
  | (Named & { readonly type: 'status_code'; readonly statusCodes: readonly TailStatusCode[] })
  /** Duration d = max(end) − min(start): `d ≥ thresholdMillis`, or `threshold < d ≤ upper` with an upper bound (as the Collector). */
  | (Named & {
      readonly type: 'latency';
      readonly thresholdMillis: number;
      readonly upperThresholdMillis?: number | undefined;
    })
  /** Some span (or the resource) has `key` equal to one of `values` (strings, or RegExps). */
  | (Named & {
      readonly type: 'string_attribute';
      readonly key: string;
      readonly values: readonly (string | RegExp)[];
    })
  /** Some span (or the resource) has numeric `key` within [minValue, maxValue] (inclusive). */
  | (Named & {
      readonly type: 'numeric_attribute';
      readonly key: string;
      readonly minValue?: number | undefined;
      readonly maxValue?: number | undefined;
    })
  | (Named & { readonly type: 'boolean_attribute'; readonly key: string; readonly value: boolean })
  /** Consistent: R (the trace id's last 56 bits, or `rv`) ≥ (1 − ratio)·2^56, the same test as head sampling. */
  | (Named & { readonly type: 'probabilistic'; readonly ratio: number })
  /** Token bucket on spans: a trace costs its span count; burst defaults to 2 × rate (Collector). */
  | (Named & {
      readonly type: 'rate_limiting';
      readonly spansPerSecond: number;
      readonly burstSpans?: number | undefined;
    })
  /** minSpans ≤ span count ≤ maxSpans (inclusive). */
  | (Named & {
      readonly type: 'span_count';
      readonly minSpans: number;
      readonly maxSpans?: number | undefined;
    })
  /** Every sub-policy samples. */
  | (Named & { readonly type: 'and'; readonly policies: readonly TailPolicy[] })
  /** When every sub-policy matches, the trace is dropped whatever the other policies say. */
  | (Named & { readonly type: 'drop'; readonly policies: readonly TailPolicy[] })
  /**
   * At most `maxTotalSpansPerSecond` spans per second; sub-policies are tried in order and each may spend
   * its `rateAllocation` share (percent); sub-policies without a share split what is left.
   */
  | (Named & {
      readonly type: 'composite';
      readonly maxTotalSpansPerSecond: number;
      readonly policies: readonly TailPolicy[];
      readonly rateAllocation?: readonly { readonly policy: string; readonly percent: number }[] | undefined;
    })
  /** Your own test; a throw counts as "does not sample". */
  | { readonly type: 'custom'; readonly name: string; readonly evaluate: (trace: TailTrace) => boolean };

/** A compiled policy: does it sample (or, for `drop`, match) this trace? */
export type Evaluator = (trace: TailTrace) => boolean;

/** Compiled top-level policies. */
export interface CompiledPolicies {
  readonly drops: readonly Evaluator[];
  readonly samples: readonly Evaluator[];
}

const STATUS: Readonly<Record<TailStatusCode, SpanStatusCode>> = {
  ERROR: SpanStatusCode.ERROR,
  OK: SpanStatusCode.OK,
  UNSET: SpanStatusCode.UNSET,
};

function anyAttribute(trace: TailTrace, key: string, test: (v: AttributeValue) => boolean): boolean {
  for (const span of trace.spans) {
    const v = span.attributes[key];
    if (v !== undefined && test(v)) return true;
  }
  const resource = trace.spans[0]?.resource.attributes[key];
  return resource !== undefined && resource !== null && test(resource);
}

function randomnessOf(trace: TailTrace): [number, number] {
  for (const span of trace.spans) {
    const raw = span.spanContext().traceState?.get(OT_KEY);
    if (raw === undefined) continue;
    const { rv } = parseOtValue(raw);
    if (isValidRv(rv)) return [parseHex7(rv, 0), parseHex7(rv, 7)];
  }
  return [traceIdRandomnessHi(trace.traceId), traceIdRandomnessLo(trace.traceId)];
}

function checkObject(path: string, value: unknown): void {
  if (typeof value !== 'object' || value === null) throw invalidOption(path, value, 'a policy object');
}

function compileList(path: string, list: unknown, now: () => number): Evaluator[] {
  if (!Array.isArray(list) || list.length === 0)
    throw invalidOption(path, list, 'a non-empty array of policies');
  return (list as TailPolicy[]).map((p, i) => compilePolicy(`${path}[${i}]`, p, now));
}

/** Validates and compiles one policy. Throws `TRISIGNAL_SAMPLING_INVALID_OPTION`. */
export function compilePolicy(path: string, policy: TailPolicy, now: () => number): Evaluator {
  checkObject(path, policy);
  switch (policy.type) {
    case 'always_sample':
      return () => true;
    case 'status_code': {
      if (!Array.isArray(policy.statusCodes) || policy.statusCodes.length === 0) {
        throw invalidOption(
          `${path}.statusCodes`,
          policy.statusCodes,
          "a non-empty list of 'ERROR', 'OK', 'UNSET'",
        );
      }
      const codes = new Set<SpanStatusCode>();
      for (const c of policy.statusCodes as readonly unknown[]) {
        const code = typeof c === 'string' ? STATUS[c as TailStatusCode] : undefined;
        if (code === undefined)
          throw invalidOption(`${path}.statusCodes`, policy.statusCodes, "'ERROR', 'OK' or 'UNSET'");
        codes.add(code);
      }
      if (codes.size === 1 && codes.has(SpanStatusCode.ERROR)) return (t) => t.hasError;
      return (t) => t.spans.some((s) => codes.has(s.status.code));
    }
    case 'latency': {
      const lower = checkNumber(`${path}.thresholdMillis`, policy.thresholdMillis, 0, Infinity);
      const upper = policy.upperThresholdMillis;
      if (upper === undefined) return (t) => t.durationMillis >= lower;
      checkNumber(`${path}.upperThresholdMillis`, upper, lower, Infinity);
      return (t) => t.durationMillis > lower && t.durationMillis <= upper;
    }
    case 'string_attribute': {
      if (typeof policy.key !== 'string' || policy.key === '')
        throw invalidOption(`${path}.key`, policy.key, 'a non-empty string');
      if (!Array.isArray(policy.values) || policy.values.length === 0) {
        throw invalidOption(`${path}.values`, policy.values, 'a non-empty list of strings or RegExps');
      }
      const exact = new Set<string>();
      const patterns: RegExp[] = [];
      for (const v of policy.values) {
        if (typeof v === 'string') exact.add(v);
        else if (v instanceof RegExp) patterns.push(new RegExp(v.source, v.flags.replace(/[gy]/g, '')));
        else throw invalidOption(`${path}.values`, policy.values, 'strings or RegExps');
      }
      return (t) =>
        anyAttribute(
          t,
          policy.key,
          (v) => typeof v === 'string' && (exact.has(v) || patterns.some((re) => re.test(v))),
        );
    }
    case 'numeric_attribute': {
      if (typeof policy.key !== 'string' || policy.key === '')
        throw invalidOption(`${path}.key`, policy.key, 'a non-empty string');
      const min =
        policy.minValue === undefined
          ? -Infinity
          : checkNumber(`${path}.minValue`, policy.minValue, -Number.MAX_VALUE, Number.MAX_VALUE);
      const max =
        policy.maxValue === undefined
          ? Infinity
          : checkNumber(`${path}.maxValue`, policy.maxValue, min, Number.MAX_VALUE);
      return (t) => anyAttribute(t, policy.key, (v) => typeof v === 'number' && v >= min && v <= max);
    }
    case 'boolean_attribute': {
      if (typeof policy.key !== 'string' || policy.key === '')
        throw invalidOption(`${path}.key`, policy.key, 'a non-empty string');
      if (typeof policy.value !== 'boolean') throw invalidOption(`${path}.value`, policy.value, 'a boolean');
      return (t) => anyAttribute(t, policy.key, (v) => v === policy.value);
    }
    case 'probabilistic': {
      const ratio = checkNumber(`${path}.ratio`, policy.ratio, 0, 1);
      if (ratio === 1) return () => true;
      const threshold = thresholdFor(ratio);
      return (t) => {
        const [hi, lo] = randomnessOf(t);
        return passes(hi, lo, threshold);
      };
    }
    case 'rate_limiting': {
      const rate = checkNumber(`${path}.spansPerSecond`, policy.spansPerSecond, 0, Infinity);
      const burst = checkNumber(`${path}.burstSpans`, policy.burstSpans ?? 2 * rate, 0, Infinity);
      const bucket = new TokenBucket(rate, burst, now());
      return (t) => bucket.tryTake(t.spans.length, now());
    }
    case 'span_count': {
      const min = checkInteger(`${path}.minSpans`, policy.minSpans, 0);
      const max =
        policy.maxSpans === undefined ? Infinity : checkInteger(`${path}.maxSpans`, policy.maxSpans, min);
      return (t) => t.spans.length >= min && t.spans.length <= max;
    }
    case 'and': {
      const subs = compileList(`${path}.policies`, policy.policies, now);
      return (t) => subs.every((s) => s(t));
    }
    case 'drop': {
      const subs = compileList(`${path}.policies`, policy.policies, now);
      return (t) => subs.every((s) => s(t));
    }
    case 'composite':
      return compileComposite(path, policy, now);
    case 'custom': {
      if (typeof policy.evaluate !== 'function')
        throw invalidOption(`${path}.evaluate`, policy.evaluate, 'a function');
      const evaluate = policy.evaluate;
      return (t) => evaluate(t) === true;
    }
    default:
      throw invalidOption(
        `${path}.type`,
        (policy as { type?: unknown }).type,
        'one of always_sample, status_code, latency, string_attribute, numeric_attribute, boolean_attribute, ' +
          'probabilistic, rate_limiting, span_count, and, drop, composite, custom',
      );
  }
}

function compileComposite(
  path: string,
  policy: Extract<TailPolicy, { type: 'composite' }>,
  now: () => number,
): Evaluator {
  const max = checkNumber(`${path}.maxTotalSpansPerSecond`, policy.maxTotalSpansPerSecond, 0, Infinity);
  const subs = compileList(`${path}.policies`, policy.policies, now);
  const names = policy.policies.map((p) => p.name ?? p.type);
  const budgets: (number | undefined)[] = names.map(() => undefined);
  let allocated = 0;
  for (const [i, a] of (policy.rateAllocation ?? []).entries()) {
    const index = names.indexOf(a.policy);
    if (index < 0)
      throw invalidOption(`${path}.rateAllocation[${i}].policy`, a.policy, `one of ${names.join(', ')}`);
    const percent = checkNumber(`${path}.rateAllocation[${i}].percent`, a.percent, 0, 100);
    budgets[index] = (percent / 100) * max;
    allocated += percent;
  }
  if (allocated > 100)
    throw invalidOption(
      `${path}.rateAllocation`,
      policy.rateAllocation,
      'percentages adding up to at most 100',
    );
  const pool = max * (1 - allocated / 100);
  const spent = budgets.map(() => 0);
  let poolSpent = 0;
  let total = 0;
  let second = Math.floor(now() / 1000);
  return (t) => {
    const current = Math.floor(now() / 1000);
    if (current !== second) {
      second = current;
      spent.fill(0);
      poolSpent = 0;
      total = 0;
    }
    const n = t.spans.length;
    if (total + n > max) return false;
    for (let i = 0; i < subs.length; i++) {
      if (!subs[i]!(t)) continue;
      const budget = budgets[i];
      if (budget === undefined) {
        if (poolSpent + n > pool) continue;
        poolSpent += n;
      } else {
        if (spent[i]! + n > budget) continue;
        spent[i]! += n;
      }
      total += n;
      return true;
    }
    return false;
  };
}

/** Validates and compiles the top-level list: `drop` policies apart, the others in order. */
export function compilePolicies(policies: readonly TailPolicy[], now: () => number): CompiledPolicies {
  if (!isList(policies) || policies.length === 0) {
    throw invalidOption('policies', policies, 'a non-empty array of policies');
  }
  const drops: Evaluator[] = [];
  const samples: Evaluator[] = [];
  policies.forEach((p, i) => {
    const evaluator = compilePolicy(`policies[${i}]`, p, now);
    if (p.type === 'drop') drops.push(evaluator);
    else samples.push(evaluator);
  });
  return { drops, samples };
}
