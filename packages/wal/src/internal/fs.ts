/**
 * The file-system layer the WAL goes through. Production uses {@link nodeFs}; tests pass an adapter
 * that fails writes with ENOSPC/EIO or writes short, so every failure path runs without root.
 */
import { constants } from 'node:fs';
import { open, mkdir, readdir, rename, stat, unlink, readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

export interface WalFileStat {
  readonly size: number;
  readonly mtimeMs: number;
}

/** An open file. Positions are explicit (pread/pwrite); `write` may write fewer bytes than asked. */
export interface WalFile {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<WalFileStat>;
  close(): Promise<void>;
}

/** `r` read-only, `r+` read-write existing, `wx` create exclusively (fails if it exists), `w` create/truncate. */
export type WalOpenFlags = 'r' | 'r+' | 'wx' | 'w';

export interface WalFs {
  open(path: string, flags: WalOpenFlags): Promise<WalFile>;
  readdir(path: string): Promise<string[]>;
  stat(path: string): Promise<WalFileStat>;
  mkdir(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  /** fsync a directory so a create, rename or unlink in it survives a power loss. */
  syncDir(path: string): Promise<void>;
}

class NodeFile implements WalFile {
  readonly #handle: FileHandle;

  constructor(handle: FileHandle) {
    this.#handle = handle;
  }

  async read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    const { bytesRead } = await this.#handle.read(buffer, offset, length, position);
    return bytesRead;
  }

  async write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    const { bytesWritten } = await this.#handle.write(buffer, offset, length, position);
    return bytesWritten;
  }

  datasync(): Promise<void> {
    return this.#handle.datasync();
  }

  truncate(length: number): Promise<void> {
    return this.#handle.truncate(length);
  }

  async stat(): Promise<WalFileStat> {
    const s = await this.#handle.stat();
    return { size: s.size, mtimeMs: s.mtimeMs };
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}

const FLAGS: Record<WalOpenFlags, number> = {
  r: constants.O_RDONLY,
  'r+': constants.O_RDWR,
  wx: constants.O_RDWR | constants.O_CREAT | constants.O_EXCL,
  w: constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC,
};

/** The real file system (`node:fs/promises`). */
export const nodeFs: WalFs = {
  async open(path, flags) {
    return new NodeFile(await open(path, FLAGS[flags], 0o644));
  },
  readdir: (path) => readdir(path),
  async stat(path) {
    const s = await stat(path);
    return { size: s.size, mtimeMs: s.mtimeMs };
  },
  async mkdir(path) {
    await mkdir(path, { recursive: true });
  },
  rename: (from, to) => rename(from, to),
  unlink: (path) => unlink(path),
  readFile: (path) => readFile(path),
  async syncDir(path) {
    // Windows cannot open a directory for fsync; there the rename itself is what NTFS journals.
    if (process.platform === 'win32') return;
    const handle = await open(path, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

/** Writes all of `buffer` at `position`, continuing after short writes; a write of 0 bytes is an error. */
export async function writeFully(file: WalFile, buffer: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const n = await file.write(buffer, done, buffer.length - done, position + done);
    if (n <= 0) {
      throw Object.assign(new Error('write returned 0 bytes'), { code: 'EIO' });
    }
    done += n;
  }
}

/** Reads up to `length` bytes at `position`, continuing after short reads; returns what was read (≤ length at EOF). */
export async function readFully(
  file: WalFile,
  buffer: Uint8Array,
  length: number,
  position: number,
): Promise<number> {
  let done = 0;
  while (done < length) {
    const n = await file.read(buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
