import { describe, expect, it } from 'vitest';
import { clean, formatNumber, leMatcher, leRenderings, openMetricsFloat } from './promql.js';

describe('numbers', () => {
  it('removes float noise', () => {
    expect(1 - 0.999).not.toBe(0.001);
    expect(clean(1 - 0.999)).toBe(0.001);
    expect(formatNumber(14.4 * 0.001)).toBe('0.0144');
    expect(formatNumber((100 - 99.95) / 100)).toBe('0.0005');
    expect(formatNumber(Infinity)).toBe('+Inf');
  });
});

describe('le matching on Prometheus 2 and 3', () => {
  it('lists every rendering of a boundary', () => {
    expect(leRenderings(1)).toEqual(['1', '1.0']);
    expect(leRenderings(3)).toEqual(['3', '3.0']);
    expect(leRenderings(0.25)).toEqual(['0.25']);
    expect(leRenderings(2.048)).toEqual(['2.048']);
    expect(leRenderings(0.00001)).toEqual(['1e-05', '0.00001']);
    expect(leRenderings(1_000_000)).toEqual(['1e+06', '1000000']);
    expect(leRenderings(Infinity)).toEqual(['+Inf']);
    expect(openMetricsFloat(10)).toBe('10.0');
  });

  it('builds a matcher that accepts every rendering and nothing else', () => {
    for (const bound of [0.005, 0.1, 0.25, 1, 3, 10, 0.00001, 1_000_000]) {
      const m = leMatcher(bound);
      // PromQL regexes are anchored; the pattern goes through a PromQL string literal (\\. → \.)
      const re = new RegExp(`^(?:${m.value.replace(/\\\\/g, '\\')})$`);
      for (const form of leRenderings(bound))
        expect(m.op === '=' ? m.value === form : re.test(form), `${bound} ${form}`).toBe(true);
      for (const other of ['110', '1x0', `${bound}1`, '+Inf'])
        expect(m.op === '=' ? m.value === other : re.test(other)).toBe(false);
    }
    expect(leMatcher(0.25)).toEqual({ name: 'le', op: '=', value: '0.25' });
    expect(leMatcher(1)).toEqual({ name: 'le', op: '=~', value: '1|1\\.0' });
  });
});
