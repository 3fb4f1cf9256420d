/**
 * Crash test: a child process appends with fsync=always and reports every acknowledged offset; the
 * parent SIGKILLs it at random moments (sometimes during its own recovery), then reopens the log and
 * checks that every acknowledged record is present and intact and that nothing unreadable follows.
 * The same directory is reused across kills, so recovery after recovery is exercised too.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createWal, type WalCursor } from '../src/index.js';
// eslint-disable-next-line no-restricted-imports -- this package's own tests and benchmarks may use its internals
import { crc32c } from '../src/internal/crc32c.js';
import { crashRecord } from './fixtures/crash-record.js';
import { tempDir, track } from './helpers.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
// The child is bundled once (dependencies stay external and resolve from the package's node_modules):
// a plain `node` start takes ~0.1 s where a TypeScript loader takes ~0.7 s, times every kill.
const OUT_DIR = path.join(PACKAGE_DIR, 'node_modules', '.cache', `wal-crash-${process.pid}`);
const CHILD = path.join(OUT_DIR, 'crash-child.mjs');

beforeAll(async () => {
  await build({
    entry: { 'crash-child': path.join(PACKAGE_DIR, 'test/fixtures/crash-child.ts') },
    format: ['esm'],
    outDir: OUT_DIR,
    outExtension: () => ({ js: '.mjs' }),
    platform: 'node',
    target: 'node20',
    config: false,
    silent: true,
    dts: false,
    sourcemap: false,
    splitting: false,
  });
});

afterAll(() => rmSync(OUT_DIR, { recursive: true, force: true }));
const KILLS = 24;

// Expected checksum of each record id, computed once (the log is re-read after every kill).
const expectedCrc = new Map<number, number>();
function matchesId(data: Buffer): boolean {
  const id = data.readDoubleLE(0);
  let crc = expectedCrc.get(id);
  if (crc === undefined) {
    crc = crc32c(crashRecord(id));
    expectedCrc.set(id, crc);
  }
  return crc32c(data) === crc;
}

interface ChildRun {
  acked: Map<number, number>;
  ready: boolean;
}

function runChild(
  dir: string,
  base: number,
  killAfterMillis: number,
  beforeReady: boolean,
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(base)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Map<number, number>();
    let ready = false;
    let buffered = '';
    let stderr = '';
    const kill = (): void => {
      setTimeout(() => child.kill('SIGKILL'), killAfterMillis);
    };
    if (beforeReady) kill();
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('ready')) {
          ready = true;
          if (!beforeReady) kill();
          continue;
        }
        const [offset, id] = line.split(' ').map(Number);
        acked.set(offset!, id!);
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code ?? signal}: ${stderr}`));
      else resolve({ acked, ready });
    });
  });
}

/** Reads every record from the cursor's position on, checking each; returns them by offset. */
async function readChecked(cursor: WalCursor): Promise<Map<number, Buffer>> {
  const seen = new Map<number, Buffer>();
  let previous = -1;
  for (;;) {
    const batch = await cursor.read({ maxRecords: 5000, maxBytes: 64 * 1024 * 1024 });
    if (batch.length === 0) return seen;
    for (const r of batch) {
      expect(r.offset).toBeGreaterThan(previous);
      previous = r.offset;
      const data = Buffer.from(r.data);
      // Nothing unreadable: every record is exactly what its id says.
      expect(data.length).toBeGreaterThanOrEqual(8);
      expect(matchesId(data)).toBe(true);
      seen.set(r.offset, data);
    }
  }
}

function expectAcked(
  seen: Map<number, Buffer>,
  acked: Map<number, number>,
  from: number,
  when: string,
): void {
  for (const [offset, id] of acked) {
    if (offset < from) continue;
    const data = seen.get(offset);
    expect(data, `acknowledged offset ${offset} (id ${id}) is missing ${when}`).toBeDefined();
    expect(data!.readDoubleLE(0)).toBe(id);
  }
}

describe('crash recovery', () => {
  it(
    `keeps every acknowledged record across ${KILLS} SIGKILLs at random moments`,
    { timeout: 120_000 },
    async () => {
      const dir = tempDir();
      const rand = fc.sample(fc.tuple(fc.integer({ min: 10, max: 150 }), fc.integer({ min: 0, max: 9 })), {
        numRuns: KILLS,
        seed: 42,
      });
      const everAcked = new Map<number, number>();
      let readyRuns = 0;
      let checkedUpTo = 0;
      for (let i = 0; i < KILLS; i++) {
        const [delay, dice] = rand[i]!;
        // One run in ten is killed early, possibly while it is still recovering.
        const run = await runChild(dir, (i + 1) * 1_000_000, dice === 0 ? delay / 5 : delay, dice === 0);
        if (run.ready) readyRuns++;
        for (const [offset, id] of run.acked) everAcked.set(offset, id);

        const wal = track(createWal({ dir, maxSegmentBytes: 64 * 1024 }));
        const opened = await wal.open();
        // A process crash never damages what was written: at most an unfinished last frame is cut.
        expect(opened.corruptions).toEqual([]);
        expect(opened.missingSegments).toEqual([]);
        // `hold` never commits, so retention keeps everything; `check` remembers what was verified.
        await wal.cursor('hold');
        const check = await wal.cursor('check');
        const seen = await readChecked(check);
        expectAcked(seen, everAcked, checkedUpTo, `after kill ${i}`);
        const newest = Math.max(-1, ...everAcked.keys());
        if (newest >= 0) expect(wal.stats().lastOffset ?? -1).toBeGreaterThanOrEqual(newest);
        const last = Math.max(check.committed, ...seen.keys());
        if (last > check.committed) await check.commit(last);
        checkedUpTo = last + 1;
        await wal.close();
      }
      // Finally every acknowledged record, from the first kill on, through a fresh cursor.
      const wal = track(createWal({ dir, maxSegmentBytes: 64 * 1024 }));
      expect((await wal.open()).corruptions).toEqual([]);
      const all = await readChecked(await wal.cursor('final'));
      expectAcked(all, everAcked, 0, 'at the end');
      expect(readyRuns).toBeGreaterThan(KILLS / 2);
      expect(everAcked.size).toBeGreaterThan(KILLS * 5);
    },
  );
});
