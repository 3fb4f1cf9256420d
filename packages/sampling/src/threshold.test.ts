import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTrisignalError } from '@trisignal/core';
import {
  ALWAYS,
  decodeThreshold,
  encodeThreshold,
  HALF,
  NEVER,
  passes,
  probabilityOf,
  probabilityToThreshold,
  thresholdFor,
  thresholdToProbability,
} from './threshold.js';

// The table of `tracestate-probability-sampling.md` ("1-in-N", precision 3, 4 and 5).
const SPEC_TABLE: readonly [number, string, string, string][] = [
  [1, '0', '0', '0'],
  [2, '8', '8', '8'],
  [3, 'aab', 'aaab', 'aaaab'],
  [4, 'c', 'c', 'c'],
  [5, 'ccd', 'cccd', 'ccccd'],
  [8, 'e', 'e', 'e'],
  [10, 'e66', 'e666', 'e6666'],
  [16, 'f', 'f', 'f'],
  [100, 'fd71', 'fd70a', 'fd70a4'],
  [1000, 'ffbe7', 'ffbe77', 'ffbe76d'],
  [10000, 'fff972', 'fff9724', 'fff97247'],
  [100000, 'ffff584', 'ffff583a', 'ffff583a5'],
  [1000000, 'ffffef4', 'ffffef39', 'ffffef391'],
];

describe('probabilityToThreshold', () => {
  it.each(SPEC_TABLE)('matches the specification table for 1-in-%i', (n, p3, p4, p5) => {
    expect(probabilityToThreshold(1 / n, 3)).toBe(p3);
    expect(probabilityToThreshold(1 / n, 4)).toBe(p4);
    expect(probabilityToThreshold(1 / n, 5)).toBe(p5);
  });

  it('gives the issue vectors at the default precision 4', () => {
    expect(probabilityToThreshold(1)).toBe('0');
    expect(probabilityToThreshold(0.5)).toBe('8');
    expect(probabilityToThreshold(0.25)).toBe('c');
    expect(probabilityToThreshold(0.1)).toBe('e666');
    expect(probabilityToThreshold(1 / 3)).toBe('aaab');
  });

  it('gives fd70a4 for 1 % at precision 5, the specification prose example (fd70a at precision 4)', () => {
    expect(probabilityToThreshold(0.01, 5)).toBe('fd70a4');
    expect(probabilityToThreshold(0.01, 4)).toBe('fd70a');
    // fd70a4 = 71337018784743424 as a 56-bit integer, exactly as the specification states.
    const t = decodeThreshold('fd70a4')!;
    expect(BigInt(t.hi) * BigInt(HALF) + BigInt(t.lo)).toBe(71337018784743424n);
  });

  it('reaches the smallest probability 2^-56 and refuses what is outside [2^-56, 1]', () => {
    expect(probabilityToThreshold(2 ** -56)).toMatch(/^f+$/);
    for (const bad of [0, -0.1, 1.01, NaN, 2 ** -57]) {
      try {
        probabilityToThreshold(bad);
        expect.fail(`accepted ${bad}`);
      } catch (error) {
        expect(isTrisignalError(error)).toBe(true);
        expect((error as { code: string }).code).toBe('TRISIGNAL_SAMPLING_INVALID_OPTION');
      }
    }
    expect(() => probabilityToThreshold(0.5, 0)).toThrow(/precision/);
  });

  it('rounds within half a digit of the (leading-f adjusted) precision', () => {
    fc.assert(
      fc.property(fc.double({ min: 2 ** -30, max: 1, noNaN: true }), (p) => {
        const effective = probabilityOf(thresholdFor(p, 4));
        const bound = 0.5 * 16 ** -4 * Math.min(1, 16 * p) + 2 ** -50;
        return Math.abs(effective - p) <= bound;
      }),
      { numRuns: 5000 },
    );
  });
});

describe('threshold encoding', () => {
  it('decodes by right-padding to 14 digits and re-encodes without trailing zeros', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 56n - 1n }), (t) => {
        const hex = t.toString(16).padStart(14, '0');
        const decoded = decodeThreshold(hex)!;
        expect(BigInt(decoded.hi) * 2n ** 28n + BigInt(decoded.lo)).toBe(t);
        const encoded = encodeThreshold(decoded);
        expect(encoded === '0' || !encoded.endsWith('0')).toBe(true);
        expect(decodeThreshold(encoded)).toEqual(decoded);
      }),
    );
  });

  it('rejects malformed values', () => {
    for (const bad of ['', 'g', '0123456789abcde', 'e6 6', '-1'])
      expect(decodeThreshold(bad)).toBeUndefined();
    expect(thresholdToProbability('xyz')).toBeUndefined();
    expect(thresholdToProbability('c')).toBe(0.25);
    expect(thresholdToProbability('0')).toBe(1);
  });
});

describe('passes (R ≥ T on split 28-bit halves)', () => {
  it('agrees with BigInt arithmetic on 56-bit values', () => {
    const u56 = fc.bigInt({ min: 0n, max: 2n ** 56n - 1n });
    fc.assert(
      fc.property(u56, u56, (r, t) => {
        const split = (v: bigint) => ({ hi: Number(v >> 28n), lo: Number(v & 0xfffffffn) });
        const rs = split(r);
        return passes(rs.hi, rs.lo, split(t)) === r >= t;
      }),
      { numRuns: 20_000 },
    );
  });

  it('keeps every R at T = 0 and none at NEVER', () => {
    expect(passes(0, 0, ALWAYS)).toBe(true);
    expect(passes(HALF - 1, HALF - 1, NEVER)).toBe(false);
    expect(thresholdFor(0)).toBe(NEVER);
    expect(probabilityOf(NEVER)).toBe(0);
  });
});
