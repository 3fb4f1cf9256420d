/** The `trisignal-slo` command end to end: real files, real promtool. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli-run.js';
import { examples, fixtures, requirePromtool, tempDir } from './helpers.js';

const tmp = tempDir();
let promtool: string;

beforeAll(async () => {
  promtool = await requirePromtool();
}, 300_000);
afterAll(() => tmp.remove());

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('trisignal-slo', { timeout: 300_000 }, () => {
  it('validate prints the classes and objectives', async () => {
    const r = await cli('validate', path.join(examples, 'orders.slo.yaml'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('valid (orders, 30d, 3 classes, 7 objectives)');
    expect(r.out).toContain('gold: availability 99.9%, p90 ≤ 0.1s, p99 ≤ 0.25s, 2 matchers, priority 0');
  });

  it('validate names the bad field, its value and what was expected, with exit code 1', async () => {
    const bad = tmp.write(
      'bad.yaml',
      readFileSync(path.join(examples, 'orders.slo.yaml'), 'utf8').replace(
        'thresholdSeconds: 0.25',
        'thresholdSeconds: 0.3',
      ),
    );
    const r = await cli('validate', bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^trisignal-slo: TRISIGNAL_SLO_INVALID_SPEC: Expected `classes\[0\]\.latency\[1\]\.thresholdSeconds` to be a boundary of the bucket set/,
    );
  });

  it('generate writes the rules and the promtool tests (and the dashboard on request)', async () => {
    const out = path.join(tmp.dir, 'gen');
    const r = await cli(
      'generate',
      path.join(examples, 'payments.slo.yaml'),
      '--out',
      out,
      '--with-dashboard',
    );
    expect(r.code).toBe(0);
    for (const f of ['payments.rules.yaml', 'payments.rules.test.yaml', 'payments.dashboard.json'])
      expect(existsSync(path.join(out, f)), f).toBe(true);
  });

  it('test runs promtool check rules and test rules on the generated files', async () => {
    const r = await cli('test', path.join(examples, 'payments.slo.yaml'), '--promtool', promtool);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/\$ \S*promtool check rules \S*payments\.rules\.yaml/);
    expect(r.out).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.out).toMatch(/Unit Testing: {2}\S*payments\.rules\.test\.yaml\s+SUCCESS/);
  });

  it('test fails with exit code 1 when promtool is missing, saying how to install it', async () => {
    const r = await cli(
      'test',
      path.join(examples, 'payments.slo.yaml'),
      '--promtool',
      '/nonexistent/promtool',
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /TRISIGNAL_SLO_PROMTOOL: Expected promtool at `\/nonexistent\/promtool`, got none: install Prometheus/,
    );
  });

  it('dashboard prints the Grafana JSON or writes it', async () => {
    const printed = await cli('dashboard', path.join(examples, 'orders.slo.yaml'));
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.out)).toMatchObject({ uid: 'trisignal-slo-orders', title: 'SLO: orders' });
    const file = path.join(tmp.dir, 'dash', 'orders.json');
    expect((await cli('dashboard', path.join(examples, 'orders.slo.yaml'), '--out', file)).code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).uid).toBe('trisignal-slo-orders');
  });

  it('imports Sloth and OpenSLO specs, printing what it dropped', async () => {
    const sloth = await cli('validate', path.join(fixtures, 'sloth.yaml'));
    expect(sloth.code).toBe(0);
    expect(sloth.err).toMatch(/^warning: slos\[0\]\.sli \(events\) dropped/m);
    const openslo = await cli('validate', path.join(fixtures, 'openslo.yaml'), '--from', 'openslo');
    expect(openslo.code).toBe(0);
    expect(openslo.out).toContain('valid (shop, 28d, 2 classes, 3 objectives)');
  });

  it('answers usage errors with exit code 2 and refuses hostile YAML with exit code 1', async () => {
    expect((await cli()).code).toBe(2);
    expect((await cli('deploy', 'x.yaml')).code).toBe(2);
    expect((await cli('validate')).code).toBe(2);
    expect((await cli('validate', 'a.yaml', '--from', 'nagios')).code).toBe(2);
    expect((await cli('--help')).code).toBe(0);
    expect((await cli('--version')).out).toMatch(/^\d+\.\d+\.\d+/);
    const missing = await cli('validate', path.join(tmp.dir, 'nope.yaml'));
    expect(missing.code).toBe(1);
    const hostile = tmp.write('hostile.yaml', 'service: x\n__proto__: { polluted: true }\nclasses: []\n');
    const r = await cli('validate', hostile);
    expect(r.code).toBe(1);
    expect(r.err).toContain('TRISIGNAL_SLO_INVALID_SPEC: Expected `__proto__` to be absent');
    writeFileSync(hostile, 'x'.repeat(2 * 1024 * 1024));
    expect((await cli('validate', hostile)).err).toContain(
      'TRISIGNAL_SLO_LIMIT: Expected the spec to be at most 1048576 bytes',
    );
  });
});
