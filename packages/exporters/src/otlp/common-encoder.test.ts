import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ProtoWriter } from '../internal/proto-writer.js';
import { setValueCache, writeKeyValues } from './common-encoder.js';

function encode(attributes: Record<string, unknown>): Buffer {
  const w = new ProtoWriter(64);
  writeKeyValues(w, attributes, 0x4a);
  return w.finishCopy();
}

afterEach(() => setValueCache(true));

describe('attribute encoding caches', () => {
  it('writes byte-identical KeyValues with and without the value cache, however often a pair repeats', () => {
    const value = fc.oneof(
      fc.constantFrom('GET', 'POST', '/api/items/:id', 'ü', '', 'x'.repeat(100), 'y'.repeat(101)),
      fc.string({ unit: 'binary', maxLength: 120 }),
      fc.integer(),
      fc.boolean(),
    );
    const attrs = fc.dictionary(fc.constantFrom('http.request.method', 'http.route', 'k', 'ключ'), value, {
      maxKeys: 4,
    });
    fc.assert(
      fc.property(fc.array(attrs, { minLength: 1, maxLength: 30 }), (list) => {
        for (const a of [...list, ...list]) {
          setValueCache(true);
          const cached = encode(a);
          setValueCache(false);
          expect(cached.equals(encode(a))).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('stops caching the values of a key whose values do not repeat, and stays correct', () => {
    setValueCache(true);
    for (let i = 0; i < 5000; i++) {
      const a = { 'request.id': `req-${i}` };
      const once = encode(a);
      setValueCache(false);
      expect(encode(a).equals(once)).toBe(true);
      setValueCache(true);
    }
  });
});
