/**
 * The deploy templates (deploy/), checked without Docker: every YAML parses, promtool accepts the
 * Prometheus config and the generated rules (and their unit tests pass), the generated files match
 * slo.yaml, the Collector pipelines have the shape docs/deploy.md promises, and compose.yaml mounts only
 * files that exist, at the paths the containers read.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSloFile, runPromtool, type SloSpec } from '@trisignal/slo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import {
  APP_DIR,
  DASHBOARDS_DIR,
  RULES_DIR,
  deployFiles,
  findStaleFiles,
  writeDeployFiles,
} from '../scripts/generate-deploy.js';
// @ts-expect-error -- a plain .mjs script of the repository (no types)
import { ensurePrometheus } from '../../../scripts/ensure-prometheus.mjs';

const DEPLOY = path.join(APP_DIR, 'deploy');
const PROMTOOL_TIMEOUT = 120_000;

type Yaml = Record<string, unknown>;

function readYaml(relative: string): Yaml {
  return parse(readFileSync(path.join(DEPLOY, relative), 'utf8')) as Yaml;
}

function obj(value: unknown, what: string): Yaml {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`Expected ${what} to be a mapping, got ${JSON.stringify(value)}`);
  return value as Yaml;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`Expected ${what} to be a list, got ${JSON.stringify(value)}`);
  return value;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const BATCH = { send_batch_size: 8192, send_batch_max_size: 16384 };

/** What is wrong with a Collector config's pipelines (empty: nothing). */
function collectorProblems(config: Yaml, kind: 'gateway' | 'loadbalancer'): string[] {
  const problems: string[] = [];
  const processors = obj(config['processors'], 'processors');
  const exporters = obj(config['exporters'], 'exporters');
  const receivers = obj(config['receivers'], 'receivers');
  const pipelines = obj(obj(config['service'], 'service')['pipelines'], 'service.pipelines');
  if (Object.keys(pipelines).length === 0) problems.push('no pipelines');

  const limiter = obj(processors['memory_limiter'], 'processors.memory_limiter');
  const limit = Number(limiter['limit_mib']);
  const spike = Number(limiter['spike_limit_mib']);
  if (!(limit > 0 && spike > 0 && spike < limit))
    problems.push(`memory_limiter: expected 0 < spike_limit_mib < limit_mib, got ${spike} / ${limit}`);
  // The Collector rejects the default check_interval of 0.
  if (typeof limiter['check_interval'] !== 'string' || /^0+[a-z]*$/.test(limiter['check_interval']))
    problems.push(
      `memory_limiter: expected a check_interval, got ${JSON.stringify(limiter['check_interval'])}`,
    );

  const batch = obj(processors['batch'], 'processors.batch');
  for (const [key, want] of Object.entries(BATCH))
    if (batch[key] !== want)
      problems.push(`batch.${key}: expected ${want}, got ${JSON.stringify(batch[key])}`);

  for (const [name, raw] of Object.entries(pipelines)) {
    const p = obj(raw, `pipeline ${name}`);
    const procs = list(p['processors'], `${name}.processors`);
    if (procs[0] !== 'memory_limiter')
      problems.push(`${name}: expected memory_limiter first, got ${String(procs[0])}`);
    if (!procs.includes('batch')) problems.push(`${name}: no batch processor`);
    for (const [section, declared] of [
      ['receivers', receivers],
      ['processors', processors],
      ['exporters', exporters],
    ] as const)
      for (const id of list(p[section], `${name}.${section}`))
        if (!(String(id) in declared)) problems.push(`${name}: ${section} ${String(id)} is not declared`);
  }

  const traces = obj(pipelines['traces'], 'pipeline traces');
  const traceProcs = list(traces['processors'], 'traces.processors');
  const traceExporters = list(traces['exporters'], 'traces.exporters');
  if (kind === 'gateway') {
    const at = traceProcs.indexOf('tail_sampling');
    if (at < 0) problems.push('traces: no tail_sampling');
    else if (at > traceProcs.indexOf('batch')) problems.push('traces: tail_sampling after batch');
    const policies = list(
      obj(processors['tail_sampling'], 'tail_sampling')['policies'],
      'tail_sampling.policies',
    );
    const types = policies.map((p) => obj(p, 'policy')['type']);
    for (const t of ['status_code', 'latency', 'probabilistic'])
      if (!types.includes(t)) problems.push(`tail_sampling: no ${t} policy`);
  } else {
    if (traceProcs.includes('tail_sampling')) problems.push('traces: tail_sampling belongs to the gateways');
    if (!traceExporters.includes('loadbalancing'))
      problems.push('traces: not exported through loadbalancing');
    const lb = obj(exporters['loadbalancing'], 'exporters.loadbalancing');
    if (lb['routing_key'] !== 'traceID')
      problems.push(`loadbalancing.routing_key: expected traceID, got ${JSON.stringify(lb['routing_key'])}`);
  }
  return problems;
}

