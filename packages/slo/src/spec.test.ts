import { createSloClassMatcher, isTrisignalError } from '@trisignal/core';
import { describe, expect, it } from 'vitest';
import { SloError } from './errors.js';
import { SLO_DEFAULT_BUCKETS, defineSlo, toClassRules, toCoreOptions, type SloSpecInput } from './spec.js';

const base = (): Record<string, unknown> => ({
  service: 'orders',
  classes: [
    {
      name: 'gold',
      availability: 99.9,
      latency: [{ quantile: 0.99, thresholdSeconds: 0.25 }],
      match: [{ method: 'POST', route: '/checkout' }, { rpc: 'shop.Inventory/*' }],
    },
    { name: 'silver', availability: 99.5, match: [{ route: '/api/*' }] },
    { name: 'bronze', availability: 99, match: [{ route: '/reports/*' }] },
  ],
});

function set(path: (string | number)[], value: unknown): SloSpecInput {
  const spec = base();
  let target: Record<string | number, unknown> = spec;
  for (const key of path.slice(0, -1)) {
    target[key] ??= typeof path[path.indexOf(key) + 1] === 'number' ? [] : {};
    target = target[key] as Record<string | number, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return spec as unknown as SloSpecInput;
}

describe('defineSlo', () => {
  it('resolves defaults, objectives and clean budgets', () => {
    const spec = defineSlo(base() as unknown as SloSpecInput);
    expect(spec.period).toBe('30d');
    expect(spec.periodSeconds).toBe(30 * 86_400);
    expect(spec.selector).toEqual({ job: 'orders' });
    expect(spec.defaultClass).toBe('silver');
    expect(spec.buckets).toBe(SLO_DEFAULT_BUCKETS);
    expect(spec.buckets).toContain(3);
    expect(spec.objectives.map((o) => [o.id, o.target, o.budget])).toEqual([
      ['gold/availability', 0.999, 0.001],
      ['gold/latency/0.25', 0.99, 0.01],
      ['silver/availability', 0.995, 0.005],
      ['bronze/availability', 0.99, 0.01],
    ]);
    expect(spec.classes.map((c) => c.priority)).toEqual([0, 1, 2]);
    expect(spec.alerting.latencyRegression).toMatchObject({
      quantile: 0.99,
      factor: 1.8,
      baselineWindowSeconds: 3600,
      baselineOffsetSeconds: 600,
      forSeconds: 300,
    });
    expect(spec.alerting.latencySustained).toMatchObject({
      quantile: 0.999,
      thresholdSeconds: 3,
      forSeconds: 300,
    });
    expect(Object.isFrozen(spec)).toBe(true);
  });

  it("produces core class-matcher rules that classify like the spec's matchers", () => {
    const spec = defineSlo(base() as unknown as SloSpecInput);
    const matcher = createSloClassMatcher({ rules: toClassRules(spec), defaultClass: spec.defaultClass });
    expect(matcher.matchHttp('POST', '/checkout')).toBe('gold');
    expect(matcher.matchHttp('GET', '/checkout')).toBe('silver');
    expect(matcher.matchRpc('shop.Inventory/Reserve')).toBe('gold');
    expect(matcher.matchHttp('GET', '/api/items/:id')).toBe('silver');
    expect(matcher.matchHttp('GET', '/reports/daily')).toBe('bronze');
    expect(toCoreOptions(spec)).toEqual({
      sloClasses: toClassRules(spec),
      defaultSloClass: 'silver',
      durationBuckets: [...SLO_DEFAULT_BUCKETS],
    });
  });

  const cases: [string, (string | number)[], unknown, string][] = [
    [
      'unknown top-level field',
      ['servce'],
      'x',
      'Expected `servce` to be absent (unknown field; known fields: version, service,',
    ],
    ['version', ['version'], 'v2', 'Expected `version` to be "trisignal/v1", got `"v2"`'],
    ['service missing', ['service'], undefined, 'Expected `service` to be a service name'],
    [
      'service charset',
      ['service'],
      'my service',
      'Expected `service` to be a service name (a letter, then letters, digits, _ . -; at most 63), got `"my service"`',
    ],
    ['description', ['description'], 42, 'Expected `description` to be a string, got `42`'],
    ['period', ['period'], '7d', 'Expected `period` to be "28d" or "30d", got `"7d"`'],
    [
      'buckets name',
      ['buckets'],
      'linear',
      'Expected `buckets` to be "slo", "semconv", "exponential" or a non-empty list',
    ],
    [
      'bucket value',
      ['buckets'],
      [0.1, -1],
      'Expected `buckets[1]` to be a positive number of seconds, got `-1`',
    ],
    [
      'bucket order',
      ['buckets'],
      [0.1, 0.25, 0.2],
      'Expected `buckets[2]` to be greater than the previous boundary 0.25, got `0.2`',
    ],
    [
      'selector key',
      ['selector'],
      { 'bad-label': 'x' },
      'Expected `selector.bad-label` to be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*) as the key',
    ],
    [
      'selector value',
      ['selector'],
      { job: '' },
      'Expected `selector.job` to be a non-empty string, got `""`',
    ],
    [
      'selector type',
      ['selector'],
      'job=orders',
      'Expected `selector` to be an object of label names to strings, got `"job=orders"`',
    ],
    [
      'labels reserved',
      ['labels'],
      { severity: 'high' },
      'Expected `labels.severity` to be not set: `severity` is set by the generator, got `"high"`',
    ],
    ['labels value', ['labels'], { team: 3 }, 'Expected `labels.team` to be a non-empty string, got `3`'],
    [
      'defaultClass',
      ['defaultClass'],
      'platinum',
      'Expected `defaultClass` to be one of the classes ("gold", "silver", "bronze"), got `"platinum"`',
    ],
    ['classes empty', ['classes'], [], 'Expected `classes` to be a non-empty list of classes, got `[]`'],
    ['class type', ['classes', 0], 'gold', 'Expected `classes[0]` to be an object, got `"gold"`'],
    [
      'class unknown field',
      ['classes', 0, 'availabilty'],
      99,
      'Expected `classes[0].availabilty` to be absent (unknown field; known fields: name, availability, latency, match, priority, description), got `99`',
    ],
    [
      'class name',
      ['classes', 1, 'name'],
      '1st',
      'Expected `classes[1].name` to be a class name such as "gold"',
    ],
    [
      'class name duplicate',
      ['classes', 2, 'name'],
      'silver',
      'Expected `classes[2].name` to be a class name not used by another class, got `"silver"`',
    ],
    [
      'availability 100',
      ['classes', 0, 'availability'],
      100,
      'Expected `classes[0].availability` to be a percentage strictly between 0 and 100, such as 99.9, got `100`',
    ],
    [
      'availability fraction string',
      ['classes', 0, 'availability'],
      '99.9',
      'Expected `classes[0].availability` to be a percentage strictly between 0 and 100, such as 99.9, got `"99.9"`',
    ],
    [
      'availability missing',
      ['classes', 1, 'availability'],
      undefined,
      'Expected `classes[1].availability` to be a percentage strictly between 0 and 100, such as 99.9, got `undefined`',
    ],
    [
      'latency type',
      ['classes', 0, 'latency'],
      { quantile: 0.99 },
      'Expected `classes[0].latency` to be a list of { quantile, thresholdSeconds }',
    ],
    [
      'latency quantile',
      ['classes', 0, 'latency', 0, 'quantile'],
      99,
      'Expected `classes[0].latency[0].quantile` to be a quantile strictly between 0 and 1, such as 0.99, got `99`',
    ],
    [
      'latency quantile missing',
      ['classes', 0, 'latency', 0, 'quantile'],
      undefined,
      'Expected `classes[0].latency[0].quantile` to be a quantile strictly between 0 and 1, such as 0.99, got `undefined`',
    ],
    [
      'latency threshold not a boundary',
      ['classes', 0, 'latency', 0, 'thresholdSeconds'],
      0.3,
      'Expected `classes[0].latency[0].thresholdSeconds` to be a boundary of the bucket set (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 3, 5, 7.5, 10); add it to `buckets` and record with the same buckets, got `0.3`',
    ],
    [
      'latency threshold negative',
      ['classes', 0, 'latency', 0, 'thresholdSeconds'],
      -1,
      'Expected `classes[0].latency[0].thresholdSeconds` to be a positive number of seconds, got `-1`',
    ],
    [
      'latency unknown field',
      ['classes', 0, 'latency', 0, 'threshold'],
      '250ms',
      'Expected `classes[0].latency[0].threshold` to be absent (unknown field; known fields: quantile, thresholdSeconds)',
    ],
    [
      'latency duplicate threshold',
      ['classes', 0, 'latency', 1],
      { quantile: 0.9, thresholdSeconds: 0.25 },
      'Expected `classes[0].latency[1].thresholdSeconds` to be a threshold not used by another latency objective of class "gold", got `0.25`',
    ],
    [
      'match type',
      ['classes', 0, 'match'],
      '/checkout',
      'Expected `classes[0].match` to be a list of matchers',
    ],
    [
      'match empty',
      ['classes', 0, 'match', 0],
      {},
      'Expected `classes[0].match[0]` to be a matcher with at least one of `method`, `route`, `rpc`, got `{}`',
    ],
    [
      'match route and rpc',
      ['classes', 0, 'match', 0],
      { route: '/a', rpc: 'a.B/C' },
      'Expected `classes[0].match[0]` to be a matcher with `route` or `rpc`, not both',
    ],
    [
      'match method on rpc',
      ['classes', 0, 'match', 1, 'method'],
      'POST',
      'Expected `classes[0].match[1].method` to be absent on an `rpc` matcher (the RPC method is part of `rpc`), got `"POST"`',
    ],
    [
      'match method',
      ['classes', 0, 'match', 0, 'method'],
      ['GET', ''],
      'Expected `classes[0].match[0].method` to be an HTTP method such as "GET" or a non-empty list of them, got `["GET",""]`',
    ],
    [
      'match route',
      ['classes', 0, 'match', 0, 'route'],
      '',
      'Expected `classes[0].match[0].route` to be a route template such as "/api/*", got `""`',
    ],
    [
      'match rpc',
      ['classes', 0, 'match', 1, 'rpc'],
      7,
      'Expected `classes[0].match[1].rpc` to be an RPC method such as "shop.Inventory/*", got `7`',
    ],
    [
      'match unknown field',
      ['classes', 0, 'match', 0, 'path'],
      '/x',
      'Expected `classes[0].match[0].path` to be absent (unknown field; known fields: method, route, rpc)',
    ],
    [
      'priority',
      ['classes', 0, 'priority'],
      1.5,
      'Expected `classes[0].priority` to be an integer from 0 (shed last) to 100, got `1.5`',
    ],
    [
      'class description',
      ['classes', 0, 'description'],
      false,
      'Expected `classes[0].description` to be a string, got `false`',
    ],
    [
      'alerting unknown',
      ['alerting', 'pager'],
      {},
      'Expected `alerting.pager` to be absent (unknown field; known fields: page, ticket, minRequests, absent, latencyRegression, latencySustained)',
    ],
    [
      'alerting.minRequests',
      ['alerting', 'minRequests'],
      -1,
      'Expected `alerting.minRequests` to be a non-negative integer (requests in the long window), got `-1`',
    ],
    [
      'alerting.page.disable',
      ['alerting', 'page', 'disable'],
      'yes',
      'Expected `alerting.page.disable` to be true or false, got `"yes"`',
    ],
    [
      'alerting.page.labels',
      ['alerting', 'page', 'labels'],
      { alertname: 'x' },
      'Expected `alerting.page.labels.alertname` to be not set: `alertname` is set by the generator, got `"x"`',
    ],
    [
      'alerting.ticket.annotations template',
      ['alerting', 'ticket', 'annotations'],
      { summary: '{{ $value | humanize }}' },
      'Expected `alerting.ticket.annotations.summary` to be a string whose templates are only `{{ $labels.<name> }}`',
    ],
    [
      'alerting.ticket unknown',
      ['alerting', 'ticket', 'channel'],
      '#ops',
      'Expected `alerting.ticket.channel` to be absent (unknown field; known fields: disable, labels, annotations)',
    ],
    [
      'alerting.absent.for',
      ['alerting', 'absent', 'for'],
      '10 minutes',
      'Expected `alerting.absent.for` to be a Prometheus duration such as "5m" or "1h", got `"10 minutes"`',
    ],
    [
      'alerting.absent.severity',
      ['alerting', 'absent', 'severity'],
      'critical',
      'Expected `alerting.absent.severity` to be "page" or "ticket", got `"critical"`',
    ],
    [
      'alerting.absent.disable',
      ['alerting', 'absent', 'disable'],
      1,
      'Expected `alerting.absent.disable` to be true or false, got `1`',
    ],
    [
      'latencyRegression.quantile',
      ['alerting', 'latencyRegression', 'quantile'],
      1,
      'Expected `alerting.latencyRegression.quantile` to be a quantile strictly between 0 and 1, such as 0.99, got `1`',
    ],
    [
      'latencyRegression.factor',
      ['alerting', 'latencyRegression', 'factor'],
      0.5,
      'Expected `alerting.latencyRegression.factor` to be a number greater than 1, such as 1.8, got `0.5`',
    ],
    [
      'latencyRegression.baselineWindow',
      ['alerting', 'latencyRegression', 'baselineWindow'],
      'hour',
      'Expected `alerting.latencyRegression.baselineWindow` to be a Prometheus duration such as "5m" or "1h", got `"hour"`',
    ],
    [
      'latencyRegression.baselineOffset',
      ['alerting', 'latencyRegression', 'baselineOffset'],
      10,
      'Expected `alerting.latencyRegression.baselineOffset` to be a Prometheus duration such as "5m" or "1h", got `10`',
    ],
    [
      'latencyRegression.for',
      ['alerting', 'latencyRegression', 'for'],
      '0s',
      'Expected `alerting.latencyRegression.for` to be a Prometheus duration such as "5m" or "1h", got `"0s"`',
    ],
    [
      'latencyRegression.severity',
      ['alerting', 'latencyRegression', 'severity'],
      'warn',
      'Expected `alerting.latencyRegression.severity` to be "page" or "ticket", got `"warn"`',
    ],
    [
      'latencyRegression.disable',
      ['alerting', 'latencyRegression', 'disable'],
      'no',
      'Expected `alerting.latencyRegression.disable` to be true or false, got `"no"`',
    ],
    [
      'latencyRegression unknown',
      ['alerting', 'latencyRegression', 'window'],
      '1h',
      'Expected `alerting.latencyRegression.window` to be absent (unknown field; known fields: disable, quantile, factor, baselineWindow, baselineOffset, for, severity)',
    ],
    [
      'latencySustained.thresholdSeconds',
      ['alerting', 'latencySustained', 'thresholdSeconds'],
      4,
      'Expected `alerting.latencySustained.thresholdSeconds` to be a boundary of the bucket set',
    ],
    [
      'latencySustained.quantile',
      ['alerting', 'latencySustained', 'quantile'],
      0,
      'Expected `alerting.latencySustained.quantile` to be a quantile strictly between 0 and 1, such as 0.99, got `0`',
    ],
    [
      'latencySustained.for',
      ['alerting', 'latencySustained', 'for'],
      '5 m',
      'Expected `alerting.latencySustained.for` to be a Prometheus duration such as "5m" or "1h", got `"5 m"`',
    ],
    [
      'latencySustained.severity',
      ['alerting', 'latencySustained', 'severity'],
      'sev1',
      'Expected `alerting.latencySustained.severity` to be "page" or "ticket", got `"sev1"`',
    ],
    [
      'latencySustained.disable',
      ['alerting', 'latencySustained', 'disable'],
      null,
      'Expected `alerting.latencySustained.disable` to be true or false, got `null`',
    ],
    [
      'latencySustained unknown',
      ['alerting', 'latencySustained', 'p'],
      1,
      'Expected `alerting.latencySustained.p` to be absent (unknown field; known fields: disable, quantile, thresholdSeconds, for, severity)',
    ],
  ];

  it.each(cases)(
    'rejects an invalid %s with the path, the value and what was expected',
    (_, path, value, message) => {
      const input = set(path, value);
      let caught: unknown;
      try {
        defineSlo(input);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SloError);
      expect(isTrisignalError(caught)).toBe(true);
      const e = caught as SloError;
      expect(e.code).toBe('TRISIGNAL_SLO_INVALID_SPEC');
      expect(e.message.startsWith(message)).toBe(true);
      expect(e.path).toBe(/`([^`]+)`/.exec(message)![1]);
    },
  );

  it('covers every field of the spec with an invalid-value case', () => {
    const fields = [
      'version',
      'service',
      'description',
      'period',
      'buckets',
      'selector',
      'labels',
      'defaultClass',
      'classes',
      'classes[0].name',
      'classes[0].availability',
      'classes[0].latency',
      'classes[0].latency[0].quantile',
      'classes[0].latency[0].thresholdSeconds',
      'classes[0].match',
      'classes[0].match[0].method',
      'classes[0].match[0].route',
      'classes[0].match[1].rpc',
      'classes[0].priority',
      'classes[0].description',
      'alerting.minRequests',
      'alerting.page.disable',
      'alerting.page.labels',
      'alerting.ticket.annotations',
      'alerting.absent.for',
      'alerting.absent.severity',
      'alerting.absent.disable',
      'alerting.latencyRegression.quantile',
      'alerting.latencyRegression.factor',
      'alerting.latencyRegression.baselineWindow',
      'alerting.latencyRegression.baselineOffset',
      'alerting.latencyRegression.for',
      'alerting.latencyRegression.severity',
      'alerting.latencyRegression.disable',
      'alerting.latencySustained.quantile',
      'alerting.latencySustained.thresholdSeconds',
      'alerting.latencySustained.for',
      'alerting.latencySustained.severity',
      'alerting.latencySustained.disable',
    ];
    const covered = new Set(
      cases.map(([, path]) =>
        path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join(''),
      ),
    );
    const norm = (p: string): string => p.replace(/\[\d+\]/g, '[]');
    for (const f of fields)
      expect(
        [...covered].some((c) => norm(c) === norm(f) || norm(c).startsWith(norm(f))),
        f,
      ).toBe(true);
  });

  it('accepts a custom class with its own priority and an explicit bucket list', () => {
    const spec = defineSlo({
      service: 'pay',
      buckets: [0.05, 0.3, 1],
      defaultClass: 'batch',
      classes: [
        {
          name: 'critical',
          priority: 0,
          availability: 99.95,
          latency: [{ quantile: 0.99, thresholdSeconds: 0.3 }],
        },
        { name: 'batch', priority: 7, availability: 99 },
      ],
      alerting: { latencySustained: { thresholdSeconds: 1 } },
    });
    expect(spec.classes.map((c) => c.priority)).toEqual([0, 7]);
    expect(spec.objectives[0]!.budget).toBe(0.0005);
  });
});
