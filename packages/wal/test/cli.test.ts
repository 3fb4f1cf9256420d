import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createWal } from '../src/index.js';
import { runCli } from '../src/inspect.js';
import { rec, tempDir, track } from './helpers.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

async function sample(): Promise<string> {
  const dir = tempDir();
  const wal = track(createWal({ dir, maxSegmentBytes: 1024, compression: 'none' }));
  for (let i = 0; i < 10; i++) await wal.append(rec(i, 200));
  // Two cursors, one behind: nothing is consumed by both, so no segment is deleted.
  await wal.cursor('archive');
  await (await wal.cursor('otlp')).commit(3);
  await wal.close();
  return dir;
}

describe('trisignal-wal', () => {
  it('inspect lists segments, cursors and backlog', async () => {
    const dir = await sample();
    const { code, out } = await cli('inspect', dir);
    expect(code).toBe(0);
    expect(out).toContain('10 records');
    expect(out).toContain('otlp: committed 3, backlog 6');
    const json = JSON.parse((await cli('inspect', dir, '--json')).out) as {
      records: number;
      cursors: unknown[];
      segments: unknown[];
    };
    expect(json.records).toBe(10);
    expect(json.cursors).toEqual([
      { name: 'archive', committed: -1, backlog: 10 },
      { name: 'otlp', committed: 3, backlog: 6 },
    ]);
    expect(json.segments.length).toBeGreaterThan(1);
  });

  it('verify exits 0 on a sound log and 1 on a damaged one', async () => {
    const dir = await sample();
    expect(await cli('verify', dir)).toMatchObject({
      code: 0,
      out: expect.stringContaining('sound') as unknown,
    });
    const file = path.join(dir, '00000000.seg');
    const bytes = readFileSync(file);
    bytes[32 + 24 + 10]! ^= 0xff;
    writeFileSync(file, bytes);
    const damaged = await cli('verify', dir, '--json');
    expect(damaged.code).toBe(1);
    expect(JSON.parse(damaged.out)).toMatchObject({ sound: false });
    // Read-only: verify changed nothing.
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('dump prints records with offsets and sizes, from an offset, with a limit', async () => {
    const dir = await sample();
    const { code, out } = await cli('dump', dir, '--from', '4', '--limit', '3', '--json', '--data', 'hex');
    expect(code).toBe(0);
    const rows = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { offset: number; size: number; data: string });
    expect(rows.map((r) => r.offset)).toEqual([4, 5, 6]);
    expect(rows[0]).toMatchObject({ size: 200, data: rec(4, 200).toString('hex') });
  });

  it('exits 2 with usage on bad arguments', async () => {
    expect((await cli()).code).toBe(2);
    expect((await cli('frobnicate', tempDir())).code).toBe(2);
    expect((await cli('inspect', '/nonexistent/wal')).code).toBe(2);
    expect((await cli('dump', tempDir(), '--limit', 'x')).code).toBe(2);
    expect(await cli('--help')).toMatchObject({ code: 0, out: expect.stringContaining('Usage') as unknown });
  });

  const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  // `npm test` builds every package before the tests run; a missing dist/ is a failure, not a skip.
  it('the built bin runs (dist/cli.js)', async () => {
    expect(existsSync(bin), `${bin} is missing: build the package first (npm test does)`).toBe(true);
    const dir = await sample();
    expect(execFileSync(process.execPath, [bin, 'inspect', dir], { encoding: 'utf8' })).toContain(
      '10 records',
    );
    expect(spawnSync(process.execPath, [bin, 'verify', dir]).status).toBe(0);
  });
});
