/**
 * A W3C tracestate that is another one with a single member replaced (or removed), built lazily.
 *
 * Samplers rewrite the `ot` member of a parent's tracestate; `TraceState.set` of both upstream
 * implementations copies the whole map for that, on every decision. This type only stores the parent and
 * the new value: `get` of the replaced key is a field read; `serialize()` (once per outgoing request or
 * exported span) splices the new member into the parent's serialization; the list itself is built only
 * when another key is read or `set` / `unset` is called, by the parent's own `set` / `unset`, so every
 * other key keeps the parent implementation's semantics. Results are kept: the object is immutable, like
 * every `TraceState`.
 *
 * W3C Trace Context rules applied when the member is added or replaced: it moves to the front of the
 * list; when that makes more than 32 members, the right-most members are removed; when the parent's
 * implementation refuses the update for length (`@opentelemetry/core` keeps a tracestate within 512
 * characters), members longer than 128 characters are removed first, then members from the right, until
 * it fits.
 */
import { createTraceState, type TraceState } from '@opentelemetry/api';

/** Most list members a tracestate may carry (W3C Trace Context, `tracestate` field). */
export const MAX_TRACE_STATE_MEMBERS = 32;
/** Members longer than this are the first to go when a tracestate must be shortened (W3C). */
const LONG_MEMBER_LENGTH = 128;
/** Above this length `@opentelemetry/core` refuses a `set`: the list must then be built for real. */
const MAX_SPLICED_LENGTH = 512;

class LazyTraceState implements TraceState {
  #base: TraceState | undefined;
  readonly #key: string;
  readonly #value: string | undefined;
  #resolved: TraceState | undefined;
  #serialized: string | undefined;

  constructor(base: TraceState, key: string, value: string | undefined) {
    this.#base = base;
    this.#key = key;
    this.#value = value;
  }

  get(key: string): string | undefined {
    return key === this.#key ? this.#value : this.#resolve().get(key);
  }

  set(key: string, value: string): TraceState {
    return this.#resolve().set(key, value);
  }

  unset(key: string): TraceState {
    return this.#resolve().unset(key);
  }

