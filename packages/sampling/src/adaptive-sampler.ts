import { type Attributes, type Context, diag, type Link, type SpanKind } from '@opentelemetry/api';
import { type SamplingResult } from '@opentelemetry/sdk-trace-base';
import { type Observability } from '@trisignal/core';
import {
  type AdaptivePolicyFunction,
  type AdaptiveWindow,
  SEED_DEFAULT_WEIGHTS,
  type SeedWeights,
  seedProbability,
  targetRateProbability,
  type TargetRateParams,
} from './adaptive-policy.js';
import { CompiledProbability, decideConsistent, type ParentMode } from './consistent.js';
import { checkInteger, checkNumber, invalidOption, isList } from './errors.js';
import { DecisionCounts, nextComponentName } from './internal/decision-counts.js';
import {
  initMetrics,
  registerAdaptive,
  registerDecisions,
  resolveMetrics,
  type SamplingMetrics,
} from './metrics.js';
import { checkParentMode } from './probability-sampler.js';
import { type ManagedSampler } from './managed-sampler.js';
import { type FeedKind, type FeedSeries, isSeriesFeed, type SeriesFeed } from './series-feed.js';
import { DEFAULT_PRECISION } from './threshold.js';

/** `'target-rate'` (default), `'seed'`, or your own function of a window's traffic. */
export type AdaptivePolicy = 'target-rate' | 'seed' | AdaptivePolicyFunction;

/** Options of {@link createAdaptiveSampler}. */
export interface AdaptiveSamplerOptions {
  /** Traffic source. @default `obs.recorder` of the `init()` the sampler is given to (or `attach(feed)`) */
  readonly feed?: SeriesFeed | undefined;
  /** Series kinds read from the feed. @default ['http.server', 'rpc.server'] */
  readonly kinds?: readonly FeedKind[] | undefined;
  /** How a key's next probability is computed. @default 'target-rate' */
  readonly policy?: AdaptivePolicy | undefined;
  /** Target-rate policy: sampled traces per second wanted per key. @default 1 */
  readonly targetTracesPerSecond?: number | undefined;
  /** Target-rate policy: lowest probability. @default 0.00001 (Jaeger's `min_sampling_probability`) */
  readonly minProbability?: number | undefined;
  /** Target-rate policy: largest relative increase per window. @default 0.5 (Jaeger's +50 % cap) */
  readonly maxIncreasePerWindow?: number | undefined;
  /** Target-rate policy: error rate (0…1) above which a key's probability climbs toward 1. @default 0.01 */
  readonly errorRateThreshold?: number | undefined;
  /** Seed policy weights. @default { qps: 0.8, errorRatePercent: 5 } */
  readonly seedWeights?: SeedWeights | undefined;
  /** Probability of keys not measured yet (also spans whose name is no key). @default 1 */
  readonly initialProbability?: number | undefined;
  /** Window length: probabilities are recomputed this often. @default 5000 */
  readonly windowMillis?: number | undefined;
  /** Keys tracked at most; more are refused (and counted) until idle keys leave. @default 2000 */
  readonly maxKeys?: number | undefined;
  /** Windows without requests after which a key is forgotten. @default 120 */
  readonly maxIdleWindows?: number | undefined;
  /** Hex digits of the written `th`. @default 4 */
  readonly precision?: number | undefined;
  /** How a parent's decision and `th` are treated when used without a parent-based wrapper. @default 'independent' */
  readonly parentMode?: ParentMode | undefined;
  /** Start the unref'd window timer. `false`: call `tick()` yourself (tests, manual windows). @default true */
  readonly autoTick?: boolean | undefined;
  /** Monotonic clock in milliseconds. @default performance.now */
  readonly now?: (() => number) | undefined;
  /** Where self-metrics go. @default its own, reporting through `obs.meterProvider` once given to `init()` */
  readonly metrics?: SamplingMetrics | undefined;
  /** @default 'adaptive/<n>' */
  readonly name?: string | undefined;
  /**
   * On a key miss, match the span's `url.path` against the route templates of the HTTP keys already
   * learnt (`GET /api/items/:id` matches `GET` + `/api/items/42`; `:param` is one segment, `*` or `*name`
   * the rest), so a server span started before routing (the Express middleware names it by method only)
   * still gets its route's probability. Templates with other syntax are not matched.
   * @default false
   */
  readonly matchUrlPath?: boolean | undefined;
}

