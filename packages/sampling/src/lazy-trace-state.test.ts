import { createTraceState, type TraceState } from '@opentelemetry/api';
import { TraceState as CoreTraceState } from '@opentelemetry/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLazyTraceState, MAX_TRACE_STATE_MEMBERS } from './lazy-trace-state.js';

/** Both upstream implementations: `createTraceState` (api) and the W3C propagator's (core). */
const IMPLEMENTATIONS: readonly [string, (header: string) => TraceState][] = [
  ['@opentelemetry/api createTraceState', (h) => createTraceState(h)],
  ['@opentelemetry/core TraceState', (h) => new CoreTraceState(h)],
];

const HEADERS = [
  '',
  'vendor=x',
  'vendor=x,ot=th:8',
  'ot=th:8;rv:9b8233f7e3a151;k1:13,a=1,b=2',
  'a=1,b=2,ot=p:8',
  'tenant@vendor=v1,x=y z,ot=th:0',
];
const VALUES = ['th:c', 'th:e666;rv:9b8233f7e3a151;k1:13', undefined];
const GET_KEYS = ['ot', 'vendor', 'a', 'b', 'x', 'tenant@vendor', 'missing', 'A', 'bad key', '', '1a'];
/** set() inputs, valid and not: upstream api accepts anything, core ignores invalid keys and values. */
const SET_INPUTS: readonly [string, string][] = [
  ['new', 'v'],
  ['a', 'changed'],
  ['ot', 'th:0'],
  ['vendor', 'y'],
  ['Invalid', 'v'],
  ['bad key', 'v'],
  ['', 'v'],
  ['1abc', 'v'],
  ['k=', 'v'],
  ['t@v', 'v'],
  ['k', 'a,b'],
  ['k', 'x=y'],
  ['k', 'trailing '],
  ['k', ''],
  ['k', 'v'.repeat(300)],
];

/** What upstream gives for the same update: the reference our lazy type must match. */
function upstream(base: TraceState, value: string | undefined): TraceState {
  return value === undefined ? base.unset('ot') : base.set('ot', value);
}

function expectSame(actual: TraceState, expected: TraceState): void {
  expect(actual.serialize()).toBe(expected.serialize());
  for (const key of GET_KEYS) expect(actual.get(key), key).toBe(expected.get(key));
}

