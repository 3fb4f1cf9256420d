import { describeValue, invalidOption } from './errors.js';

/** A service class: the three built-in ones or a custom name. */
export type SloClass = 'gold' | 'silver' | 'bronze' | (string & {});

/** One rule of the class matcher. First matching rule wins. */
export interface SloClassRule {
  /** The class assigned when the rule matches. */
  readonly class: SloClass;
  /** HTTP method or methods (case-insensitive). @default any method */
  readonly method?: string | readonly string[] | undefined;
  /**
   * HTTP route template: exact (`/checkout`), or a pattern where `*` matches any characters
   * (`/api/*`, `/reports/*`). A rule with `route` never matches an RPC.
   */
  readonly route?: string | undefined;
  /** Fully qualified RPC method: `shop.Inventory/Reserve`, `shop.Inventory/*`, `*`. Never matches HTTP. */
  readonly rpc?: string | undefined;
}

/** Options of {@link createSloClassMatcher}. */
export interface SloClassMatcherOptions {
  /** Ordered rules. @default [] (everything gets `defaultClass`) */
  readonly rules?: readonly SloClassRule[] | undefined;
  /** Class of requests no rule matches. @default 'silver' */
  readonly defaultClass?: SloClass | undefined;
  /** Memoised (method, route) results; beyond this, results are computed each time. @default 10000 */
  readonly maxCacheEntries?: number | undefined;
}

/** Matches requests to service classes; shared by both middlewares and the slo package. */
export interface SloClassMatcher {
  /** Class of an HTTP request, by method and route template (undefined route: unmatched request). */
  matchHttp(method: string, route: string | undefined): SloClass;
  /** Class of an RPC, by fully qualified method (`package.Service/Method`). */
  matchRpc(fullMethod: string): SloClass;
  readonly defaultClass: SloClass;
  /** Every class the rules and the default mention, in first-mention order. */
  readonly classes: readonly SloClass[];
}

/** Defaults of the class matcher. */
export const SLO_CLASS_DEFAULTS = Object.freeze({ defaultClass: 'silver', maxCacheEntries: 10_000 });

/** Shedding priority of the built-in classes: lower sheds later (gold last). Custom classes rank as given. */
export const SLO_CLASS_PRIORITY: Readonly<Record<string, number>> = Object.freeze({
  gold: 0,
  silver: 1,
  bronze: 2,
});

interface CompiledRule {
  readonly cls: SloClass;
  readonly methods: ReadonlySet<string> | undefined;
  readonly route: ((route: string) => boolean) | undefined;
  readonly rpc: ((method: string) => boolean) | undefined;
}

function compilePattern(pattern: string): (value: string) => boolean {
  if (pattern === '*') return () => true;
  if (!pattern.includes('*')) return (value) => value === pattern;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const re = new RegExp(`^${source}$`);
  return (value) => re.test(value);
}

function compileRule(rule: SloClassRule, index: number): CompiledRule {
  const at = `rules[${index}]`;
  if (typeof rule !== 'object' || rule === null) throw invalidOption(at, rule, 'an object');
  if (typeof rule.class !== 'string' || !/^[A-Za-z][A-Za-z0-9_.-]{0,62}$/.test(rule.class)) {
    throw invalidOption(`${at}.class`, rule.class, 'a class name such as "gold" (letters, digits, _ . -)');
  }
  if (rule.route !== undefined && rule.rpc !== undefined) {
    throw invalidOption(at, rule, 'a rule with `route` or `rpc`, not both');
  }
  let methods: Set<string> | undefined;
  if (rule.method !== undefined) {
    const list = typeof rule.method === 'string' ? [rule.method] : rule.method;
    if (!Array.isArray(list) || list.some((m) => typeof m !== 'string' || m.length === 0)) {
      throw invalidOption(`${at}.method`, rule.method, 'an HTTP method or a list of them');
    }
    methods = new Set((list as string[]).map((m) => m.toUpperCase()));
  }
  for (const field of ['route', 'rpc'] as const) {
    const value = rule[field];
    if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
      throw invalidOption(`${at}.${field}`, value, 'a non-empty string pattern');
    }
  }
  return {
    cls: rule.class,
    methods,
    route: rule.route === undefined ? undefined : compilePattern(rule.route),
    rpc: rule.rpc === undefined ? undefined : compilePattern(rule.rpc),
  };
}

class Matcher implements SloClassMatcher {
  readonly defaultClass: SloClass;
  readonly classes: readonly SloClass[];
  readonly #rules: readonly CompiledRule[];
  readonly #http = new Map<string, SloClass>();
  readonly #rpc = new Map<string, SloClass>();
  readonly #maxCache: number;

  constructor(options: SloClassMatcherOptions) {
    const rules = options.rules ?? [];
    if (!Array.isArray(rules)) throw invalidOption('rules', rules, 'an array of rules');
    this.#rules = (rules as readonly SloClassRule[]).map(compileRule);
    const defaultClass = options.defaultClass ?? SLO_CLASS_DEFAULTS.defaultClass;
    if (typeof defaultClass !== 'string' || defaultClass.length === 0) {
      throw invalidOption('defaultClass', defaultClass, 'a class name');
    }
    this.defaultClass = defaultClass;
    this.#maxCache = options.maxCacheEntries ?? SLO_CLASS_DEFAULTS.maxCacheEntries;
    if (!Number.isInteger(this.#maxCache) || this.#maxCache < 0) {
      throw invalidOption('maxCacheEntries', this.#maxCache, 'a non-negative integer');
    }
    this.classes = Object.freeze([...new Set([...this.#rules.map((r) => r.cls), defaultClass])]);
  }

  matchHttp(method: string, route: string | undefined): SloClass {
    const key = method + ' ' + (route ?? '');
    const hit = this.#http.get(key);
    if (hit !== undefined) return hit;
    const upper = method.toUpperCase();
    let cls = this.defaultClass;
    for (const rule of this.#rules) {
      if (rule.rpc !== undefined) continue;
      if (rule.methods !== undefined && !rule.methods.has(upper)) continue;
      if (rule.route !== undefined && (route === undefined || !rule.route(route))) continue;
      cls = rule.cls;
      break;
    }
    if (this.#http.size < this.#maxCache) this.#http.set(key, cls);
    return cls;
  }

  matchRpc(fullMethod: string): SloClass {
    const hit = this.#rpc.get(fullMethod);
    if (hit !== undefined) return hit;
    let cls = this.defaultClass;
    for (const rule of this.#rules) {
      if (rule.route !== undefined || rule.methods !== undefined) continue;
      if (rule.rpc !== undefined && !rule.rpc(fullMethod)) continue;
      cls = rule.cls;
      break;
    }
    if (this.#rpc.size < this.#maxCache) this.#rpc.set(fullMethod, cls);
    return cls;
  }

  toString(): string {
    return `SloClassMatcher{rules=${this.#rules.length}, default=${describeValue(this.defaultClass)}}`;
  }
}

/**
 * Creates the matcher from (method, route) or RPC method to a service class.
 * @example
 * const classes = createSloClassMatcher({ rules: [
 *   { class: 'gold', method: 'POST', route: '/checkout' },
 *   { class: 'bronze', route: '/reports/*' },
 *   { class: 'gold', rpc: 'shop.Inventory/Reserve' },
 * ] });
 * classes.matchHttp('POST', '/checkout'); // 'gold'
 */
export function createSloClassMatcher(options: SloClassMatcherOptions = {}): SloClassMatcher {
  return new Matcher(options);
}