/** Adaptive sampler defaults. */
export const ADAPTIVE_DEFAULTS = Object.freeze({
  kinds: Object.freeze(['http.server', 'rpc.server'] as FeedKind[]),
  policy: 'target-rate' as const,
  targetTracesPerSecond: 1,
  minProbability: 0.00001,
  maxIncreasePerWindow: 0.5,
  errorRateThreshold: 0.01,
  seedWeights: SEED_DEFAULT_WEIGHTS,
  initialProbability: 1,
  windowMillis: 5000,
  maxKeys: 2000,
  maxIdleWindows: 120,
  precision: DEFAULT_PRECISION,
  parentMode: 'independent',
  autoTick: true,
  matchUrlPath: false,
});

/** What the sampler knows about one key. */
export interface AdaptiveKeyStatus {
  readonly key: string;
  /** The probability applied now. */
  readonly probability: number;
  /** Requests per second and error rate (0…1) of the last window. */
  readonly qps: number;
  readonly errorRate: number;
}

/** An adaptive sampler: a probability per key, recomputed every window from the feed's traffic. */
export interface AdaptiveSampler extends ManagedSampler {
  /** Closes a window now: reads the feed and recomputes every key's probability. */
  tick(): void;
  /** The probability applied to spans named `key` (the initial probability for unknown keys). */
  probabilityOf(key: string): number;
  /** Every tracked key, in first-seen order. */
  keys(): AdaptiveKeyStatus[];
}

const OVERFLOW_OPERATION = 'otel.metric.overflow';

interface RouteTemplate {
  readonly method: string;
  readonly pattern: RegExp;
  /** Literal segments count most, then parameters; a trailing wildcard least. */
  readonly specificity: number;
  readonly state: KeyState;
}

/** Segments a template may hold: literal text, `:param`, or a final `*` / `*name`. */
const LITERAL_SEGMENT = /^[A-Za-z0-9._~!$&'=@%-]*$/;
const PARAM_SEGMENT = /^:[A-Za-z_$][A-Za-z0-9_$]*$/;
const WILDCARD_SEGMENT = /^\*([A-Za-z_$][A-Za-z0-9_$]*)?$/;

/** Compiles `METHOD /route/:param` into a matcher of concrete paths; undefined for other syntax. */
function compileRouteTemplate(state: KeyState): RouteTemplate | undefined {
  const space = state.key.indexOf(' ');
  if (space <= 0) return undefined;
  const method = state.key.slice(0, space);
  const route = state.key.slice(space + 1);
  if (!route.startsWith('/')) return undefined;
  const segments = route.split('/').slice(1);
  let source = '^';
  let specificity = 0;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (PARAM_SEGMENT.test(segment)) {
      source += '/[^/]+';
      specificity += 1;
    } else if (WILDCARD_SEGMENT.test(segment)) {
      if (i !== segments.length - 1) return undefined;
      source += '(?:/.*)?';
    } else if (LITERAL_SEGMENT.test(segment)) {
      source += '/' + segment.replace(/[.$]/g, '\\$&');
      specificity += 2;
    } else {
      return undefined;
    }
  }
  return { method, pattern: new RegExp(source + '/?$'), specificity, state };
}

class KeyState {
  readonly key: string;
  compiled: CompiledProbability;
  qps = 0;
  errorRate = 0;
  idleWindows = 0;
  constructor(key: string, compiled: CompiledProbability) {
    this.key = key;
    this.compiled = compiled;
  }
}

interface Totals {
  count: number;
  errors: number;
}

interface Resolved {
  readonly kinds: readonly FeedKind[];
  readonly policy: AdaptivePolicy;
  readonly target: TargetRateParams;
  readonly seedWeights: { readonly qps: number; readonly errorRatePercent: number };
  readonly initialProbability: number;
  readonly windowMillis: number;
  readonly maxKeys: number;
  readonly maxIdleWindows: number;
  readonly precision: number;
  readonly parentMode: ParentMode;
  readonly autoTick: boolean;
  readonly matchUrlPath: boolean;
  readonly now: () => number;
}

class AdaptiveSamplerImpl implements AdaptiveSampler {
  readonly #o: Resolved;
  readonly #table = new Map<string, KeyState>();
  /** Route-template matchers by HTTP method (only with `matchUrlPath`), rebuilt when keys come or go. */
  #templates: ReadonlyMap<string, readonly RouteTemplate[]> = new Map();
  readonly #initial: CompiledProbability;
  readonly #counts = new DecisionCounts();
  readonly #metrics: SamplingMetrics;
  #feed: SeriesFeed | undefined;
  /** True once the user gave a feed (option or `attach`): `onInit` then leaves it alone. */
  #feedGiven = false;
  #last: Map<string, Totals> | undefined;
  #lastTime = 0;
  #refused = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #warnedFeed = false;
  #warnedKeys = false;

