import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFs } from './internal/fs.js';
import {
  deleteCursorFile,
  isValidCursorName,
  loadCursors,
  removeCursorTempFiles,
  saveCursor,
} from './cursor-store.js';

const dirs: string[] = [];
function dir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'trisignal-wal-cursor-'));
  mkdirSync(path.join(d, 'cursors'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('cursor files', () => {
  it('save and load round-trip, and a save replaces the old content whole', async () => {
    const d = dir();
    await saveCursor(nodeFs, d, { name: 'otlp', committed: 41 });
    await saveCursor(nodeFs, d, { name: 'otlp', committed: 42 });
    await saveCursor(nodeFs, d, { name: 'prom', committed: -1 });
    expect(await loadCursors(nodeFs, d)).toEqual({
      cursors: [
        { name: 'otlp', committed: 42 },
        { name: 'prom', committed: -1 },
      ],
      unreadable: [],
    });
    expect(readdirSync(path.join(d, 'cursors')).sort()).toEqual(['otlp.json', 'prom.json']);
  });

  it('reports files that do not parse and refuses newer versions', async () => {
    const d = dir();
    writeFileSync(path.join(d, 'cursors', 'a.json'), '{"version":1,"name":"a","committed":');
    writeFileSync(path.join(d, 'cursors', 'b.json'), '{"version":1,"name":"other","committed":3}');
    expect(await loadCursors(nodeFs, d)).toEqual({ cursors: [], unreadable: ['a', 'b'] });
    writeFileSync(path.join(d, 'cursors', 'c.json'), '{"version":9,"name":"c","committed":3}');
    await expect(loadCursors(nodeFs, d)).rejects.toMatchObject({ code: 'TRISIGNAL_WAL_UNSUPPORTED_VERSION' });
  });

  it('cleans up temp files a crash left and deletes cursors', async () => {
    const d = dir();
    await saveCursor(nodeFs, d, { name: 'a', committed: 1 });
    writeFileSync(path.join(d, 'cursors', 'a.json.tmp'), 'partial');
    await removeCursorTempFiles(nodeFs, d);
    expect(readdirSync(path.join(d, 'cursors'))).toEqual(['a.json']);
    await deleteCursorFile(nodeFs, d, 'a');
    expect(readdirSync(path.join(d, 'cursors'))).toEqual([]);
  });

  it('accepts only names that are safe as file names', () => {
    for (const ok of ['otlp', 'exporter.otlp-http_1', 'A9']) expect(isValidCursorName(ok)).toBe(true);
    for (const bad of ['', '../x', 'a/b', '.hidden', 'x.tmp', 'a b', 'x'.repeat(129), 3]) {
      expect(isValidCursorName(bad)).toBe(false);
    }
  });
});
