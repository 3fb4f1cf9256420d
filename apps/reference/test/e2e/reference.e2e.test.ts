/**
 * End to end: the reference app against a real Prometheus 2.42 (scrape with exemplars, remote write,
 * the rules generated from slo.yaml), checked through Prometheus's HTTP API and the receiver's files.
 *
 * 1. One bounded run of the scenario (normal → error burst → latency regression → overload → recovery)
 *    with remote write on; the app holds after the scenario so Prometheus keeps scraping, then stops on
 *    SIGTERM (flushing). Assertions: histogram_quantile per route, exact request counts (scraped and
 *    remote-written) against the load generator, the injected error ratio, exemplars that resolve to
 *    stored traces, the fast-burn page alert during the burst, bronze shed first, traces across both
 *    services with the right parents, logs carrying trace ids, every query of docs/promql.md.
 * 2. A crash: the receiver goes down, the app keeps exporting into its WALs, then the launcher and both
 *    services are killed with SIGKILL. After a restart of both, every batch that was in the WALs (a
 *    superset of the acknowledged ones: durable mode acknowledges export() after the fsynced append) is
 *    in the receiver's store.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateArtifacts, loadSloFile } from '@trisignal/slo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBatches, readLogs, readSpans, type StoredSpan } from '../../src/receiver/store.js';
import type { LoadCounts, RouteCounts } from '../../src/scenario/load-generator.js';
import { ROUTES } from '../../src/scenario/routes.js';
import { findCrossServiceChains } from '../../src/view/waterfall.js';
// @ts-expect-error -- a plain .mjs script of the repository (no types)
import { ensurePrometheus } from '../../../../scripts/ensure-prometheus.mjs';
import {
  APP_DIR,
  freePort,
  inspectWal,
  isAlive,
  killAll,
  killGroup,
  sleep,
  startApp,
  startPrometheus,
  startReceiverProcess,
  until,
  type AppProcess,
  type Prometheus,
  type VectorResult,
} from './harness.js';

/** The bounded scenario of this test (58 s of load); the burst is long enough for the page alert. */
const SCENARIO = 'normal=10,errors=20,latency=8,overload=15,recovery=5';
const REMOTE_LABEL = 'source';
const REMOTE_VALUE = 'remote_write';

let work: string;
let prom: Prometheus;
let app: AppProcess;
let dataDir: string;
let receivedDir: string;
let load: LoadCounts;
let phases: { name: string; startMillis: number; endMillis: number }[];
let report: {
  services: Record<string, { ready: { instanceId: string }; final: { injected: Record<string, number> } }>;
};
const alerts: { activeAt: string; labels: Record<string, string>; state: string }[] = [];
let alertPoller: NodeJS.Timeout | undefined;

const scraped = `job="orders",${REMOTE_LABEL}=""`;
const remote = `job="orders",${REMOTE_LABEL}="${REMOTE_VALUE}"`;

function sumBy(result: VectorResult, ...labels: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of result) {
    const key = labels.map((l) => r.metric[l] ?? '').join('|');
    out.set(key, (out.get(key) ?? 0) + Number(r.value[1]));
  }
  return out;
}

/** What the load generator says orders answered: by (route, status), sheds apart (they carry no route). */
function expectedCounts(total: Record<string, RouteCounts>): {
  byRoute: Map<string, number>;
  shedByClass: Map<string, number>;
} {
  const byRoute = new Map<string, number>();
  const shedByClass = new Map<string, number>();
  for (const [route, c] of Object.entries(total)) {
    for (const [status, n] of Object.entries(c.statuses)) {
      const answered = status === '503' ? n - c.shed : n;
      if (answered > 0) byRoute.set(`${route}|${status}`, answered);
    }
    const cls = ROUTES.find((r) => r.template === route)!.sloClass;
    if (c.shed > 0) shedByClass.set(`${cls}|503`, (shedByClass.get(`${cls}|503`) ?? 0) + c.shed);
  }
  return { byRoute, shedByClass };
}

