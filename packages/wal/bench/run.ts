/**
 * `pnpm bench`: the WAL's numbers side by side in one run.
 *
 * - zstd alone (level 3, 8 in parallel, same records): the compression ceiling.
 * - raw `write` + `fdatasync` per 1 MiB of the same (uncompressed) bytes: the disk's ceiling.
 * - durable append, 8 concurrent appenders, for each fsync policy: MB/s of uncompressed input and
 *   acknowledgement latency p50/p99.
 * - replay of a 1 GiB (input) log through a cursor: MB/s of records returned.
 *
 * Records are real OTLP ExportTraceServiceRequest protobuf bytes of ~256 KiB (see otlp-records.ts).
 * Environment: WAL_BENCH_DIR (default: a temp dir on the same disk as the OS temp dir),
 * WAL_BENCH_SECONDS (per append case, default 5), WAL_BENCH_REPLAY_BYTES (default 1 GiB).
 */
import { mkdtempSync, rmSync, openSync, writeSync, fdatasyncSync, closeSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import path from 'node:path';
import { createWal, type WalFsyncPolicy } from '../src/index.js';
// eslint-disable-next-line no-restricted-imports -- this package's own tests and benchmarks may use its internals
import { zstdCompress } from '../src/internal/zstd.js';
// eslint-disable-next-line no-restricted-imports -- this package's own tests and benchmarks may use its internals
import { crc32cImplementation } from '../src/internal/crc32c.js';
import { otlpRecord } from './otlp-records.js';

const MB = 1e6;
const seconds = Number(process.env['WAL_BENCH_SECONDS'] ?? 5);
const replayBytes = Number(process.env['WAL_BENCH_REPLAY_BYTES'] ?? 1024 ** 3);
const baseDir = mkdtempSync(path.join(process.env['WAL_BENCH_DIR'] ?? tmpdir(), 'wal-bench-'));
const APPENDERS = 8;
// Remove the scratch directory however the run ends.
process.on('exit', () => rmSync(baseDir, { recursive: true, force: true }));
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const only = process.env['WAL_BENCH_CASES']?.split(',');
const want = (name: string): boolean => only === undefined || only.includes(name);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const rows: string[][] = [];
function row(name: string, mbps: number, p50?: number, p99?: number, note = ''): void {
  const r = [
    name,
    mbps.toFixed(0),
    p50 === undefined ? '–' : p50.toFixed(2),
    p99 === undefined ? '–' : p99.toFixed(2),
    note,
  ];
  rows.push(r);
  process.stdout.write(`  ${r.join(' | ')}\n`);
}

process.stdout.write(
  `node ${process.version}, ${cpus().length} cpu (${cpus()[0]?.model ?? '?'}), crc32c=${crc32cImplementation}, load average ${load()}, dir=${baseDir}\n`,
);
process.stdout.write('generating OTLP records…\n');
const POOL = 16;
const records = Array.from({ length: POOL }, () => otlpRecord());
const recordBytes = records.reduce((n, r) => n + r.length, 0) / POOL;
const sample = await zstdCompress(records[0]!, 3);
process.stdout.write(
  `record: ${(recordBytes / 1024).toFixed(0)} KiB OTLP protobuf, zstd-3 ratio ${(records[0]!.length / sample.length).toFixed(2)}\n`,
);

// zstd alone: 8 compressions in flight, like 8 appenders.
if (want('zstd')) {
  let done = 0;
  let next = 0;
  const until = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: APPENDERS }, async () => {
      while (performance.now() < until) {
        const r = records[next++ % POOL]!;
        await zstdCompress(r, 3);
        done += r.length;
      }
    }),
  );
  row('zstd level 3 alone (8 in parallel)', done / MB / ((performance.now() - t0) / 1000));
}

// The disk: raw write + fdatasync per 1 MiB of uncompressed record bytes.
if (want('raw')) {
  const file = path.join(baseDir, 'raw.bin');
  const fd = openSync(file, 'w');
  const chunk = Buffer.concat(records.slice(0, 4).map((r) => Buffer.from(r))).subarray(0, 1024 * 1024);
  const lat: number[] = [];
  let done = 0;
  const until = performance.now() + seconds * 1000;
  const t0 = performance.now();
  while (performance.now() < until && done < 4 * 1024 ** 3) {
    const s = performance.now();
    writeSync(fd, chunk);
    fdatasyncSync(fd);
    lat.push(performance.now() - s);
    done += chunk.length;
  }
  const secs = (performance.now() - t0) / 1000;
  closeSync(fd);
  rmSync(file);
  lat.sort((a, b) => a - b);
  row(
    'raw write + fdatasync per 1 MiB',
    done / MB / secs,
    percentile(lat, 50),
    percentile(lat, 99),
    'per 1 MiB write+sync',
  );
}

