/**
 * Recovery on open, one damaged file per case, each built by the test. The matrix mirrors Prometheus's
 * `TestWALRepair_ReadingError` (torn last record, bad header, bad checksum, bad length, bad content) and
 * adds a bad segment header, a segment missing from the middle, a zero-filled tail and damage in the
 * newest segment. Layout: 3 segments × 3 records of 200 bytes, uncompressed, one frame each.
 */
import {
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWal, type Wal } from '../src/index.js';
import { FRAME_HEADER_BYTES, SEGMENT_HEADER_BYTES, frameCrc, segmentFileName } from '../src/record-codec.js';
import { runCli } from '../src/inspect.js';
import { readAll, rec, tempDir, track } from './helpers.js';

const RECORD = 200;
const FRAME = FRAME_HEADER_BYTES + RECORD;
const SEGMENT = SEGMENT_HEADER_BYTES + 3 * FRAME;

function open(dir: string, compression: 'none' | 'zstd' = 'none'): Wal {
  return track(createWal({ dir, maxSegmentBytes: SEGMENT, compression }));
}

async function build(): Promise<string> {
  const dir = tempDir();
  const wal = open(dir);
  for (let i = 0; i < 9; i++) await wal.append(rec(i, RECORD));
  await wal.close();
  expect(
    readdirSync(dir)
      .filter((f) => f.endsWith('.seg'))
      .sort(),
  ).toEqual(['00000000.seg', '00000001.seg', '00000002.seg']);
  return dir;
}

const seg = (dir: string, index: number): string => path.join(dir, segmentFileName(index));
const framePos = (k: number): number => SEGMENT_HEADER_BYTES + k * FRAME;

function patch(file: string, at: number, fn: (b: Buffer) => void): void {
  const bytes = readFileSync(file);
  fn(bytes.subarray(at));
  writeFileSync(file, bytes);
}

async function offsetsAfterRecovery(dir: string): Promise<number[]> {
  const wal = open(dir);
  const all = await readAll(wal);
  all.forEach((r) => expect(r.data.equals(rec(r.offset, RECORD))).toBe(true));
  await wal.close();
  return all.map((r) => r.offset);
}

async function verifyExit(dir: string): Promise<number> {
  return runCli(['verify', dir], { out: () => undefined, err: () => undefined });
}

/** Damage in the middle of segment 1 (its second record): 3 survives, 4–5 are lost, 6–8 follow. */
const midSegmentCases: [string, (file: string) => void, string][] = [
  ['bad frame header', (f) => patch(f, framePos(1), (b) => (b[8] = 0x80)), 'bad_frame_header'],
  ['bad checksum', (f) => patch(f, framePos(1), (b) => (b[4]! ^= 0x01)), 'bad_checksum'],
  [
    'bad length (too long)',
    (f) => patch(f, framePos(1), (b) => b.writeUInt32LE(0x00ffffff, 0)),
    'bad_length',
  ],
  [
    'bad length (too short)',
    (f) => patch(f, framePos(1), (b) => b.writeUInt32LE(RECORD - 7, 0)),
    'bad_frame_header',
  ],
  [
    'bad content',
    (f) => patch(f, framePos(1) + FRAME_HEADER_BYTES + 50, (b) => (b[0]! ^= 0xff)),
    'bad_checksum',
  ],
  ['bad sequence', (f) => patch(f, framePos(1) + 12, (b) => (b[0] = 99)), 'bad_sequence'],
];