async function countsIn(
  selector: string,
): Promise<{ byRoute: Map<string, number>; shedByClass: Map<string, number> }> {
  const routed = await prom.query(
    `sum by (http_route, http_response_status_code) (last_over_time(http_server_request_duration_seconds_count{${selector},http_route!=""}[15m]))`,
  );
  const shed = await prom.query(
    `sum by (trisignal_slo_class, http_response_status_code) (last_over_time(http_server_request_duration_seconds_count{${selector},http_route="",error_type="shed"}[15m]))`,
  );
  return {
    byRoute: sumBy(routed, 'http_route', 'http_response_status_code'),
    shedByClass: sumBy(shed, 'trisignal_slo_class', 'http_response_status_code'),
  };
}

beforeAll(async () => {
  const tools = ensurePrometheus({ quiet: true }) as { prometheus: string; promtool: string };
  work = mkdtempSync(path.join(tmpdir(), 'trisignal-reference-e2e-'));
  dataDir = path.join(work, 'app');
  receivedDir = path.join(dataDir, 'received');
  const { spec } = await loadSloFile(path.join(APP_DIR, 'slo.yaml'));
  const rules = path.join(work, generateArtifacts(spec).rules.name);
  writeFileSync(rules, generateArtifacts(spec).rules.content);

  const [promPort, ordersMetrics, inventoryMetrics] = await Promise.all([freePort(), freePort(), freePort()]);
  mkdirSync(path.join(work, 'prometheus'));
  prom = await startPrometheus({
    binary: tools.prometheus,
    dir: path.join(work, 'prometheus'),
    port: promPort,
    ruleFiles: [rules],
    scrape: { orders: ordersMetrics, inventory: inventoryMetrics },
  });

  app = startApp({
    TRISIGNAL_DATA_DIR: dataDir,
    TRISIGNAL_SCENARIO: SCENARIO,
    TRISIGNAL_HOLD: '1',
    TRISIGNAL_ORDERS_METRICS_PORT: String(ordersMetrics),
    TRISIGNAL_INVENTORY_METRICS_PORT: String(inventoryMetrics),
    TRISIGNAL_REMOTE_WRITE_URL: `${prom.url}/api/v1/write`,
    TRISIGNAL_REMOTE_WRITE_LABELS: `${REMOTE_LABEL}=${REMOTE_VALUE}`,
    OTEL_METRIC_EXPORT_INTERVAL: '1000',
    OTEL_BSP_SCHEDULE_DELAY: '500',
  });
  await app.waitFor('ready', 60_000);
  // The page alert is judged by when it became active; poll throughout the run.
  alertPoller = setInterval(() => {
    prom
      .api<{ alerts: typeof alerts }>('/api/v1/alerts')
      .then((data) => {
        for (const a of data.alerts) {
          if (
            !alerts.some(
              (b) => b.activeAt === a.activeAt && JSON.stringify(b.labels) === JSON.stringify(a.labels),
            )
          )
            alerts.push(a);
        }
      })
      .catch(() => undefined);
  }, 500);
  const done = await app.waitFor('scenario-done', 58_000 + 60_000);
  load = done['load'] as LoadCounts;
  phases = done['phases'] as typeof phases;
  // Counts are final once Prometheus has scraped orders after the last response.
  const doneAt = Number(done['atMillis']) / 1000;
  await until(
    'a scrape of orders after the scenario ended',
    async () => {
      const r = await prom.query('timestamp(up{job="orders"})');
      return r.length > 0 && Number(r[0]!.value[1]) > doneAt + 1 ? true : undefined;
    },
    20_000,
  );
}, 240_000);

