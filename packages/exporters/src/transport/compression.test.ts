import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createBodyCompressor } from './compression.js';

/** Deterministic bodies: random bytes, or text-like repetitive data, of the given size. */
function body(seed: number, size: number, repetitive: boolean): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = repetitive ? 97 + ((i % 37) + (x >>> 29)) : x >>> 24;
  }
  return out;
}

/** A single gzip member: magic, deflate, and the trailer's ISIZE equal to the input length. */
function expectOneMember(out: Buffer, input: Buffer): void {
  expect(out[0]).toBe(0x1f);
  expect(out[1]).toBe(0x8b);
  expect(out.readUInt32LE(out.length - 4)).toBe(input.length % 2 ** 32);
  expect(gunzipSync(out).equals(input)).toBe(true);
}

describe('createBodyCompressor (gzip, one reused context)', () => {
  it('compresses many bodies queued at once, each to its own complete gzip member', async () => {
    const compress = createBodyCompressor('gzip', undefined);
    const inputs = Array.from({ length: 120 }, (_, i) => body(i, (i * 7919) % 300_000, i % 3 !== 0));
    const outputs = await Promise.all(inputs.map((b) => compress(b)));
    outputs.forEach((out, i) => expectOneMember(out, inputs[i]!));
    // And one at a time, after the queue drained: the context is reset between bodies.
    for (let i = 0; i < 20; i++) {
      const input = body(1000 + i, 50_000 + i * 1000, true);
      expectOneMember(await compress(input), input);
    }
  });

  it('an empty body is a valid empty member', async () => {
    const compress = createBodyCompressor('gzip', 6);
    const out = await compress(Buffer.alloc(0));
    expectOneMember(out, Buffer.alloc(0));
  });

  it('applies the level', async () => {
    const input = body(7, 200_000, true);
    const fast = await createBodyCompressor('gzip', 1)(input);
    const best = await createBodyCompressor('gzip', 9)(input);
    expectOneMember(fast, input);
    expectOneMember(best, input);
    expect(best.length).toBeLessThan(fast.length);
  });

  it('none passes the body through', async () => {
    const input = body(3, 1000, false);
    expect((await createBodyCompressor('none', undefined)(input)).equals(input)).toBe(true);
  });
});