interface Mount {
  readonly source: string;
  readonly target: string;
}

function mounts(service: Yaml, name: string): Mount[] {
  return list(service['volumes'] ?? [], `${name}.volumes`).map((v) => {
    const [source = '', target = ''] = String(v).split(':');
    return { source, target };
  });
}

/** What is wrong with compose.yaml's references (empty: nothing). */
function composeProblems(compose: Yaml, deployDir: string): string[] {
  const problems: string[] = [];
  const services = obj(compose['services'], 'services');
  const named = Object.keys(obj(compose['volumes'] ?? {}, 'volumes'));
  for (const [name, raw] of Object.entries(services)) {
    const service = obj(raw, name);
    const image = String(service['image']);
    if (!/^[\w./-]+:[\w.-]+$/.test(image) || image.endsWith(':latest'))
      problems.push(`${name}: image ${image} is not pinned to a tag`);
    for (const m of mounts(service, name)) {
      if (m.source.startsWith('./') || m.source.startsWith('../')) {
        if (!existsSync(path.join(deployDir, m.source)))
          problems.push(`${name}: mounts ${m.source}, which does not exist`);
      } else if (!named.includes(m.source)) {
        problems.push(`${name}: volume ${m.source} is not declared`);
      }
    }
  }
  return problems;
}

/** The host file behind a container path, through the service's bind mounts. */
function hostPath(service: Yaml, name: string, containerPath: string): string | undefined {
  for (const m of mounts(service, name)) {
    if (!m.source.startsWith('.')) continue;
    if (containerPath === m.target) return path.join(DEPLOY, m.source);
    if (containerPath.startsWith(`${m.target}/`))
      return path.join(DEPLOY, m.source, containerPath.slice(m.target.length + 1));
  }
  return undefined;
}

function flagValue(args: readonly unknown[], flag: string): string | undefined {
  for (const a of args) if (String(a).startsWith(`${flag}=`)) return String(a).slice(flag.length + 1);
  return undefined;
}

let promtool: string;
let spec: SloSpec;

beforeAll(async () => {
  promtool = (ensurePrometheus({ quiet: true }) as { promtool: string }).promtool;
  spec = (await loadSloFile(path.join(APP_DIR, 'slo.yaml'))).spec;
});

describe('deploy templates: files', () => {
  it('parses every YAML file under deploy/ (unique keys, no warnings) and the generated dashboard JSON', () => {
    const files = walk(DEPLOY);
    const yamls = files.filter((f) => /\.ya?ml$/.test(f));
    // compose, 2 collector files, prometheus.yml, rules + tests, 2 Grafana provisioning files
    expect(yamls.length).toBeGreaterThanOrEqual(8);
    for (const f of yamls) {
      const doc = parseDocument(readFileSync(f, 'utf8'), { uniqueKeys: true });
      expect(
        [...doc.errors, ...doc.warnings].map((e) => e.message),
        path.relative(DEPLOY, f),
      ).toEqual([]);
      expect(doc.toJS(), path.relative(DEPLOY, f)).toBeTypeOf('object');
    }
    const dashboards = files.filter((f) => f.endsWith('.json'));
    expect(dashboards.length).toBeGreaterThanOrEqual(1);
    for (const f of dashboards) expect(JSON.parse(readFileSync(f, 'utf8'))).toHaveProperty('uid');
  });

  it('has the generated files up to date with slo.yaml (else: npm run generate)', async () => {
    const files = deployFiles(spec);
    expect(files.map((f) => f.path).sort()).toEqual([
      `${DASHBOARDS_DIR}/orders.dashboard.json`,
      `${RULES_DIR}/orders.rules.test.yaml`,
      `${RULES_DIR}/orders.rules.yaml`,
    ]);
    expect(
      await findStaleFiles(files),
      'deploy files are stale: run `npm run generate` in apps/reference',
    ).toEqual([]);
  });
});

