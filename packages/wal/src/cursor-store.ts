/**
 * Cursor files: `cursors/<name>.json` holding `{ version, name, committed }`. Each write goes to a
 * temporary file that is fsynced, renamed over the old one, and the directory fsynced, so a crash leaves
 * either the old or the new content, never a torn one.
 */
import path from 'node:path';
import { WalError, ioError } from './errors.js';
import { writeFully, type WalFs } from './internal/fs.js';

export const CURSORS_DIR = 'cursors';
const CURSOR_VERSION = 1;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** True for names usable as a cursor (and as a file name on every platform). */
export function isValidCursorName(name: unknown): name is string {
  return typeof name === 'string' && NAME.test(name) && !name.endsWith('.tmp');
}

export interface StoredCursor {
  readonly name: string;
  /** Last committed offset; -1 when nothing was ever committed. */
  readonly committed: number;
}

export type LoadedCursors = { cursors: StoredCursor[]; unreadable: string[] };

/** Loads every cursor file; names of files that do not parse are returned in `unreadable`. */
export async function loadCursors(fs: WalFs, dir: string): Promise<LoadedCursors> {
  const cursorsDir = path.join(dir, CURSORS_DIR);
  const cursors: StoredCursor[] = [];
  const unreadable: string[] = [];
  let names: string[];
  try {
    names = await fs.readdir(cursorsDir);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return { cursors, unreadable };
    throw ioError('list', cursorsDir, error);
  }
  for (const file of names.sort()) {
    if (!file.endsWith('.json')) continue;
    const name = file.slice(0, -'.json'.length);
    if (!isValidCursorName(name)) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(await fs.readFile(path.join(cursorsDir, file))).toString('utf8'));
    } catch {
      unreadable.push(name);
      continue;
    }
    const value = parsed as { version?: unknown; name?: unknown; committed?: unknown };
    if (typeof value.version === 'number' && value.version > CURSOR_VERSION) {
      throw new WalError(
        'TRISIGNAL_WAL_UNSUPPORTED_VERSION',
        `Cursor file ${file} has format version ${value.version}; this version reads ${CURSOR_VERSION}`,
      );
    }
    if (
      value.version !== CURSOR_VERSION ||
      value.name !== name ||
      typeof value.committed !== 'number' ||
      !Number.isSafeInteger(value.committed) ||
      value.committed < -1
    ) {
      unreadable.push(name);
      continue;
    }
    cursors.push({ name, committed: value.committed });
  }
  return { cursors, unreadable };
}

/** Writes a cursor file atomically (temp file, fsync, rename, fsync directory). */
export async function saveCursor(fs: WalFs, dir: string, cursor: StoredCursor): Promise<void> {
  const cursorsDir = path.join(dir, CURSORS_DIR);
  const target = path.join(cursorsDir, `${cursor.name}.json`);
  const tmp = `${target}.tmp`;
  const body = Buffer.from(
    `${JSON.stringify({ version: CURSOR_VERSION, name: cursor.name, committed: cursor.committed })}\n`,
  );
  try {
    const file = await fs.open(tmp, 'w');
    try {
      await writeFully(file, body, 0);
      await file.datasync();
    } finally {
      await file.close();
    }
    await fs.rename(tmp, target);
    await fs.syncDir(cursorsDir);
  } catch (error) {
    throw ioError('save cursor', target, error);
  }
}

/** Removes a cursor file (and a leftover temp file). */
export async function deleteCursorFile(fs: WalFs, dir: string, name: string): Promise<void> {
  const cursorsDir = path.join(dir, CURSORS_DIR);
  for (const file of [`${name}.json`, `${name}.json.tmp`]) {
    try {
      await fs.unlink(path.join(cursorsDir, file));
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw ioError('delete cursor', file, error);
    }
  }
  await fs.syncDir(cursorsDir).catch(() => undefined);
}

/** Removes temp files a crash left in the cursors directory. */
export async function removeCursorTempFiles(fs: WalFs, dir: string): Promise<void> {
  const cursorsDir = path.join(dir, CURSORS_DIR);
  let names: string[];
  try {
    names = await fs.readdir(cursorsDir);
  } catch {
    return;
  }
  for (const file of names) {
    if (file.endsWith('.tmp')) await fs.unlink(path.join(cursorsDir, file)).catch(() => undefined);
  }
}
