import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('README', () => {
  it('documents every error code core can throw', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const source = readFileSync(path.join(root, 'src/errors.ts'), 'utf8');
    const union = /export type CoreErrorCode =([^;]+);/.exec(source)?.[1] ?? '';
    const codes = [...union.matchAll(/'(TRISIGNAL_[A-Z_]+)'/g)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThanOrEqual(4);
    const errorsSection = readme.slice(readme.indexOf('## Errors'));
    for (const code of codes) expect(errorsSection, code).toContain(`\`${code}\``);
  });
});
