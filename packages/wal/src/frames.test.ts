import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeFramePayload, prepareFrames } from './frames.js';
import { FLAG_ZSTD, GROUP_RECORD_BYTES, GROUP_TARGET_BYTES } from './record-codec.js';

async function roundTrip(records: Uint8Array[], compress: boolean): Promise<Uint8Array[]> {
  const frames = await prepareFrames(records, compress, 3);
  const out: Uint8Array[] = [];
  for (const f of frames) {
    const decoded = await decodeFramePayload(f.payload, f.flags, f.count, f.rawLength);
    expect(decoded).toBeDefined();
    out.push(...decoded!);
  }
  return out;
}

describe('prepareFrames', () => {
  it('decodes back to the same records, in order, with or without compression', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 300 }),
            fc.string({ maxLength: 3000 }).map((s) => new TextEncoder().encode(s.repeat(3))),
            fc.nat({ max: 40_000 }).map((n) => new Uint8Array(n).fill(7)),
          ),
          { maxLength: 30 },
        ),
        fc.boolean(),
        async (records, compress) => {
          const back = await roundTrip(records, compress);
          expect(back.map((r) => Buffer.from(r).toString('hex'))).toEqual(
            records.map((r) => Buffer.from(r).toString('hex')),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('packs small records into shared frames and gives large ones their own', async () => {
    const small = Array.from({ length: 100 }, (_, i) => new Uint8Array(100).fill(i));
    const large = new Uint8Array(GROUP_RECORD_BYTES);
    const frames = await prepareFrames([...small, large, ...small], false, 3);
    const counts = frames.map((f) => f.count);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(201);
    expect(counts).toContain(1);
    expect(Math.max(...counts)).toBeGreaterThan(1);
    for (const f of frames) if (f.count > 1) expect(f.payload.length).toBeLessThanOrEqual(GROUP_TARGET_BYTES);
  });

  it('keeps compression only when it makes the frame smaller', async () => {
    const random = new Uint8Array(4096).map(() => Math.floor(Math.random() * 256));
    const zeros = new Uint8Array(4096);
    const [r, z] = await Promise.all([prepareFrames([random], true, 3), prepareFrames([zeros], true, 3)]);
    expect(r[0]!.flags & FLAG_ZSTD).toBe(0);
    expect(r[0]!.payload.length).toBe(4096);
    expect(z[0]!.flags & FLAG_ZSTD).toBe(FLAG_ZSTD);
    expect(z[0]!.payload.length).toBeLessThan(100);
    expect(z[0]!.rawLength).toBe(4096);
  });

  it('reports content that does not decode instead of returning garbage', async () => {
    const [frame] = await prepareFrames([new Uint8Array(4096)], true, 3);
    const broken = Buffer.from(frame!.payload);
    broken[broken.length - 3]! ^= 0xff;
    expect(await decodeFramePayload(broken, frame!.flags, 1, 4096)).toBeUndefined();
    expect(await decodeFramePayload(frame!.payload, frame!.flags, 1, 4095)).toBeUndefined();
  });
});
