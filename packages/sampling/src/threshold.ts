/**
 * Consistent probability sampling arithmetic (OpenTelemetry `tracestate-probability-sampling.md`):
 * a 56-bit randomness R (the trace id's last 7 bytes, or the `rv` sub-key) is kept iff R ≥ T, where the
 * rejection threshold T = (1 − p)·2^56 travels as the `th` sub-key of the `ot` tracestate member.
 *
 * A double holds only 53 bits, so every 56-bit value here is split into two 28-bit halves (`hi`, `lo`),
 * each an exact small integer; comparing (hi, lo) pairs is exact and needs no BigInt on the hot path.
 */
import { checkInteger, invalidOption } from './errors.js';

/** 2^28: one half of a 56-bit value. */
export const HALF = 0x10000000;
/** 2^56, `MaxAdjustedCount` in the specification. */
export const MAX_ADJUSTED_COUNT = 2 ** 56;
/** The precision the specification recommends for SDKs, in hex digits. */
export const DEFAULT_PRECISION = 4;

/** A rejection threshold split into 28-bit halves; `hi === HALF` encodes "never" (above every R). */
export interface ThresholdValue {
  readonly hi: number;
  readonly lo: number;
}

/** The threshold that rejects everything: not a probability (`p = 0` has no `th`). */
export const NEVER: ThresholdValue = Object.freeze({ hi: HALF, lo: 0 });
/** The threshold that keeps everything (`th:0`). */
export const ALWAYS: ThresholdValue = Object.freeze({ hi: 0, lo: 0 });

const view = new DataView(new ArrayBuffer(8));

/** The exponent e of `frexp(x)`: x = m·2^e with m in [0.5, 1). Exact, unlike `Math.log2`. */
function frexpExponent(x: number): number {
  view.setFloat64(0, x);
  return ((view.getUint16(0) >>> 4) & 0x7ff) - 1022;
}

/**
 * The threshold of probability `p` rounded to `precision` hex digits, by the specification's reference
 * algorithm: precision grows by one digit per leading `f` (via `frexp(p)`), capped at 12; the rejection
 * probability 2 − p is rounded half up at the last kept digit. Returns T as an exact double (it has at
 * most 52 significant bits, so it is representable) together with its halves.
 */
function computeThreshold(p: number, precision: number): ThresholdValue {
  if (p >= 1) return ALWAYS;
  const digits = Math.max(1, Math.min(12, precision + Math.floor(frexpExponent(p) / -4)));
  // 2 − p lies in [1, 2): its 52 fraction bits are 13 hex digits, the same digits as (1 − p)·2^52.
  const rejection = 2 - p + 2 ** (-4 * digits - 1);
  const fraction = rejection >= 2 ? 2 ** 52 - 1 : (rejection - 1) * 2 ** 52;
  const unit = 2 ** (4 * (13 - digits));
  const t56 = Math.floor(fraction / unit) * unit * 16;
  const hi = Math.floor(t56 / HALF);
  return { hi, lo: t56 - hi * HALF };
}

function hex7(value: number): string {
  return value.toString(16).padStart(7, '0');
}

/** Encodes a threshold as a `th` value: 14 hex digits with trailing zeros removed, `0` for 100 %. */
export function encodeThreshold(t: ThresholdValue): string {
  if (t.hi === 0 && t.lo === 0) return '0';
  const digits = hex7(t.hi) + hex7(t.lo);
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  return digits.slice(0, end);
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 32;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

/** Parses 7 hex digits of `s` from `start`; NaN when a character is not a hex digit or missing. */
export function parseHex7(s: string, start: number): number {
  let value = 0;
  for (let i = start; i < start + 7; i++) {
    const d = hexDigit(s.charCodeAt(i));
    if (d < 0) return NaN;
    value = value * 16 + d;
  }
  return value;
}

/** Decodes a `th` value (1–14 hex digits, right-padded with zeros); undefined when malformed. */
export function decodeThreshold(th: string): ThresholdValue | undefined {
  const n = th.length;
  if (n < 1 || n > 14) return undefined;
  let hi = 0;
  let lo = 0;
  // Missing digits are the right padding: zeros, i.e. a multiplication by 16 each.
  for (let i = 0; i < 14; i++) {
    const d = i < n ? hexDigit(th.charCodeAt(i)) : 0;
    if (d < 0) return undefined;
    if (i < 7) hi = hi * 16 + d;
    else lo = lo * 16 + d;
  }
  return { hi, lo };
}

/** True when the randomness (rHi, rLo) passes the threshold: R ≥ T. */
export function passes(rHi: number, rLo: number, t: ThresholdValue): boolean {
  return rHi > t.hi || (rHi === t.hi && rLo >= t.lo);
}

/** The probability a threshold encodes, (2^56 − T) / 2^56. */
export function probabilityOf(t: ThresholdValue): number {
  if (t.hi >= HALF) return 0;
  // (HALF − hi)·2^28 − lo is exact below 2^53 only for small probabilities; the division is what the
  // specification does in floating point, and its error is far below any sampling noise.
  return ((HALF - t.hi) * HALF - t.lo) / MAX_ADJUSTED_COUNT;
}

/** True when `a` rejects at least as much as `b` (Ta ≥ Tb). */
export function thresholdAtLeast(a: ThresholdValue, b: ThresholdValue): boolean {
  return a.hi > b.hi || (a.hi === b.hi && a.lo >= b.lo);
}

/** Converts a probability to its threshold; `p ≤ 0` or below 2^-56 gives {@link NEVER}. */
export function thresholdFor(p: number, precision: number = DEFAULT_PRECISION): ThresholdValue {
  if (!(p >= 2 ** -56)) return NEVER;
  return computeThreshold(p, precision);
}

/**
 * The `th` value that encodes sampling probability `probability` at `precision` hex digits (the
 * specification's reference rounding; 4 is its recommendation for SDKs).
 * @example probabilityToThreshold(0.1) // 'e666'
 */
export function probabilityToThreshold(probability: number, precision: number = DEFAULT_PRECISION): string {
  if (typeof probability !== 'number' || !(probability >= 2 ** -56 && probability <= 1)) {
    throw invalidOption('probability', probability, 'a number in [2^-56, 1]');
  }
  checkInteger('precision', precision, 1, 14);
  return encodeThreshold(computeThreshold(probability, precision));
}

/**
 * The sampling probability a `th` value encodes, or undefined when it is malformed.
 * @example thresholdToProbability('c') // 0.25
 */
export function thresholdToProbability(th: string): number | undefined {
  const t = decodeThreshold(th);
  return t === undefined ? undefined : probabilityOf(t);
}
