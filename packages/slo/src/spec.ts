import {
  EXPONENTIAL_DURATION_BUCKETS,
  SEMCONV_DURATION_BUCKETS,
  SLO_CLASS_PRIORITY,
  type SloClassRule,
} from '@trisignal/core';
import { parseDuration } from './duration.js';
import { invalidSpec } from './errors.js';
import {
  LABEL_SEVERITY,
  LABEL_SLO_CLASS,
  LABEL_SLO_PERIOD,
  LABEL_SLO_SERVICE,
  LABEL_SLO_SLI,
  LABEL_SLO_THRESHOLD,
} from './names.js';
import { clean, formatNumber } from './promql.js';

/** The spec format version written in files. */
export const SLO_SPEC_VERSION = 'trisignal/v1';

/** SLO period: the rolling window the error budget is counted over. */
export type SloPeriod = '28d' | '30d';

/**
 * The default duration buckets: the semantic-convention advice (core's default) plus 3 s, so the seed's
 * "p999 > 3 s" alert has an exact bucket boundary. Pass them to core (`toCoreOptions(spec)` does).
 */
export const SLO_DEFAULT_BUCKETS: readonly number[] = Object.freeze(
  [...SEMCONV_DURATION_BUCKETS, 3].sort((a, b) => a - b),
);

/** A named bucket set or explicit boundaries in seconds. */
export type SloBucketOption = 'slo' | 'semconv' | 'exponential' | readonly number[];

/** A latency objective: `quantile` of requests finish within `thresholdSeconds` (a bucket boundary). */
export interface LatencyObjectiveInput {
  /** Share of requests that must be fast, in (0, 1): 0.99 for "p99". */
  readonly quantile: number;
  /** The threshold in seconds; must be a boundary of the bucket set. */
  readonly thresholdSeconds: number;
}

/** Which requests belong to a class: the same rule shape as core's class matcher. */
export interface SloMatchInput {
  /** HTTP method or methods (case-insensitive). @default any method */
  readonly method?: string | readonly string[] | undefined;
  /** HTTP route template, exact or with `*` (`/api/*`). */
  readonly route?: string | undefined;
  /** Fully qualified RPC method, exact or with `*` (`shop.Inventory/*`). */
  readonly rpc?: string | undefined;
}

/** One service class (gold / silver / bronze / custom) and its objectives. */
export interface SloClassInput {
  /** Class name, the `trisignal.slo.class` attribute value. */
  readonly name: string;
  /** Availability objective in percent, in (0, 100): 99.9. */
  readonly availability: number;
  /** Latency objectives. @default [] */
  readonly latency?: readonly LatencyObjectiveInput[] | undefined;
  /** Requests of this class; rules are tried in spec order, first match wins. @default [] */
  readonly match?: readonly SloMatchInput[] | undefined;
  /** Shedding priority: higher sheds first. @default core's SLO_CLASS_PRIORITY (gold 0, silver 1, bronze 2), else 1 */
  readonly priority?: number | undefined;
  readonly description?: string | undefined;
}

/** Labels and annotations of one alert severity. */
export interface SeverityInput {
  /** Generate no alerts of this severity. @default false */
  readonly disable?: boolean | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  /** Annotation templates may use `{{ $labels.<name> }}` only (the generated tests expand them). */
  readonly annotations?: Readonly<Record<string, string>> | undefined;
}

/** The seed's dynamic latency alert: pN above `factor` × its own baseline. */
export interface LatencyRegressionInput {
  readonly disable?: boolean | undefined;
  /** @default 0.99 */
  readonly quantile?: number | undefined;
  /** @default 1.8 */
  readonly factor?: number | undefined;
  /** Baseline = median of the 5m pN over this window… @default '1h' */
  readonly baselineWindow?: string | undefined;
  /** …ending this long ago, so a regression stays out of its own baseline. @default '10m' */
  readonly baselineOffset?: string | undefined;
  /** @default '5m' */
  readonly for?: string | undefined;
  /** @default 'ticket' */
  readonly severity?: 'page' | 'ticket' | undefined;
}

