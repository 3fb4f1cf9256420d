import { readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MeterProvider,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader,
  AggregationTemporality,
} from '@opentelemetry/sdk-metrics';
import { createWal, isWalError, type Wal } from '../src/index.js';
import { readAll, rec, tempDir, track } from './helpers.js';

function open(dir: string, options: Partial<Parameters<typeof createWal>[0]> = {}): Wal {
  return track(createWal({ dir, ...options }));
}

async function rejection(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    expect(isWalError(error)).toBe(true);
    return error as { code: string; message: string };
  }
  throw new Error('expected a rejection');
}

describe('createWal', () => {
  it('resolves appends with consecutive offsets and reads them back in order', async () => {
    const wal = open(tempDir());
    expect(await wal.append(rec(0))).toBe(0);
    expect(await wal.append([rec(1), rec(2), rec(3)])).toBe(3);
    const offsets = await Promise.all([4, 5, 6, 7].map((i) => wal.append(rec(i))));
    expect(offsets).toEqual([4, 5, 6, 7]);
    const all = await readAll(wal);
    expect(all.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    all.forEach((r, i) => expect(r.data.equals(rec(i))).toBe(true));
  });

  it('accepts empty records and empty batches', async () => {
    const wal = open(tempDir());
    expect(await wal.append([])).toBe(-1);
    expect(await wal.append(new Uint8Array(0))).toBe(0);
    expect(await wal.append([])).toBe(0);
    const all = await readAll(wal);
    expect(all).toHaveLength(1);
    expect(all[0]!.data.length).toBe(0);
  });

  it('replays records and committed positions after a reopen', async () => {
    const dir = tempDir();
    const wal = open(dir, { maxSegmentBytes: 4096 });
    for (let i = 0; i < 100; i++) await wal.append(rec(i, 200 + i));
    const cursor = await wal.cursor('exporter');
    const first = await cursor.read({ maxRecords: 30 });
    expect(first.map((r) => r.offset)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    await cursor.commit(29);
    await wal.close();

    const again = open(dir, { maxSegmentBytes: 4096 });
    const result = await again.open();
    expect(result).toMatchObject({ clean: true, tornBytes: 0, recordsLost: 0, lastOffset: 99 });
    // The only cursor committed 29, so whole segments below it were deleted.
    expect(result.firstOffset).toBeGreaterThan(0);
    expect(result.firstOffset).toBeLessThanOrEqual(30);
    const resumed = await again.cursor('exporter');
    expect(resumed.committed).toBe(29);
    const rest = await resumed.read({ maxRecords: 1000 });
    expect(rest.map((r) => r.offset)).toEqual(Array.from({ length: 70 }, (_, i) => 30 + i));
    rest.forEach((r) => expect(Buffer.from(r.data).equals(rec(r.offset, 200 + r.offset))).toBe(true));
    expect(await again.append(rec(100))).toBe(100);
  });

  it('honours maxBytes and maxRecords on read, returning at least one record', async () => {
    const wal = open(tempDir());
    await wal.append(Array.from({ length: 10 }, (_, i) => rec(i, 1000)));
    const cursor = await wal.cursor('c');
    expect((await cursor.read({ maxRecords: 3 })).map((r) => r.offset)).toEqual([0, 1, 2]);
    expect((await cursor.read({ maxBytes: 2500 })).map((r) => r.offset)).toEqual([3, 4]);
    expect((await cursor.read({ maxBytes: 1 })).map((r) => r.offset)).toEqual([5]);
    expect((await cursor.read()).map((r) => r.offset)).toEqual([6, 7, 8, 9]);
    expect(await cursor.read()).toEqual([]);
  });

  it('rewinds to the committed position to retry what was read', async () => {
    const wal = open(tempDir());
    await wal.append([rec(0), rec(1), rec(2), rec(3)]);
    const cursor = await wal.cursor('c');
    await cursor.read({ maxRecords: 2 });
    await cursor.commit(1);
    expect((await cursor.read()).map((r) => r.offset)).toEqual([2, 3]);
    cursor.rewind();
    expect((await cursor.read()).map((r) => r.offset)).toEqual([2, 3]);
    expect(cursor.stats()).toMatchObject({ committed: 1, readOffset: 4, backlog: 2 });
  });

  it('waits up to waitMillis for an append when nothing is available', async () => {
    const wal = open(tempDir());
    const cursor = await wal.cursor('tail');
    const pending = cursor.read({ waitMillis: 5000 });
    setTimeout(() => void wal.append(rec(7)), 20);
    const got = await pending;
    expect(got.map((r) => r.offset)).toEqual([0]);
    expect(await cursor.read({ waitMillis: 10 })).toEqual([]);
  });

  it('starts a new cursor at the oldest record or, with start: latest, after the newest', async () => {
    const wal = open(tempDir());
    await wal.append([rec(0), rec(1)]);
    const oldest = await wal.cursor('a');
    const latest = await wal.cursor('b', { start: 'latest' });
    await wal.append(rec(2));
    expect((await oldest.read()).map((r) => r.offset)).toEqual([0, 1, 2]);
    expect((await latest.read()).map((r) => r.offset)).toEqual([2]);
    expect(await wal.cursor('a')).toBe(oldest);
  });

  it('persists commits atomically and coalesces concurrent ones', async () => {
    const dir = tempDir();
    const wal = open(dir);
    await wal.append(Array.from({ length: 50 }, (_, i) => rec(i)));
    const cursor = await wal.cursor('c');
    await Promise.all(Array.from({ length: 50 }, (_, i) => cursor.commit(i)));
    expect(cursor.committed).toBe(49);
    const file = JSON.parse(readFileSync(path.join(dir, 'cursors', 'c.json'), 'utf8')) as unknown;
    expect(file).toEqual({ version: 1, name: 'c', committed: 49 });
    expect(readdirSync(path.join(dir, 'cursors'))).toEqual(['c.json']);
    await cursor.commit(10);
    expect(cursor.committed).toBe(49);
  });

  it('rejects invalid calls with typed errors', async () => {
    const wal = open(tempDir(), { maxRecordBytes: 1000, maxQueueBytes: 2048 });
    await wal.append(rec(0));
    const cursor = await wal.cursor('c');
    expect((await rejection(cursor.commit(5))).code).toBe('TRISIGNAL_WAL_INVALID_ARGUMENT');
    expect((await rejection(cursor.commit(1.5))).code).toBe('TRISIGNAL_WAL_INVALID_ARGUMENT');
    expect((await rejection(wal.cursor('../x'))).code).toBe('TRISIGNAL_WAL_INVALID_ARGUMENT');
    expect((await rejection(wal.append('text' as never))).code).toBe('TRISIGNAL_WAL_INVALID_ARGUMENT');
    expect((await rejection(wal.append(rec(1, 1001)))).code).toBe('TRISIGNAL_WAL_RECORD_TOO_LARGE');
    expect((await rejection(cursor.read({ maxBytes: 0 }))).code).toBe('TRISIGNAL_WAL_INVALID_ARGUMENT');
  });

  it('rejects appends past maxQueueBytes instead of buffering without bound', async () => {
    const wal = open(tempDir(), { maxRecordBytes: 1000, maxQueueBytes: 2500 });
    await wal.open();
    const accepted = [wal.append(rec(0, 1000)), wal.append(rec(1, 1000))];
    const error = await rejection(wal.append(rec(2, 1000)));
    expect(error.code).toBe('TRISIGNAL_WAL_QUEUE_FULL');
    expect(await Promise.all(accepted)).toEqual([0, 1]);
    expect(await wal.append(rec(2, 1000))).toBe(2);
  });

  it('keeps a second instance out with TRISIGNAL_WAL_LOCKED, and lets it in after close', async () => {
    const dir = tempDir();
    const a = open(dir);
    await a.open();
    const b = open(dir);
    const error = await rejection(b.open());
    expect(error.code).toBe('TRISIGNAL_WAL_LOCKED');
    expect((await rejection(b.append(rec(0)))).code).toBe('TRISIGNAL_WAL_LOCKED');
    await a.close();
    const c = open(dir);
    await expect(c.open()).resolves.toMatchObject({ clean: true });
  });

  it('rejects use after close, and closes idempotently through asyncDispose', async () => {
    const dir = tempDir();
    let wal: Wal;
    {
      await using w = createWal({ dir });
      wal = w;
      await w.append(rec(0));
    }
    await wal.close();
    expect((await rejection(wal.append(rec(1)))).code).toBe('TRISIGNAL_WAL_CLOSED');
    expect((await rejection(wal.cursor('x'))).code).toBe('TRISIGNAL_WAL_CLOSED');
    expect(readdirSync(dir)).not.toContain('wal.lock');
  });

  it('drains queued appends before close resolves', async () => {
    const dir = tempDir();
    const wal = open(dir, { fsync: 'never' });
    const pending = Array.from({ length: 200 }, (_, i) => wal.append(rec(i, 500)));
    await wal.close();
    expect((await Promise.all(pending)).at(-1)).toBe(199);
    const again = open(dir);
    expect((await readAll(again)).length).toBe(200);
  });

  it('gives a record larger than a segment a segment of its own', async () => {
    const dir = tempDir();
    const wal = open(dir, { maxSegmentBytes: 4096, compression: 'none' });
    await wal.append(rec(0, 100));
    await wal.append(rec(1, 10_000));
    await wal.append(rec(2, 100));
    const segments = readdirSync(dir)
      .filter((f) => f.endsWith('.seg'))
      .sort();
    expect(segments).toEqual(['00000000.seg', '00000001.seg', '00000002.seg']);
    expect(statSync(path.join(dir, '00000001.seg')).size).toBeGreaterThan(10_000);
    const all = await readAll(wal);
    expect(all.map((r) => r.data.length)).toEqual([100, 10_000, 100]);
  });

  it('never lets a record cross a segment boundary', async () => {
    const dir = tempDir();
    const wal = open(dir, { maxSegmentBytes: 1000, compression: 'none' });
    for (let i = 0; i < 60; i++) await wal.append(rec(i, 90 + (i % 7) * 40));
    await wal.close();
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.seg'))) {
      expect(statSync(path.join(dir, f)).size).toBeLessThanOrEqual(1000);
    }
    const again = open(dir, { maxSegmentBytes: 1000 });
    expect((await readAll(again)).map((r) => r.offset)).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  it('deletes segments every cursor has committed past, and only those', async () => {
    const dir = tempDir();
    const wal = open(dir, { maxSegmentBytes: 2048, compression: 'none' });
    const a = await wal.cursor('a');
    const b = await wal.cursor('b');
    for (let i = 0; i < 40; i++) await wal.append(rec(i, 200));
    const before = readdirSync(dir).filter((f) => f.endsWith('.seg')).length;
    expect(before).toBeGreaterThan(3);
    await a.commit(39);
    await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBe(before);
    await b.commit(20);
    await expect.poll(() => wal.stats().firstOffset).toBeGreaterThan(0);
    expect(wal.stats().firstOffset).toBeLessThanOrEqual(21);
    expect((await b.read({ maxRecords: 1 }))[0]!.offset).toBe(21);
    expect(a.stats().dropped).toEqual({
      retention_bytes: 0,
      retention_age: 0,
      corruption: 0,
      missing_segment: 0,
    });
  });

  it('bounds the disk with maxBytes, dropping the oldest segments and counting per cursor', async () => {
    const dir = tempDir();
    const wal = open(dir, { maxSegmentBytes: 2048, maxBytes: 8192, compression: 'none' });
    const slow = await wal.cursor('slow');
    const fast = await wal.cursor('fast');
    for (let i = 0; i < 200; i++) {
      await wal.append(rec(i, 200));
      if (i % 10 === 9) await fast.commit(i);
    }
    await expect.poll(() => wal.stats().bytes).toBeLessThanOrEqual(8192);
    const first = wal.stats().firstOffset!;
    expect(first).toBeGreaterThan(100);
    // The slow cursor lost everything before `first`; the fast one only what it had not committed.
    expect(slow.stats().dropped.retention_bytes).toBe(first);
    expect(fast.stats().dropped.retention_bytes).toBe(0);
    const next = await slow.read({ maxRecords: 1 });
    expect(next[0]!.offset).toBe(first);
  });

  it('drops segments older than maxAgeMillis, read or not', async () => {
    const dir = tempDir();
    const seed = open(dir, { maxSegmentBytes: 2048, compression: 'none' });
    for (let i = 0; i < 30; i++) await seed.append(rec(i, 200));
    await seed.cursor('c');
    await seed.close();
    // Age the older segments by their mtime (the time of their newest record).
    const old = (Date.now() - 3_600_000) / 1000;
    const segs = readdirSync(dir)
      .filter((f) => f.endsWith('.seg'))
      .sort();
    for (const f of segs.slice(0, 2)) utimesSync(path.join(dir, f), old, old);
    const wal = open(dir, { maxSegmentBytes: 2048, maxAgeMillis: 60_000, compression: 'none' });
    await wal.open();
    await expect.poll(() => wal.stats().segments).toBe(segs.length - 2);
    const cursor = await wal.cursor('c');
    expect(cursor.stats().dropped.retention_age).toBeGreaterThan(0);
    expect(cursor.stats().dropped.retention_age).toBe(wal.stats().firstOffset);
  });

  it('never reuses an offset a cursor has committed, even if the log lost its tail', async () => {
    const dir = tempDir();
    const wal = open(dir);
    await wal.append([rec(0), rec(1), rec(2)]);
    await wal.close();
    // A cursor that consumed offsets the log no longer has (its tail was lost without fsync).
    writeFileSync(
      path.join(dir, 'cursors', 'c.json'),
      JSON.stringify({ version: 1, name: 'c', committed: 9 }),
    );
    const again = open(dir);
    await again.open();
    expect(await again.append(rec(10))).toBe(10);
    const cursor = await again.cursor('c');
    expect((await cursor.read()).map((r) => r.offset)).toEqual([10]);
  });

  it('restarts an unreadable cursor from the oldest record and reports it', async () => {
    const dir = tempDir();
    const wal = open(dir);
    await wal.append([rec(0), rec(1)]);
    await wal.cursor('c');
    await wal.close();
    writeFileSync(path.join(dir, 'cursors', 'c.json'), '{"version":1,"na');
    const again = open(dir);
    expect(await again.open()).toMatchObject({ resetCursors: ['c'], clean: false });
    expect((await (await again.cursor('c')).read()).map((r) => r.offset)).toEqual([0, 1]);
  });

  it('removes a cursor so that it no longer holds back retention', async () => {
    const dir = tempDir();
    const wal = open(dir, { maxSegmentBytes: 2048, compression: 'none' });
    const a = await wal.cursor('a');
    const b = await wal.cursor('b');
    for (let i = 0; i < 40; i++) await wal.append(rec(i, 200));
    await a.commit(39);
    await wal.deleteCursor('b');
    await expect.poll(() => wal.stats().segments).toBe(1);
    expect(readdirSync(path.join(dir, 'cursors'))).toEqual(['a.json']);
    expect((await rejection(b.read())).code).toBe('TRISIGNAL_WAL_CLOSED');
  });

  it('skips a segment file removed by hand while open, counting it as missing', async () => {
    const dir = tempDir();
    const wal = open(dir, { maxSegmentBytes: 1024, compression: 'none' });
    for (let i = 0; i < 12; i++) await wal.append(rec(i, 200));
    const cursor = await wal.cursor('c');
    rmSync(path.join(dir, '00000001.seg'));
    const got = await cursor.read({ maxRecords: 100 });
    expect(got.map((r) => r.offset)).toEqual([0, 1, 2, 3, 8, 9, 10, 11]);
    expect(cursor.stats().dropped.missing_segment).toBe(4);
  });

  it.each(['always', 'interval', 'never'] as const)('appends and replays under fsync=%s', async (fsync) => {
    const dir = tempDir();
    const wal = open(dir, { fsync, fsyncIntervalMillis: 5 });
    const offsets = await Promise.all(Array.from({ length: 64 }, (_, i) => wal.append(rec(i, 3000))));
    expect(offsets).toEqual(Array.from({ length: 64 }, (_, i) => i));
    await new Promise((r) => setTimeout(r, 20));
    await wal.forceFlush();
    await wal.close();
    const again = open(dir);
    const all = await readAll(again);
    expect(all.length).toBe(64);
    all.forEach((r) => expect(r.data.equals(rec(r.offset, 3000))).toBe(true));
  });

  it('reports its own metrics under trisignal.wal.*', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const dir = tempDir();
    const wal = open(dir, { meter: provider.getMeter('test'), maxQueueBytes: 2048, maxRecordBytes: 1000 });
    const cursor = await wal.cursor('otlp');
    await wal.append([rec(0, 1000), rec(1, 500)]);
    await rejection(
      Promise.all([wal.append(rec(2, 1000)), wal.append(rec(3, 1000)), wal.append(rec(4, 1000))]),
    );
    await Promise.resolve();
    await wal.forceFlush();
    await cursor.commit(0);
    await reader.forceFlush();
    const points = new Map<string, { value: unknown; attributes: Record<string, unknown> }[]>();
    for (const rm of exporter.getMetrics()) {
      for (const sm of rm.scopeMetrics) {
        for (const m of sm.metrics) {
          points.set(
            m.descriptor.name,
            m.dataPoints.map((p) => ({ value: p.value, attributes: p.attributes })),
          );
        }
      }
    }
    expect([...points.keys()].sort()).toEqual(
      expect.arrayContaining([
        'trisignal.wal.append.bytes',
        'trisignal.wal.append.records',
        'trisignal.wal.append.duration',
        'trisignal.wal.write.bytes',
        'trisignal.wal.fsync.duration',
        'trisignal.wal.segments',
        'trisignal.wal.size',
        'trisignal.wal.cursor.backlog',
        'trisignal.wal.dropped',
        'trisignal.wal.errors',
      ]),
    );
    expect(points.get('trisignal.wal.append.records')![0]!.value).toBeGreaterThanOrEqual(2);
    expect(
      points
        .get('trisignal.wal.cursor.backlog')!
        .find((p) => p.attributes['trisignal.wal.cursor'] === 'otlp')!.value,
    ).toBeGreaterThanOrEqual(1);
    expect(points.get('trisignal.wal.dropped')![0]!.attributes['trisignal.wal.drop.reason']).toBe(
      'queue_full',
    );
    expect(points.get('trisignal.wal.errors')![0]!.attributes['error.type']).toBe('TRISIGNAL_WAL_QUEUE_FULL');
    expect(points.get('trisignal.wal.segments')![0]!.attributes['otel.component.name']).toMatch(/^wal\/\d+$/);
    await wal.close();
    await provider.shutdown();
  });
});
