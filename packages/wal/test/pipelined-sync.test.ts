/**
 * `fsync: 'always'` with several fdatasyncs in flight: the next append is written and its sync started
 * while an earlier sync runs; acknowledgements stay in order; nothing is acknowledged before a sync
 * that started after its write succeeded (and every sync started before that one); a failed sync fails
 * every append written after the last acknowledged one; a sealed segment is synced before the next one
 * is created. Syncs are held and released by the test through the fault-injecting file system.
 */
import { describe, expect, it } from 'vitest';
import { createWal, type Wal } from '../src/index.js';
import { faultyWal, readAll, rec, tempDir, track, type Faults } from './helpers.js';

interface HeldSyncs {
  /** Segment syncs the WAL started, oldest first; each waits for `release`. */
  readonly held: { readonly file: string; release(fault?: 'EIO'): void }[];
  /** Segment syncs that completed (after release, without a fault). */
  completed(): number;
  /** Writes to segment files that completed. */
  writes(): number;
}

/** Holds every fdatasync of a segment file until the test releases it. */
function holdSyncs(faults: Faults): HeldSyncs {
  const held: HeldSyncs['held'] = [];
  const events: string[] = [];
  faults.log = (event) => events.push(event);
  faults.datasync = (file) =>
    file.endsWith('.seg')
      ? new Promise((resolve) => held.push({ file, release: (fault) => resolve(fault) }))
      : undefined;
  const count = (prefix: string): number =>
    events.filter((e) => e.startsWith(prefix) && e.endsWith('.seg')).length;
  return { held, completed: () => count('datasync '), writes: () => count('write ') };
}

/** Lets every callback of finished I/O and every microtask after it run. */
function settleCallbacks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function outcome(promise: Promise<number>): Promise<number | string> {
  return promise.then(
    (offset) => offset,
    (error: unknown) => (error as { code: string }).code,
  );
}

async function offsetsAfterReopen(dir: string): Promise<number[]> {
  const wal = track(createWal({ dir }));
  const all = await readAll(wal);
  for (const r of all) expect(r.data.equals(rec(r.offset, r.data.length))).toBe(true);
  await wal.close();
  return all.map((r) => r.offset);
}

/** A WAL (fsync always) with record 0 acknowledged, then every segment sync held. */
async function pipelinedWal(): Promise<{ dir: string; wal: Wal; faults: Faults; syncs: HeldSyncs }> {
  const dir = tempDir();
  const faults: Faults = {};
  const wal = faultyWal({ dir, fsync: 'always', compression: 'none' }, faults);
  expect(await wal.append(rec(0, 300))).toBe(0);
  return { dir, wal, faults, syncs: holdSyncs(faults) };
}

/**
 * Appends 1 and 2 each start a sync (both held, the two in flight); append 3 is written while they run,
 * covered by neither. Returns the three appends' outcomes.
 */
async function threeAppendsTwoSyncsHeld(): Promise<
  Awaited<ReturnType<typeof pipelinedWal>> & {
    first: Promise<number | string>;
    second: Promise<number | string>;
    third: Promise<number | string>;
  }
> {
  const setup = await pipelinedWal();
  const { wal, syncs } = setup;
  const first = outcome(wal.append(rec(1, 300)));
  await expect.poll(() => syncs.held.length).toBe(1);
  const second = outcome(wal.append(rec(2, 300)));
  await expect.poll(() => syncs.held.length).toBe(2);
  const writes = syncs.writes();
  const third = outcome(wal.append(rec(3, 300)));
  await expect.poll(() => syncs.writes()).toBe(writes + 1);
  return { ...setup, first, second, third };
}

