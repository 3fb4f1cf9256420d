import { createTraceState } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import {
  getAdjustedCount,
  parseOtValue,
  readOtValue,
  serializeOtValue,
  withOtValue,
} from './ot-trace-state.js';

describe('ot tracestate member', () => {
  it('splits th, rv and the other sub-keys, keeping their order', () => {
    expect(parseOtValue('p:8;th:c;k1:13;rv:9b8233f7e3a151')).toEqual({
      th: 'c',
      rv: '9b8233f7e3a151',
      rest: ['p:8', 'k1:13'],
    });
    expect(parseOtValue('')).toEqual({ th: undefined, rv: undefined, rest: [] });
    expect(parseOtValue('th:c;th:8')).toEqual({ th: 'c', rv: undefined, rest: [] });
  });

  it('writes th first and keeps the rest', () => {
    expect(serializeOtValue('e666', '9b8233f7e3a151', ['p:8', 'k1:13'])).toBe(
      'th:e666;rv:9b8233f7e3a151;p:8;k1:13',
    );
    expect(serializeOtValue(undefined, undefined, ['k1:13'])).toBe('k1:13');
    expect(serializeOtValue(undefined, undefined, [])).toBe('');
  });

  it('leaves th out rather than exceed 256 characters', () => {
    const long = 'x:' + 'a'.repeat(250);
    expect(serializeOtValue('c', undefined, [long])).toBe(long);
    const fits = 'x:' + 'a'.repeat(240);
    expect(serializeOtValue('c', undefined, [fits])).toBe('th:c;' + fits);
  });

  it('writes only sub-keys that form a valid W3C value', () => {
    // Only reachable through an unvalidated TraceState.set: a comma, an equals sign, a control
    // character or a trailing space would break the header.
    expect(serializeOtValue('8', undefined, ['a:1', 'b:x,y', 'c:x=y', 'd:\n', 'e:v ', 'f:2'])).toBe(
      'th:8;a:1;f:2',
    );
    expect(serializeOtValue('8', 'bad,rv', [])).toBe('th:8');
    expect(serializeOtValue(undefined, undefined, ['k:' + 'a'.repeat(300)])).toBe('');
    const many = Array.from({ length: 40 }, (_, i) => `k${i}:` + 'a'.repeat(4));
    const tail = serializeOtValue(undefined, undefined, many);
    expect(tail.length).toBeLessThanOrEqual(256);
    expect(many.join(';').startsWith(tail)).toBe(true);
  });

  it('parses an ot value once and remembers the last value rebuilt from it', () => {
    const raw = 'th:8;rv:9b8233f7e3a151;k1:13';
    const fields = readOtValue(raw);
    expect(readOtValue('th:8;rv:9b8233f7e3a151;k1:13')).toBe(fields); // equal content, same fields
    expect(fields.threshold).toEqual({ hi: 0x8000000, lo: 0 });
    expect(fields.rvValid).toBe(true);
    expect([fields.rHi, fields.rLo]).toEqual([0x9b8233f, 0x7e3a151]);
    expect(fields.valueWith('e666', fields.rv)).toBe('th:e666;rv:9b8233f7e3a151;k1:13');
    expect(fields.valueWith(undefined, undefined)).toBe('k1:13');
    expect(readOtValue('th:zz;rv:1').threshold).toBeUndefined();
    expect(readOtValue('th:zz;rv:1').rvValid).toBe(false);
    expect(readOtValue(raw)).not.toBe(fields); // another value came in between
  });

  it('replaces only the ot member of a tracestate', () => {
    const ts = createTraceState('vendor=abc,ot=th:8;k:v,other=1');
    const out = withOtValue(ts, 'th:c;k:v');
    expect(out.get('vendor')).toBe('abc');
    expect(out.get('other')).toBe('1');
    expect(out.get('ot')).toBe('th:c;k:v');
    expect(withOtValue(ts, '').get('ot')).toBeUndefined();
    expect(out.serialize()).toBe('ot=th:c;k:v,vendor=abc,other=1');
    expect(withOtValue(ts, '').serialize()).toBe('vendor=abc,other=1');
  });

  it('gives the adjusted count 1/p from th, none without a valid th', () => {
    expect(getAdjustedCount(createTraceState('ot=th:8'))).toBe(2);
    expect(getAdjustedCount(createTraceState('ot=th:c'))).toBe(4);
    expect(getAdjustedCount(createTraceState('ot=th:0'))).toBe(1);
    expect(getAdjustedCount(createTraceState('ot=th:e666'))).toBeCloseTo(9.99939, 4);
    expect(getAdjustedCount(createTraceState('ot=k:v'))).toBeUndefined();
    expect(getAdjustedCount(createTraceState('ot=th:zz'))).toBeUndefined();
    expect(getAdjustedCount(undefined)).toBeUndefined();
  });
});