/** The seed's sustained latency alert: pN above a fixed threshold for a while. */
export interface LatencySustainedInput {
  readonly disable?: boolean | undefined;
  /** @default 0.999 */
  readonly quantile?: number | undefined;
  /** Must be a bucket boundary. @default 3 */
  readonly thresholdSeconds?: number | undefined;
  /** @default '5m' */
  readonly for?: string | undefined;
  /** @default 'page' */
  readonly severity?: 'page' | 'ticket' | undefined;
}

/** Alerting settings shared by every class. */
export interface AlertingInput {
  readonly page?: SeverityInput | undefined;
  readonly ticket?: SeverityInput | undefined;
  /** Low-traffic guard: a burn-rate alert needs at least this many requests in its long window. @default 100 */
  readonly minRequests?: number | undefined;
  /** Alert when a class has no data at all. @default { for: '10m', severity: 'ticket' } */
  readonly absent?:
    | {
        readonly disable?: boolean | undefined;
        readonly for?: string | undefined;
        readonly severity?: 'page' | 'ticket' | undefined;
      }
    | undefined;
  readonly latencyRegression?: LatencyRegressionInput | undefined;
  readonly latencySustained?: LatencySustainedInput | undefined;
}

/** The spec as written (YAML, JSON or TypeScript). */
export interface SloSpecInput {
  /** @default 'trisignal/v1' */
  readonly version?: string | undefined;
  /** Service name: labels the generated series and names the files. */
  readonly service: string;
  readonly description?: string | undefined;
  /** @default '30d' */
  readonly period?: SloPeriod | undefined;
  /** Duration buckets the service records with (thresholds must be boundaries). @default 'slo' (SLO_DEFAULT_BUCKETS) */
  readonly buckets?: SloBucketOption | undefined;
  /** Label matchers (equality) selecting this service's series. @default { job: service } */
  readonly selector?: Readonly<Record<string, string>> | undefined;
  /** Class of requests no rule matches; must be one of `classes`. @default 'silver' */
  readonly defaultClass?: string | undefined;
  /** Extra labels on every alert. @default {} */
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly classes: readonly SloClassInput[];
  readonly alerting?: AlertingInput | undefined;
}

/** One objective: an SLI of one class with its target. */
export interface SloObjective {
  /** `gold/availability`, `gold/latency/0.25`. */
  readonly id: string;
  readonly className: string;
  readonly sli: 'availability' | 'latency';
  /** Target as a fraction: 0.999. */
  readonly target: number;
  /** Error budget: 1 − target, without float noise. */
  readonly budget: number;
  /** Latency threshold (latency SLIs only). */
  readonly thresholdSeconds: number | undefined;
  /** Labels identifying this objective's series (class, sli, threshold). */
  readonly labels: Readonly<Record<string, string>>;
}

/** A resolved class. */
export interface SloClassSpec {
  readonly name: string;
  readonly availability: number;
  readonly latency: readonly LatencyObjectiveInput[];
  readonly match: readonly SloMatchInput[];
  readonly priority: number;
  readonly description: string | undefined;
  readonly objectives: readonly SloObjective[];
}

/** Resolved alerting settings. */
export interface SloAlerting {
  readonly page: {
    readonly disable: boolean;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
  };
  readonly ticket: {
    readonly disable: boolean;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
  };
  readonly minRequests: number;
  readonly absent: {
    readonly disable: boolean;
    readonly forSeconds: number;
    readonly severity: 'page' | 'ticket';
  };
  readonly latencyRegression: {
    readonly disable: boolean;
    readonly quantile: number;
    readonly factor: number;
    readonly baselineWindowSeconds: number;
    readonly baselineOffsetSeconds: number;
    readonly forSeconds: number;
    readonly severity: 'page' | 'ticket';
  };
  readonly latencySustained: {
    readonly disable: boolean;
    readonly quantile: number;
    readonly thresholdSeconds: number;
    readonly forSeconds: number;
    readonly severity: 'page' | 'ticket';
  };
}

