/**
 * A Grafana dashboard generated from the spec: SLO stats, error-budget burn-down, RED per class and per
 * route, and saturation (event loop, heap, in flight, shedding, breaker, health). Panels read the
 * generated recording rules and the raw metrics in `names.ts` only. Plain typed JSON, no dependency;
 * the output is deterministic (stable ids, order and layout).
 */
import {
  LABEL_HTTP_ROUTE,
  LABEL_HTTP_STATUS,
  LABEL_RPC_GRPC_STATUS,
  LABEL_RPC_METHOD,
  LABEL_RPC_SERVICE,
  LABEL_SLO_CLASS,
  LABEL_SLO_SERVICE,
  LABEL_SLO_SHED_REASON,
  LABEL_SLO_SLI,
  LABEL_SLO_THRESHOLD,
  GRPC_SERVER_ERROR_CODES,
  HTTP_ERROR_STATUS_REGEX,
  PROM_EVENTLOOP_DELAY_P99,
  PROM_EVENTLOOP_UTILIZATION,
  PROM_HEAP_MAX,
  PROM_HEAP_USED,
  PROM_HTTP_SERVER_ACTIVE,
  PROM_HTTP_SERVER_DURATION,
  PROM_RPC_SERVER_ACTIVE,
  PROM_RPC_SERVER_DURATION,
  PROM_SLO_BREAKER_STATE,
  PROM_SLO_HEALTH_SCORE,
  PROM_SLO_SHED,
  PROM_SLO_SHED_PROBABILITY,
} from './names.js';
import { equalityMatchers, formatNumber, type LabelMatcher, selector } from './promql.js';
import {
  RULE_BUDGET_REMAINING,
  RULE_ERROR_RATIO_PERIOD,
  RULE_LATENCY_SLI_PERIOD,
  ruleBurnRate,
  ruleErrorRatio,
  ruleLatencyQuantile,
  ruleLatencySli,
  ruleRequests,
} from './rule-names.js';
import { recordedQuantiles } from './rules.js';
import type { SloSpec } from './spec.js';
import { burnRateWindows } from './windows.js';

/** A Grafana panel target. */
export interface DashboardTarget {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat: string;
  readonly datasource: { readonly type: 'prometheus'; readonly uid: string };
}

/** A Grafana panel (the subset of the JSON model we emit). */
export interface DashboardPanel {
  readonly id: number;
  readonly type: 'row' | 'stat' | 'timeseries';
  readonly title: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly datasource?: { readonly type: 'prometheus'; readonly uid: string };
  readonly description?: string;
  readonly targets?: readonly DashboardTarget[];
  readonly fieldConfig?: unknown;
  readonly options?: unknown;
  readonly collapsed?: boolean;
  readonly panels?: readonly DashboardPanel[];
}

/** The Grafana dashboard JSON model. */
export interface GrafanaDashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly timezone: string;
  readonly editable: boolean;
  readonly schemaVersion: number;
  readonly version: number;
  readonly time: { readonly from: string; readonly to: string };
  readonly refresh: string;
  readonly templating: { readonly list: readonly unknown[] };
  readonly annotations: { readonly list: readonly unknown[] };
  readonly panels: readonly DashboardPanel[];
}

const DS = Object.freeze({ type: 'prometheus' as const, uid: '${datasource}' });
const CLASS_VAR: LabelMatcher = { name: LABEL_SLO_CLASS, op: '=~', value: '$class' };
const RATE_INTERVAL = '$__rate_interval';

interface Layout {
  panels: DashboardPanel[];
  y: number;
  x: number;
  rowHeight: number;
  id: number;
}

function place(layout: Layout, w: number, h: number): { x: number; y: number; w: number; h: number } {
  if (layout.x + w > 24) {
    layout.y += layout.rowHeight;
    layout.x = 0;
    layout.rowHeight = 0;
  }
  const pos = { x: layout.x, y: layout.y, w, h };
  layout.x += w;
  layout.rowHeight = Math.max(layout.rowHeight, h);
  return pos;
}

