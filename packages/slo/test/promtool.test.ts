/**
 * The real promtool (Prometheus 2.42 from Debian) on every generated file: `check rules` on each rule
 * file, `test rules` on each generated test file, and `check rules` on the dashboard's queries. Mutated
 * rules must fail the generated tests, so the tests have teeth.
 */
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateArtifacts } from '../src/generate.js';
import { generateDashboard } from '../src/dashboard.js';
import { checkRules, testRules } from '../src/promtool.js';
import { renderYaml } from '../src/rules.js';
import type { SloSpec } from '../src/spec.js';
import { loadAll, requirePromtool, tempDir } from './helpers.js';

let promtool: string;
let specs: { file: string; spec: SloSpec }[];
const tmp = tempDir();

beforeAll(async () => {
  promtool = await requirePromtool();
  specs = await loadAll();
}, 300_000);

afterAll(() => tmp.remove());

function write(spec: SloSpec, rulesContent?: string): { rules: string; tests: string } {
  const a = generateArtifacts(spec);
  return {
    rules: tmp.write(a.rules.name, rulesContent ?? a.rules.content),
    tests: tmp.write(a.tests.name, a.tests.content),
  };
}

describe('promtool (real)', { timeout: 300_000 }, () => {
  it('check rules accepts every generated rule file, lint included', async () => {
    const files = specs.map(({ spec }) => write(spec).rules);
    for (const file of files) {
      const r = await checkRules([file], { promtool });
      expect(r.ok, r.stdout + r.stderr).toBe(true);
      expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/);
    }
  });

  it('test rules passes every generated test file (fast burn, slow burn, latency regression, sustained tail, low traffic, healthy, absent)', async () => {
    const files = specs.map(({ spec }) => write(spec).tests);
    // Two at a time: the machine has two cores.
    const results = [];
    for (let i = 0; i < files.length; i += 2) {
      results.push(...(await Promise.all(files.slice(i, i + 2).map((f) => testRules([f], { promtool })))));
    }
    for (const r of results) {
      expect(r.ok, r.stdout + r.stderr).toBe(true);
      expect(r.stdout).toMatch(/SUCCESS/);
    }
  });

  it('check rules accepts every query of every generated dashboard', async () => {
    for (const { spec } of specs) {
      const exprs = generateDashboard(spec)
        .panels.flatMap((p) => p.targets ?? [])
        .map((t) => t.expr);
      const rules = exprs.map((expr, i) => ({
        record: `dashboard:query_${i}`,
        expr: expr.replaceAll('$__rate_interval', '5m').replaceAll('$class', '.*'),
      }));
      const file = tmp.write(
        `${spec.service}.dashboard-queries.yaml`,
        renderYaml({ groups: [{ name: 'dashboard', rules }] }),
      );
      const r = await checkRules([file], { promtool });
      expect(r.ok, r.stdout + r.stderr).toBe(true);
      expect(r.stdout).toContain(`SUCCESS: ${exprs.length} rules found`);
    }
  });

  /** Writes the rules (possibly mutated) and only the tests whose name matches, and runs promtool. */
  async function runSubset(
    spec: SloSpec,
    rules: string,
    only: RegExp,
  ): Promise<{ ok: boolean; output: string; tests: number }> {
    const a = generateArtifacts(spec);
    const file = parse(a.tests.content) as { tests: { name: string }[] };
    file.tests = file.tests.filter((t) => only.test(t.name));
    const dir = tempDir();
    try {
      dir.write(a.rules.name, rules);
      const tests = dir.write(a.tests.name, renderYaml(file));
      const r = await testRules([tests], { promtool });
      return { ok: r.ok, output: r.stdout + r.stderr, tests: file.tests.length };
    } finally {
      dir.remove();
    }
  }

  it('fails the generated tests when a page factor is tampered with (the tests have teeth)', async () => {
    const spec = specs.find((s) => s.spec.service === 'orders')!.spec;
    const rules = generateArtifacts(spec).rules.content;
    const [pristine, oneHour, sixHours] = await Promise.all([
      runSubset(spec, rules, /^gold: fast burn/),
      runSubset(spec, rules.replaceAll(' > 14.4', ' > 16'), /^gold: fast burn/),
      runSubset(spec, rules.replaceAll(' > 6\n', ' > 7\n'), /^gold: fast burn/),
    ]);
    expect(pristine.tests).toBe(2);
    expect(pristine.ok, pristine.output).toBe(true);
    expect(oneHour.ok).toBe(false);
    expect(oneHour.output).toMatch(/through the 1h\/5m pair/);
    expect(oneHour.output).not.toMatch(/through the 6h\/30m pair/);
    expect(sixHours.ok).toBe(false);
    expect(sixHours.output).toMatch(/through the 6h\/30m pair/);
    expect(sixHours.output).not.toMatch(/through the 1h\/5m pair/);
  });

  it('fails the low-traffic test without the guard, and the Prometheus 3 style le test without the X.0 rendering', async () => {
    const spec = specs.find((s) => s.spec.service === 'orders')!.spec;
    const rules = generateArtifacts(spec).rules.content;
    const unguarded = rules.replace(
      /\n\s*and on \(slo_service, trisignal_slo_class\) trisignal_slo:requests:increase(1h|6h)\{[^}]*\} >= 100/g,
      '',
    );
    expect(unguarded).not.toBe(rules);
    const prom2Only = rules.replaceAll('le=~"3|3\\\\.0"', 'le="3"');
    expect(prom2Only).not.toBe(rules);
    const [lowTraffic, le] = await Promise.all([
      runSubset(spec, unguarded, /^gold: low traffic/),
      runSubset(spec, prom2Only, /^gold: .*Prometheus 3 style le/),
    ]);
    expect(lowTraffic.tests).toBe(1);
    expect(lowTraffic.ok).toBe(false);
    expect(le.tests).toBe(1);
    expect(le.ok).toBe(false);
    expect(await runSubset(spec, rules, /^gold: (low traffic|.*Prometheus 3 style le)/)).toMatchObject({
      ok: true,
      tests: 2,
    });
  });
});
