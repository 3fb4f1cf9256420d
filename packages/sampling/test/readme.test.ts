import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { seedProbability } from '../src/adaptive-policy.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

describe('README', () => {
  it('documents every error code the package can throw', () => {
    const source = readFileSync(path.join(root, 'src/errors.ts'), 'utf8');
    const union = /export type SamplingErrorCode =([^;]+);/.exec(source)?.[1] ?? '';
    const codes = [...union.matchAll(/'(TRISIGNAL_[A-Z_]+)'/g)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThanOrEqual(2);
    const errorsSection = readme.slice(readme.indexOf('## Errors'), readme.indexOf('## Metrics emitted'));
    for (const code of codes) expect(errorsSection, code).toContain(`\`${code}\``);
  });

  it('shows the seed policy exactly as the code computes it', () => {
    const section = readme.slice(
      readme.indexOf('**Seed policy'),
      readme.indexOf('Note what the formula does'),
    );
    const rows = section
      .split('\n')
      .filter((line) => /^\| [\d.]+ /.test(line))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => Number(cell.trim())),
      );
    expect(rows.length).toBeGreaterThanOrEqual(6);
    for (const [qps, e0, e1, e5, e20, rate] of rows) {
      expect(e0).toBeCloseTo(seedProbability(qps!, 0), 9);
      expect(e1).toBeCloseTo(seedProbability(qps!, 1), 9);
      expect(e5).toBeCloseTo(seedProbability(qps!, 5), 9);
      expect(e20).toBeCloseTo(seedProbability(qps!, 20), 9);
      expect(rate).toBeCloseTo(seedProbability(qps!, 0) * qps!, 9);
    }
  });

  it('carries the rule-based example: never /health, always /checkout, 10 % of the rest', () => {
    expect(readme).toContain("{ attributes: { 'http.route': '/health' }, sampler: 'always_off' }");
    expect(readme).toContain("{ attributes: { 'http.route': '/checkout' }, sampler: 'always_on' }");
    expect(readme).toContain('fallback: createProbabilitySampler({ ratio: 0.1 })');
  });

  it('keeps the section order of the house style', () => {
    const order = [
      '## Install',
      '## Usage',
      '## Options',
      '## Errors',
      '## Metrics emitted',
      '## Benchmarks',
      '## License',
    ];
    const positions = order.map((h) => readme.indexOf(h));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const usage = readme.slice(readme.indexOf('## Usage'), readme.indexOf('## Options'));
    const code = /```ts\n([\s\S]*?)```/.exec(usage)?.[1] ?? '';
    expect(code.trim().split('\n').length).toBeLessThanOrEqual(15);
  });

  it('shows the one-line init() form, with no manual attach or setMeter in Usage', () => {
    const usage = readme.slice(readme.indexOf('## Usage'), readme.indexOf('## Options'));
    const code = /```ts\n([\s\S]*?)```/.exec(usage)?.[1] ?? '';
    expect(code).toContain(
      'init({ sampler: createParentBasedSampler({ root: createAdaptiveSampler({ targetTracesPerSecond: 10 }) }) });',
    );
    expect(code).toContain('init({ sampler: createSamplerFromEnv() });');
    expect(code).not.toMatch(/\.attach\(|setMeter\(/);
    // The manual path stays documented.
    expect(usage).toContain('adaptive.attach(feed)');
    expect(usage).toContain('metrics.setMeter(meter)');
  });
});
