/**
 * Micro-benchmark: native SIMD CRC-32C (`@node-rs/crc32`) against the slicing-by-8 JS fallback.
 * Run: `pnpm exec tsx bench/internal/crc32c.ts`.
 */
import { randomBytes } from 'node:crypto';
// eslint-disable-next-line no-restricted-imports -- this package's own tests and benchmarks may use its internals
import { crc32c, crc32cImplementation, crc32cJs } from '../../src/internal/crc32c.js';

const sizes = [64, 4096, 256 * 1024];
const totalBytes = 512 * 1024 * 1024;

function run(name: string, fn: (b: Uint8Array) => number, buf: Uint8Array): void {
  const iterations = Math.max(1, Math.floor(totalBytes / buf.length / (name === 'js' ? 8 : 1)));
  let sink = 0;
  for (let i = 0; i < Math.min(iterations, 100); i++) sink ^= fn(buf);
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink ^= fn(buf);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const mbps = (iterations * buf.length) / 1e6 / seconds;
  process.stdout.write(
    `${name.padEnd(7)} ${String(buf.length).padStart(7)} B  ${mbps.toFixed(0).padStart(6)} MB/s  (${sink & 1})\n`,
  );
}

process.stdout.write(`crc32c implementation in use: ${crc32cImplementation}\n`);
for (const size of sizes) {
  const buf = randomBytes(size);
  run('native', crc32c, buf);
  run('js', crc32cJs, buf);
}