function row(layout: Layout, title: string): void {
  if (layout.x > 0) {
    layout.y += layout.rowHeight;
    layout.x = 0;
    layout.rowHeight = 0;
  }
  layout.panels.push({
    id: ++layout.id,
    type: 'row',
    title,
    collapsed: false,
    gridPos: { x: 0, y: layout.y, w: 24, h: 1 },
    panels: [],
  });
  layout.y += 1;
}

function targets(list: readonly (readonly [string, string])[]): DashboardTarget[] {
  return list.map(([expr, legendFormat], i) => ({
    refId: String.fromCharCode(65 + i),
    expr,
    legendFormat,
    datasource: DS,
  }));
}

function panel(
  layout: Layout,
  type: 'stat' | 'timeseries',
  title: string,
  w: number,
  h: number,
  list: readonly (readonly [string, string])[],
  unit: string,
  extra: {
    description?: string;
    thresholds?: readonly { value: number | null; color: string }[];
    mappings?: unknown[];
    min?: number;
    max?: number;
  } = {},
): void {
  const defaults: Record<string, unknown> = { unit };
  if (extra.thresholds !== undefined) defaults['thresholds'] = { mode: 'absolute', steps: extra.thresholds };
  if (extra.mappings !== undefined) defaults['mappings'] = extra.mappings;
  if (extra.min !== undefined) defaults['min'] = extra.min;
  if (extra.max !== undefined) defaults['max'] = extra.max;
  if (type === 'timeseries' && extra.thresholds !== undefined)
    defaults['custom'] = { thresholdsStyle: { mode: 'line' } };
  layout.panels.push({
    id: ++layout.id,
    type,
    title,
    ...(extra.description === undefined ? {} : { description: extra.description }),
    gridPos: place(layout, w, h),
    datasource: DS,
    targets: targets(list),
    fieldConfig: { defaults, overrides: [] },
    options:
      type === 'stat'
        ? {
            reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
            colorMode: 'value',
            graphMode: 'area',
            textMode: 'auto',
          }
        : {
            legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'] },
            tooltip: { mode: 'multi', sort: 'desc' },
          },
  });
}

