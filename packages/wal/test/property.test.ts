import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createWal } from '../src/index.js';
import { FRAME_HEADER_BYTES } from '../src/record-codec.js';
import { readAll, tempDir, track } from './helpers.js';

const recordArb = fc.oneof(
  { weight: 5, arbitrary: fc.uint8Array({ maxLength: 400 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 500 }).map((s) => new TextEncoder().encode(s.repeat(4))) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 16 * 1024, max: 40 * 1024 }).map((n) => new Uint8Array(n).fill(n & 0xff)),
  },
);

describe('properties', () => {
  it('random record sequences, appended in random batches, read back equal after a reopen', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(recordArb, { minLength: 1, maxLength: 6 }), { maxLength: 25 }),
        fc.constantFrom(512, 4096, 1 << 20),
        fc.constantFrom<'zstd' | 'none'>('zstd', 'none'),
        async (batches, maxSegmentBytes, compression) => {
          const dir = tempDir();
          const wal = track(createWal({ dir, maxSegmentBytes, compression, fsync: 'never' }));
          const expected: Uint8Array[] = [];
          const pending: Promise<number>[] = [];
          for (const batch of batches) {
            pending.push(wal.append(batch.length === 1 ? batch[0]! : batch));
            expected.push(...batch);
          }
          const offsets = await Promise.all(pending);
          let end = 0;
          batches.forEach((b, i) => {
            end += b.length;
            expect(offsets[i]).toBe(end - 1);
          });
          await wal.close();
          const again = track(createWal({ dir, maxSegmentBytes, compression }));
          expect(await again.open()).toMatchObject({ clean: true, tornBytes: 0 });
          const back = await readAll(again);
          expect(back.map((r) => r.offset)).toEqual(expected.map((_, i) => i));
          back.forEach((r, i) => expect(Buffer.compare(r.data, expected[i]!)).toBe(0));
          await again.close();
        },
      ),
      { numRuns: 30 },
    );
  });

  it('the last record cut at every byte offset: every complete record kept, the torn one gone, appends continue', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 120 }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom<'zstd' | 'none'>('zstd', 'none'),
        async (records, compression) => {
          const source = tempDir();
          const wal = track(createWal({ dir: source, compression }));
          for (const r of records) await wal.append(r);
          await wal.close();
          const segment = readFileSync(path.join(source, '00000000.seg'));
          // Walk the frames to find where the last one starts.
          let pos = 32;
          let last = pos;
          while (pos < segment.length) {
            last = pos;
            pos += FRAME_HEADER_BYTES + segment.readUInt32LE(pos);
          }
          for (let cut = last; cut < segment.length; cut++) {
            const dir = tempDir();
            mkdirSync(dir, { recursive: true });
            writeFileSync(path.join(dir, '00000000.seg'), segment.subarray(0, cut));
            const reopened = track(createWal({ dir, compression }));
            const result = await reopened.open();
            expect(result).toMatchObject({ clean: true, tornBytes: cut - last, corruptions: [] });
            const back = await readAll(reopened);
            expect(back.length).toBe(records.length - 1);
            back.forEach((r, i) => expect(Buffer.compare(r.data, records[i]!)).toBe(0));
            expect(await reopened.append(Uint8Array.of(1, 2, 3))).toBe(records.length - 1);
            await reopened.close();
          }
        },
      ),
      { numRuns: 6 },
    );
  });
});