  constructor(o: Resolved, feed: SeriesFeed | undefined, name: string, metrics: SamplingMetrics) {
    this.#o = o;
    this.#initial = new CompiledProbability(o.initialProbability, o.precision);
    this.#metrics = metrics;
    registerDecisions(metrics, name, this.#counts);
    registerAdaptive(metrics, {
      name,
      visitProbabilities: (observe) => {
        for (const state of this.#table.values()) observe(state.key, state.compiled.probability);
      },
      keys: () => ({ tracked: this.#table.size, refused: this.#refused }),
    });
    if (feed !== undefined) this.attach(feed);
    if (o.autoTick) {
      this.#timer = setInterval(() => this.tick(), o.windowMillis);
      this.#timer.unref();
    }
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    _spanKind: SpanKind,
    attributes: Attributes,
    _links: Link[],
  ): SamplingResult {
    const state = this.#table.get(spanName) ?? this.#byAttributes(attributes);
    const result = decideConsistent(
      context,
      traceId,
      state === undefined ? this.#initial : state.compiled,
      this.#o.parentMode,
    );
    this.#counts.add(result.decision);
    return result;
  }

  /** Only on a miss: a server span started under another name still finds its route's key. */
  #byAttributes(attributes: Attributes | undefined): KeyState | undefined {
    if (attributes === undefined || this.#table.size === 0) return undefined;
    const route = attributes['http.route'];
    if (typeof route === 'string') {
      const method = attributes['http.request.method'];
      return this.#table.get(typeof method === 'string' ? method + ' ' + route : route);
    }
    const service = attributes['rpc.service'];
    const method = attributes['rpc.method'];
    if (typeof service === 'string' && typeof method === 'string')
      return this.#table.get(service + '/' + method);
    if (this.#o.matchUrlPath) {
      const path = attributes['url.path'];
      const httpMethod = attributes['http.request.method'];
      if (typeof path === 'string' && typeof httpMethod === 'string') {
        const candidates = this.#templates.get(httpMethod);
        if (candidates !== undefined) {
          for (const t of candidates) if (t.pattern.test(path)) return t.state;
        }
      }
    }
    return undefined;
  }

  #rebuildTemplates(): void {
    const byMethod = new Map<string, RouteTemplate[]>();
    for (const state of this.#table.values()) {
      const template = compileRouteTemplate(state);
      if (template === undefined) continue;
      let list = byMethod.get(template.method);
      if (list === undefined) {
        list = [];
        byMethod.set(template.method, list);
      }
      list.push(template);
    }
    // The most specific template wins: `/api/items/search` before `/api/items/:id`.
    for (const list of byMethod.values()) list.sort((a, b) => b.specificity - a.specificity);
    this.#templates = byMethod;
  }

  attach(feed: SeriesFeed): void {
    if (!isSeriesFeed(feed)) throw invalidOption('feed', feed, 'an object with forEachSeries(kind, visit)');
    this.#feedGiven = true;
    this.#use(feed);
  }

  onInit(obs: Observability): void {
    // Re-attaching the same recorder would restart the window's baseline: skip it (nested composites
    // may forward the same handle twice).
    if (!this.#feedGiven && this.#feed !== obs.recorder) this.#use(obs.recorder);
    initMetrics(this.#metrics, obs);
  }

  #use(feed: SeriesFeed): void {
    this.#feed = feed;
    // A new feed counts from its own start: take a baseline so the first window only sees new requests.
    this.#last = this.#read();
    this.#lastTime = this.#o.now();
  }

  #read(): Map<string, Totals> | undefined {
    const feed = this.#feed;
    if (feed === undefined) return undefined;
    const totals = new Map<string, Totals>();
    const visit = (series: FeedSeries): void => {
      const key = series.operation;
      if (key === OVERFLOW_OPERATION) return;
      const count = series.duration.count;
      let t = totals.get(key);
      if (t === undefined) {
        t = { count: 0, errors: 0 };
        totals.set(key, t);
      }
      t.count += count;
      if (series.isError) t.errors += count;
    };
    try {
      for (const kind of this.#o.kinds) feed.forEachSeries(kind, visit);
    } catch (error) {
      if (!this.#warnedFeed) {
        this.#warnedFeed = true;
        diag.warn('trisignal sampling: the adaptive feed threw; probabilities keep their last values', error);
      }
      return undefined;
    }
    return totals;
  }

  tick(): void {
    if (this.#closed || this.#feed === undefined) return;
    const now = this.#o.now();
    const current = this.#read();
    if (current === undefined) return;
    const previous = this.#last;
    const seconds = (now - this.#lastTime) / 1000;
    if (previous === undefined || !(seconds > 0)) {
      this.#last = current;
      this.#lastTime = now;
      return;
    }
    let refused = 0;
    let keysChanged = false;
    const seen = new Set<KeyState>();
    for (const [key, totals] of current) {
      const before = previous.get(key);
      let requests = totals.count - (before?.count ?? 0);
      let errors = totals.errors - (before?.errors ?? 0);
      if (requests < 0 || errors < 0) {
        requests = totals.count; // the feed restarted its counters
        errors = totals.errors;
      }
      let state = this.#table.get(key);
      if (state === undefined) {
        if (requests === 0) continue;
        if (this.#table.size >= this.#o.maxKeys) {
          refused++;
          continue;
        }
        state = new KeyState(key, this.#initial);
        this.#table.set(key, state);
        keysChanged = true;
      }
      seen.add(state);
      this.#update(state, requests, errors, seconds);
    }
    const size = this.#table.size;
    for (const state of this.#table.values()) {
      if (!seen.has(state)) this.#update(state, 0, 0, seconds);
    }
    if (this.#o.matchUrlPath && (keysChanged || this.#table.size !== size)) this.#rebuildTemplates();
    this.#refused = refused;
    if (refused > 0 && !this.#warnedKeys) {
      this.#warnedKeys = true;
      diag.warn(`trisignal sampling: ${refused} keys refused, maxKeys (${this.#o.maxKeys}) reached`);
    }
    this.#last = current;
    this.#lastTime = now;
  }

  #update(state: KeyState, requests: number, errors: number, seconds: number): void {
    if (requests === 0) {
      state.idleWindows++;
      if (state.idleWindows >= this.#o.maxIdleWindows) {
        this.#table.delete(state.key);
        return;
      }
    } else {
      state.idleWindows = 0;
    }
    const window: AdaptiveWindow = {
      key: state.key,
      qps: requests / seconds,
      errorRate: requests > 0 ? errors / requests : 0,
      requests,
      errors,
      windowSeconds: seconds,
      previousProbability: state.compiled.probability,
    };
    state.qps = window.qps;
    state.errorRate = window.errorRate;
    const next = this.#next(window);
    if (next !== state.compiled.probability)
      state.compiled = new CompiledProbability(next, this.#o.precision);
  }

  #next(w: AdaptiveWindow): number {
    const policy = this.#o.policy;
    let next: number;
    if (policy === 'target-rate') next = targetRateProbability(w, this.#o.target);
    else if (policy === 'seed') next = seedProbability(w.qps, w.errorRate * 100, this.#o.seedWeights);
    else {
      try {
        next = policy(w);
      } catch (error) {
        diag.warn(
          `trisignal sampling: adaptive policy threw for key ${w.key}; keeping its probability`,
          error,
        );
        next = NaN;
      }
    }
    if (typeof next !== 'number' || Number.isNaN(next)) return w.previousProbability;
    return Math.min(1, Math.max(0, next));
  }

  probabilityOf(key: string): number {
    return (this.#table.get(key)?.compiled ?? this.#initial).probability;
  }

  keys(): AdaptiveKeyStatus[] {
    return [...this.#table.values()].map((s) => ({
      key: s.key,
      probability: s.compiled.probability,
      qps: s.qps,
      errorRate: s.errorRate,
    }));
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  toString(): string {
    const o = this.#o;
    const policy =
      o.policy === 'target-rate'
        ? `target-rate, targetTracesPerSecond=${o.target.targetTracesPerSecond}, minProbability=${o.target.minProbability}`
        : o.policy === 'seed'
          ? `seed, weights=${o.seedWeights.qps}/${o.seedWeights.errorRatePercent}`
          : 'custom';
    return `AdaptiveSampler{policy=${policy}, windowMillis=${o.windowMillis}, initialProbability=${o.initialProbability}}`;
  }
}

const FEED_KINDS: readonly FeedKind[] = ['http.server', 'rpc.server', 'rpc.client'];

/**
 * An adaptive head sampler with one probability per key (the span name: `GET /api/items/:id`,
 * `shop.Inventory/Reserve`). Every window it reads every request, sampled or not, from the feed (core's
 * golden-signal recorder) and recomputes each key's probability with the policy; `shouldSample` is a Map
 * lookup and a consistent-probability decision (`ot=th:…`). Wrap it in a parent-based sampler.
 * Given to `init()` (alone or inside our composed samplers) it reads `obs.recorder`, reports its
 * self-metrics through `obs.meterProvider` and stops with `obs.shutdown()`; outside `init()`, call
 * `attach(feed)`, `metrics.setMeter(meter)` and `shutdown()` yourself.
 * @example
 * init({ sampler: createParentBasedSampler({ root: createAdaptiveSampler({ targetTracesPerSecond: 10 }) }) })
 */
export function createAdaptiveSampler(options: AdaptiveSamplerOptions = {}): AdaptiveSampler {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', options, 'an object');
  const kinds: unknown = options.kinds ?? ADAPTIVE_DEFAULTS.kinds;
  if (!isList(kinds) || kinds.length === 0 || kinds.some((k) => !FEED_KINDS.includes(k as FeedKind))) {
    throw invalidOption('kinds', kinds, "a non-empty list of 'http.server', 'rpc.server', 'rpc.client'");
  }
  const policy = options.policy ?? ADAPTIVE_DEFAULTS.policy;
  if (policy !== 'target-rate' && policy !== 'seed' && typeof policy !== 'function') {
    throw invalidOption('policy', policy, "'target-rate', 'seed' or a function");
  }
  const minProbability = checkNumber(
    'minProbability',
    options.minProbability ?? ADAPTIVE_DEFAULTS.minProbability,
    0,
    1,
  );
  const target: TargetRateParams = {
    targetTracesPerSecond: checkNumber(
      'targetTracesPerSecond',
      options.targetTracesPerSecond ?? ADAPTIVE_DEFAULTS.targetTracesPerSecond,
      0,
      Infinity,
    ),
    minProbability,
    maxIncreasePerWindow: checkNumber(
      'maxIncreasePerWindow',
      options.maxIncreasePerWindow ?? ADAPTIVE_DEFAULTS.maxIncreasePerWindow,
      0,
      Infinity,
    ),
    errorRateThreshold: checkNumber(
      'errorRateThreshold',
      options.errorRateThreshold ?? ADAPTIVE_DEFAULTS.errorRateThreshold,
      0,
      1,
    ),
  };
  const weights = options.seedWeights;
  if (weights !== undefined && (typeof weights !== 'object' || weights === null)) {
    throw invalidOption('seedWeights', weights, 'an object { qps?, errorRatePercent? }');
  }
  const seedWeights = {
    qps: checkNumber('seedWeights.qps', weights?.qps ?? SEED_DEFAULT_WEIGHTS.qps, 0, Infinity),
    errorRatePercent: checkNumber(
      'seedWeights.errorRatePercent',
      weights?.errorRatePercent ?? SEED_DEFAULT_WEIGHTS.errorRatePercent,
      0,
      Infinity,
    ),
  };
  const now = options.now ?? (() => performance.now());
  if (typeof now !== 'function') throw invalidOption('now', now, 'a function returning milliseconds');
  const autoTick = options.autoTick ?? ADAPTIVE_DEFAULTS.autoTick;
  if (typeof autoTick !== 'boolean') throw invalidOption('autoTick', autoTick, 'a boolean');
  const matchUrlPath = options.matchUrlPath ?? ADAPTIVE_DEFAULTS.matchUrlPath;
  if (typeof matchUrlPath !== 'boolean') throw invalidOption('matchUrlPath', matchUrlPath, 'a boolean');
  const resolved: Resolved = {
    kinds: [...kinds] as FeedKind[],
    policy,
    target,
    seedWeights,
    initialProbability: checkNumber(
      'initialProbability',
      options.initialProbability ?? ADAPTIVE_DEFAULTS.initialProbability,
      0,
      1,
    ),
    windowMillis: checkInteger('windowMillis', options.windowMillis ?? ADAPTIVE_DEFAULTS.windowMillis, 1),
    maxKeys: checkInteger('maxKeys', options.maxKeys ?? ADAPTIVE_DEFAULTS.maxKeys, 1),
    maxIdleWindows: checkInteger(
      'maxIdleWindows',
      options.maxIdleWindows ?? ADAPTIVE_DEFAULTS.maxIdleWindows,
      1,
    ),
    precision: checkInteger('precision', options.precision ?? ADAPTIVE_DEFAULTS.precision, 1, 14),
    parentMode: checkParentMode('parentMode', options.parentMode ?? ADAPTIVE_DEFAULTS.parentMode),
    autoTick,
    matchUrlPath,
    now,
  };
  if (options.feed !== undefined && !isSeriesFeed(options.feed)) {
    throw invalidOption('feed', options.feed, 'an object with forEachSeries(kind, visit)');
  }
  return new AdaptiveSamplerImpl(
    resolved,
    options.feed,
    options.name ?? nextComponentName('adaptive'),
    resolveMetrics(options.metrics),
  );
}
