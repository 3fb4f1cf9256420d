import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- this package's own tests and benchmarks may use its internals
import { nodeFs, type WalFile, type WalFs, type WalOpenFlags } from '../src/internal/fs.js';
import { createWalWithFs } from '../src/wal.js';
import type { Wal, WalOptions } from '../src/index.js';

const dirs: string[] = [];
const wals: Wal[] = [];

/** A fresh directory removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'trisignal-wal-'));
  dirs.push(dir);
  return dir;
}

/** A WAL closed after the test (if the test did not close it). */
export function track(wal: Wal): Wal {
  wals.push(wal);
  return wal;
}

afterEach(async () => {
  for (const w of wals.splice(0)) await w.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Deterministic record `i` of `size` bytes: the id in the first 4 bytes, then a pattern derived from it. */
export function rec(i: number, size = 100): Buffer {
  const b = Buffer.alloc(size);
  if (size >= 4) b.writeUInt32LE(i, 0);
  for (let k = 4; k < size; k++) b[k] = (i * 31 + k * 7 + (k >> 5)) & 0xff;
  return b;
}

/** Reads every record a new cursor sees. */
export async function readAll(
  wal: Wal,
  name = `all-${Math.random().toString(36).slice(2)}`,
): Promise<{ offset: number; data: Buffer }[]> {
  const cursor = await wal.cursor(name);
  const out: { offset: number; data: Buffer }[] = [];
  for (;;) {
    const batch = await cursor.read({ maxRecords: 10_000, maxBytes: 64 * 1024 * 1024 });
    if (batch.length === 0) break;
    for (const r of batch) out.push({ offset: r.offset, data: Buffer.from(r.data) });
  }
  await wal.deleteCursor(name);
  return out;
}

type Fault = 'ENOSPC' | 'EIO' | undefined;
type WriteFault = Fault | { short: number };

/** Fault plan consulted on each call; set the hooks during a test. */
export interface Faults {
  write?: ((file: string, length: number, position: number) => WriteFault) | undefined;
  /** Runs before each write and may hold it (a slow disk) by returning a promise. */
  beforeWrite?: ((file: string) => Promise<void> | undefined) | undefined;
  /** May return a promise, to hold a sync until the test releases it. */
  datasync?: ((file: string) => Fault | Promise<Fault>) | undefined;
  truncate?: ((file: string) => Fault) | undefined;
  open?: ((file: string, flags: WalOpenFlags) => Fault) | undefined;
  /** Told of every completed call: `write <file>`, `datasync <file>`, `open <file> <flags>`. */
  log?: ((event: string) => void) | undefined;
}

function fail(code: 'ENOSPC' | 'EIO'): never {
  throw Object.assign(new Error(`${code}: injected`), { code });
}

/** `nodeFs` with injectable ENOSPC / EIO / short-write faults. */
export function faultyFs(faults: Faults): WalFs {
  const wrap = (file: string, f: WalFile): WalFile => ({
    read: (b, o, l, p) => f.read(b, o, l, p),
    async write(b, o, l, p) {
      await faults.beforeWrite?.(file);
      const fault = faults.write?.(file, l, p);
      if (fault !== undefined && typeof fault !== 'object') fail(fault);
      const n = await f.write(b, o, typeof fault === 'object' ? Math.min(l, fault.short) : l, p);
      faults.log?.(`write ${file}`);
      return n;
    },
    async datasync() {
      const fault = await faults.datasync?.(file);
      if (fault !== undefined) fail(fault);
      await f.datasync();
      faults.log?.(`datasync ${file}`);
    },
    async truncate(length) {
      const fault = faults.truncate?.(file);
      if (fault !== undefined) fail(fault);
      return f.truncate(length);
    },
    stat: () => f.stat(),
    close: () => f.close(),
  });
  return {
    ...nodeFs,
    async open(file, flags) {
      const fault = faults.open?.(file, flags);
      if (fault !== undefined) fail(fault);
      const handle = await nodeFs.open(file, flags);
      faults.log?.(`open ${file} ${flags}`);
      return wrap(file, handle);
    },
  };
}

/** A WAL over a fault-injecting file system. */
export function faultyWal(options: WalOptions, faults: Faults): Wal {
  return track(createWalWithFs(options, faultyFs(faults)));
}
