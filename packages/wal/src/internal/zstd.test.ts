import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { zstdCompress, zstdDecompress } from './zstd.js';

function compressible(): Buffer {
  const parts: string[] = [];
  let x = 12345;
  for (let i = 0; i < 20_000; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    parts.push(`span-${i % 300}-${x.toString(16)}-service.name=checkout;`);
  }
  return Buffer.from(parts.join(''));
}

describe('zstd', () => {
  it('round-trips', async () => {
    const data = compressible();
    const packed = await zstdCompress(data, 3);
    expect(packed.length).toBeLessThan(data.length);
    expect(Buffer.compare(await zstdDecompress(packed), data)).toBe(0);
  });

  it('honours the level through the binding (the package entry ignores it)', async () => {
    const data = compressible();
    const fast = await zstdCompress(data, 1);
    const strong = await zstdCompress(data, 19);
    expect(strong.length).toBeLessThan(fast.length);
    // The reason the binding is called directly: @mongodb-js/zstd 1.2.2's index.js drops `level`.
    const entry = createRequire(import.meta.url)('@mongodb-js/zstd') as {
      compress(d: Buffer, level?: number): Promise<Buffer>;
    };
    const a = await entry.compress(data, 1);
    const b = await entry.compress(data, 19);
    expect(a.length).toBe(b.length);
  });
});
