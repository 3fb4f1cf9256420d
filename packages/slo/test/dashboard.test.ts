import { describe, expect, it } from 'vitest';
import { generateDashboard, renderDashboard, type DashboardPanel } from '../src/dashboard.js';
import { knownSeriesNames } from '../src/names.js';
import { generateRules } from '../src/rules.js';
import { loadAll } from './helpers.js';

/** PromQL functions, aggregations and keywords the dashboard uses; everything else must be a metric. */
const PROMQL_WORDS = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'rate',
  'increase',
  'histogram_quantile',
  'vector',
  'offset',
  'bool',
  'quantile_over_time',
  'sum_over_time',
]);

/** Metric names referenced by a PromQL expression (labels, strings, ranges and grouping lists removed). */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ');
  return [...stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    .map((m) => m[0])
    .filter((w) => !PROMQL_WORDS.has(w));
}

describe('generateDashboard', async () => {
  const specs = await loadAll();

  it('extracts metric names correctly (self-check of the test helper)', () => {
    expect(
      metricNames(
        'sum by (a, b) (rate(x_total{job="a",c=~"$class"}[5m])) / on (a) max(y:z:w5m{q="1"}) or vector(0)',
      ),
    ).toEqual(['x_total', 'y:z:w5m']);
  });

  for (const { spec } of specs) {
    it(`${spec.service}: panels reference only recording rules the rules file defines and known raw metrics`, () => {
      const recorded = new Set(
        generateRules(spec).groups.flatMap((g) => g.rules.flatMap((r) => ('record' in r ? [r.record] : []))),
      );
      const known = knownSeriesNames();
      const dashboard = generateDashboard(spec);
      const used = new Set<string>();
      for (const p of dashboard.panels)
        for (const t of p.targets ?? []) for (const m of metricNames(t.expr)) used.add(m);
      for (const m of used) expect(recorded.has(m) || known.has(m) || m === 'ALERTS', m).toBe(true);
      // the SLO rows read the recording rules, not raw series
      expect([...used].filter((m) => m.startsWith('trisignal_slo:')).length).toBeGreaterThanOrEqual(8);
      // every saturation signal the issue names is on the dashboard
      for (const m of [
        'nodejs_eventloop_delay_p99_seconds',
        'nodejs_eventloop_utilization_ratio',
        'v8js_memory_heap_used_bytes',
        'http_server_active_requests',
        'trisignal_slo_shed_total',
        'trisignal_slo_breaker_state',
        'trisignal_slo_health_score_ratio',
      ]) {
        expect(used, m).toContain(m);
      }
    });

    it(`${spec.service}: has a valid, non-overlapping layout, unique ids and complete targets`, () => {
      const dashboard = generateDashboard(spec);
      expect(dashboard.uid.length).toBeLessThanOrEqual(40);
      expect(dashboard.templating.list.map((v) => (v as { name: string }).name)).toEqual([
        'datasource',
        'class',
      ]);
      const ids = dashboard.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      const cells = new Set<string>();
      for (const p of dashboard.panels) {
        const { x, y, w, h } = p.gridPos;
        expect(
          x >= 0 && w > 0 && x + w <= 24 && y >= 0 && h > 0,
          `${p.title} ${JSON.stringify(p.gridPos)}`,
        ).toBe(true);
        for (let i = x; i < x + w; i++) {
          for (let j = y; j < y + h; j++) {
            expect(cells.has(`${i},${j}`), `${p.title} overlaps at ${i},${j}`).toBe(false);
            cells.add(`${i},${j}`);
          }
        }
        if (p.type === 'row') continue;
        expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(p.targets!.length).toBeGreaterThan(0);
        const refIds = p.targets!.map((t) => t.refId);
        expect(new Set(refIds).size).toBe(refIds.length);
        for (const t of p.targets!) expect(t.expr.length).toBeGreaterThan(0);
      }
      const titles = dashboard.panels.map((p: DashboardPanel) => p.title);
      for (const section of ['Error budget', 'RED per class', 'RED per route', 'Saturation and admission'])
        expect(titles).toContain(section);
    });
  }

  it('is deterministic', () => {
    const { spec } = specs[0]!;
    expect(renderDashboard(generateDashboard(spec))).toBe(renderDashboard(generateDashboard(spec)));
  });
});
