import { type AttributeValue, type Attributes, type Context, type Link, SpanKind } from '@opentelemetry/api';
import { type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import { type Observability } from '@trisignal/core';
import { invalidOption } from './errors.js';
import { DecisionCounts, nextComponentName } from './internal/decision-counts.js';
import { SamplerDelegates } from './internal/delegates.js';
import { type ManagedSampler } from './managed-sampler.js';
import { initMetrics, registerDecisions, resolveMetrics, type SamplingMetrics } from './metrics.js';
import { isSampler } from './parent-based-sampler.js';
import { createProbabilitySampler } from './probability-sampler.js';
import { type SeriesFeed } from './series-feed.js';

/**
 * How a rule matches a value: a string (exact, or a glob where `*` stands for any characters), a number
 * or boolean (strict equality), a RegExp, a list of any of those (any one matches), or a predicate.
 */
export type ValueMatcher =
  | string
  | number
  | boolean
  | RegExp
  | readonly (string | number | boolean | RegExp)[]
  | ((value: AttributeValue | undefined) => boolean);

/** A sampler, or `'always_on'` (consistent 100 %, `th:0`) / `'always_off'`. */
export type RuleTarget = Sampler | 'always_on' | 'always_off';

/** One rule: every given condition must hold; the first matching rule's sampler decides. */
export interface SamplingRule {
  /** Matches the span name (`GET /health`, `shop.Inventory/Reserve`). */
  readonly spanName?: ValueMatcher | undefined;
  /** Matches the span kind (one or several). */
  readonly kind?: SpanKind | readonly SpanKind[] | undefined;
  /** Matches start attributes by key (`http.route`, `http.request.method`, `url.path`, `rpc.method`, …). */
  readonly attributes?: Readonly<Record<string, ValueMatcher>> | undefined;
  /** What decides when the rule matches. */
  readonly sampler: RuleTarget;
}

/** Options of {@link createRuleBasedSampler}. */
export interface RuleBasedSamplerOptions {
  /** Tried in order. */
  readonly rules: readonly SamplingRule[];
  /** Decides when no rule matches. @default 'always_on' */
  readonly fallback?: RuleTarget | undefined;
  /** Where self-metrics go. @default its own, reporting through `obs.meterProvider` once given to `init()` */
  readonly metrics?: SamplingMetrics | undefined;
  /** @default 'rulebased/<n>' */
  readonly name?: string | undefined;
}

type Test = (value: AttributeValue | undefined) => boolean;

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 's');
}

function compileOne(field: string, m: string | number | boolean | RegExp): Test {
  if (typeof m === 'string') {
    if (!m.includes('*')) return (v) => v === m;
    const re = globToRegExp(m);
    return (v) => typeof v === 'string' && re.test(v);
  }
  if (typeof m === 'number' || typeof m === 'boolean') return (v) => v === m;
  if (m instanceof RegExp) {
    // A global or sticky RegExp keeps state between calls; a copy without those flags does not.
    const re = new RegExp(m.source, m.flags.replace(/[gy]/g, ''));
    return (v) => typeof v === 'string' && re.test(v);
  }
  throw invalidOption(field, m, 'a string, number, boolean, RegExp, list of those, or function');
}

function compileMatcher(field: string, m: ValueMatcher): Test {
  if (typeof m === 'function') {
    return (v) => {
      try {
        return m(v) === true;
      } catch {
        return false; // a throwing predicate is a non-match: the hot path never throws
      }
    };
  }
  if (Array.isArray(m)) {
    const tests = (m as readonly (string | number | boolean | RegExp)[]).map((x, i) =>
      compileOne(`${field}[${i}]`, x),
    );
    const exact = new Set<unknown>(
      (m as readonly unknown[]).filter(
        (x) => (typeof x === 'string' && !x.includes('*')) || typeof x !== 'object',
      ),
    );
    if (exact.size === tests.length) return (v) => v !== undefined && exact.has(v);
    return (v) => tests.some((t) => t(v));
  }
  return compileOne(field, m as string | number | boolean | RegExp);
}

interface CompiledRule {
  readonly name: Test | undefined;
  readonly kinds: ReadonlySet<SpanKind> | undefined;
  readonly attributes: readonly (readonly [string, Test])[];
  readonly sampler: Sampler;
}

/** The user's samplers among the targets: the only delegates `onInit`, `attach` and `shutdown` reach. */
type UserSamplers = Sampler[];

function resolveTarget(field: string, target: RuleTarget | undefined, user: UserSamplers): Sampler {
  // The built-in targets stay unobserved: the rule-based sampler counts their decisions itself, and their
  // names (`rules[0].sampler:always_on`) are not unique across rule-based samplers.
  if (target === 'always_on') return createProbabilitySampler({ ratio: 1, name: `${field}:always_on` });
  if (target === 'always_off') return createProbabilitySampler({ ratio: 0, name: `${field}:always_off` });
  if (!isSampler(target)) throw invalidOption(field, target, "a Sampler, 'always_on' or 'always_off'");
  user.push(target);
  return target;
}