/** A validated, resolved and frozen spec: what `defineSlo()` returns and every generator takes. */
export interface SloSpec {
  readonly version: string;
  readonly service: string;
  readonly description: string | undefined;
  readonly period: SloPeriod;
  readonly periodSeconds: number;
  readonly buckets: readonly number[];
  readonly selector: Readonly<Record<string, string>>;
  readonly defaultClass: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly classes: readonly SloClassSpec[];
  readonly alerting: SloAlerting;
  /** Every objective, classes in order, availability first. */
  readonly objectives: readonly SloObjective[];
}

/** Spec defaults. */
export const SLO_SPEC_DEFAULTS = Object.freeze({
  version: SLO_SPEC_VERSION,
  period: '30d',
  buckets: 'slo' as const,
  defaultClass: 'silver',
  minRequests: 100,
  absent: Object.freeze({ for: '10m', severity: 'ticket' as const }),
  latencyRegression: Object.freeze({
    quantile: 0.99,
    factor: 1.8,
    baselineWindow: '1h',
    baselineOffset: '10m',
    for: '5m',
    severity: 'ticket' as const,
  }),
  latencySustained: Object.freeze({
    quantile: 0.999,
    thresholdSeconds: 3,
    for: '5m',
    severity: 'page' as const,
  }),
});

const NAME_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Labels the generator owns; a user label with one of these names would break series identity. */
const RESERVED_LABELS = new Set([
  'alertname',
  'le',
  LABEL_SEVERITY,
  LABEL_SLO_SERVICE,
  LABEL_SLO_CLASS,
  LABEL_SLO_SLI,
  LABEL_SLO_THRESHOLD,
  LABEL_SLO_PERIOD,
]);
const TEMPLATE_RE = /\{\{(.*?)\}\}/g;
const LABEL_TEMPLATE_RE = /^\s*\$labels\.[a-zA-Z_][a-zA-Z0-9_]*\s*$/;

type Obj = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown, path: string, fields: readonly string[]): Obj {
  if (!isObject(value)) throw invalidSpec(path, value, 'an object');
  for (const key of Object.keys(value)) {
    if (!fields.includes(key)) {
      throw invalidSpec(
        path === '' ? key : `${path}.${key}`,
        value[key],
        `absent (unknown field; known fields: ${fields.join(', ')})`,
      );
    }
  }
  return value;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidSpec(path, value, 'a string');
  return value;
}

function optionalBoolean(value: unknown, path: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidSpec(path, value, 'true or false');
  return value;
}

function duration(value: unknown, path: string, fallback: string): number {
  const seconds = parseDuration(value ?? fallback);
  if (seconds === undefined) throw invalidSpec(path, value, 'a Prometheus duration such as "5m" or "1h"');
  return seconds;
}

function severity(value: unknown, path: string, fallback: 'page' | 'ticket'): 'page' | 'ticket' {
  const v = value ?? fallback;
  if (v !== 'page' && v !== 'ticket') throw invalidSpec(path, value, '"page" or "ticket"');
  return v;
}

function fraction(value: unknown, path: string, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v >= 1) {
    throw invalidSpec(path, value, 'a quantile strictly between 0 and 1, such as 0.99');
  }
  return v;
}

function labelMap(
  value: unknown,
  path: string,
  what: 'labels' | 'selector' | 'annotations',
): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value))
    throw invalidSpec(
      path,
      value,
      `an object of ${what === 'annotations' ? 'annotation' : 'label'} names to strings`,
    );
  const out: Record<string, string> = {};
  for (const key of Object.keys(value).sort()) {
    const at = `${path}.${key}`;
    if (!LABEL_NAME_RE.test(key)) {
      throw invalidSpec(at, key, 'a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*) as the key');
    }
    if (what !== 'annotations' && RESERVED_LABELS.has(key)) {
      throw invalidSpec(at, value[key], `not set: \`${key}\` is set by the generator`);
    }
    const v = value[key];
    if (typeof v !== 'string' || (what !== 'annotations' && v === '')) {
      throw invalidSpec(at, v, what === 'annotations' ? 'a string' : 'a non-empty string');
    }
    if (what === 'annotations') {
      for (const m of v.matchAll(TEMPLATE_RE)) {
        if (!LABEL_TEMPLATE_RE.test(m[1] ?? '')) {
          throw invalidSpec(
            at,
            v,
            'a string whose templates are only `{{ $labels.<name> }}` (the generated promtool tests must predict every annotation)',
          );
        }
      }
    }
    out[key] = v;
  }
  return out;
}

