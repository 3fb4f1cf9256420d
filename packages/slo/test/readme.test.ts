import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from './helpers.js';

describe('README', () => {
  const readme = readFileSync(path.join(packageRoot, 'README.md'), 'utf8');

  it('documents every error code the package can throw', () => {
    const source = readFileSync(path.join(packageRoot, 'src/errors.ts'), 'utf8');
    const union = /export type SloErrorCode =([^;]+);/.exec(source)?.[1] ?? '';
    const codes = [...union.matchAll(/'(TRISIGNAL_[A-Z_]+)'/g)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThanOrEqual(6);
    const errorsSection = readme.slice(readme.indexOf('## Errors'));
    for (const code of codes) expect(errorsSection, code).toContain(`\`${code}\``);
  });

  it('says where the metric-name mappings live', () => {
    expect(readme).toContain('src/names.ts');
  });
});
