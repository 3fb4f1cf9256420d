import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

function section(title: string): string {
  const start = readme.indexOf(`## ${title}`);
  expect(start, `README section ${title}`).toBeGreaterThan(-1);
  const next = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, next === -1 ? undefined : next);
}

describe('README', () => {
  it('documents every error code the package can throw', () => {
    const source = readFileSync(path.join(root, 'src/errors.ts'), 'utf8');
    const union = /export type GrpcMiddlewareErrorCode =([^;]+);/.exec(source)?.[1] ?? '';
    const codes = [...union.matchAll(/'(TRISIGNAL_[A-Z_]+)'/g)].map((m) => m[1]!);
    expect(codes).toHaveLength(2);
    const errors = section('Errors');
    for (const code of codes) expect(errors, code).toContain(`\`${code}\``);
  });

  it('documents every option with its default', () => {
    const options = section('Options');
    for (const name of ['obs', 'admission', 'traceIdMetadataKey', 'shedStatus', 'target']) {
      expect(options, name).toContain(`\`${name}\``);
    }
    expect(options).toContain(`'${api.GRPC_DEFAULTS.traceIdMetadataKey}'`);
  });

  it('lists the metrics the package emits itself', () => {
    const metrics = section('Metrics emitted');
    for (const name of [
      api.METRIC_GRPC_SERVER_SHED,
      api.METRIC_GRPC_INTERNAL_ERRORS,
      'rpc.server.call.duration',
    ]) {
      expect(metrics, name).toContain(`\`${name}\``);
    }
  });
});