  serialize(): string {
    let serialized = this.#serialized;
    if (serialized === undefined) {
      // Usually spliced from the parent's serialization, with no copy of the list at all.
      if (this.#resolved === undefined) serialized = splice(this.#base!, this.#key, this.#value);
      if (serialized === undefined) {
        const resolved = this.#resolve(); // may have kept the serialization it computed
        serialized = this.#serialized ?? resolved.serialize();
      }
      this.#serialized = serialized;
    }
    return serialized;
  }

  #resolve(): TraceState {
    if (this.#resolved !== undefined) return this.#resolved;
    const base = this.#base!;
    const key = this.#key;
    const value = this.#value;
    let resolved: TraceState;
    if (value === undefined) {
      resolved = base.unset(key);
    } else {
      const adding = base.get(key) === undefined;
      resolved = base.set(key, value);
      if (resolved.get(key) !== value) resolved = fitByRemoving(base, key, value) ?? resolved;
      if (adding) {
        // The 32-member check needs the serialization anyway: keep it when nothing had to go.
        const serialized = resolved.serialize();
        const limited = limitMembers(resolved, key, serialized);
        if (limited === resolved) this.#serialized = serialized;
        resolved = limited;
      }
    }
    // `get(key)` answers from the field without resolving: the list must agree with it. Only a parent
    // implementation that refuses a valid member could disagree; a list of that member alone does not.
    if (resolved.get(key) !== value) {
      this.#serialized = undefined;
      resolved = value === undefined ? createTraceState() : createTraceState(key + '=' + value);
    }
    this.#resolved = resolved;
    this.#base = undefined; // the parent is no longer needed: let it be collected
    return resolved;
  }
}

/**
 * What `base.set(key, value).serialize()` (or `base.unset(key)`'s) gives, computed from
 * `base.serialize()` alone: the `TraceState` contract puts a set member first and leaves the others in
 * order. Undefined whenever that shortcut could differ from the real list: a tracestate that would pass
 * 512 characters (`@opentelemetry/core` refuses it) or 32 members, or a member that cannot be told apart
 * from the others (only possible through an unvalidated `set`).
 */
function splice(base: TraceState, key: string, value: string | undefined): string | undefined {
  const old = base.get(key);
  const serialized = base.serialize();
  let rest = serialized;
  if (old !== undefined) {
    const member = key + '=' + old;
    let at = -1;
    for (let i = serialized.indexOf(member); i >= 0; i = serialized.indexOf(member, i + 1)) {
      const end = i + member.length;
      const whole =
        (i === 0 || serialized.charCodeAt(i - 1) === 44) &&
        (end === serialized.length || serialized.charCodeAt(end) === 44);
      if (!whole) continue;
      if (at >= 0) return undefined;
      at = i;
    }
    if (at < 0) return undefined;
    const end = at + member.length;
    rest = at === 0 ? serialized.slice(end + 1) : serialized.slice(0, at - 1) + serialized.slice(end);
  }
  if (value === undefined) return rest;
  const out = rest === '' ? key + '=' + value : key + '=' + value + ',' + rest;
  if (out.length > MAX_SPLICED_LENGTH) return undefined;
  if (old === undefined) {
    let commas = 0;
    for (let i = out.indexOf(','); i >= 0; i = out.indexOf(',', i + 1)) {
      if (++commas >= MAX_TRACE_STATE_MEMBERS) return undefined;
    }
  }
  return out;
}

/** Keys of a serialized tracestate, left to right, with each member's length. */
function membersOf(serialized: string): { keys: string[]; lengths: number[] } {
  const keys: string[] = [];
  const lengths: number[] = [];
  if (serialized === '') return { keys, lengths };
  for (const member of serialized.split(',')) {
    const eq = member.indexOf('=');
    keys.push(eq < 0 ? member : member.slice(0, eq));
    lengths.push(member.length);
  }
  return { keys, lengths };
}

/** Removes members (long ones first, then from the right) until `set(key, value)` is accepted. */
function fitByRemoving(base: TraceState, key: string, value: string): TraceState | undefined {
  const { keys, lengths } = membersOf(base.serialize());
  const order: string[] = [];
  for (let i = keys.length - 1; i >= 0; i--) {
    if (keys[i] !== key && lengths[i]! > LONG_MEMBER_LENGTH) order.push(keys[i]!);
  }
  for (let i = keys.length - 1; i >= 0; i--) {
    if (keys[i] !== key && lengths[i]! <= LONG_MEMBER_LENGTH) order.push(keys[i]!);
  }
  let ts = base;
  for (const k of order) {
    ts = ts.unset(k);
    const next = ts.set(key, value);
    if (next.get(key) === value) return next;
  }
  return undefined;
}

/** Drops the right-most members beyond {@link MAX_TRACE_STATE_MEMBERS}; `serialized` is `ts`'s. */
function limitMembers(ts: TraceState, key: string, serialized: string): TraceState {
  let commas = 0;
  for (let i = serialized.indexOf(','); i >= 0; i = serialized.indexOf(',', i + 1)) commas++;
  if (commas < MAX_TRACE_STATE_MEMBERS) return ts;
  const { keys } = membersOf(serialized);
  for (let i = keys.length - 1; i >= MAX_TRACE_STATE_MEMBERS; i--) {
    const k = keys[i]!;
    // A member the split cannot attribute (a value with a comma, only possible through an unvalidated
    // `set`) is not guessed at: stop rather than remove the wrong one.
    if (k === key || ts.get(k) === undefined) break;
    ts = ts.unset(k);
  }
  return ts;
}

/**
 * `base` with member `key` set to `value` (moved to the front) or, when `value` is undefined, removed,
 * without copying `base` until the list is needed. `key` and `value` must be valid W3C tracestate key
 * and value (callers build them).
 */
export function createLazyTraceState(base: TraceState, key: string, value: string | undefined): TraceState {
  return new LazyTraceState(base, key, value);
}
