import type { Attributes, HrTime } from '@opentelemetry/api';
import type { AnyValue } from '@opentelemetry/api-logs';
import type { Resource } from '@opentelemetry/resources';
import type { InstrumentationScope } from '@opentelemetry/core';
import { ProtoWriter } from '../internal/proto-writer.js';

// Field tags of opentelemetry.proto.common.v1 (field << 3 | wire type).
const TAG_KV_KEY = 0x0a;
const TAG_KV_VALUE = 0x12;
const TAG_ANY_STRING = 0x0a;
const TAG_ANY_BOOL = 0x10;
const TAG_ANY_INT = 0x18;
const TAG_ANY_DOUBLE = 0x21;
const TAG_ANY_ARRAY = 0x2a;
const TAG_ANY_KVLIST = 0x32;
const TAG_ANY_BYTES = 0x3a;
const TAG_LIST_VALUES = 0x0a;

// int64 bounds for `int_value` (both exact doubles). Integers outside go as `double_value`.
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/** Writes an `HrTime` as fixed64 nanoseconds (no tag). */
export function writeHrTime(w: ProtoWriter, t: HrTime): void {
  w.hrTime(t[0], t[1]);
}

/** Writes an AnyValue body (no tag, no length). Values with no OTLP form (null, undefined, functions) write nothing. */
export function writeAnyValue(w: ProtoWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      w.byte(TAG_ANY_STRING);
      w.string(value);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
        w.byte(TAG_ANY_INT);
        w.int64(value);
      } else {
        w.byte(TAG_ANY_DOUBLE);
        w.double(value);
      }
      return;
    case 'boolean':
      w.byte2(TAG_ANY_BOOL, value ? 1 : 0);
      return;
    case 'object':
      if (value === null) return;
      if (value instanceof Uint8Array) {
        w.byte(TAG_ANY_BYTES);
        w.bytes(value);
      } else if (Array.isArray(value)) {
        w.byte(TAG_ANY_ARRAY);
        const mark = w.begin(1);
        for (let i = 0; i < value.length; i++) {
          w.byte(TAG_LIST_VALUES);
          const item = w.begin(1);
          writeAnyValue(w, value[i]);
          w.end(item, 1);
        }
        w.end(mark, 1);
      } else {
        w.byte(TAG_ANY_KVLIST);
        const mark = w.begin(1);
        writeKeyValues(w, value as Record<string, unknown>, TAG_LIST_VALUES);
        w.end(mark, 1);
      }
      return;
    default:
      return;
  }
}

/**
 * Per attribute key: its encoded `KeyValue.key` field, and the encoded `KeyValue`s (length prefix
 * included, tag excluded) of its most frequent short string values. Attribute keys come from a small
 * vocabulary (semantic conventions) and most of their values repeat from span to span (method, route,
 * scheme, status, host, user agent); after warm-up such a pair costs two map look-ups and one copy
 * instead of UTF-8 encoding and two length fix-ups. A key whose values rarely repeat (ids, paths)
 * stops being looked up after a trial, and every cache is bounded.
 */
interface KeyEntry {
  readonly keyBytes: Uint8Array;
  values: Map<string, Uint8Array> | undefined;
  lookups: number;
  hits: number;
}

const keyCache = new Map<string, KeyEntry>();
const MAX_CACHED_KEYS = 4096;
const MAX_CACHED_KEY_LENGTH = 100;
const MAX_CACHED_VALUE_LENGTH = 100;
const MAX_VALUES_PER_KEY = 256;
/** All keys together: at most this many cached pairs (≤ ~4 MiB). */
const MAX_CACHED_VALUES = 16_384;
let cachedValues = 0;
/** After this many look-ups a key keeps its value cache only if at least half of them hit. */
const VALUE_TRIAL = 2048;
let valueCacheEnabled = true;

/** Benchmark/test hook: turns the value cache off (keys stay cached). */
export function setValueCache(enabled: boolean): void {
  valueCacheEnabled = enabled;
}

function entryFor(w: ProtoWriter, key: string): KeyEntry | undefined {
  let entry = keyCache.get(key);
  if (entry === undefined) {
    if (keyCache.size >= MAX_CACHED_KEYS || key.length > MAX_CACHED_KEY_LENGTH) return undefined;
    const start = w.pos;
    w.byte(TAG_KV_KEY);
    w.string(key);
    entry = {
      keyBytes: Uint8Array.prototype.slice.call(w.buf, start, w.pos),
      values: new Map(),
      lookups: 0,
      hits: 0,
    };
    w.pos = start;
    keyCache.set(key, entry);
  }
  return entry;
}