/** A stable dashboard uid for a service (Grafana uids are at most 40 characters). */
export function dashboardUid(service: string): string {
  const uid = `trisignal-slo-${service.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
  if (uid.length <= 40) return uid;
  let h = 2166136261;
  for (const c of service) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return `${uid.slice(0, 31)}-${h.toString(16).padStart(8, '0')}`;
}

/** Generates the Grafana dashboard of a spec. */
export function generateDashboard(spec: SloSpec): GrafanaDashboard {
  const layout: Layout = { panels: [], y: 0, x: 0, rowHeight: 0, id: 0 };
  const own = (name: string, extra: readonly LabelMatcher[] = []): string =>
    selector(name, [...equalityMatchers({ [LABEL_SLO_SERVICE]: spec.service }), CLASS_VAR, ...extra]);
  const raw = (name: string, extra: readonly LabelMatcher[] = []): string =>
    selector(name, [...equalityMatchers(spec.selector), ...extra]);
  const objLegend = `{{${LABEL_SLO_CLASS}}} {{${LABEL_SLO_SLI}}} {{${LABEL_SLO_THRESHOLD}}}`;
  const windows = burnRateWindows(spec.periodSeconds);
  const pageFactor = windows[0]!.factor;
  const budgetSteps = [
    { value: null, color: 'red' },
    { value: 0, color: 'orange' },
    { value: 0.25, color: 'yellow' },
    { value: 0.5, color: 'green' },
  ];

  row(layout, `SLOs of ${spec.service} (${spec.period})`);
  panel(
    layout,
    'stat',
    `Availability over ${spec.period}`,
    6,
    5,
    [[`1 - ${own(RULE_ERROR_RATIO_PERIOD)}`, `{{${LABEL_SLO_CLASS}}}`]],
    'percentunit',
    {
      description:
        'Requests that did not fail, over the SLO period (exact: sums of recorded numerators and denominators).',
    },
  );
  panel(
    layout,
    'stat',
    'Error budget remaining',
    6,
    5,
    [[own(RULE_BUDGET_REMAINING), objLegend]],
    'percentunit',
    { thresholds: budgetSteps },
  );
  panel(layout, 'stat', 'Burn rate (1h)', 6, 5, [[own(ruleBurnRate(3600)), objLegend]], 'x', {
    thresholds: [
      { value: null, color: 'green' },
      { value: 1, color: 'yellow' },
      { value: pageFactor, color: 'red' },
    ],
  });
  panel(
    layout,
    'stat',
    'Firing SLO alerts',
    6,
    5,
    [
      [
        `count(${raw('ALERTS', [
          { name: 'alertstate', op: '=', value: 'firing' },
          { name: LABEL_SLO_SERVICE, op: '=', value: spec.service },
        ])}) or vector(0)`,
        'firing',
      ],
    ],
    'none',
    {
      thresholds: [
        { value: null, color: 'green' },
        { value: 1, color: 'red' },
      ],
    },
  );

  row(layout, 'Error budget');
  panel(
    layout,
    'timeseries',
    `Error budget remaining (${spec.period} burn-down)`,
    12,
    8,
    [[own(RULE_BUDGET_REMAINING), objLegend]],
    'percentunit',
    { thresholds: budgetSteps },
  );
  panel(
    layout,
    'timeseries',
    'Burn rate by window',
    12,
    8,
    [300, 3600, 21_600, 86_400].map(
      (w) => [own(ruleBurnRate(w)), `${objLegend} ${formatWindow(w)}`] as const,
    ),
    'x',
    {
      description: `Alert thresholds: page ${windows
        .filter((w) => w.severity === 'page')
        .map((w) => `${formatNumber(w.factor)}× (${w.long}/${w.short})`)
        .join(', ')}; ticket ${windows
        .filter((w) => w.severity === 'ticket')
        .map((w) => `${formatNumber(w.factor)}× (${w.long}/${w.short})`)
        .join(', ')}.`,
      thresholds: [
        { value: null, color: 'green' },
        { value: windows[3]!.factor, color: 'yellow' },
        { value: pageFactor, color: 'red' },
      ],
    },
  );

  row(layout, 'RED per class');
  panel(
    layout,
    'timeseries',
    'Requests per second',
    8,
    8,
    [[`${own(ruleRequests(300))} / 300`, `{{${LABEL_SLO_CLASS}}}`]],
    'reqps',
  );
  panel(
    layout,
    'timeseries',
    'Error ratio (5m)',
    8,
    8,
    [[own(ruleErrorRatio(300)), `{{${LABEL_SLO_CLASS}}}`]],
    'percentunit',
  );
  panel(
    layout,
    'timeseries',
    'Latency quantiles (5m)',
    8,
    8,
    recordedQuantiles(spec).map(
      (q) => [own(ruleLatencyQuantile(q)), `{{${LABEL_SLO_CLASS}}} p${formatNumber(q * 100)}`] as const,
    ),
    's',
  );
  const latencyObjectives = spec.objectives.some((o) => o.sli === 'latency');
  if (latencyObjectives || !spec.alerting.latencySustained.disable)
    panel(
      layout,
      'timeseries',
      'Requests within latency threshold (5m)',
      12,
      8,
      [[own(ruleLatencySli(300)), `{{${LABEL_SLO_CLASS}}} ≤ {{${LABEL_SLO_THRESHOLD}}}s`]],
      'percentunit',
    );
  if (latencyObjectives)
    panel(
      layout,
      'timeseries',
      `Latency SLI over ${spec.period}`,
      12,
      8,
      [[own(RULE_LATENCY_SLI_PERIOD), `{{${LABEL_SLO_CLASS}}} ≤ {{${LABEL_SLO_THRESHOLD}}}s`]],
      'percentunit',
    );

  const httpClass = [CLASS_VAR];
  const http = PROM_HTTP_SERVER_DURATION.prometheus;
  const rpc = PROM_RPC_SERVER_DURATION.prometheus;
  row(layout, 'RED per route');
  panel(
    layout,
    'timeseries',
    'HTTP requests per second by route',
    8,
    8,
    [
      [
        `sum by (${LABEL_HTTP_ROUTE}, ${LABEL_SLO_CLASS}) (rate(${raw(`${http}_count`, httpClass)}[${RATE_INTERVAL}]))`,
        `{{${LABEL_HTTP_ROUTE}}} ({{${LABEL_SLO_CLASS}}})`,
      ],
    ],
    'reqps',
  );
  panel(
    layout,
    'timeseries',
    'HTTP error ratio by route',
    8,
    8,
    [
      [
        `sum by (${LABEL_HTTP_ROUTE}) (rate(${raw(`${http}_count`, [...httpClass, { name: LABEL_HTTP_STATUS, op: '=~', value: HTTP_ERROR_STATUS_REGEX }])}[${RATE_INTERVAL}])) / sum by (${LABEL_HTTP_ROUTE}) (rate(${raw(`${http}_count`, httpClass)}[${RATE_INTERVAL}]))`,
        `{{${LABEL_HTTP_ROUTE}}}`,
      ],
    ],
    'percentunit',
  );
  panel(
    layout,
    'timeseries',
    'HTTP p99 latency by route',
    8,
    8,
    [
      [
        `histogram_quantile(0.99, sum by (${LABEL_HTTP_ROUTE}, le) (rate(${raw(`${http}_bucket`, httpClass)}[${RATE_INTERVAL}])))`,
        `{{${LABEL_HTTP_ROUTE}}}`,
      ],
    ],
    's',
  );
  panel(
    layout,
    'timeseries',
    'RPCs per second by method',
    8,
    8,
    [
      [
        `sum by (${LABEL_RPC_SERVICE}, ${LABEL_RPC_METHOD}, ${LABEL_SLO_CLASS}) (rate(${raw(`${rpc}_count`, httpClass)}[${RATE_INTERVAL}]))`,
        `{{${LABEL_RPC_SERVICE}}}/{{${LABEL_RPC_METHOD}}} ({{${LABEL_SLO_CLASS}}})`,
      ],
    ],
    'reqps',
  );
  panel(
    layout,
    'timeseries',
    'RPC error ratio by method',
    8,
    8,
    [
      [
        `sum by (${LABEL_RPC_SERVICE}, ${LABEL_RPC_METHOD}) (rate(${raw(`${rpc}_count`, [...httpClass, { name: LABEL_RPC_GRPC_STATUS, op: '=~', value: GRPC_SERVER_ERROR_CODES.join('|') }])}[${RATE_INTERVAL}])) / sum by (${LABEL_RPC_SERVICE}, ${LABEL_RPC_METHOD}) (rate(${raw(`${rpc}_count`, httpClass)}[${RATE_INTERVAL}]))`,
        `{{${LABEL_RPC_SERVICE}}}/{{${LABEL_RPC_METHOD}}}`,
      ],
    ],
    'percentunit',
  );
  panel(
    layout,
    'timeseries',
    'RPC p99 latency by method',
    8,
    8,
    [
      [
        `histogram_quantile(0.99, sum by (${LABEL_RPC_SERVICE}, ${LABEL_RPC_METHOD}, le) (rate(${raw(`${rpc}_bucket`, httpClass)}[${RATE_INTERVAL}])))`,
        `{{${LABEL_RPC_SERVICE}}}/{{${LABEL_RPC_METHOD}}}`,
      ],
    ],
    's',
  );

  row(layout, 'Saturation and admission');
  panel(
    layout,
    'timeseries',
    'Event loop delay p99',
    8,
    8,
    [[raw(PROM_EVENTLOOP_DELAY_P99.prometheus), '{{instance}}']],
    's',
  );
  panel(
    layout,
    'timeseries',
    'Event loop utilization',
    8,
    8,
    [[raw(PROM_EVENTLOOP_UTILIZATION.prometheus), '{{instance}}']],
    'percentunit',
    { min: 0, max: 1 },
  );
  panel(
    layout,
    'timeseries',
    'Heap used / heap limit',
    8,
    8,
    [
      [
        `sum by (instance) (${raw(PROM_HEAP_USED.prometheus)}) / max by (instance) (${raw(PROM_HEAP_MAX.prometheus)})`,
        '{{instance}}',
      ],
    ],
    'percentunit',
    { min: 0, max: 1 },
  );
  panel(
    layout,
    'timeseries',
    'In flight',
    8,
    8,
    [
      [`sum by (instance) (${raw(PROM_HTTP_SERVER_ACTIVE.prometheus)})`, '{{instance}} HTTP'],
      [`sum by (instance) (${raw(PROM_RPC_SERVER_ACTIVE.prometheus)})`, '{{instance}} RPC'],
    ],
    'short',
  );
  panel(
    layout,
    'timeseries',
    'Shed requests per second',
    8,
    8,
    [
      [
        `sum by (${LABEL_SLO_CLASS}, ${LABEL_SLO_SHED_REASON}) (rate(${raw(PROM_SLO_SHED.prometheus)}[${RATE_INTERVAL}]))`,
        `{{${LABEL_SLO_CLASS}}} {{${LABEL_SLO_SHED_REASON}}}`,
      ],
      [
        `max by (${LABEL_SLO_CLASS}) (${raw(PROM_SLO_SHED_PROBABILITY.prometheus)})`,
        `{{${LABEL_SLO_CLASS}}} shed probability`,
      ],
    ],
    'reqps',
  );
  panel(
    layout,
    'timeseries',
    'Health score and breaker state',
    8,
    8,
    [
      [`min by (instance) (${raw(PROM_SLO_HEALTH_SCORE.prometheus)})`, '{{instance}} health'],
      [
        `max by (instance) (${raw(PROM_SLO_BREAKER_STATE.prometheus)})`,
        '{{instance}} breaker (0 closed, 1 half-open, 2 open)',
      ],
    ],
    'short',
    {
      thresholds: [
        { value: null, color: 'red' },
        { value: 0.35, color: 'green' },
      ],
    },
  );

  return {
    uid: dashboardUid(spec.service),
    title: `SLO: ${spec.service}`,
    description:
      spec.description ?? `Service-level objectives of ${spec.service}, generated by @trisignal/slo.`,
    tags: ['trisignal', 'slo', spec.service],
    timezone: 'browser',
    editable: true,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-24h', to: 'now' },
    refresh: '1m',
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Data source',
          type: 'datasource',
          query: 'prometheus',
          current: {},
          hide: 0,
        },
        {
          name: 'class',
          label: 'Class',
          type: 'custom',
          query: spec.classes.map((c) => c.name).join(','),
          multi: true,
          includeAll: true,
          allValue: spec.classes.map((c) => c.name).join('|'),
          current: { text: ['All'], value: ['$__all'] },
          options: [],
          hide: 0,
        },
      ],
    },
    annotations: { list: [] },
    panels: layout.panels,
  };
}

function formatWindow(seconds: number): string {
  return seconds >= 86_400
    ? `${seconds / 86_400}d`
    : seconds >= 3600
      ? `${seconds / 3600}h`
      : `${seconds / 60}m`;
}

/** Renders a dashboard as stable, pretty JSON. */
export function renderDashboard(dashboard: GrafanaDashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
