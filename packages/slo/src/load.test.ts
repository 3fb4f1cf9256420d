import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SloError } from './errors.js';
import { loadSlo, parseSpecText } from './load.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test/fixtures');

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SloError);
    return `${(error as SloError).code}: ${(error as SloError).message}`;
  }
  return undefined;
}

describe('parseSpecText (hostile input)', () => {
  it('refuses __proto__, constructor and prototype keys and pollutes nothing', () => {
    const yaml = 'service: x\nclasses:\n  - name: gold\n    __proto__: { polluted: true }\n';
    expect(code(() => parseSpecText(yaml))).toBe(
      'TRISIGNAL_SLO_INVALID_SPEC: Expected `classes[0].__proto__` to be absent (the key `__proto__` is refused: prototype pollution)',
    );
    expect(
      code(() => parseSpecText('{"service":"x","constructor":{"prototype":{"polluted":true}}}')),
    ).toMatch(/`constructor` is refused/);
    expect(code(() => parseSpecText('a:\n  prototype: 1\n'))).toMatch(/`a.prototype` to be absent/);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('caps alias expansion (billion laughs)', () => {
    const bomb = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
    ].join('\n');
    expect(code(() => parseSpecText(bomb))).toMatch(
      /^TRISIGNAL_SLO_LIMIT: Expected at most 100 YAML alias expansions/,
    );
  });

  it('caps size and depth', () => {
    expect(code(() => parseSpecText(`x: "${'a'.repeat(2000)}"`, { maxBytes: 1000 }))).toMatch(
      /^TRISIGNAL_SLO_LIMIT: Expected the spec to be at most 1000 bytes, got 2005 bytes$/,
    );
    const deep = `${'['.repeat(40)}${']'.repeat(40)}`;
    expect(code(() => parseSpecText(deep))).toMatch(
      /^TRISIGNAL_SLO_LIMIT: Expected the spec to nest at most 32 levels deep/,
    );
    expect(code(() => parseSpecText('a:\n  b: 1\n', { maxDepth: 2 }))).toBeUndefined();
    expect(code(() => parseSpecText('a:\n  b: 1\n', { maxDepth: 1 }))).toMatch(
      /nest at most 1 levels deep, got deeper at `a.b`/,
    );
  });

  it('refuses duplicate keys, unknown tags, merge keys and syntax errors', () => {
    expect(code(() => parseSpecText('a: 1\na: 2\n'))).toMatch(
      /^TRISIGNAL_SLO_PARSE: Expected valid YAML, got: Map keys must be unique/,
    );
    expect(code(() => parseSpecText('a: !!js/function "function () {}"\n'))).toMatch(/^TRISIGNAL_SLO_PARSE:/);
    expect(code(() => parseSpecText('base: &b { x: 1 }\nc:\n  <<: *b\n'))).toBeUndefined();
    expect(parseSpecText('base: &b { x: 1 }\nc:\n  <<: *b\n')).toEqual({
      base: { x: 1 },
      c: { '<<': { x: 1 } },
    });
    expect(code(() => parseSpecText('a: [1, 2\n'))).toMatch(/^TRISIGNAL_SLO_PARSE:/);
    expect(code(() => parseSpecText('{"a": 1,}'))).toMatch(/^TRISIGNAL_SLO_PARSE: Expected valid JSON/);
  });

  it('returns plain objects (no prototype tricks survive)', () => {
    const data = parseSpecText('{"service":"x","classes":[]}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
  });
});

describe('loadSlo', () => {
  it('loads the trisignal example and names the bad field of an invalid one', () => {
    const text = readFileSync(path.join(fixtures, '../../examples/orders.slo.yaml'), 'utf8');
    expect(loadSlo(text).spec.classes.map((c) => c.name)).toEqual(['gold', 'silver', 'bronze']);
    expect(code(() => loadSlo(text.replace('availability: 99.9', 'availability: 101')))).toBe(
      'TRISIGNAL_SLO_INVALID_SPEC: Expected `classes[0].availability` to be a percentage strictly between 0 and 100, such as 99.9, got `101`',
    );
  });

  it('imports a Sloth prometheus/v1 spec where it fits, with warnings for the rest', () => {
    const { spec, warnings } = loadSlo(readFileSync(path.join(fixtures, 'sloth.yaml'), 'utf8'));
    expect(spec.service).toBe('myservice');
    expect(spec.classes.map((c) => [c.name, c.availability])).toEqual([['requests-availability', 99.9]]);
    expect(spec.labels).toEqual({ owner: 'myteam' });
    expect(spec.alerting.page.labels).toEqual({ routing_key: 'myteam' });
    expect(warnings.join('\n')).toMatch(/sli \(events\) dropped/);
    expect(warnings.join('\n')).toMatch(/severity "pageteam" dropped/);
  });

  it('imports OpenSLO v1 documents: ratio → availability, lte threshold → latency, 28d window', () => {
    const { spec } = loadSlo(readFileSync(path.join(fixtures, 'openslo.yaml'), 'utf8'));
    expect(spec.service).toBe('shop');
    expect(spec.period).toBe('28d');
    expect(spec.classes.map((c) => [c.name, c.availability, c.latency])).toEqual([
      ['gold', 99.9, [{ quantile: 0.99, thresholdSeconds: 0.25 }]],
      ['browse', 99.5, []],
    ]);
  });

  it('refuses what it cannot read', () => {
    expect(code(() => loadSlo('just: a map\n'))).toMatch(/^TRISIGNAL_SLO_UNSUPPORTED_FORMAT:/);
    expect(code(() => loadSlo('apiVersion: openslo/v1\nkind: Service\nmetadata: { name: x }\n'))).toMatch(
      /^TRISIGNAL_SLO_UNSUPPORTED_FORMAT: Expected OpenSLO documents with at least one `kind: SLO`/,
    );
  });
});