afterAll(() => {
  if (alertPoller !== undefined) clearInterval(alertPoller);
  killAll();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('apps/reference end to end (Prometheus 2.42)', () => {
  it('the load generator got an answer to every request it sent', () => {
    for (const [route, c] of Object.entries(load.total)) {
      const answered = Object.values(c.statuses).reduce((a, b) => a + b, 0);
      expect({ route, failures: c.failures, skipped: c.skipped, unanswered: c.sent - answered }).toEqual({
        route,
        failures: {},
        skipped: 0,
        unanswered: 0,
      });
    }
    expect(Object.keys(load.total).sort()).toEqual(ROUTES.map((r) => r.template).sort());
  });

  it('answers histogram_quantile for every route and RPC method', async () => {
    const http = await prom.query(
      `histogram_quantile(0.99, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{${scraped},http_route!=""}[5m])))`,
    );
    const byRoute = new Map(http.map((r) => [r.metric['http_route'], Number(r.value[1])]));
    for (const route of ROUTES) {
      expect(byRoute.get(route.template), route.template).toBeGreaterThan(0);
      expect(Number.isFinite(byRoute.get(route.template)), route.template).toBe(true);
    }
    for (const [metric, job] of [
      ['rpc_server_call_duration_seconds_bucket', 'inventory'],
      ['rpc_client_call_duration_seconds_bucket', 'orders'],
    ] as const) {
      const rpc = await prom.query(
        `histogram_quantile(0.99, sum by (le, rpc_method) (rate(${metric}{job="${job}",${REMOTE_LABEL}=""}[5m])))`,
      );
      const methods = new Map(rpc.map((r) => [r.metric['rpc_method'], Number(r.value[1])]));
      for (const m of ['Reserve', 'StreamStock']) {
        expect(methods.get(m), `${metric} ${m}`).toBeGreaterThan(0);
        expect(Number.isFinite(methods.get(m)), `${metric} ${m}`).toBe(true);
      }
    }
  });

  it('scraped request counts equal the load generator’s own counts exactly', async () => {
    const expected = expectedCounts(load.total);
    const got = await countsIn(scraped);
    expect(Object.fromEntries(got.byRoute)).toEqual(Object.fromEntries(expected.byRoute));
    expect(Object.fromEntries(got.shedByClass)).toEqual(Object.fromEntries(expected.shedByClass));
  });

  it('the error route’s error ratio is what was injected', async () => {
    const route = '/api/recommendations';
    const ratio = await prom.query(
      `sum(last_over_time(http_server_request_duration_seconds_count{${scraped},http_route="${route}",http_response_status_code="500"}[15m])) / sum(last_over_time(http_server_request_duration_seconds_count{${scraped},http_route="${route}"}[15m]))`,
    );
    const c = load.total[route]!;
    const total = Object.values(c.statuses).reduce((a, b) => a + b, 0) - c.shed;
    // The load generator saw exactly the injected failures as 500s (checked again with orders' own
    // count once it has stopped, below).
    const injected = c.statuses['500'] ?? 0;
    expect(injected).toBeGreaterThan(0);
    expect(Number(ratio[0]!.value[1])).toBeCloseTo(injected / total, 12);
  });

  it('fires the fast-burn page alert during the error burst', () => {
    const burst = phases.find((p) => p.name === 'errors')!;
    const page = alerts
      .filter(
        (a) =>
          a.labels['alertname'] === 'SloErrorBudgetBurn' &&
          a.labels['severity'] === 'page' &&
          a.labels['slo_sli'] === 'availability' &&
          a.labels['trisignal_slo_class'] === 'silver',
      )
      .map((a) => Date.parse(a.activeAt))
      .sort((a, b) => a - b);
    expect(page.length, `alerts seen: ${JSON.stringify(alerts)}`).toBeGreaterThan(0);
    // Not before the burst, and while it lasts (the 1h/5m windows see the burst's errors within seconds).
    expect(page[0]).toBeGreaterThanOrEqual(burst.startMillis);
    expect(page[0]).toBeLessThanOrEqual(burst.endMillis);
  });

  it('sheds bronze first under overload', async () => {
    const overload = load.byPhase['overload']!;
    const shedShare = (cls: string): number => {
      let sent = 0;
      let shed = 0;
      for (const r of ROUTES.filter((x) => x.sloClass === cls)) {
        sent += overload[r.template]?.sent ?? 0;
        shed += overload[r.template]?.shed ?? 0;
      }
      return sent === 0 ? 0 : shed / sent;
    };
    const shares = { bronze: shedShare('bronze'), silver: shedShare('silver'), gold: shedShare('gold') };
    expect(shares.bronze, JSON.stringify({ shares, firstShed: load.firstShed })).toBeGreaterThan(0);
    expect(shares.bronze).toBeGreaterThanOrEqual(shares.silver);
    expect(shares.bronze).toBeGreaterThanOrEqual(shares.gold);
    // The controller's order, sample by sample as Prometheus scraped it: a class is shed only once the
    // class below it is shed entirely (silver > 0 ⇒ bronze = 1; gold > 0 ⇒ silver = 1).
    const p = (cls: string): string =>
      `trisignal_slo_shed_probability_ratio{${scraped},trisignal_slo_class="${cls}"}`;
    for (const [upper, lower] of [
      ['silver', 'bronze'],
      ['gold', 'silver'],
    ]) {
      const violations = await prom.query(
        `count_over_time((${p(upper!)} > 0 and ignoring (trisignal_slo_class) ${p(lower!)} < 1)[15m:1s])`,
      );
      expect(violations, `${upper} shed while ${lower} was not fully shed`).toEqual([]);
    }
    const bronzeShed = await prom.query(`max_over_time(${p('bronze')}[15m])`);
    expect(Number(bronzeShed[0]?.value[1])).toBeGreaterThan(0);
  });

  it('every query in docs/promql.md parses and returns data', async () => {
    const doc = readFileSync(path.join(APP_DIR, '..', '..', 'docs', 'promql.md'), 'utf8');
    const queries = [...doc.matchAll(/```promql\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
    expect(queries.length).toBeGreaterThanOrEqual(12);
    const empty: string[] = [];
    for (const q of queries) {
      const result = await prom.query<unknown[]>(q);
      if (result.length === 0) empty.push(q);
    }
    expect(empty).toEqual([]);
  });

  it('stops cleanly on SIGTERM, and remote-wrote the same counts', async () => {
    app.process.kill('SIGTERM');
    const code = await Promise.race([app.exited, sleep(60_000).then(() => 'timeout')]);
    expect(code, app.output().slice(-2000)).toBe(0);
    report = JSON.parse(readFileSync(path.join(dataDir, 'run.json'), 'utf8')) as typeof report;
    // orders' own count of injected failures agrees with the 500s the load generator saw.
    expect(report.services['orders']!.final.injected['/api/recommendations']).toBe(
      load.total['/api/recommendations']!.statuses['500'],
    );
    const expected = expectedCounts(load.total);
    // The last remote write went out during the shutdown; give Prometheus a moment to make it queryable.
    const got = await until(
      'the remote-written counts',
      async () => {
        const c = await countsIn(remote);
        return c.byRoute.size > 0 ? c : undefined;
      },
      15_000,
    );
    expect(Object.fromEntries(got.byRoute)).toEqual(Object.fromEntries(expected.byRoute));
    expect(Object.fromEntries(got.shedByClass)).toEqual(Object.fromEntries(expected.shedByClass));
  });

  it('exemplars carry trace ids that are in the receiver’s trace store', async () => {
    const traceIds = new Set(readSpans(receivedDir).map((s) => s.traceId));
    const start = phases[0]!.startMillis / 1000 - 5;
    const end = Date.now() / 1000;
    let checked = 0;
    for (const q of [
      `http_server_request_duration_seconds_bucket{job="orders"}`,
      `rpc_server_call_duration_seconds_bucket{job="inventory"}`,
    ]) {
      const data = await prom.api<{ exemplars: { labels: Record<string, string> }[] }[]>(
        `/api/v1/query_exemplars?query=${encodeURIComponent(q)}&start=${start}&end=${end}`,
      );
      const ids = data.flatMap((s) => s.exemplars.map((e) => e.labels['trace_id']!));
      expect(ids.length, q).toBeGreaterThan(0);
      const missing = ids.filter((id) => !traceIds.has(id));
      expect(missing, `${missing.length} of ${ids.length} exemplar trace ids not stored`).toEqual([]);
      checked += ids.length;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('stores traces across both services with the right parent-child links, and logs with their ids', () => {
    const spans = readSpans(receivedDir);
    const chains = findCrossServiceChains(spans, 'POST /api/checkout');
    expect(chains.length).toBeGreaterThan(10);
    for (const { server, client, remote: inv } of chains) {
      expect([server.service, client.service, inv.service]).toEqual(['orders', 'orders', 'inventory']);
      expect(client.parentSpanId).toBe(server.spanId);
      expect(inv.parentSpanId).toBe(client.spanId);
      expect(new Set([server.traceId, client.traceId, inv.traceId]).size).toBe(1);
      expect(client.name).toBe('shop.Inventory/Reserve');
      expect(inv.name).toBe('shop.Inventory/Reserve');
    }
    // Every stored inventory server span hangs under an orders client span of the same trace.
    const byId = new Map<string, StoredSpan>(spans.map((s) => [`${s.traceId}/${s.spanId}`, s]));
    const inventoryServer = spans.filter((s) => s.service === 'inventory' && s.kind === 2);
    const linked = inventoryServer.filter((s) => {
      const parent = byId.get(`${s.traceId}/${s.parentSpanId}`);
      return parent !== undefined && parent.service === 'orders' && parent.kind === 3;
    });
    expect(linked.length / inventoryServer.length).toBeGreaterThan(0.95);
    // Access logs carry the server span's trace and span ids.
    const serverSpans = new Set(spans.filter((s) => s.kind === 2).map((s) => `${s.traceId}/${s.spanId}`));
    const access = readLogs(receivedDir).filter(
      (l) => l.service === 'orders' && typeof l.body === 'string' && /^(GET|POST) \//.test(l.body),
    );
    const correlated = access.filter((l) => serverSpans.has(`${l.traceId}/${l.spanId}`));
    expect(correlated.length).toBeGreaterThan(100);
  });
});

describe('apps/reference crash recovery', () => {
  it('delivers every batch of the exporters’ WALs after kill -9 with the receiver down', async () => {
    const dir = path.join(work, 'crash');
    const received = path.join(dir, 'received');
    const port = await freePort();
    const env = {
      TRISIGNAL_DATA_DIR: dir,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      TRISIGNAL_ORDERS_METRICS_PORT: '0',
      TRISIGNAL_INVENTORY_METRICS_PORT: '0',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_BSP_SCHEDULE_DELAY: '500',
    };
    let receiver = await startReceiverProcess(port, received);
    const first = startApp({ ...env, TRISIGNAL_SCENARIO: 'normal=600' });
    const ready = await first.waitFor('ready', 60_000);
    const services = ready['services'] as Record<string, { instanceId: string; pid: number }>;
    // Deliveries flow, then the receiver goes down and the app keeps exporting into its WALs.
    await until(
      'deliveries of every signal',
      () => {
        const b = readBatches(received);
        return ['traces', 'metrics', 'logs'].every((s) => b.filter((x) => x.signal === s).length >= 2)
          ? true
          : undefined;
      },
      30_000,
    );
    receiver.kill('SIGKILL');
    await new Promise((r) => receiver.once('exit', r));
    await sleep(5000);
    killGroup(first.process);
    await until(
      'the launcher and both services to be gone',
      () =>
        [first.process.pid!, ...Object.values(services).map((s) => s.pid)].every((p) => !isAlive(p))
          ? true
          : undefined,
      10_000,
    );

    // What the WALs held at the crash: offsets start at 0, so lastOffset + 1 records were appended.
    const appended = new Map<string, number>();
    let backlog = 0;
    for (const service of ['orders', 'inventory']) {
      for (const signal of ['traces', 'metrics', 'logs']) {
        const wal = inspectWal(path.join(dir, 'wal', service, signal));
        expect(wal.firstOffset ?? 0).toBe(0);
        appended.set(`${service}|${signal}`, (wal.lastOffset ?? -1) + 1);
        const cursor = wal.cursors.find((c) => c.name === 'sender');
        backlog += cursor?.backlog ?? 0;
      }
    }
    expect(backlog, 'the outage left batches undelivered in the WALs').toBeGreaterThan(0);

    receiver = await startReceiverProcess(port, received);
    const second = startApp({ ...env, TRISIGNAL_SCENARIO: 'normal=2' });
    const code = await Promise.race([second.exited, sleep(90_000).then(() => 'timeout')]);
    expect(code, second.output().slice(-2000)).toBe(0);
    receiver.kill('SIGTERM');
    await new Promise((r) => receiver.once('exit', r));

    const batches = readBatches(received);
    for (const service of ['orders', 'inventory']) {
      const instance = services[service]!.instanceId;
      for (const signal of ['traces', 'metrics', 'logs']) {
        const distinct = new Set(
          batches
            .filter((b) => b.signal === signal && b.resources.some((r) => r.instanceId === instance))
            .map((b) => b.sha256),
        );
        expect(distinct.size, `${service} ${signal}`).toBeGreaterThanOrEqual(
          appended.get(`${service}|${signal}`)!,
        );
      }
    }
  });
});