const KINDS = new Set<number>([
  SpanKind.INTERNAL,
  SpanKind.SERVER,
  SpanKind.CLIENT,
  SpanKind.PRODUCER,
  SpanKind.CONSUMER,
]);

class RuleBasedSampler implements ManagedSampler {
  readonly #rules: readonly CompiledRule[];
  readonly #fallback: Sampler;
  readonly #counts = new DecisionCounts();
  readonly #description: string;
  readonly #metrics: SamplingMetrics;
  readonly #delegates: SamplerDelegates;

  constructor(
    rules: readonly CompiledRule[],
    fallback: Sampler,
    user: UserSamplers,
    name: string,
    metrics: SamplingMetrics,
  ) {
    this.#rules = rules;
    this.#fallback = fallback;
    this.#description = `RuleBasedSampler{rules=[${rules.map((r) => r.sampler.toString()).join(', ')}], fallback=${fallback.toString()}}`;
    this.#metrics = metrics;
    registerDecisions(metrics, name, this.#counts);
    this.#delegates = new SamplerDelegates(user);
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    let sampler = this.#fallback;
    for (const rule of this.#rules) {
      if (this.#matches(rule, spanName, spanKind, attributes)) {
        sampler = rule.sampler;
        break;
      }
    }
    const result = sampler.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    this.#counts.add(result.decision);
    return result;
  }

  #matches(rule: CompiledRule, spanName: string, spanKind: SpanKind, attributes: Attributes): boolean {
    if (rule.kinds !== undefined && !rule.kinds.has(spanKind)) return false;
    if (rule.name !== undefined && !rule.name(spanName)) return false;
    for (const [key, test] of rule.attributes) {
      if (!test((attributes as Attributes | undefined)?.[key])) return false;
    }
    return true;
  }

  onInit(obs: Observability): void {
    initMetrics(this.#metrics, obs);
    this.#delegates.onInit(obs);
  }

  attach(feed: SeriesFeed): void {
    this.#delegates.attach(feed);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.#delegates.shutdown();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  toString(): string {
    return this.#description;
  }
}

/**
 * An ordered list of rules on span name, kind and start attributes, each pointing at a sampler; the first
 * rule that matches decides, the fallback decides the rest. Delegates keep their own guarantees
 * (probability samplers write `th`, so the adjusted count of every kept span stays known). It forwards
 * `onInit`, `attach` and `shutdown` to the samplers you gave it (each once).
 * @example
 * createRuleBasedSampler({
 *   rules: [
 *     { attributes: { 'http.route': '/health' }, sampler: 'always_off' },
 *     { attributes: { 'http.route': '/checkout' }, sampler: 'always_on' },
 *   ],
 *   fallback: createProbabilitySampler({ ratio: 0.1 }),
 * });
 */
export function createRuleBasedSampler(options: RuleBasedSamplerOptions): ManagedSampler {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', options, 'an object');
  if (!Array.isArray(options.rules)) throw invalidOption('rules', options.rules, 'an array of rules');
  const user: UserSamplers = [];
  const rules = options.rules.map((rule: SamplingRule, i): CompiledRule => {
    const field = `rules[${i}]`;
    if (typeof rule !== 'object' || rule === null) throw invalidOption(field, rule, 'a rule object');
    let kinds: Set<SpanKind> | undefined;
    if (rule.kind !== undefined) {
      const list = (Array.isArray(rule.kind) ? rule.kind : [rule.kind]) as SpanKind[];
      for (const k of list)
        if (!KINDS.has(k)) throw invalidOption(`${field}.kind`, rule.kind, 'a SpanKind or list of SpanKind');
      kinds = new Set(list);
    }
    if (rule.attributes !== undefined && (typeof rule.attributes !== 'object' || rule.attributes === null)) {
      throw invalidOption(`${field}.attributes`, rule.attributes, 'an object of matchers by attribute key');
    }
    return {
      name: rule.spanName === undefined ? undefined : compileMatcher(`${field}.spanName`, rule.spanName),
      kinds,
      attributes: Object.entries(rule.attributes ?? {}).map(
        ([key, m]) => [key, compileMatcher(`${field}.attributes.${key}`, m)] as const,
      ),
      sampler: resolveTarget(`${field}.sampler`, rule.sampler, user),
    };
  });
  const fallback = resolveTarget('fallback', options.fallback ?? 'always_on', user);
  return new RuleBasedSampler(
    rules,
    fallback,
    user,
    options.name ?? nextComponentName('rulebased'),
    resolveMetrics(options.metrics),
  );
}
