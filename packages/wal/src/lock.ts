/**
 * The lock file `wal.lock` keeps a second writer out. It is created exclusively (`wx`) and holds the
 * owner's PID and host name. A lock left by a dead process (same host, PID no longer running) is stale
 * and taken over; a second instance in the same process is refused through an in-process registry.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import { WalError, ioError } from './errors.js';
import { writeFully, type WalFs } from './internal/fs.js';

export const LOCK_FILE = 'wal.lock';

interface LockContent {
  readonly pid: number;
  readonly hostname: string;
  readonly startedAt: string;
}

const heldInThisProcess = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

function parseLock(bytes: Uint8Array): LockContent | undefined {
  try {
    const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<LockContent>;
    if (typeof value.pid === 'number' && typeof value.hostname === 'string') {
      return { pid: value.pid, hostname: value.hostname, startedAt: String(value.startedAt) };
    }
  } catch {
    // An unreadable lock file was torn while being written: its writer died before finishing.
  }
  return undefined;
}

/** Reads the lock file of `dir`, if there is one. */
export async function readLock(fs: WalFs, dir: string): Promise<LockContent | undefined> {
  try {
    return parseLock(await fs.readFile(path.join(dir, LOCK_FILE)));
  } catch {
    return undefined;
  }
}

/** True when the lock of `dir` is held by a running process (as far as this host can tell). */
export async function isLockHeld(fs: WalFs, dir: string): Promise<LockContent | undefined> {
  const lock = await readLock(fs, dir);
  if (lock === undefined) return undefined;
  if (lock.hostname !== hostname()) return lock;
  return isAlive(lock.pid) ? lock : undefined;
}

/** A held lock; `release()` removes the file. */
export interface WalLock {
  release(): Promise<void>;
}

/** Takes the lock of `dir` or rejects with `TRISIGNAL_WAL_LOCKED`. */
export async function acquireLock(fs: WalFs, dir: string): Promise<WalLock> {
  const key = path.resolve(dir);
  if (heldInThisProcess.has(key)) {
    throw new WalError('TRISIGNAL_WAL_LOCKED', `The WAL in ${dir} is already open in this process`);
  }
  heldInThisProcess.add(key);
  try {
    await createLockFile(fs, dir);
  } catch (error) {
    heldInThisProcess.delete(key);
    throw error;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      heldInThisProcess.delete(key);
      try {
        await fs.unlink(path.join(dir, LOCK_FILE));
      } catch {
        // Already gone; nothing to release.
      }
    },
  };
}

async function createLockFile(fs: WalFs, dir: string): Promise<void> {
  const file = path.join(dir, LOCK_FILE);
  const content: LockContent = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await fs.open(file, 'wx');
      try {
        await writeFully(handle, Buffer.from(JSON.stringify(content)), 0);
      } finally {
        await handle.close();
      }
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw ioError('create the lock file', file, error);
    }
    const existing = await readLock(fs, dir);
    // Our own PID can only be in the file if a previous process with the same PID (a container restart)
    // left it: this process does not hold the lock (checked above).
    const stale =
      existing === undefined ||
      (existing.hostname === hostname() && (existing.pid === process.pid || !isAlive(existing.pid)));
    if (!stale) {
      const where =
        existing.hostname === hostname()
          ? `PID ${existing.pid}`
          : `PID ${existing.pid} on ${existing.hostname}`;
      throw new WalError(
        'TRISIGNAL_WAL_LOCKED',
        `The WAL in ${dir} is locked by ${where} (since ${existing.startedAt}); remove ${file} only if that process is gone`,
      );
    }
    // Re-read just before removing, so a lock another process has just taken over is not deleted.
    const again = await readLock(fs, dir);
    if (again !== undefined && existing !== undefined && again.startedAt !== existing.startedAt) continue;
    try {
      await fs.unlink(file);
    } catch {
      // Someone else removed it first; try again.
    }
  }
  throw new WalError('TRISIGNAL_WAL_LOCKED', `Could not take the lock ${file}: it keeps being recreated`);
}
