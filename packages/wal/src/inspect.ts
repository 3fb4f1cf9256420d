/**
 * The `trisignal-wal` commands: `inspect`, `verify` and `dump`. All three are read-only: they never
 * take the lock, never repair, and can run beside a live writer (whose last frame may then show as a
 * torn tail still being written).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadCursors } from './cursor-store.js';
import { decodeFramePayload } from './frames.js';
import { nodeFs, type WalFs } from './internal/fs.js';
import { isLockHeld } from './lock.js';
import { SEGMENT_HEADER_BYTES } from './record-codec.js';
import { recover, type RecoveryResult } from './recovery.js';
import { readFrameBatch } from './segment-reader.js';

/** Where the commands write. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly fs?: WalFs | undefined;
}

const USAGE = `Usage: trisignal-wal <command> <dir> [options]

Commands:
  inspect <dir>   segments, cursors and backlog
  verify <dir>    check every frame (structure, sequence, CRC-32C, decompression);
                  exit 0 when sound, 1 when damage is found
  dump <dir>      records with offsets and sizes
                  --from <offset>   first offset (default: oldest)
                  --limit <n>       records at most (default: 100)
                  --data <utf8|hex|none>  show record bytes (default: none)

Options:
  --json          machine-readable output
  -h, --help      this text
`;

function describeProblems(found: RecoveryResult): string[] {
  const lines: string[] = [];
  for (const f of found.findings) {
    if (!f.header.ok) {
      lines.push(
        `segment ${f.index}: ${f.torn ? 'torn segment header (interrupted create)' : `bad segment header (${f.header.problem})`}`,
      );
    } else if (f.walk?.damage !== undefined) {
      const d = f.walk.damage;
      lines.push(
        f.torn
          ? `segment ${f.index}: torn tail at byte ${d.position} (${f.fileSize - f.walk.validEnd} bytes, ${d.reason}); nothing valid follows`
          : `segment ${f.index}: damaged at byte ${d.position} (${d.reason}); valid frames follow${f.resync === undefined ? '' : ` from byte ${f.resync.position} (offset ${f.resync.seq})`}`,
      );
    }
  }
  for (const m of found.missingSegments) {
    lines.push(`segments ${m.fromSegment}-${m.toSegment}: missing (${m.recordsLost} records)`);
  }
  return lines;
}

interface SegmentSummary {
  readonly index: number;
  readonly firstOffset: number | undefined;
  readonly lastOffset: number | undefined;
  readonly records: number;
  readonly bytes: number;
  readonly modified: string;
}

async function inspect(fs: WalFs, dir: string, json: boolean, io: CliIo): Promise<number> {
  const found = await recover(fs, dir, { readOnly: true, verifyAll: false });
  const { cursors, unreadable } = await loadCursors(fs, dir);
  const lock = await isLockHeld(fs, dir);
  const segments: SegmentSummary[] = found.segments.map((s) => ({
    index: s.index,
    firstOffset: s.endSeq > s.firstSeq ? s.firstSeq : undefined,
    lastOffset: s.endSeq > s.firstSeq ? s.endSeq - 1 : undefined,
    records: s.endSeq - s.firstSeq,
    bytes: s.bytes,
    modified: new Date(s.mtimeMs).toISOString(),
  }));
  const nonEmpty = found.segments.filter((s) => s.endSeq > s.firstSeq);
  const first = nonEmpty[0]?.firstSeq;
  const end = found.segments.at(-1)?.endSeq ?? 0;
  const cursorRows = cursors.map((c) => ({
    name: c.name,
    committed: c.committed,
    backlog: Math.max(0, end - Math.max(c.committed + 1, first ?? end)),
  }));
  const summary = {
    dir: path.resolve(dir),
    lockedBy:
      lock === undefined ? undefined : { pid: lock.pid, hostname: lock.hostname, since: lock.startedAt },
    segments,
    records: segments.reduce((n, s) => n + s.records, 0),
    bytes: segments.reduce((n, s) => n + s.bytes, 0),
    firstOffset: first,
    lastOffset: first === undefined ? undefined : end - 1,
    cursors: cursorRows,
    unreadableCursors: unreadable,
    corruptFiles: found.corruptFiles,
    problems: describeProblems(found),
  };
  if (json) {
    io.out(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  }
  io.out(`WAL ${summary.dir}${lock === undefined ? '' : ` (open by PID ${lock.pid} on ${lock.hostname})`}\n`);
  io.out(
    `${segments.length} segments, ${summary.records} records, ${summary.bytes} bytes, offsets ${first ?? '-'}..${summary.lastOffset ?? '-'}\n\n`,
  );
  io.out('segment   first      last       records  bytes       modified\n');
  for (const s of segments) {
    io.out(
      `${String(s.index).padStart(8, '0')}  ${String(s.firstOffset ?? '-').padEnd(9)}  ${String(s.lastOffset ?? '-').padEnd(9)}  ${String(s.records).padEnd(7)}  ${String(s.bytes).padEnd(10)}  ${s.modified}\n`,
    );
  }
  io.out(cursorRows.length === 0 && unreadable.length === 0 ? '\ncursors: none\n' : '\ncursors:\n');
  for (const c of cursorRows) io.out(`  ${c.name}: committed ${c.committed}, backlog ${c.backlog}\n`);
  for (const u of unreadable) io.out(`  ${u}: unreadable cursor file\n`);
  if (found.corruptFiles.length > 0) io.out(`\ncorrupt files kept aside: ${found.corruptFiles.join(', ')}\n`);
  if (summary.problems.length > 0)
    io.out(`\nproblems (run verify for details):\n  ${summary.problems.join('\n  ')}\n`);
  return 0;
}

async function verify(fs: WalFs, dir: string, json: boolean, io: CliIo): Promise<number> {
  const found = await recover(fs, dir, { readOnly: true, verifyAll: true });
  let frames = 0;
  let records = 0;
  const badContent: { segment: number; position: number; offset: number }[] = [];
  for (const s of found.segments) {
    const file = await fs.open(s.path, 'r');
    try {
      for (let pos = SEGMENT_HEADER_BYTES; pos < s.bytes;) {
        const batch = await readFrameBatch(file, pos, s.bytes);
        if (batch.frames.length === 0) break;
        const decoded = await Promise.all(
          batch.frames.map((f) => decodeFramePayload(f.payload, f.flags, f.count, f.rawLength)),
        );
        batch.frames.forEach((f, i) => {
          frames++;
          if (decoded[i] === undefined) badContent.push({ segment: s.index, position: f.pos, offset: f.seq });
          else records += f.count;
        });
        pos = batch.nextPos;
      }
    } finally {
      await file.close();
    }
  }
  const problems = describeProblems(found);
  for (const b of badContent) {
    problems.push(
      `segment ${b.segment}: frame at byte ${b.position} (offset ${b.offset}) has a valid CRC but does not decode (bad_content)`,
    );
  }
  const damaged =
    found.findings.some((f) => !f.torn && (!f.header.ok || f.walk?.damage !== undefined)) ||
    found.missingSegments.length > 0 ||
    badContent.length > 0;
  if (json) {
    io.out(
      `${JSON.stringify({ sound: !damaged, segments: found.segments.length, frames, records, problems }, null, 2)}\n`,
    );
  } else {
    io.out(`${found.segments.length} segments, ${frames} frames, ${records} records checked\n`);
    for (const p of problems) io.out(`${p}\n`);
    io.out(damaged ? 'NOT SOUND\n' : 'sound\n');
  }
  return damaged ? 1 : 0;
}

function render(data: Uint8Array, mode: string): string {
  if (mode === 'hex') return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex');
  if (mode === 'utf8')
    return JSON.stringify(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  return '';
}

async function dump(
  fs: WalFs,
  dir: string,
  options: { from: number | undefined; limit: number; data: string; json: boolean },
  io: CliIo,
): Promise<number> {
  const found = await recover(fs, dir, { readOnly: true, verifyAll: false });
  let left = options.limit;
  if (!options.json) io.out('offset     segment   position    size\n');
  for (const s of found.segments) {
    if (left <= 0) break;
    if (options.from !== undefined && s.endSeq <= options.from) continue;
    const file = await fs.open(s.path, 'r');
    try {
      for (let pos = SEGMENT_HEADER_BYTES; pos < s.bytes && left > 0;) {
        const batch = await readFrameBatch(file, pos, s.bytes);
        if (batch.frames.length === 0) break;
        for (const f of batch.frames) {
          if (left <= 0) break;
          if (options.from !== undefined && f.seq + f.count <= options.from) continue;
          const records = await decodeFramePayload(f.payload, f.flags, f.count, f.rawLength);
          if (records === undefined) {
            io.out(`${f.seq}: frame at ${s.index}:${f.pos} does not decode (bad_content)\n`);
            continue;
          }
          for (let j = 0; j < records.length && left > 0; j++) {
            const offset = f.seq + j;
            if (options.from !== undefined && offset < options.from) continue;
            const data = records[j]!;
            left--;
            if (options.json) {
              const row: Record<string, unknown> = {
                offset,
                segment: s.index,
                position: f.pos,
                size: data.length,
              };
              if (options.data !== 'none')
                row['data'] = Buffer.from(data).toString(options.data === 'hex' ? 'hex' : 'utf8');
              io.out(`${JSON.stringify(row)}\n`);
            } else {
              const shown = render(data, options.data);
              io.out(
                `${String(offset).padEnd(9)}  ${String(s.index).padStart(8, '0')}  ${String(f.pos).padEnd(10)}  ${String(data.length).padEnd(8)}${shown === '' ? '' : `  ${shown}`}\n`,
              );
            }
          }
        }
        pos = batch.nextPos;
      }
    } finally {
      await file.close();
    }
  }
  return 0;
}

/** Runs one CLI invocation; resolves with the exit status. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        from: { type: 'string' },
        limit: { type: 'string' },
        data: { type: 'string', default: 'none' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, dir] = parsed.positionals;
  if (parsed.values.help === true || command === undefined) {
    (parsed.values.help === true ? io.out : io.err)(USAGE);
    return parsed.values.help === true ? 0 : 2;
  }
  if (dir === undefined || parsed.positionals.length > 2) {
    io.err(`Expected one directory after \`${command}\`\n\n${USAGE}`);
    return 2;
  }
  const fs = io.fs ?? nodeFs;
  try {
    await fs.stat(dir);
  } catch {
    io.err(`No such directory: ${dir}\n`);
    return 2;
  }
  const json = parsed.values.json === true;
  try {
    switch (command) {
      case 'inspect':
        return await inspect(fs, dir, json, io);
      case 'verify':
        return await verify(fs, dir, json, io);
      case 'dump': {
        const from = parsed.values.from === undefined ? undefined : Number(parsed.values.from);
        const limit = parsed.values.limit === undefined ? 100 : Number(parsed.values.limit);
        const data = parsed.values.data ?? 'none';
        if (
          (from !== undefined && !Number.isSafeInteger(from)) ||
          !Number.isSafeInteger(limit) ||
          limit < 0
        ) {
          io.err('Expected --from and --limit to be integers\n');
          return 2;
        }
        if (!['none', 'hex', 'utf8'].includes(data)) {
          io.err("Expected --data to be 'none', 'hex' or 'utf8'\n");
          return 2;
        }
        return await dump(fs, dir, { from, limit, data, json }, io);
      }
      default:
        io.err(`Unknown command \`${command}\`\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    io.err(`trisignal-wal: ${(error as Error).message}\n`);
    return 2;
  }
}
