/**
 * The OpenTelemetry member of the W3C tracestate: `ot=th:c;rv:9b8233f7e3a151;…`, sub-keys separated by
 * `;`, at most 256 characters (`tracestate-handling.md`). Sub-keys other than `th` and `rv` belong to
 * other concerns and are kept as they are, in order.
 */
import { type TraceState } from '@opentelemetry/api';
import { createLazyTraceState } from './lazy-trace-state.js';
import { decodeThreshold, parseHex7, probabilityOf, type ThresholdValue } from './threshold.js';

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
 * True when `member` can be written into a W3C tracestate value as it is: non-empty printable ASCII
 * without `,` or `=` (W3C `chr`), not ending with a space (only the value's last character must not be
 * one, but any member may end up last after a rewrite). A propagator's parse guarantees all but the last
 * rule; an unvalidated `TraceState.set` guarantees none.
 */
function isWritableMember(member: string): boolean {
  const n = member.length;
  if (n === 0 || member.charCodeAt(n - 1) === 32) return false;
  for (let i = 0; i < n; i++) {
    const c = member.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x2c || c === 0x3d) return false;
  }
  return true;
}

/**
 * Joins `th`, `rv` and the other sub-keys back into an `ot` value that is always a valid W3C tracestate
 * value (or empty). When adding `th` would exceed 256 characters, `th` is left out (the specification
 * says to abort the update; a missing `th` only means "probability unknown", which is what the span then
 * has). Sub-keys that cannot be written as they are, or that do not fit in 256 characters, are left out.
 */
export function serializeOtValue(
  th: string | undefined,
  rv: string | undefined,
  rest: readonly string[],
): string {
  let tail = rv === undefined || !isWritableMember(rv) ? '' : 'rv:' + rv;
  for (const member of rest) {
    if (!isWritableMember(member)) continue;
    const next = tail === '' ? member : tail + ';' + member;
    if (next.length > MAX_OT_LENGTH) break;
    tail = next;
  }
  if (th === undefined) return tail;
  const full = tail === '' ? 'th:' + th : 'th:' + th + ';' + tail;
  return full.length <= MAX_OT_LENGTH ? full : tail;
}

/**
 * An `ot` value parsed once with everything the samplers derive from it: the decoded threshold of a
 * valid `th`, the randomness of a valid `rv`, and the last value rebuilt from it.
 */
export class OtFields implements OtValue {
  readonly th: string | undefined;
  readonly rv: string | undefined;
  readonly rest: readonly string[];
  /** The threshold of a valid `th`; undefined when `th` is missing or malformed. */
  readonly threshold: ThresholdValue | undefined;
  /** True when `rv` is present and valid; `rHi` / `rLo` are then its halves (NaN otherwise). */
  readonly rvValid: boolean;
  readonly rHi: number;
  readonly rLo: number;
  #lastTh: string | undefined;
  #lastRv: string | undefined;
  #lastValue: string | undefined;

  constructor(raw: string) {
    const { th, rv, rest } = parseOtValue(raw);
    this.th = th;
    this.rv = rv;
    this.rest = rest;
    this.threshold = isValidTh(th) ? decodeThreshold(th) : undefined;
    this.rvValid = isValidRv(rv);
    this.rHi = this.rvValid ? parseHex7(rv!, 0) : NaN;
    this.rLo = this.rvValid ? parseHex7(rv!, 7) : NaN;
  }

  /** {@link serializeOtValue} of `th`, `rv` and this value's other sub-keys, remembered for the last pair. */
  valueWith(th: string | undefined, rv: string | undefined): string {
    if (this.#lastValue !== undefined && th === this.#lastTh && rv === this.#lastRv) return this.#lastValue;
    const value = serializeOtValue(th, rv, this.rest);
    this.#lastTh = th;
    this.#lastRv = rv;
    this.#lastValue = value;
    return value;
  }
}

// One entry: the children of one parent, and the spans of one upstream service at one ratio, carry the
// same `ot` value, so most reads hit it without a map lookup.
let cachedRaw: string | undefined;
let cachedFields: OtFields | undefined;

/** {@link OtFields} of an `ot` value, reusing the last one parsed when the value is the same. */
export function readOtValue(raw: string): OtFields {
  if (raw === cachedRaw) return cachedFields!;
  const fields = new OtFields(raw);
  cachedRaw = raw;
  cachedFields = fields;
  return fields;
}

/**
 * Replaces (or removes, when `value` is empty) the `ot` member; other members are untouched. The copy of
 * the list is deferred until something other than `get('ot')` needs it (see `lazy-trace-state.ts`).
 */
export function withOtValue(traceState: TraceState, value: string): TraceState {
  return createLazyTraceState(traceState, OT_KEY, value === '' ? undefined : value);
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
  const t = readOtValue(value).threshold;
  if (t === undefined) return undefined;
  const p = probabilityOf(t);
  return p > 0 ? 1 / p : undefined;
}
