import type * as Crypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';

// randomFillSync is replaced so a test can hand the generator pools of zeros; by default it is the real one.
const zeroPools = { remaining: 0 };
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof Crypto>();
  return {
    ...real,
    randomFillSync: <T extends NodeJS.ArrayBufferView>(buffer: T): T => {
      if (zeroPools.remaining > 0) {
        zeroPools.remaining--;
        new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength).fill(0);
        return buffer;
      }
      return real.randomFillSync(buffer);
    },
  };
});

const { PooledIdGenerator } = await import('./id-generator.js');

afterEach(() => {
  zeroPools.remaining = 0;
});

describe('PooledIdGenerator', () => {
  it('gives 32- and 16-character lowercase hex ids, unique across many pools', () => {
    const g = new PooledIdGenerator();
    const traceIds = new Set<string>();
    const spanIds = new Set<string>();
    // 5,000 of each: ~59 pools of 4 KiB, refill boundaries crossed with ids of both lengths.
    for (let i = 0; i < 5000; i++) {
      const t = g.generateTraceId();
      const s = g.generateSpanId();
      expect(t).toMatch(/^[0-9a-f]{32}$/);
      expect(s).toMatch(/^[0-9a-f]{16}$/);
      traceIds.add(t);
      spanIds.add(s);
    }
    expect(traceIds.size).toBe(5000);
    expect(spanIds.size).toBe(5000);
  });

  it('uses every byte of a pool once, then draws a new pool', () => {
    const g = new PooledIdGenerator();
    const first = Array.from({ length: 256 }, () => g.generateTraceId()).join('');
    expect(first).toHaveLength(8192); // the whole 4 KiB pool, hex-encoded
    const next = g.generateTraceId();
    expect(first).not.toContain(next);
  });

  it('never returns an all-zero id (invalid in W3C Trace Context): it draws again', () => {
    zeroPools.remaining = 2;
    const g = new PooledIdGenerator();
    const traceId = g.generateTraceId();
    expect(zeroPools.remaining).toBe(0);
    expect(traceId).not.toBe('0'.repeat(32));
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    zeroPools.remaining = 1;
    const h = new PooledIdGenerator();
    expect(h.generateSpanId()).not.toBe('0'.repeat(16));
  });
});