function resolveBuckets(value: unknown): readonly number[] {
  if (value === undefined || value === 'slo') return SLO_DEFAULT_BUCKETS;
  if (value === 'semconv') return SEMCONV_DURATION_BUCKETS;
  if (value === 'exponential') return EXPONENTIAL_DURATION_BUCKETS;
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidSpec(
      'buckets',
      value,
      '"slo", "semconv", "exponential" or a non-empty list of increasing boundaries in seconds',
    );
  }
  const list = value as readonly unknown[];
  list.forEach((b, i) => {
    if (typeof b !== 'number' || !Number.isFinite(b) || b <= 0) {
      throw invalidSpec(`buckets[${i}]`, b, 'a positive number of seconds');
    }
    const prev = list[i - 1];
    if (typeof prev === 'number' && b <= prev) {
      throw invalidSpec(`buckets[${i}]`, b, `greater than the previous boundary ${prev}`);
    }
  });
  return Object.freeze([...(list as number[])]);
}

function isBoundary(buckets: readonly number[], value: number): boolean {
  return buckets.some((b) => Math.abs(b - value) <= 1e-12 * Math.max(1, Math.abs(b)));
}

function threshold(value: unknown, path: string, buckets: readonly number[]): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidSpec(path, value, 'a positive number of seconds');
  }
  if (!isBoundary(buckets, value)) {
    throw invalidSpec(
      path,
      value,
      `a boundary of the bucket set (${buckets.map(formatNumber).join(', ')}); add it to \`buckets\` and record with the same buckets`,
    );
  }
  return value;
}

function resolveMatch(value: unknown, path: string): SloMatchInput {
  const m = object(value, path, ['method', 'route', 'rpc']);
  if (m['route'] !== undefined && m['rpc'] !== undefined) {
    throw invalidSpec(path, value, 'a matcher with `route` or `rpc`, not both');
  }
  if (m['rpc'] !== undefined && m['method'] !== undefined) {
    throw invalidSpec(
      join(path, 'method'),
      m['method'],
      'absent on an `rpc` matcher (the RPC method is part of `rpc`)',
    );
  }
  let method: string | readonly string[] | undefined;
  if (m['method'] !== undefined) {
    const list = typeof m['method'] === 'string' ? [m['method']] : m['method'];
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      list.some((x) => typeof x !== 'string' || !/^[A-Za-z_]+$/.test(x))
    ) {
      throw invalidSpec(
        join(path, 'method'),
        m['method'],
        'an HTTP method such as "GET" or a non-empty list of them',
      );
    }
    method =
      typeof m['method'] === 'string'
        ? m['method'].toUpperCase()
        : (list as string[]).map((x) => x.toUpperCase());
  }
  for (const field of ['route', 'rpc'] as const) {
    const v = m[field];
    if (v !== undefined && (typeof v !== 'string' || v === '')) {
      throw invalidSpec(
        join(path, field),
        v,
        field === 'route' ? 'a route template such as "/api/*"' : 'an RPC method such as "shop.Inventory/*"',
      );
    }
  }
  if (m['method'] === undefined && m['route'] === undefined && m['rpc'] === undefined) {
    throw invalidSpec(path, value, 'a matcher with at least one of `method`, `route`, `rpc`');
  }
  const out: { method?: string | readonly string[]; route?: string; rpc?: string } = {};
  if (method !== undefined) out.method = method;
  if (typeof m['route'] === 'string') out.route = m['route'];
  if (typeof m['rpc'] === 'string') out.rpc = m['rpc'];
  return Object.freeze(out);
}

function objectiveLabels(
  className: string,
  sli: 'availability' | 'latency',
  thresholdSeconds?: number,
): Record<string, string> {
  const labels: Record<string, string> = { [LABEL_SLO_CLASS]: className, [LABEL_SLO_SLI]: sli };
  if (thresholdSeconds !== undefined) labels[LABEL_SLO_THRESHOLD] = formatNumber(thresholdSeconds);
  return labels;
}

