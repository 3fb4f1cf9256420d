/**
 * Micro-benchmark of the zstd binding on one ~256 KiB OTLP record: compress per level and decompress,
 * one call at a time and 4 in flight (the libuv pool size). Run: `pnpm exec tsx bench/internal/zstd.ts`.
 */
// eslint-disable-next-line no-restricted-imports -- this package's own tests and benchmarks may use its internals
import { zstdCompress, zstdDecompress } from '../../src/internal/zstd.js';
import { otlpRecord } from '../otlp-records.js';

const record = otlpRecord();
const ROUNDS = 200;

async function measure(name: string, inFlight: number, fn: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 20; i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < ROUNDS / inFlight; i++) await Promise.all(Array.from({ length: inFlight }, fn));
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    `${name.padEnd(28)} ${String(inFlight).padStart(2)} in flight  ${((ROUNDS * record.length) / 1e6 / seconds).toFixed(0).padStart(6)} MB/s of input\n`,
  );
}

for (const level of [1, 3, 9]) {
  const packed = await zstdCompress(record, level);
  process.stdout.write(`level ${level}: ratio ${(record.length / packed.length).toFixed(2)}\n`);
  await measure(`compress level ${level}`, 1, () => zstdCompress(record, level));
  await measure(`compress level ${level}`, 4, () => zstdCompress(record, level));
}
const packed = await zstdCompress(record, 3);
await measure('decompress', 1, () => zstdDecompress(packed));
await measure('decompress', 4, () => zstdDecompress(packed));
