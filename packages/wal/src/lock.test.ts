import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFs } from './internal/fs.js';
import { LOCK_FILE, acquireLock, isLockHeld } from './lock.js';

const dirs: string[] = [];
function dir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'trisignal-wal-lock-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function deadPid(): number {
  // A process that has exited: its PID is not running (reuse within the test is vanishingly unlikely).
  return spawnSync(process.execPath, ['-e', '0']).pid;
}

describe('lock file', () => {
  it('is created exclusively with our PID and removed on release', async () => {
    const d = dir();
    const lock = await acquireLock(nodeFs, d);
    const content = JSON.parse(readFileSync(path.join(d, LOCK_FILE), 'utf8')) as {
      pid: number;
      hostname: string;
    };
    expect(content).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(await isLockHeld(nodeFs, d)).toMatchObject({ pid: process.pid });
    await lock.release();
    expect(existsSync(path.join(d, LOCK_FILE))).toBe(false);
  });

  it('refuses a second holder in the same process', async () => {
    const d = dir();
    const lock = await acquireLock(nodeFs, d);
    await expect(acquireLock(nodeFs, d)).rejects.toMatchObject({ code: 'TRISIGNAL_WAL_LOCKED' });
    await lock.release();
  });

  it('refuses a lock held by another live process, naming it', async () => {
    const d = dir();
    // The parent of this test process is alive for the whole test.
    writeFileSync(
      path.join(d, LOCK_FILE),
      JSON.stringify({ pid: process.ppid, hostname: hostname(), startedAt: 'then' }),
    );
    await expect(acquireLock(nodeFs, d)).rejects.toMatchObject({
      code: 'TRISIGNAL_WAL_LOCKED',
      message: expect.stringContaining(`locked by PID ${process.ppid}`) as unknown,
    });
  });

  it('refuses a lock from another host (its PID cannot be checked from here)', async () => {
    const d = dir();
    writeFileSync(
      path.join(d, LOCK_FILE),
      JSON.stringify({ pid: 1, hostname: 'elsewhere', startedAt: 'then' }),
    );
    await expect(acquireLock(nodeFs, d)).rejects.toMatchObject({ code: 'TRISIGNAL_WAL_LOCKED' });
  });

  it.each([
    ['a dead PID', () => JSON.stringify({ pid: deadPid(), hostname: hostname(), startedAt: 'then' })],
    [
      'our own PID from a previous process (container restart)',
      () => JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: 'then' }),
    ],
    ['a torn write', () => '{"pid":12'],
  ])('takes over a stale lock left by %s', async (_, content) => {
    const d = dir();
    writeFileSync(path.join(d, LOCK_FILE), content());
    const lock = await acquireLock(nodeFs, d);
    expect(JSON.parse(readFileSync(path.join(d, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });
});
