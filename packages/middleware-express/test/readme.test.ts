import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXPRESS_DEFAULTS } from '@trisignal/middleware-express';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

describe('README', () => {
  it('documents every error code the package can throw', () => {
    const source = readFileSync(path.join(root, 'src/errors.ts'), 'utf8');
    const union = /export type ExpressMiddlewareErrorCode =([^;]+);/.exec(source)?.[1] ?? '';
    const codes = [...union.matchAll(/'(TRISIGNAL_[A-Z_]+)'/g)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThanOrEqual(2);
    const errors = readme.slice(readme.indexOf('## Errors'));
    for (const code of codes) expect(errors, code).toContain(`\`${code}\``);
  });

  it('documents every option of goldenSignals and errorHandler', () => {
    const source = readFileSync(path.join(root, 'src/options.ts'), 'utf8');
    const options = [...source.matchAll(/^ {2}readonly (\w+)\??: /gm)].map((m) => m[1]!);
    const section = readme.slice(readme.indexOf('## Options'), readme.indexOf('## Errors'));
    for (const name of new Set(options)) {
      if (['requestHeaders', 'responseHeaders'].includes(name)) continue; // resolved forms only
      expect(section, name).toContain(`\`${name}\``);
    }
    for (const name of Object.keys(EXPRESS_DEFAULTS)) expect(section, name).toContain(`\`${name}\``);
  });

  it('gives the PromQL of each golden signal', () => {
    for (const signal of ['Latency', 'Traffic', 'Errors', 'Saturation'])
      expect(readme).toContain(`**${signal}**`);
    expect(readme).toContain('histogram_quantile');
    expect(readme).toContain('http_server_active_requests');
  });
});