describe('createLazyTraceState', () => {
  for (const [name, parse] of IMPLEMENTATIONS) {
    describe(`over ${name}`, () => {
      it('serializes, gets, sets and unsets exactly like upstream set/unset of the member', () => {
        for (const header of HEADERS) {
          for (const value of VALUES) {
            const lazy = createLazyTraceState(parse(header), 'ot', value);
            const ref = upstream(parse(header), value);
            expectSame(lazy, ref);
            // The same once the list was built first (another key read before serialize()).
            const built = createLazyTraceState(parse(header), 'ot', value);
            expect(built.get('missing')).toBeUndefined();
            expectSame(built, ref);
            for (const [k, v] of SET_INPUTS) {
              expectSame(createLazyTraceState(parse(header), 'ot', value).set(k, v), ref.set(k, v));
            }
            for (const k of GET_KEYS) {
              expectSame(createLazyTraceState(parse(header), 'ot', value).unset(k), ref.unset(k));
            }
          }
        }
      });

      it('puts the replaced member first and keeps the others in order', () => {
        const base = parse('a=1,ot=th:8;rv:9b8233f7e3a151;k1:13,b=2');
        const lazy = createLazyTraceState(base, 'ot', 'th:c;rv:9b8233f7e3a151;k1:13');
        expect(lazy.serialize()).toBe('ot=th:c;rv:9b8233f7e3a151;k1:13,a=1,b=2');
        expect(lazy.get('ot')).toBe('th:c;rv:9b8233f7e3a151;k1:13');
        expect(createLazyTraceState(base, 'ot', undefined).serialize()).toBe('a=1,b=2');
        expect(createLazyTraceState(base, 'ot', undefined).get('ot')).toBeUndefined();
        // The parent is not changed.
        expect(base.serialize()).toBe('a=1,ot=th:8;rv:9b8233f7e3a151;k1:13,b=2');
      });

      it('removes the right-most member when adding one would make more than 32', () => {
        const members = Array.from({ length: MAX_TRACE_STATE_MEMBERS }, (_, i) => `k${i}=v${i}`);
        const base = parse(members.join(','));
        const lazy = createLazyTraceState(base, 'ot', 'th:8');
        expect(lazy.serialize()).toBe(['ot=th:8', ...members.slice(0, 31)].join(','));
        expect(lazy.get('k31')).toBeUndefined();
        expect(lazy.get('k30')).toBe('v30');
        // set/unset continue from that list.
        expect(lazy.set('n', '1').serialize().split(',')).toHaveLength(33); // upstream set does not limit
        expect(lazy.unset('k0').serialize()).toBe(['ot=th:8', ...members.slice(1, 31)].join(','));

        // Replacing an existing member adds none: nothing is removed.
        const withOt = parse(['ot=th:c', ...members.slice(0, 31)].join(','));
        const replaced = createLazyTraceState(withOt, 'ot', 'th:8');
        expect(replaced.serialize()).toBe(['ot=th:8', ...members.slice(0, 31)].join(','));
      });

      it('chains: a lazy tracestate is a valid parent of another', () => {
        const first = createLazyTraceState(parse('vendor=x,ot=th:8'), 'ot', 'th:c');
        const second = createLazyTraceState(first, 'ot', 'th:e666');
        expect(second.get('ot')).toBe('th:e666');
        expect(second.serialize()).toBe('ot=th:e666,vendor=x');
        expect(first.serialize()).toBe('ot=th:c,vendor=x');
        expect(createLazyTraceState(first, 'ot', undefined).serialize()).toBe('vendor=x');
      });
    });
  }

  it('copies nothing until more than get(key) is asked, then builds the list once', () => {
    const calls: string[] = [];
    const real = createTraceState('vendor=x,ot=th:8');
    const spy: TraceState = {
      get(k) {
        calls.push(`get ${k}`);
        return real.get(k);
      },
      set(k, v) {
        calls.push(`set ${k}`);
        return real.set(k, v);
      },
      unset(k) {
        calls.push(`unset ${k}`);
        return real.unset(k);
      },
      serialize() {
        calls.push('serialize');
        return real.serialize();
      },
    };
    const lazy = createLazyTraceState(spy, 'ot', 'th:c');
    expect(lazy.get('ot')).toBe('th:c');
    expect(calls).toEqual([]);
    const once = lazy.serialize();
    expect(once).toBe('ot=th:c,vendor=x');
    expect(lazy.serialize()).toBe(once);
    expect(calls).toEqual(['get ot', 'serialize']); // spliced from the parent's serialization, no copy
    expect(lazy.get('vendor')).toBe('x');
    expect(lazy.get('other')).toBeUndefined();
    expect(calls).toEqual(['get ot', 'serialize', 'get ot', 'set ot']); // one copy, by the parent's set
  });

  it('builds the real list when members set without validation make the splice ambiguous', () => {
    // Upstream api set() validates nothing: a value can hold a comma and look like another member.
    const base = createTraceState('a=1').set('b', 'x,ot=th:8').set('ot', 'th:8');
    expect(base.serialize()).toBe('ot=th:8,b=x,ot=th:8,a=1');
    const lazy = createLazyTraceState(base, 'ot', 'th:c');
    expect(lazy.serialize()).toBe(base.set('ot', 'th:c').serialize());
    expect(lazy.serialize()).toBe('ot=th:c,b=x,ot=th:8,a=1');
    expect(createLazyTraceState(base, 'ot', undefined).serialize()).toBe('b=x,ot=th:8,a=1');
  });

  it('makes room, long members first, when core refuses a tracestate over 512 characters', () => {
    const long = 'a=' + 'x'.repeat(200);
    const rest = ['b=' + 'y'.repeat(100), 'c=' + 'z'.repeat(100), 'd=' + 'w'.repeat(90)];
    const base = new CoreTraceState([long, ...rest].join(','));
    const value = 'th:e666;rv:9b8233f7e3a151';
    expect(base.set('ot', value).get('ot')).toBeUndefined(); // core refuses: 501 + 29 > 512
    const lazy = createLazyTraceState(base, 'ot', value);
    expect(lazy.serialize()).toBe([`ot=${value}`, ...rest].join(','));
    expect(lazy.get('a')).toBeUndefined();
    expect(lazy.serialize().length).toBeLessThanOrEqual(512);
  });

  it('matches upstream set for any tracestate within its limits (property)', () => {
    const key = fc.constantFrom(...Array.from({ length: 40 }, (_, i) => `k${i}`), 'ot', 'v@t', 'a_b-c*d/e');
    const value = fc.stringMatching(/^[!-+\--<>-~]{1,10}$/);
    const member = fc.tuple(key, value);
    fc.assert(
      fc.property(
        // ≤ 20 members of ≤ 20 characters: within 32 members and 512 characters once `ot` is added.
        fc.uniqueArray(member, { selector: ([k]) => k, maxLength: 20 }),
        fc.stringMatching(/^th:[0-9a-f]{1,14}(;[a-z]{1,3}:[0-9a-z]{1,10}){0,3}$/),
        fc.boolean(),
        (members, otValue, remove) => {
          const header = members.map(([k, v]) => `${k}=${v}`).join(',');
          for (const [, parse] of IMPLEMENTATIONS) {
            const v = remove ? undefined : otValue;
            const lazy = createLazyTraceState(parse(header), 'ot', v);
            const ref = upstream(parse(header), v);
            expect(lazy.serialize()).toBe(ref.serialize());
            for (const [k] of members) expect(lazy.get(k)).toBe(ref.get(k));
            expect(lazy.get('ot')).toBe(ref.get('ot'));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
