/**
 * Golden files: the generated rules, promtool tests and dashboard of every example spec are committed
 * under test/fixtures/golden and must not change by accident. Regenerate deliberately with
 * `pnpm --filter @trisignal/slo golden` (TRISIGNAL_UPDATE_GOLDEN=1) and review the diff. The committed
 * copies are prettier-formatted (the repository checks formatting), so the comparison formats first.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { generateArtifacts } from '../src/generate.js';
import { fixtures, loadAll } from './helpers.js';

const goldenDir = path.join(fixtures, 'golden');
const update = process.env['TRISIGNAL_UPDATE_GOLDEN'] === '1';

describe('golden files', async () => {
  const specs = await loadAll();
  for (const { spec } of specs) {
    it(`${spec.service}: rules, promtool tests and dashboard match the committed files`, async () => {
      const artifacts = generateArtifacts(spec);
      for (const generated of [artifacts.rules, artifacts.tests, artifacts.dashboard]) {
        const file = path.join(goldenDir, generated.name);
        const f = {
          name: generated.name,
          content: await format(generated.content, { ...(await resolveConfig(file)), filepath: file }),
        };
        if (update) {
          mkdirSync(goldenDir, { recursive: true });
          writeFileSync(file, f.content);
        }
        expect(existsSync(file), `${f.name} is missing: run pnpm --filter @trisignal/slo golden`).toBe(true);
        expect(
          f.content,
          `${f.name} changed: review, then regenerate with pnpm --filter @trisignal/slo golden`,
        ).toBe(readFileSync(file, 'utf8'));
      }
    });
  }

  it('is deterministic: the same spec generates byte-identical files', () => {
    const { spec } = specs[0]!;
    const a = generateArtifacts(spec);
    const b = generateArtifacts(spec);
    expect(a).toEqual(b);
  });

  it('writes clean numbers only (no float noise such as 0.0009999999999999432)', () => {
    for (const { spec } of specs) {
      const { rules, tests } = generateArtifacts(spec);
      for (const text of [rules.content, tests.content])
        expect(text).not.toMatch(/\d\.\d*?(?:0{6,}|9{6,})\d/);
    }
  });
});
