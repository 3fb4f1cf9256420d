import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHost, redactQuery } from './url.js';

describe('redactQuery', () => {
  it('replaces every value and keeps the keys', () => {
    expect(redactQuery('a=1&b=two&c')).toBe('a=REDACTED&b=REDACTED&c');
    expect(redactQuery('token=a=b')).toBe('token=REDACTED');
    expect(redactQuery('')).toBe('');
    expect(redactQuery('a=1&&b=')).toBe('a=REDACTED&&b=REDACTED');
  });

  it('never lets a value through and keeps the parameter count (property)', () => {
    const key = fc.string({ unit: fc.constantFrom(...'abcxyz_'.split('')), minLength: 1, maxLength: 5 });
    const value = fc.string({
      unit: fc.constantFrom(...'0123456789SECRET'.split('')),
      minLength: 6,
      maxLength: 12,
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 8 }), (pairs) => {
        const query = pairs.map(([k, v]) => `${k}=${v}`).join('&');
        const out = redactQuery(query);
        expect(out.split('&')).toHaveLength(pairs.length);
        for (const [k, v] of pairs) {
          expect(out).toContain(`${k}=REDACTED`);
          expect(out).not.toContain(v);
        }
      }),
    );
  });
});

describe('parseHost', () => {
  it.each([
    ['example.com', 'example.com', undefined],
    ['example.com:8080', 'example.com', 8080],
    ['127.0.0.1:3000', '127.0.0.1', 3000],
    ['[::1]:3000', '::1', 3000],
    ['[::1]', '::1', undefined],
    ['host:notaport', 'host', undefined],
  ])('parses %s', (host, address, port) => {
    expect(parseHost(host)).toEqual({ address, port });
  });

  it('rejects empty or broken hosts', () => {
    expect(parseHost(':80')).toBeUndefined();
    expect(parseHost('[::1')).toBeUndefined();
  });
});
