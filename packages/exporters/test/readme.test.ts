import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXPORTER_ERROR_CODES } from '../src/errors.js';
import * as semconv from '../src/semconv.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

describe('README', () => {
  it('documents every error code the package can raise', () => {
    expect(EXPORTER_ERROR_CODES.length).toBeGreaterThanOrEqual(7);
    const section = readme.slice(readme.indexOf('## Errors'), readme.indexOf('## Metrics emitted'));
    for (const code of EXPORTER_ERROR_CODES) expect(section, code).toContain(`\`${code}\``);
  });

  it('documents every self-metric', () => {
    const section = readme.slice(readme.indexOf('## Metrics emitted'));
    const names = Object.entries(semconv)
      .filter(([k]) => k.startsWith('METRIC_'))
      .map(([, v]) => v);
    expect(names.length).toBe(9);
    for (const name of names) expect(section, name).toContain(`\`${name}\``);
  });
});