/**
 * 8 appenders, each appending its next record as soon as the previous one is acknowledged (closed
 * loop: the throughput is the maximum, and latency includes the queueing that maximum causes), or, with
 * `pacedMBps`, at a fixed offered load shared by the 8 (open loop: latency at that load).
 */
async function appendCase(
  policy: WalFsyncPolicy,
  compression: 'zstd' | 'none',
  pacedMBps?: number,
): Promise<void> {
  const dir = path.join(baseDir, `append-${policy}-${compression}-${pacedMBps ?? 'max'}`);
  const wal = createWal({ dir, fsync: policy, compression, maxBytes: 64 * 1024 ** 3 });
  await wal.open();
  // Warm-up: compile paths, fill the thread pool.
  await Promise.all(records.slice(0, APPENDERS).map((r) => wal.append(r)));
  const lat: number[] = [];
  let bytes = 0;
  let next = 0;
  const until = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: APPENDERS }, async (_, n) => {
      // Paced: appender n sends at t0 + (n + k·8)·interval, so the 8 together offer `pacedMBps`.
      const interval = pacedMBps === undefined ? 0 : (recordBytes / (pacedMBps * MB)) * 1000;
      let k = 0;
      while (performance.now() < until) {
        if (pacedMBps !== undefined) {
          const due = t0 + (n + k * APPENDERS) * interval;
          k++;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        const r = records[next++ % POOL]!;
        const s = performance.now();
        await wal.append(r);
        lat.push(performance.now() - s);
        bytes += r.length;
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const stored = wal.stats().bytes;
  await wal.close();
  rmSync(dir, { recursive: true, force: true });
  lat.sort((a, b) => a - b);
  row(
    `append fsync=${policy}${compression === 'none' ? ', no compression' : ''}, 8 appenders${pacedMBps === undefined ? ', max' : `, paced ${pacedMBps} MB/s`}`,
    bytes / MB / secs,
    percentile(lat, 50),
    percentile(lat, 99),
    `${lat.length} appends, ${(stored / MB).toFixed(0)} MB on disk`,
  );
}

for (const policy of ['always', 'interval', 'never'] as const)
  if (want(policy)) await appendCase(policy, 'zstd');
if (want('paced')) await appendCase('always', 'zstd', 200);
if (want('raw-always')) await appendCase('always', 'none');

// Replay: write a log of `replayBytes` of input (fsync never: only the read side is measured), then
// read it all through a new cursor, decompressing and checking every CRC.
if (want('replay')) {
  const dir = path.join(baseDir, 'replay');
  const wal = createWal({ dir, fsync: 'never', maxBytes: 64 * 1024 ** 3 });
  let written = 0;
  let next = 0;
  while (written < replayBytes) {
    const batch = records.slice(0, APPENDERS).map(() => records[next++ % POOL]!);
    await Promise.all(batch.map((r) => wal.append(r)));
    written += batch.reduce((n, r) => n + r.length, 0);
  }
  await wal.close();
  const reopened = createWal({ dir, maxBytes: 64 * 1024 ** 3 });
  const tOpen = performance.now();
  const opened = await reopened.open();
  const openMs = performance.now() - tOpen;
  const cursor = await reopened.cursor('replay');
  let read = 0;
  let count = 0;
  const t0 = performance.now();
  for (;;) {
    const batch = await cursor.read({ maxBytes: 16 * 1024 * 1024, maxRecords: 4096 });
    if (batch.length === 0) break;
    for (const r of batch) read += r.data.length;
    count += batch.length;
  }
  const secs = (performance.now() - t0) / 1000;
  const stored = reopened.stats().bytes;
  await reopened.close();
  rmSync(dir, { recursive: true, force: true });
  row(
    `replay ${(read / 1024 ** 3).toFixed(2)} GiB through a cursor`,
    read / MB / secs,
    undefined,
    undefined,
    `${count} records, ${(stored / MB).toFixed(0)} MB on disk, page cache warm; open+verify ${openMs.toFixed(0)} ms for ${opened.segments} segments`,
  );
}

process.stdout.write(`load average at the end: ${load()}\n`);
process.stdout.write(
  '\n| case | MB/s (input) | ack p50 ms | ack p99 ms | notes |\n| --- | ---: | ---: | ---: | --- |\n',
);
for (const r of rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