function resolveClass(value: unknown, path: string, buckets: readonly number[]): SloClassSpec {
  const c = object(value, path, ['name', 'availability', 'latency', 'match', 'priority', 'description']);
  const name = c['name'];
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw invalidSpec(
      join(path, 'name'),
      name,
      'a class name such as "gold" (a letter, then letters, digits, _ . -; at most 63)',
    );
  }
  const availability = c['availability'];
  if (
    typeof availability !== 'number' ||
    !Number.isFinite(availability) ||
    availability <= 0 ||
    availability >= 100
  ) {
    throw invalidSpec(
      join(path, 'availability'),
      availability,
      'a percentage strictly between 0 and 100, such as 99.9',
    );
  }
  const latencyIn = c['latency'] ?? [];
  if (!Array.isArray(latencyIn))
    throw invalidSpec(join(path, 'latency'), latencyIn, 'a list of { quantile, thresholdSeconds }');
  const seen = new Set<number>();
  const latency = (latencyIn as unknown[]).map((l, i) => {
    const at = `${path}.latency[${i}]`;
    const o = object(l, at, ['quantile', 'thresholdSeconds']);
    const quantile = fraction(o['quantile'], `${at}.quantile`, NaN);
    const t = threshold(o['thresholdSeconds'], `${at}.thresholdSeconds`, buckets);
    if (seen.has(t))
      throw invalidSpec(
        `${at}.thresholdSeconds`,
        t,
        `a threshold not used by another latency objective of class "${name}"`,
      );
    seen.add(t);
    return Object.freeze({ quantile, thresholdSeconds: t });
  });
  const matchIn = c['match'] ?? [];
  if (!Array.isArray(matchIn))
    throw invalidSpec(join(path, 'match'), matchIn, 'a list of matchers ({ method?, route? } or { rpc })');
  const match = (matchIn as unknown[]).map((m, i) => resolveMatch(m, `${path}.match[${i}]`));
  const priorityIn = c['priority'] ?? SLO_CLASS_PRIORITY[name] ?? 1;
  if (typeof priorityIn !== 'number' || !Number.isInteger(priorityIn) || priorityIn < 0 || priorityIn > 100) {
    throw invalidSpec(join(path, 'priority'), c['priority'], 'an integer from 0 (shed last) to 100');
  }
  const description = optionalString(c['description'], join(path, 'description'));
  const target = clean(availability / 100);
  const objectives: SloObjective[] = [
    Object.freeze({
      id: `${name}/availability`,
      className: name,
      sli: 'availability' as const,
      target,
      budget: clean((100 - availability) / 100),
      thresholdSeconds: undefined,
      labels: Object.freeze(objectiveLabels(name, 'availability')),
    }),
    ...latency.map((l) =>
      Object.freeze({
        id: `${name}/latency/${formatNumber(l.thresholdSeconds)}`,
        className: name,
        sli: 'latency' as const,
        target: l.quantile,
        budget: clean(1 - l.quantile),
        thresholdSeconds: l.thresholdSeconds,
        labels: Object.freeze(objectiveLabels(name, 'latency', l.thresholdSeconds)),
      }),
    ),
  ];
  return Object.freeze({
    name,
    availability,
    latency: Object.freeze(latency),
    match: Object.freeze(match),
    priority: priorityIn,
    description,
    objectives: Object.freeze(objectives),
  });
}

function resolveSeverity(value: unknown, path: string): SloAlerting['page'] {
  const s = value === undefined ? {} : object(value, path, ['disable', 'labels', 'annotations']);
  return Object.freeze({
    disable: optionalBoolean(s['disable'], join(path, 'disable'), false),
    labels: Object.freeze(labelMap(s['labels'], join(path, 'labels'), 'labels')),
    annotations: Object.freeze(labelMap(s['annotations'], join(path, 'annotations'), 'annotations')),
  });
}

