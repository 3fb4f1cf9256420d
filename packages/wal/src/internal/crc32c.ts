/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum the WAL frames carry.
 *
 * The native SIMD implementation from `@node-rs/crc32` is used when it loads (it ships prebuilt
 * binaries inside the registry packages, so it installs offline); a slicing-by-8 table implementation
 * in plain JS is the fallback, so a platform without a prebuilt binary still works, only slower.
 * `bench/internal/crc32c.ts` compares the two.
 */
import { createRequire } from 'node:module';

type Crc32cFn = (input: Uint8Array, initial?: number) => number;

const POLY = 0x82f63b78;

function buildTables(): Uint32Array[] {
  const tables: Uint32Array[] = [];
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[n] = c >>> 0;
  }
  tables.push(t0);
  for (let t = 1; t < 8; t++) {
    const prev = tables[t - 1]!;
    const cur = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      const p = prev[n]!;
      cur[n] = ((p >>> 8) ^ t0[p & 0xff]!) >>> 0;
    }
    tables.push(cur);
  }
  return tables;
}

let tables: Uint32Array[] | undefined;

/** Slicing-by-8 CRC-32C in plain JS; `initial` chains a previous result. */
export function crc32cJs(input: Uint8Array, initial = 0): number {
  tables ??= buildTables();
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tables as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
  let crc = ~initial >>> 0;
  let i = 0;
  const len = input.length;
  const end8 = len - (len % 8);
  while (i < end8) {
    const a =
      (crc ^ (input[i]! | (input[i + 1]! << 8) | (input[i + 2]! << 16) | (input[i + 3]! << 24))) >>> 0;
    const b = input[i + 4]! | (input[i + 5]! << 8) | (input[i + 6]! << 16) | (input[i + 7]! << 24);
    crc =
      t7[a & 0xff]! ^
      t6[(a >>> 8) & 0xff]! ^
      t5[(a >>> 16) & 0xff]! ^
      t4[a >>> 24]! ^
      t3[b & 0xff]! ^
      t2[(b >>> 8) & 0xff]! ^
      t1[(b >>> 16) & 0xff]! ^
      t0[b >>> 24]!;
    i += 8;
  }
  while (i < len) {
    crc = t0[(crc ^ input[i]!) & 0xff]! ^ (crc >>> 8);
    i++;
  }
  return ~crc >>> 0;
}

function loadNative(): Crc32cFn | undefined {
  try {
    const require = createRequire(import.meta.url);
    const mod = require('@node-rs/crc32') as { crc32c?: (input: Uint8Array, initial?: number) => number };
    const fn = mod.crc32c;
    if (typeof fn !== 'function') return undefined;
    // Guard against a binding with a different convention: the check value must match.
    if (fn(new TextEncoder().encode('123456789')) >>> 0 !== 0xe3069283) return undefined;
    return (input, initial = 0) => fn(input, initial) >>> 0;
  } catch {
    return undefined;
  }
}

const native = loadNative();

/** CRC-32C of `input`, continuing from `initial` (the result of a previous call) when given. */
export const crc32c: Crc32cFn = native ?? crc32cJs;

/** Which implementation `crc32c` uses: `native` (SIMD) or `js` (slicing-by-8). */
export const crc32cImplementation: 'native' | 'js' = native === undefined ? 'js' : 'native';
