/**
 * File-system failures injected through the WAL's fs layer (no root needed): ENOSPC and EIO on write,
 * short writes, failed fdatasync, failed segment creation, a truncate that fails too, and a failed
 * cursor save. After each, the log must be consistent (exactly the acknowledged records on reopen) and
 * usable again once the fault clears.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWal } from '../src/index.js';
import { faultyWal, readAll, rec, tempDir, track, type Faults } from './helpers.js';

async function reopenAndRead(
  dir: string,
): Promise<{ offsets: number[]; result: Awaited<ReturnType<ReturnType<typeof createWal>['open']>> }> {
  const wal = track(createWal({ dir, maxSegmentBytes: 4096 }));
  const result = await wal.open();
  const all = await readAll(wal);
  for (const r of all) expect(r.data.equals(rec(r.offset, r.data.length))).toBe(true);
  await wal.close();
  return { offsets: all.map((r) => r.offset), result };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('fault injection', () => {
  it('ENOSPC on write: typed error, nothing half-written kept, appends work again once space returns', async () => {
    const dir = tempDir();
    const faults: Faults = {};
    const wal = faultyWal({ dir, maxSegmentBytes: 4096, compression: 'none' }, faults);
    for (let i = 0; i < 5; i++) await wal.append(rec(i, 300));
    faults.write = () => 'ENOSPC';
    expect(await codeOf(wal.append(rec(5, 300)))).toBe('TRISIGNAL_WAL_DISK_FULL');
    expect(await codeOf(wal.append([rec(5, 300), rec(6, 300)]))).toBe('TRISIGNAL_WAL_DISK_FULL');
    faults.write = undefined;
    expect(await wal.append(rec(5, 300))).toBe(5);
    expect(await wal.append(rec(6, 300))).toBe(6);
    await wal.close();
    const { offsets, result } = await reopenAndRead(dir);
    expect(result).toMatchObject({ clean: true, tornBytes: 0 });
    expect(offsets).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('a short write followed by ENOSPC: the partial frame is cut away', async () => {
    const dir = tempDir();
    let calls = 0;
    const faults: Faults = {};
    const wal = faultyWal({ dir, maxSegmentBytes: 4096, compression: 'none' }, faults);
    await wal.append(rec(0, 300));
    faults.write = () => (calls++ === 0 ? { short: 100 } : 'ENOSPC');
    expect(await codeOf(wal.append(rec(1, 300)))).toBe('TRISIGNAL_WAL_DISK_FULL');
    faults.write = undefined;
    expect(await wal.append(rec(1, 300))).toBe(1);
    await wal.close();
    const { offsets, result } = await reopenAndRead(dir);
    expect(result).toMatchObject({ clean: true, tornBytes: 0 });
    expect(offsets).toEqual([0, 1]);
  });

  it('short writes alone are continued until the frame is whole', async () => {
    const dir = tempDir();
    const wal = faultyWal({ dir, compression: 'none' }, { write: () => ({ short: 7 }) });
    await Promise.all(Array.from({ length: 20 }, (_, i) => wal.append(rec(i, 500))));
    await wal.close();
    expect((await reopenAndRead(dir)).offsets).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('EIO on fdatasync (fsync=always): the batch is rejected and cut, later appends succeed', async () => {
    const dir = tempDir();
    const faults: Faults = {};
    const wal = faultyWal({ dir, maxSegmentBytes: 4096, fsync: 'always' }, faults);
    await wal.append(rec(0, 300));
    faults.datasync = (file) => (file.endsWith('.seg') ? 'EIO' : undefined);
    expect(await codeOf(wal.append(rec(1, 300)))).toBe('TRISIGNAL_WAL_IO_ERROR');
    faults.datasync = undefined;
    expect(await wal.append(rec(1, 300))).toBe(1);
    await wal.close();
    const { offsets, result } = await reopenAndRead(dir);
    expect(result.clean).toBe(true);
    expect(offsets).toEqual([0, 1]);
  });

  it('ENOSPC creating the next segment: rejected, the current segment intact, rotation retried later', async () => {
    const dir = tempDir();
    const faults: Faults = {};
    const wal = faultyWal({ dir, maxSegmentBytes: 1024, compression: 'none' }, faults);
    for (let i = 0; i < 3; i++) await wal.append(rec(i, 300));
    faults.open = (file, flags) => (flags === 'w' && file.endsWith('00000001.seg') ? 'ENOSPC' : undefined);
    expect(await codeOf(wal.append(rec(3, 300)))).toBe('TRISIGNAL_WAL_DISK_FULL');
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg'))).toEqual(['00000000.seg']);
    faults.open = undefined;
    expect(await wal.append(rec(3, 300))).toBe(3);
    await wal.close();
    const { offsets, result } = await reopenAndRead(dir);
    expect(result.clean).toBe(true);
    expect(offsets).toEqual([0, 1, 2, 3]);
  });

  it('a failed write whose tail cannot be cut either: writing moves to a new segment, reopen cuts the rest', async () => {
    const dir = tempDir();
    let calls = 0;
    const faults: Faults = {};
    const wal = faultyWal({ dir, maxSegmentBytes: 64 * 1024, compression: 'none' }, faults);
    for (let i = 0; i < 3; i++) await wal.append(rec(i, 300));
    // Two whole frames reach the file, then EIO; the truncate that should undo them fails as well.
    // (Records of 20000 bytes get a frame each: 24 + 20000 bytes.)
    faults.write = () => (calls++ === 0 ? { short: 2 * 20_024 } : 'EIO');
    faults.truncate = () => 'EIO';
    expect(await codeOf(wal.append([rec(3, 20_000), rec(4, 20_000), rec(5, 20_000)]))).toBe(
      'TRISIGNAL_WAL_IO_ERROR',
    );
    faults.write = undefined;
    faults.truncate = undefined;
    expect(await wal.append(rec(3, 300))).toBe(3);
    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith('.seg'))
        .sort(),
    ).toEqual(['00000000.seg', '00000001.seg']);
    await wal.close();
    const { offsets, result } = await reopenAndRead(dir);
    // The leftovers in segment 0 carry offsets the next segment starts at: they are cut, not replayed.
    expect(result.tornBytes).toBeGreaterThan(0);
    expect(result.corruptions).toEqual([]);
    expect(offsets).toEqual([0, 1, 2, 3]);
  });

  it('a failed background fsync (interval) is reported, not thrown', async () => {
    const dir = tempDir();
    const warnings: string[] = [];
    const faults: Faults = {};
    const wal = faultyWal(
      {
        dir,
        fsync: 'interval',
        fsyncIntervalMillis: 5,
        logger: { warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) },
      },
      faults,
    );
    expect(await wal.append(rec(0, 300))).toBe(0);
    faults.datasync = (file) => (file.endsWith('.seg') ? 'EIO' : undefined);
    expect(await wal.append(rec(1, 300))).toBe(1);
    await expect.poll(() => warnings.some((w) => w.includes('background fsync failed'))).toBe(true);
    faults.datasync = undefined;
    expect(await wal.append(rec(2, 300))).toBe(2);
    await wal.forceFlush();
  });

  it('fsync interval: background syncs keep their period while appends never let the queue empty', async () => {
    const dir = tempDir();
    const faults: Faults = {};
    const events: string[] = [];
    faults.log = (event) => events.push(event);
    const wal = faultyWal({ dir, fsync: 'interval', fsyncIntervalMillis: 10, compression: 'none' }, faults);
    expect(await wal.append(rec(0, 300))).toBe(0);
    // A slow disk (5 ms per write) and a producer that queues the next append whenever a write starts:
    // from here until the last append is written, the append queue is never empty.
    const appends: Promise<number>[] = [];
    let next = 1;
    const last = 40;
    faults.beforeWrite = (file) => {
      if (!file.endsWith('.seg')) return undefined;
      if (next <= last) appends.push(wal.append(rec(next++, 300)));
      return new Promise((resolve) => setTimeout(resolve, 5));
    };
    appends.push(wal.append(rec(next++, 300)));
    await expect.poll(() => next > last, { timeout: 10_000 }).toBe(true);
    const offsets = await Promise.all(appends);
    expect(offsets).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    faults.beforeWrite = undefined;
    // Every append after the first needed its own write of ≥ 5 ms: ≥ 200 ms under load, ≥ 20 periods.
    // Syncs that completed before the last segment write are the ones the load did not hold back.
    let lastWrite = events.length - 1;
    while (
      lastWrite >= 0 &&
      !(events[lastWrite]!.startsWith('write ') && events[lastWrite]!.endsWith('.seg'))
    )
      lastWrite--;
    const syncsUnderLoad = events
      .slice(0, lastWrite)
      .filter((e) => e.startsWith('datasync ') && e.endsWith('.seg')).length;
    expect(syncsUnderLoad).toBeGreaterThanOrEqual(3);
    await wal.close();
    const again = track(createWal({ dir }));
    expect((await readAll(again)).map((r) => r.offset)).toEqual(
      Array.from({ length: last + 1 }, (_, i) => i),
    );
  });

  it('fsync interval: appends are written and acknowledged while a background sync is still running', async () => {
    const dir = tempDir();
    const faults: Faults = {};
    const wal = faultyWal({ dir, fsync: 'interval', fsyncIntervalMillis: 5, compression: 'none' }, faults);
    expect(await wal.append(rec(0, 300))).toBe(0);
    // Hold every segment sync from here on.
    const held: (() => void)[] = [];
    faults.datasync = (file) =>
      file.endsWith('.seg') ? new Promise((resolve) => held.push(() => resolve(undefined))) : undefined;
    expect(await wal.append(rec(1, 300))).toBe(1);
    await expect.poll(() => held.length, { timeout: 5_000 }).toBeGreaterThan(0);
    // A sync is in flight and not released: appends still go through.
    expect(await wal.append(rec(2, 300))).toBe(2);
    expect(await wal.append(rec(3, 300))).toBe(3);
    faults.datasync = undefined;
    for (const release of held.splice(0)) release();
    await wal.close();
    const again = track(createWal({ dir }));
    expect((await readAll(again)).map((r) => r.offset)).toEqual([0, 1, 2, 3]);
  });

  it('EIO saving a cursor: commit rejects, the previous position stays, a retry succeeds', async () => {
    const dir = tempDir();
    const faults: Faults = {};
    const wal = faultyWal({ dir }, faults);
    await wal.append([rec(0), rec(1), rec(2)]);
    const cursor = await wal.cursor('c');
    await cursor.commit(0);
    faults.open = (file) => (file.endsWith('.tmp') ? 'EIO' : undefined);
    expect(await codeOf(cursor.commit(2))).toBe('TRISIGNAL_WAL_IO_ERROR');
    faults.open = undefined;
    await cursor.commit(2);
    await wal.close();
    const again = track(createWal({ dir }));
    expect((await again.cursor('c')).committed).toBe(2);
    expect(readdirSync(path.join(dir, 'cursors'))).toEqual(['c.json']);
  });
});
