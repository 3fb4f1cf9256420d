/** The launcher's pure parts: configuration, scenario, faults, window arithmetic, waterfall. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseLabels, parseMetricsExporters, readAppConfig } from '../src/config.js';
import { createFaultInjector } from '../src/faults.js';
import type { DecodedSpan } from '../src/receiver/decode.js';
import { DEFAULT_SCENARIO, parseScenario } from '../src/scenario/phases.js';
import { ROUTES } from '../src/scenario/routes.js';
import { findCrossServiceChains, orderTrace, renderWaterfall } from '../src/view/waterfall.js';
import { quantileFromBuckets } from '../src/view/window-stats.js';

describe('configuration', () => {
  it('defaults work with an empty environment', () => {
    const c = readAppConfig({});
    expect(c.otlpEndpoint).toBeUndefined();
    expect(c.ordersMetricsPort).toBe(9464);
    expect(c.phases.map((p) => `${p.name}=${p.seconds}`).join(',')).toBe(DEFAULT_SCENARIO);
    expect(c.metricsExporters).toEqual({ otlp: true, prometheus: true });
    expect(c.view).toBe('plain');
    expect(readAppConfig({}, true).view).toBe('tty');
  });

  it.each([
    ['TRISIGNAL_RECEIVER_PORT', '70000'],
    ['TRISIGNAL_RATE', '-1'],
    ['TRISIGNAL_VIEW', 'fancy'],
    ['OTEL_METRICS_EXPORTER', 'otlp,statsd'],
    ['TRISIGNAL_REMOTE_WRITE_LABELS', 'a=1,=2'],
    ['TRISIGNAL_SEED', '1.5'],
  ])('%s=%s is a ConfigError naming the variable', (name, value) => {
    expect(() => readAppConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => readAppConfig({ [name]: value })).toThrow(name);
  });

  it('parses labels and metric exporter lists', () => {
    expect(parseLabels(' region = eu , env=prod')).toEqual({ region: 'eu', env: 'prod' });
    expect(parseMetricsExporters('none')).toEqual({ otlp: false, prometheus: false });
    expect(parseMetricsExporters('prometheus')).toEqual({ otlp: false, prometheus: true });
  });
});

describe('scenario', () => {
  it('runs the phases in the order given, with the overload multiplying rates', () => {
    const phases = parseScenario('normal=2,overload=3');
    expect(phases.map((p) => p.name)).toEqual(['normal', 'overload']);
    const reports = ROUTES.find((r) => r.id === 'reports')!;
    expect(phases[1]!.rates['reports']).toBe(reports.ratePerSecond * reports.overload);
    expect(parseScenario('off')).toEqual([]);
  });

  it('rejects unknown phases and bad lengths', () => {
    expect(() => parseScenario('normal=5,panic=3')).toThrow('panic');
    expect(() => parseScenario('normal=0')).toThrow('positive');
    expect(() => parseScenario('__proto__=1')).toThrow('__proto__');
  });

  it('sends each class the routes slo.yaml gives it', () => {
    expect(ROUTES.filter((r) => r.sloClass === 'gold').map((r) => r.template)).toEqual(['/api/checkout']);
    expect(ROUTES.filter((r) => r.sloClass === 'bronze').map((r) => r.template)).toEqual(['/reports/daily']);
  });
});

describe('fault injection', () => {
  it('fails exactly the share asked for in every run of requests, and counts it', () => {
    const f = createFaultInjector({ errorRate: { k: 0.3 }, extraLatencyMs: { k: 7 } });
    const fails = Array.from({ length: 100 }, () => f.shouldFail('k')).filter(Boolean).length;
    expect(fails).toBe(30);
    expect(f.injected()).toEqual({ k: 30 });
    expect(f.shouldFail('other')).toBe(false);
    expect(f.extraLatencyMs('k')).toBe(7);
  });
});

describe('quantiles from bucket counts', () => {
  const bounds = [0.1, 0.5, 1];
  it('interpolates inside the bucket as histogram_quantile does', () => {
    // 10 in (0, 0.1], 10 in (0.1, 0.5]: the median is the top of the first bucket.
    expect(quantileFromBuckets(0.5, bounds, [10, 10, 0, 0])).toBeCloseTo(0.1, 12);
    expect(quantileFromBuckets(0.75, bounds, [10, 10, 0, 0])).toBeCloseTo(0.3, 12);
  });
  it('answers the highest bound in the overflow bucket, NaN without data', () => {
    expect(quantileFromBuckets(0.99, bounds, [0, 0, 0, 5])).toBe(1);
    expect(quantileFromBuckets(0.5, bounds, [0, 0, 0, 0])).toBeNaN();
  });
});

function span(
  p: Partial<DecodedSpan> & Pick<DecodedSpan, 'spanId' | 'name' | 'service' | 'kind'>,
): DecodedSpan {
  return {
    traceId: 't1',
    parentSpanId: '',
    instanceId: 'i',
    scope: 's',
    startTimeUnixNano: '0',
    endTimeUnixNano: '100000000',
    status: { code: 0, message: '' },
    attributes: {},
    events: 0,
    ...p,
  };
}

describe('waterfall', () => {
  const trace = [
    span({
      spanId: 'c',
      parentSpanId: 'b',
      name: 'shop.Inventory/Reserve',
      service: 'inventory',
      kind: 2,
      startTimeUnixNano: '50000000',
      endTimeUnixNano: '90000000',
    }),
    span({ spanId: 'a', name: 'POST /api/checkout', service: 'orders', kind: 2 }),
    span({
      spanId: 'b',
      parentSpanId: 'a',
      name: 'shop.Inventory/Reserve',
      service: 'orders',
      kind: 3,
      startTimeUnixNano: '40000000',
      endTimeUnixNano: '95000000',
      status: { code: 2, message: 'x' },
    }),
  ];

  it('orders spans depth first under their parents', () => {
    expect(orderTrace(trace).map(({ span: s, depth }) => `${depth}:${s.spanId}`)).toEqual([
      '0:a',
      '1:b',
      '2:c',
    ]);
  });

  it('draws bars on the trace’s time axis', () => {
    const lines = renderWaterfall(trace, 20);
    expect(lines[0]).toContain('100 ms');
    expect(lines[0]).toContain('2 services, 3 spans');
    expect(lines[1]).toContain('|' + '█'.repeat(20) + '|');
    // The client span runs from 40 % to 95 % of the trace.
    expect(lines[2]).toContain('|' + ' '.repeat(8) + '█'.repeat(11) + ' ' + '|');
    expect(lines[2]).toContain('ERROR');
  });

  it('finds the server → client → remote server chain of a checkout, and nothing else', () => {
    const chains = findCrossServiceChains(trace, 'POST /api/checkout');
    expect(chains.map((c) => [c.server.spanId, c.client.spanId, c.remote.spanId])).toEqual([['a', 'b', 'c']]);
    expect(findCrossServiceChains(trace, 'GET /health')).toEqual([]);
  });
});