function resolveAlerting(value: unknown, buckets: readonly number[]): SloAlerting {
  const a =
    value === undefined
      ? {}
      : object(value, 'alerting', [
          'page',
          'ticket',
          'minRequests',
          'absent',
          'latencyRegression',
          'latencySustained',
        ]);
  const minRequests = a['minRequests'] ?? SLO_SPEC_DEFAULTS.minRequests;
  if (typeof minRequests !== 'number' || !Number.isInteger(minRequests) || minRequests < 0) {
    throw invalidSpec(
      'alerting.minRequests',
      a['minRequests'],
      'a non-negative integer (requests in the long window)',
    );
  }
  const ab =
    a['absent'] === undefined ? {} : object(a['absent'], 'alerting.absent', ['disable', 'for', 'severity']);
  const lr =
    a['latencyRegression'] === undefined
      ? {}
      : object(a['latencyRegression'], 'alerting.latencyRegression', [
          'disable',
          'quantile',
          'factor',
          'baselineWindow',
          'baselineOffset',
          'for',
          'severity',
        ]);
  const ls =
    a['latencySustained'] === undefined
      ? {}
      : object(a['latencySustained'], 'alerting.latencySustained', [
          'disable',
          'quantile',
          'thresholdSeconds',
          'for',
          'severity',
        ]);
  const lrd = SLO_SPEC_DEFAULTS.latencyRegression;
  const factor = lr['factor'] ?? lrd.factor;
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor <= 1) {
    throw invalidSpec(
      'alerting.latencyRegression.factor',
      lr['factor'],
      'a number greater than 1, such as 1.8',
    );
  }
  const lsd = SLO_SPEC_DEFAULTS.latencySustained;
  const sustainedDisabled = optionalBoolean(ls['disable'], 'alerting.latencySustained.disable', false);
  return Object.freeze({
    page: resolveSeverity(a['page'], 'alerting.page'),
    ticket: resolveSeverity(a['ticket'], 'alerting.ticket'),
    minRequests,
    absent: Object.freeze({
      disable: optionalBoolean(ab['disable'], 'alerting.absent.disable', false),
      forSeconds: duration(ab['for'], 'alerting.absent.for', SLO_SPEC_DEFAULTS.absent.for),
      severity: severity(ab['severity'], 'alerting.absent.severity', SLO_SPEC_DEFAULTS.absent.severity),
    }),
    latencyRegression: Object.freeze({
      disable: optionalBoolean(lr['disable'], 'alerting.latencyRegression.disable', false),
      quantile: fraction(lr['quantile'], 'alerting.latencyRegression.quantile', lrd.quantile),
      factor,
      baselineWindowSeconds: duration(
        lr['baselineWindow'],
        'alerting.latencyRegression.baselineWindow',
        lrd.baselineWindow,
      ),
      baselineOffsetSeconds: duration(
        lr['baselineOffset'],
        'alerting.latencyRegression.baselineOffset',
        lrd.baselineOffset,
      ),
      forSeconds: duration(lr['for'], 'alerting.latencyRegression.for', lrd.for),
      severity: severity(lr['severity'], 'alerting.latencyRegression.severity', lrd.severity),
    }),
    latencySustained: Object.freeze({
      disable: sustainedDisabled,
      quantile: fraction(ls['quantile'], 'alerting.latencySustained.quantile', lsd.quantile),
      thresholdSeconds: sustainedDisabled
        ? typeof ls['thresholdSeconds'] === 'number'
          ? ls['thresholdSeconds']
          : lsd.thresholdSeconds
        : threshold(
            ls['thresholdSeconds'] ?? lsd.thresholdSeconds,
            'alerting.latencySustained.thresholdSeconds',
            buckets,
          ),
      forSeconds: duration(ls['for'], 'alerting.latencySustained.for', lsd.for),
      severity: severity(ls['severity'], 'alerting.latencySustained.severity', lsd.severity),
    }),
  });
}