/** Writes each own property of `attributes` as a `KeyValue` under `tag` (repeated field). */
export function writeKeyValues(
  w: ProtoWriter,
  attributes: Readonly<Record<string, unknown>>,
  tag: number,
): void {
  const keys = Object.keys(attributes);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = attributes[key];
    const entry = entryFor(w, key);
    const values = entry?.values;
    const cacheable =
      values !== undefined &&
      valueCacheEnabled &&
      typeof value === 'string' &&
      value.length <= MAX_CACHED_VALUE_LENGTH;
    if (cacheable) {
      entry!.lookups++;
      const hit = values.get(value);
      if (hit !== undefined) {
        entry!.hits++;
        w.byte(tag);
        if (hit.length < 24) w.short(hit);
        else w.raw(hit);
        continue;
      }
    }
    w.byte(tag);
    const kv = w.begin(1);
    if (entry === undefined) {
      w.byte(TAG_KV_KEY);
      w.string(key);
    } else {
      w.short(entry.keyBytes);
    }
    w.byte(TAG_KV_VALUE);
    const v = w.begin(1);
    writeAnyValue(w, value);
    w.end(v, 1);
    w.end(kv, 1);
    if (cacheable) {
      if (entry!.lookups >= VALUE_TRIAL && entry!.hits * 2 < entry!.lookups) {
        cachedValues -= values.size;
        entry!.values = undefined;
      } else if (values.size < MAX_VALUES_PER_KEY && cachedValues < MAX_CACHED_VALUES) {
        values.set(value, Uint8Array.prototype.slice.call(w.buf, kv, w.pos));
        cachedValues++;
      }
    }
  }
}

/** Writes span/metric/log attributes under `tag`. */
export function writeAttributes(
  w: ProtoWriter,
  attributes: Attributes | Readonly<Record<string, AnyValue>> | undefined,
  tag: number,
): void {
  if (attributes !== undefined) writeKeyValues(w, attributes, tag);
}

const resourceCache = new WeakMap<Resource, Buffer>();
const scratch = new ProtoWriter(4096);

/**
 * Writes a `Resource` message with its tag. Encoded resources are cached per object: a process has one
 * resource and it is immutable once its async attributes have settled.
 */
export function writeResource(w: ProtoWriter, resource: Resource, tag: number): void {
  let encoded = resourceCache.get(resource);
  if (encoded === undefined) {
    scratch.reset();
    writeKeyValues(scratch, resource.attributes, 0x0a);
    encoded = scratch.finishCopy();
    if (resource.asyncAttributesPending !== true) resourceCache.set(resource, encoded);
  }
  w.byte(tag);
  w.uint32(encoded.length);
  w.raw(encoded);
}

/** Writes an `InstrumentationScope` message with its tag. */
export function writeScope(
  w: ProtoWriter,
  scope: InstrumentationScope & { readonly attributes?: Attributes | undefined },
  tag: number,
): void {
  w.byte(tag);
  const mark = w.begin(1);
  w.byte(0x0a);
  w.string(scope.name);
  if (scope.version) {
    w.byte(0x12);
    w.string(scope.version);
  }
  if (scope.attributes !== undefined) writeKeyValues(w, scope.attributes, 0x1a);
  w.end(mark, 1);
}

/** Reserve for a container of `n` items of about `each` bytes: the varint size of the estimate. */
export function reserveFor(n: number, each: number): number {
  const estimate = n * each;
  return estimate < 0x80 ? 1 : estimate < 0x4000 ? 2 : estimate < 0x200000 ? 3 : 4;
}

/** Groups items by resource, then by instrumentation scope, keeping first-seen order (identity keys). */
export function groupByResourceAndScope<
  TItem extends { readonly resource: Resource; readonly instrumentationScope: InstrumentationScope },
>(items: readonly TItem[]): Map<Resource, Map<InstrumentationScope, TItem[]>> {
  const byResource = new Map<Resource, Map<InstrumentationScope, TItem[]>>();
  let lastResource: Resource | undefined;
  let lastScope: InstrumentationScope | undefined;
  let lastList: TItem[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    // Consecutive items nearly always share resource and scope: skip both map look-ups then.
    if (item.resource === lastResource && item.instrumentationScope === lastScope && lastList !== undefined) {
      lastList.push(item);
      continue;
    }
    let byScope = byResource.get(item.resource);
    if (byScope === undefined) {
      byScope = new Map();
      byResource.set(item.resource, byScope);
    }
    let list = byScope.get(item.instrumentationScope);
    if (list === undefined) {
      list = [];
      byScope.set(item.instrumentationScope, list);
    }
    list.push(item);
    lastResource = item.resource;
    lastScope = item.instrumentationScope;
    lastList = list;
  }
  return byResource;
}