describe('generate-deploy script', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'trisignal-deploy-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports missing, differing and leftover files, and writing fixes them all', async () => {
    const files = deployFiles(spec);
    expect((await findStaleFiles(files, dir)).map((s) => s.problem)).toEqual([
      'missing',
      'missing',
      'missing',
    ]);
    expect(await writeDeployFiles(files, dir)).toEqual(files.map((f) => f.path));
    expect(await findStaleFiles(files, dir)).toEqual([]);
    expect(await writeDeployFiles(files, dir)).toEqual([]);

    writeFileSync(path.join(dir, files[0]!.path), `${files[0]!.content}# edited\n`);
    rmSync(path.join(dir, files[2]!.path));
    writeFileSync(path.join(dir, RULES_DIR, 'old-service.rules.yaml'), 'groups: []\n');
    writeFileSync(path.join(dir, RULES_DIR, 'notes.txt'), 'not generated, left alone\n');
    expect(await findStaleFiles(files, dir)).toEqual([
      { path: files[0]!.path, problem: 'differs' },
      { path: files[2]!.path, problem: 'missing' },
      { path: `${RULES_DIR}/old-service.rules.yaml`, problem: 'not generated' },
    ]);

    expect(await writeDeployFiles(files, dir)).toEqual([
      `${RULES_DIR}/old-service.rules.yaml`,
      files[0]!.path,
      files[2]!.path,
    ]);
    expect(await findStaleFiles(files, dir)).toEqual([]);
    expect(existsSync(path.join(dir, RULES_DIR, 'old-service.rules.yaml'))).toBe(false);
    expect(existsSync(path.join(dir, RULES_DIR, 'notes.txt'))).toBe(true);
  });

  it('generates the same bytes twice', () => {
    expect(deployFiles(spec)).toEqual(deployFiles(spec));
  });
});

describe('deploy templates: promtool', () => {
  it(
    'accepts prometheus.yml, and the rule files it loads are the generated ones',
    async () => {
      const r = await runPromtool(['check', 'config', 'prometheus/prometheus.yml'], {
        promtool,
        cwd: DEPLOY,
      });
      expect(r.ok, `${r.command}\n${r.stdout}${r.stderr}`).toBe(true);
      expect(r.stdout).toContain('SUCCESS: 1 rule files found');
      expect(r.stdout).toContain('prometheus/rules/orders.rules.yaml');
    },
    PROMTOOL_TIMEOUT,
  );

  it(
    'accepts the generated rules (check rules)',
    async () => {
      const r = await runPromtool(['check', 'rules', `${RULES_DIR}/orders.rules.yaml`], {
        promtool,
        cwd: APP_DIR,
      });
      expect(r.ok, `${r.command}\n${r.stdout}${r.stderr}`).toBe(true);
      expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/);
    },
    PROMTOOL_TIMEOUT,
  );

  it(
    'passes the generated rule unit tests (test rules)',
    async () => {
      const r = await runPromtool(['test', 'rules', `${RULES_DIR}/orders.rules.test.yaml`], {
        promtool,
        cwd: APP_DIR,
      });
      expect(r.ok, `${r.command}\n${r.stdout}${r.stderr}`).toBe(true);
      expect(r.stdout).toContain('SUCCESS');
    },
    PROMTOOL_TIMEOUT,
  );

  it(
    'fails on a broken config (the check can fail)',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'trisignal-promtool-'));
      try {
        writeFileSync(
          path.join(dir, 'prometheus.yml'),
          'scrape_configs:\n  - job_name: a\n    scrape_interval: soon\n',
        );
        const r = await runPromtool(['check', 'config', 'prometheus.yml'], { promtool, cwd: dir });
        expect(r.ok).toBe(false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    PROMTOOL_TIMEOUT,
  );
});

describe('deploy templates: OpenTelemetry Collector', () => {
  it('gateway: memory_limiter first everywhere, batch 8192 / 16384, tail_sampling before batch on traces', () => {
    expect(collectorProblems(readYaml('otel-collector.yaml'), 'gateway')).toEqual([]);
  });

  it('load balancer: memory_limiter first everywhere, batch 8192 / 16384, traces routed by traceID', () => {
    expect(collectorProblems(readYaml('otel-collector-loadbalancer.yaml'), 'loadbalancer')).toEqual([]);
  });

  it('reports a pipeline out of order, a wrong batch size and a missing tail_sampling', () => {
    const config = readYaml('otel-collector.yaml');
    const pipelines = obj(obj(config['service'], 'service')['pipelines'], 'pipelines');
    obj(pipelines['traces'], 'traces')['processors'] = ['batch', 'memory_limiter'];
    obj(obj(config['processors'], 'processors')['batch'], 'batch')['send_batch_max_size'] = 8192;
    expect(collectorProblems(config, 'gateway')).toEqual([
      'batch.send_batch_max_size: expected 16384, got 8192',
      'traces: expected memory_limiter first, got batch',
      'traces: no tail_sampling',
    ]);
  });

  it('exports to the compose services (jaeger OTLP/gRPC, prometheus remote write)', () => {
    const exporters = obj(readYaml('otel-collector.yaml')['exporters'], 'exporters');
    const services = obj(readYaml('compose.yaml')['services'], 'services');
    expect(obj(exporters['otlp/jaeger'], 'otlp/jaeger')['endpoint']).toBe('jaeger:4317');
    expect(obj(exporters['prometheusremotewrite'], 'prometheusremotewrite')['endpoint']).toBe(
      'http://prometheus:9090/api/v1/write',
    );
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['jaeger', 'prometheus', 'otel-collector']));
  });
});