describe('recovery on open', () => {
  it.each(midSegmentCases)(
    '%s mid-segment: ends the segment at the last good record and moves the rest aside',
    async (_, damage, reason) => {
      const dir = await build();
      damage(seg(dir, 1));
      const wal = open(dir);
      const result = await wal.open();
      expect(result.clean).toBe(false);
      expect(result.corruptions).toHaveLength(1);
      const c = result.corruptions[0]!;
      expect(c).toMatchObject({
        segment: 1,
        position: framePos(1),
        bytes: 2 * FRAME,
        recordsLost: 2,
        exact: true,
      });
      // A too-short length misparses the frame; what is reported is whatever the walk hit first.
      if (!_.includes('too short')) expect(c.reason).toBe(reason);
      expect(c.movedTo).toBe(`${seg(dir, 1)}.${framePos(1)}.corrupt`);
      expect(readFileSync(c.movedTo!).length).toBe(2 * FRAME);
      expect(result.recordsLost).toBe(2);
      const cursor = await wal.cursor('c');
      const got = await cursor.read({ maxRecords: 100 });
      expect(got.map((r) => r.offset)).toEqual([0, 1, 2, 3, 6, 7, 8]);
      got.forEach((r) => expect(Buffer.from(r.data).equals(rec(r.offset, RECORD))).toBe(true));
      expect(await wal.append(rec(9, RECORD))).toBe(9);
      await wal.close();
      // Repaired: the next open finds nothing new, and verify calls the log sound.
      const again = open(dir);
      expect(await again.open()).toMatchObject({ clean: true, corruptions: [], recordsLost: 0 });
      await again.close();
      expect(await verifyExit(dir)).toBe(0);
      expect(await offsetsAfterRecovery(dir)).toEqual([0, 1, 2, 3, 6, 7, 8, 9]);
    },
  );

  it('counts what each cursor lost to the damage', async () => {
    const dir = await build();
    const setup = open(dir);
    await (await setup.cursor('behind')).commit(0);
    await (await setup.cursor('ahead')).commit(7);
    await setup.close();
    patch(seg(dir, 1), framePos(1), (b) => (b[4]! ^= 0x01));
    const wal = open(dir);
    await wal.open();
    expect((await wal.cursor('behind')).stats().dropped.corruption).toBe(2);
    expect((await wal.cursor('ahead')).stats().dropped.corruption).toBe(0);
  });

  it('torn last record: cuts the tail, reports its bytes, keeps every complete record, appends continue', async () => {
    const dir = await build();
    truncateSync(seg(dir, 2), SEGMENT - 50);
    const wal = open(dir);
    const result = await wal.open();
    expect(result).toMatchObject({
      clean: true,
      tornBytes: FRAME - 50,
      corruptions: [],
      recordsLost: 0,
      lastOffset: 7,
    });
    for (let i = 8; i < 13; i++) expect(await wal.append(rec(i, RECORD))).toBe(i);
    await wal.close();
    expect(await offsetsAfterRecovery(dir)).toEqual(Array.from({ length: 13 }, (_, i) => i));
  });

  it('zero-filled tail (size extended, data never written): cut as torn', async () => {
    const dir = await build();
    appendFileSync(seg(dir, 2), Buffer.alloc(4096));
    const wal = open(dir);
    expect(await wal.open()).toMatchObject({ clean: true, tornBytes: 4096, corruptions: [] });
    await wal.close();
    expect(await offsetsAfterRecovery(dir)).toEqual(Array.from({ length: 9 }, (_, i) => i));
  });

  it('torn segment header (a create interrupted): the empty segment is removed', async () => {
    const dir = await build();
    writeFileSync(seg(dir, 3), Buffer.from([0x54, 0x57, 0x41]));
    const wal = open(dir);
    expect(await wal.open()).toMatchObject({ clean: true, tornBytes: 3, segments: 3 });
    expect(await wal.append(rec(9, RECORD))).toBe(9);
  });

  it('bad segment header: moves the whole segment aside and reports its records lost', async () => {
    const dir = await build();
    patch(seg(dir, 1), 0, (b) => (b[1] = 0));
    const wal = open(dir);
    const result = await wal.open();
    expect(result.corruptions).toEqual([
      {
        segment: 1,
        position: 0,
        reason: 'bad_segment_header',
        bytes: SEGMENT,
        movedTo: `${seg(dir, 1)}.0.corrupt`,
        recordsLost: 3,
        exact: true,
      },
    ]);
    expect(existsSync(`${seg(dir, 1)}.0.corrupt`)).toBe(true);
    await wal.close();
    expect(await offsetsAfterRecovery(dir)).toEqual([0, 1, 2, 6, 7, 8]);
    const again = open(dir);
    expect(await again.open()).toMatchObject({ clean: true });
  });

  it('segment missing from the middle: reported once, the rest stays readable', async () => {
    const dir = await build();
    rmSync(seg(dir, 1));
    const wal = open(dir);
    const result = await wal.open();
    expect(result.missingSegments).toEqual([{ fromSegment: 1, toSegment: 1, recordsLost: 3 }]);
    expect(result).toMatchObject({ clean: false, recordsLost: 3 });
    expect(await wal.append(rec(9, RECORD))).toBe(9);
    await wal.close();
    expect(await offsetsAfterRecovery(dir)).toEqual([0, 1, 2, 6, 7, 8, 9]);
    const again = open(dir);
    expect(await again.open()).toMatchObject({ clean: true, missingSegments: [] });
  });

  it('damage in the newest segment with valid records after it: moved aside, loss is a lower bound', async () => {
    const dir = await build();
    patch(seg(dir, 2), framePos(0) + 30, (b) => (b[0]! ^= 1));
    const wal = open(dir);
    const result = await wal.open();
    expect(result.corruptions).toHaveLength(1);
    expect(result.corruptions[0]).toMatchObject({
      segment: 2,
      position: framePos(0),
      reason: 'bad_checksum',
      exact: false,
    });
    // Record 6 is damaged and the resync found 7 and 8 after it: at least those three are lost.
    expect(result.corruptions[0]!.recordsLost).toBe(3);
    expect(result.recordsLost).toBe(3);
    // Their offsets are not reused: appends continue after the highest one seen.
    expect(await wal.append(rec(9, RECORD))).toBe(9);
    await wal.close();
  });

  it('damage in the last record of the newest segment with nothing after it: treated as a torn tail', async () => {
    const dir = await build();
    patch(seg(dir, 2), framePos(2) + 30, (b) => (b[0]! ^= 1));
    const wal = open(dir);
    expect(await wal.open()).toMatchObject({ clean: true, tornBytes: FRAME, lastOffset: 7 });
  });

  it('with verifyOnOpen: false, damage in an older segment is found when read: skipped and counted', async () => {
    const dir = await build();
    patch(seg(dir, 0), framePos(1), (b) => (b[4]! ^= 0x01));
    const wal = track(createWal({ dir, maxSegmentBytes: SEGMENT, compression: 'none', verifyOnOpen: false }));
    expect(await wal.open()).toMatchObject({ clean: true, corruptions: [] });
    const cursor = await wal.cursor('c');
    const got = await cursor.read({ maxRecords: 100 });
    expect(got.map((r) => r.offset)).toEqual([0, 3, 4, 5, 6, 7, 8]);
    got.forEach((r) => expect(Buffer.from(r.data).equals(rec(r.offset, RECORD))).toBe(true));
    expect(cursor.stats().dropped.corruption).toBe(2);
  });

  it('CRC-valid frame whose zstd content does not decode: skipped on read, counted, never returned', async () => {
    const dir = tempDir();
    const writer = open(dir, 'zstd');
    for (let i = 0; i < 3; i++) await writer.append(Buffer.alloc(4000, i));
    await writer.close();
    // Garble the second frame's compressed bytes and give it a matching CRC: only decoding can tell.
    const file = seg(dir, 0);
    const bytes = readFileSync(file);
    const firstLen = bytes.readUInt32LE(SEGMENT_HEADER_BYTES);
    const second = SEGMENT_HEADER_BYTES + FRAME_HEADER_BYTES + firstLen;
    const len = bytes.readUInt32LE(second);
    expect(bytes[second + 8]).toBe(1);
    bytes.fill(0xab, second + FRAME_HEADER_BYTES + 4, second + FRAME_HEADER_BYTES + len);
    const payload = bytes.subarray(second + FRAME_HEADER_BYTES, second + FRAME_HEADER_BYTES + len);
    bytes.writeUInt32LE(
      frameCrc(bytes.subarray(second + 8, second + FRAME_HEADER_BYTES), payload),
      second + 4,
    );
    writeFileSync(file, bytes);

    expect(await verifyExit(dir)).toBe(1);
    const wal = open(dir, 'zstd');
    expect(await wal.open()).toMatchObject({ clean: true });
    const cursor = await wal.cursor('c');
    const got = await cursor.read();
    expect(got.map((r) => r.offset)).toEqual([0, 2]);
    expect(Buffer.from(got[1]!.data).equals(Buffer.alloc(4000, 2))).toBe(true);
    expect(cursor.stats().dropped.corruption).toBe(1);
  });

  it('refuses a segment of a newer format version instead of repairing it', async () => {
    const dir = await build();
    const file = seg(dir, 0);
    const bytes = readFileSync(file);
    bytes[4] = 2;
    // Keep the header CRC valid so that it reads as a genuine newer segment, not as damage.
    const { crc32c } = await import('../src/internal/crc32c.js');
    bytes.writeUInt32LE(crc32c(bytes.subarray(0, 28)), 28);
    writeFileSync(file, bytes);
    const wal = open(dir);
    await expect(wal.open()).rejects.toMatchObject({ code: 'TRISIGNAL_WAL_UNSUPPORTED_VERSION' });
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });
});
