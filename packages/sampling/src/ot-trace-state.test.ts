import { createTraceState } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { getAdjustedCount, parseOtValue, serializeOtValue, withOtValue } from './ot-trace-state.js';

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

  it('replaces only the ot member of a tracestate', () => {
    const ts = createTraceState('vendor=abc,ot=th:8;k:v,other=1');
    const out = withOtValue(ts, 'th:c;k:v');
    expect(out.get('vendor')).toBe('abc');
    expect(out.get('other')).toBe('1');
    expect(out.get('ot')).toBe('th:c;k:v');
    expect(withOtValue(ts, '').get('ot')).toBeUndefined();
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