describe('deploy templates: compose.yaml', () => {
  const compose = readYaml('compose.yaml');
  const services = obj(compose['services'], 'services');
  const service = (name: string): Yaml => obj(services[name], `services.${name}`);

  it('mounts only files that exist, declares its named volumes and pins every image', () => {
    expect(composeProblems(compose, DEPLOY)).toEqual([]);
    expect(Object.keys(services).sort()).toEqual(['grafana', 'jaeger', 'otel-collector', 'prometheus']);
  });

  it('reports a mount of a missing file and an unpinned image', () => {
    const broken = structuredClone(compose);
    const jaeger = obj(obj(broken['services'], 'services')['jaeger'], 'jaeger');
    jaeger['image'] = 'jaegertracing/all-in-one:latest';
    jaeger['volumes'] = ['./missing.yaml:/etc/missing.yaml:ro'];
    expect(composeProblems(broken, DEPLOY)).toEqual([
      'jaeger: image jaegertracing/all-in-one:latest is not pinned to a tag',
      'jaeger: mounts ./missing.yaml, which does not exist',
    ]);
  });

  it('gives the Collector its config file at the path it is started with', () => {
    const s = service('otel-collector');
    const config = flagValue(list(s['command'], 'command'), '--config');
    expect(config).toBeDefined();
    expect(hostPath(s, 'otel-collector', config!)).toBe(path.join(DEPLOY, 'otel-collector.yaml'));
  });

  it('starts Prometheus with its config, exemplar storage and the remote-write receiver; the scrape jobs match the SLO selector', () => {
    const s = service('prometheus');
    const command = list(s['command'], 'command');
    expect(command).toEqual(
      expect.arrayContaining(['--web.enable-remote-write-receiver', '--enable-feature=exemplar-storage']),
    );
    const config = flagValue(command, '--config.file');
    expect(hostPath(s, 'prometheus', config!)).toBe(path.join(DEPLOY, 'prometheus', 'prometheus.yml'));
    expect(list(s['extra_hosts'], 'extra_hosts')).toContain('host.docker.internal:host-gateway');

    const prom = readYaml('prometheus/prometheus.yml');
    const jobs = list(prom['scrape_configs'], 'scrape_configs').map(
      (c) => obj(c, 'scrape_config')['job_name'],
    );
    // The generated rules select on spec.selector (job="orders" by default).
    expect(jobs).toContain(spec.selector['job']);
    expect(jobs).toEqual(expect.arrayContaining(['orders', 'inventory']));
  });

  it('provisions Grafana: the dashboards folder the provider reads, Prometheus with exemplar links to Jaeger', () => {
    const s = service('grafana');
    const provider = obj(
      list(readYaml('grafana/provisioning/dashboards/dashboards.yaml')['providers'], 'providers')[0],
      'provider',
    );
    const dashboardsPath = String(obj(provider['options'], 'options')['path']);
    expect(hostPath(s, 'grafana', dashboardsPath)).toBe(path.join(DEPLOY, 'grafana', 'dashboards'));
    expect(hostPath(s, 'grafana', '/etc/grafana/provisioning/datasources')).toBe(
      path.join(DEPLOY, 'grafana', 'provisioning', 'datasources'),
    );
    expect(hostPath(s, 'grafana', '/etc/grafana/provisioning/dashboards')).toBe(
      path.join(DEPLOY, 'grafana', 'provisioning', 'dashboards'),
    );

    const sources = list(
      readYaml('grafana/provisioning/datasources/datasources.yaml')['datasources'],
      'datasources',
    ).map((d) => obj(d, 'datasource'));
    const byType = (type: string): Yaml => {
      const d = sources.find((x) => x['type'] === type);
      if (d === undefined) throw new Error(`no ${type} data source`);
      return d;
    };
    const prometheus = byType('prometheus');
    const jaeger = byType('jaeger');
    expect(prometheus['url']).toBe('http://prometheus:9090');
    expect(jaeger['url']).toBe('http://jaeger:16686');
    // Our OpenMetrics exemplars carry the trace id under `trace_id`.
    expect(obj(prometheus['jsonData'], 'jsonData')['exemplarTraceIdDestinations']).toEqual([
      { name: 'trace_id', datasourceUid: jaeger['uid'] },
    ]);
  });
});