describe('fsync: always with syncs in flight', () => {
  it('writes and syncs an append while the previous sync runs, and acknowledges in order', async () => {
    const { wal, syncs } = await pipelinedWal();
    const acked: number[] = [];
    const a = wal.append(rec(1, 300)).then((o) => acked.push(o));
    await expect.poll(() => syncs.held.length).toBe(1);
    const b = wal.append(rec(2, 300)).then((o) => acked.push(o));
    // The second append does not wait for the first sync: it is written and gets its own sync.
    await expect.poll(() => syncs.held.length).toBe(2);

    // The later sync finishes first: it covers both writes, but the earlier sync has not reported yet.
    const completed = syncs.completed();
    syncs.held[1]!.release();
    await expect.poll(() => syncs.completed()).toBe(completed + 1);
    await settleCallbacks();
    expect(acked).toEqual([]);
    expect(wal.stats().lastOffset).toBe(0);

    syncs.held[0]!.release();
    await Promise.all([a, b]);
    expect(acked).toEqual([1, 2]);
    expect(wal.stats().lastOffset).toBe(2);
  });

  it('a failed sync fails every append written after the last acknowledged one, even if a later sync succeeded', async () => {
    const { dir, wal, faults, syncs, first, second, third } = await threeAppendsTwoSyncsHeld();

    syncs.held[1]!.release();
    await expect.poll(() => syncs.completed()).toBe(1);
    await settleCallbacks();
    syncs.held[0]!.release('EIO');
    expect(await Promise.all([first, second, third])).toEqual([
      'TRISIGNAL_WAL_IO_ERROR',
      'TRISIGNAL_WAL_IO_ERROR',
      'TRISIGNAL_WAL_IO_ERROR',
    ]);
    expect(syncs.held).toHaveLength(2);
    expect(wal.stats().lastOffset).toBe(0);

    // The tail is cut: the next append reuses the offset nothing was acknowledged at.
    faults.datasync = undefined;
    expect(await wal.append(rec(1, 300))).toBe(1);
    await wal.close();
    expect(await offsetsAfterReopen(dir)).toEqual([0, 1]);
  });

  it('a failed sync keeps what an earlier sync acknowledged and fails the appends written after it', async () => {
    const { dir, wal, faults, syncs, first, second, third } = await threeAppendsTwoSyncsHeld();

    syncs.held[0]!.release();
    expect(await first).toBe(1);
    // The first sync's slot went to a sync covering the third append.
    await expect.poll(() => syncs.held.length).toBe(3);
    syncs.held[1]!.release('EIO');
    expect(await Promise.all([second, third])).toEqual(['TRISIGNAL_WAL_IO_ERROR', 'TRISIGNAL_WAL_IO_ERROR']);
    syncs.held[2]!.release();

    faults.datasync = undefined;
    expect(await wal.append(rec(2, 300))).toBe(2);
    await wal.close();
    expect(await offsetsAfterReopen(dir)).toEqual([0, 1, 2]);
  });

  it('a failed write still lets the appends written before it be acknowledged by their sync', async () => {
    const { dir, wal, faults, syncs } = await pipelinedWal();
    const first = outcome(wal.append(rec(1, 300)));
    await expect.poll(() => syncs.held.length).toBe(1);
    let failedWrites = 0;
    faults.write = () => {
      failedWrites++;
      return 'ENOSPC';
    };
    const second = outcome(wal.append(rec(2, 300)));
    // The second write fails while the first append's sync is still running.
    await expect.poll(() => failedWrites).toBe(1);
    syncs.held[0]!.release();
    expect(await Promise.all([first, second])).toEqual([1, 'TRISIGNAL_WAL_DISK_FULL']);

    faults.write = undefined;
    faults.datasync = undefined;
    expect(await wal.append(rec(2, 300))).toBe(2);
    await wal.close();
    expect(await offsetsAfterReopen(dir)).toEqual([0, 1, 2]);
  });

  it('syncs a full segment, after its last write, before creating the next one', async () => {
    const dir = tempDir();
    const events: string[] = [];
    const wal = faultyWal(
      { dir, fsync: 'always', compression: 'none', maxSegmentBytes: 4096 },
      { log: (e) => events.push(e) },
    );
    const offsets = await Promise.all(Array.from({ length: 80 }, (_, i) => wal.append(rec(i, 300))));
    expect(offsets).toEqual(Array.from({ length: 80 }, (_, i) => i));
    const created = events.filter((e) => e.endsWith('.seg w')).map((e) => e.split(' ')[1]!);
    expect(created.length).toBeGreaterThan(4);
    for (let k = 1; k < created.length; k++) {
      const previous = created[k - 1]!;
      const opened = events.indexOf(`open ${created[k]!} w`);
      const lastWrite = events.lastIndexOf(`write ${previous}`);
      const sealed = events.indexOf(`datasync ${previous}`, lastWrite);
      expect(lastWrite).toBeLessThan(opened);
      expect(sealed).toBeGreaterThan(lastWrite);
      expect(sealed).toBeLessThan(opened);
    }
    await wal.close();
    expect(await offsetsAfterReopen(dir)).toEqual(offsets);
  });
});
