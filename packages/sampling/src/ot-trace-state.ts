/**
 * The OpenTelemetry member of the W3C tracestate: `ot=th:c;rv:9b8233f7e3a151;…`, sub-keys separated by
 * `;`, at most 256 characters (`tracestate-handling.md`). Sub-keys other than `th` and `rv` belong to
 * other concerns and are kept as they are, in order.
 */
import { type TraceState } from '@opentelemetry/api';
import { decodeThreshold, probabilityOf } from './threshold.js';

/** Key of the OpenTelemetry tracestate member. */
export const OT_KEY = 'ot';
/** Longest `ot` value the specification allows. */
export const MAX_OT_LENGTH = 256;

/** The parts of an `ot` value this package reads; `rest` holds every other sub-key verbatim. */
export interface OtValue {
  readonly th: string | undefined;
  readonly rv: string | undefined;
  readonly rest: readonly string[];
}

function allHex(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) | 32;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** True when `th` is 1–14 hex digits. */
export function isValidTh(th: string | undefined): th is string {
  return th !== undefined && th.length >= 1 && th.length <= 14 && allHex(th);
}

/** True when `rv` is exactly 14 hex digits. */
export function isValidRv(rv: string | undefined): rv is string {
  return rv !== undefined && rv.length === 14 && allHex(rv);
}

const NO_REST: readonly string[] = Object.freeze([]);

/** Splits an `ot` value into `th`, `rv` and the other sub-keys (the first `th` / `rv` wins). */
export function parseOtValue(value: string): OtValue {
  let th: string | undefined;
  let rv: string | undefined;
  if (value.indexOf(';') < 0) {
    // One sub-key, by far the most common shape (`th:…`): no split, no array.
    if (value.startsWith('th:')) return { th: value.slice(3), rv, rest: NO_REST };
    if (value.startsWith('rv:')) return { th, rv: value.slice(3), rest: NO_REST };
    return { th, rv, rest: value === '' ? NO_REST : [value] };
  }
  const rest: string[] = [];
  for (const member of value.split(';')) {
    if (member === '') continue;
    if (member.startsWith('th:') && th === undefined) th = member.slice(3);
    else if (member.startsWith('rv:') && rv === undefined) rv = member.slice(3);
    else if (!member.startsWith('th:') && !member.startsWith('rv:')) rest.push(member);
  }
  return { th, rv, rest };
}

/**
 * Joins `th`, `rv` and the other sub-keys back into an `ot` value. When adding `th` would exceed 256
 * characters, `th` is left out (the specification says to abort the update; a missing `th` only means
 * "probability unknown", which is what the span then has).
 */
export function serializeOtValue(
  th: string | undefined,
  rv: string | undefined,
  rest: readonly string[],
): string {
  let tail = rv === undefined ? '' : 'rv:' + rv;
  for (const member of rest) tail = tail === '' ? member : tail + ';' + member;
  if (th === undefined) return tail;
  const full = tail === '' ? 'th:' + th : 'th:' + th + ';' + tail;
  return full.length <= MAX_OT_LENGTH ? full : tail;
}

/** Replaces (or removes, when `value` is empty) the `ot` member; other members are untouched. */
export function withOtValue(traceState: TraceState, value: string): TraceState {
  return value === '' ? traceState.unset(OT_KEY) : traceState.set(OT_KEY, value);
}

/**
 * The adjusted count of a span, 2^56 / (2^56 − T), read from the `th` of its tracestate: how many spans of
 * the population this sampled span stands for. Undefined without a valid `th` (the span was not sampled
 * by a probability sampler, so no count can be inferred).
 * @example getAdjustedCount(span.spanContext().traceState) // 10.00061… for th:e666
 */
export function getAdjustedCount(traceState: TraceState | undefined): number | undefined {
  const value = traceState?.get(OT_KEY);
  if (value === undefined) return undefined;
  const { th } = parseOtValue(value);
  if (!isValidTh(th)) return undefined;
  const t = decodeThreshold(th);
  if (t === undefined) return undefined;
  const p = probabilityOf(t);
  return p > 0 ? 1 / p : undefined;
}