/**
 * Validates a spec and returns it resolved and frozen. Throws `SloError` `TRISIGNAL_SLO_INVALID_SPEC`
 * whose message names the path of the bad field, its value and what was expected.
 * @example
 * const spec = defineSlo({
 *   service: 'orders',
 *   classes: [
 *     { name: 'gold', availability: 99.9, latency: [{ quantile: 0.99, thresholdSeconds: 0.25 }],
 *       match: [{ method: 'POST', route: '/checkout' }] },
 *     { name: 'silver', availability: 99.5 },
 *   ],
 * });
 */
export function defineSlo(input: SloSpecInput): SloSpec {
  const s = object(input, '', [
    'version',
    'service',
    'description',
    'period',
    'buckets',
    'selector',
    'defaultClass',
    'labels',
    'classes',
    'alerting',
  ]);
  const version = s['version'] ?? SLO_SPEC_DEFAULTS.version;
  if (version !== SLO_SPEC_VERSION) throw invalidSpec('version', s['version'], `"${SLO_SPEC_VERSION}"`);
  const service = s['service'];
  if (typeof service !== 'string' || !NAME_RE.test(service)) {
    throw invalidSpec(
      'service',
      service,
      'a service name (a letter, then letters, digits, _ . -; at most 63)',
    );
  }
  const description = optionalString(s['description'], 'description');
  const period = s['period'] ?? SLO_SPEC_DEFAULTS.period;
  if (period !== '28d' && period !== '30d') throw invalidSpec('period', s['period'], '"28d" or "30d"');
  const buckets = resolveBuckets(s['buckets']);
  const selector =
    s['selector'] === undefined ? { job: service } : labelMap(s['selector'], 'selector', 'selector');
  const labels = labelMap(s['labels'], 'labels', 'labels');
  const classesIn = s['classes'];
  if (!Array.isArray(classesIn) || classesIn.length === 0) {
    throw invalidSpec('classes', classesIn, 'a non-empty list of classes');
  }
  const classes = (classesIn as unknown[]).map((c, i) => resolveClass(c, `classes[${i}]`, buckets));
  const names = new Set<string>();
  classes.forEach((c, i) => {
    if (names.has(c.name))
      throw invalidSpec(`classes[${i}].name`, c.name, 'a class name not used by another class');
    names.add(c.name);
  });
  const defaultClass = s['defaultClass'] ?? SLO_SPEC_DEFAULTS.defaultClass;
  if (typeof defaultClass !== 'string' || !names.has(defaultClass)) {
    throw invalidSpec(
      'defaultClass',
      s['defaultClass'] ?? defaultClass,
      `one of the classes (${[...names].map((n) => `"${n}"`).join(', ')})`,
    );
  }
  const alerting = resolveAlerting(s['alerting'], buckets);
  return Object.freeze({
    version,
    service,
    description,
    period,
    periodSeconds: parseDuration(period)!,
    buckets,
    selector: Object.freeze(selector),
    defaultClass,
    labels: Object.freeze(labels),
    classes: Object.freeze(classes),
    alerting,
    objectives: Object.freeze(classes.flatMap((c) => c.objectives)),
  });
}

/** True for a spec returned by `defineSlo()` (a structural check for options validation). */
export function isSloSpec(value: unknown): value is SloSpec {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { objectives?: unknown }).objectives)
  );
}

/** Core class-matcher rules for a spec, in spec order (classes in order, each class's matchers in order). */
export function toClassRules(spec: SloSpec): SloClassRule[] {
  return spec.classes.flatMap((c) =>
    c.match.map((m) => {
      const rule: { class: string; method?: string | readonly string[]; route?: string; rpc?: string } = {
        class: c.name,
      };
      if (m.method !== undefined) rule.method = m.method;
      if (m.route !== undefined) rule.route = m.route;
      if (m.rpc !== undefined) rule.rpc = m.rpc;
      return rule;
    }),
  );
}

/** The `init()` options that make core record what the spec's rules read: class rules, default class, buckets. */
export function toCoreOptions(spec: SloSpec): {
  sloClasses: SloClassRule[];
  defaultSloClass: string;
  durationBuckets: number[];
} {
  return {
    sloClasses: toClassRules(spec),
    defaultSloClass: spec.defaultClass,
    durationBuckets: [...spec.buckets],
  };
}
