import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSloFile } from '../src/load.js';
import type { SloSpec } from '../src/spec.js';

export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const examples = path.join(packageRoot, 'examples');
export const fixtures = path.join(packageRoot, 'test/fixtures');

/** Every spec the generator is exercised with: the two examples and the two imports. */
export const SPEC_FILES = [
  path.join(examples, 'orders.slo.yaml'),
  path.join(examples, 'payments.slo.yaml'),
  path.join(fixtures, 'sloth.yaml'),
  path.join(fixtures, 'openslo.yaml'),
];

export async function loadAll(): Promise<{ file: string; spec: SloSpec }[]> {
  return Promise.all(SPEC_FILES.map(async (file) => ({ file, spec: (await loadSloFile(file)).spec })));
}

/** A temporary folder removed by the returned function. */
export function tempDir(): { dir: string; write(name: string, content: string): string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'trisignal-slo-test-'));
  return {
    dir,
    write: (name, content) => {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Makes promtool available (installs Prometheus 2.42 with apt when root, else throws a clear message). */
export async function requirePromtool(): Promise<string> {
  const url = new URL('../../../scripts/ensure-prometheus.mjs', import.meta.url).href;
  const { ensurePrometheus } = (await import(url)) as {
    ensurePrometheus: (options?: { quiet?: boolean }) => { prometheus: string; promtool: string };
  };
  return ensurePrometheus({ quiet: true }).promtool;
}
