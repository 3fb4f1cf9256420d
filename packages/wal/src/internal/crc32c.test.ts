import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32c, crc32cImplementation, crc32cJs } from './crc32c.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('crc32c', () => {
  it('matches the CRC-32C check value for "123456789"', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32cJs(ascii('123456789'))).toBe(0xe3069283);
  });

  it('uses the native implementation on this platform', () => {
    // The prebuilt @node-rs/crc32 binary ships for linux-x64; falling back silently would cost 8×.
    expect(crc32cImplementation).toBe('native');
  });

  it('agrees between the native and the JS implementation, and chains like one pass', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
        const whole = new Uint8Array([...a, ...b]);
        expect(crc32cJs(whole)).toBe(crc32c(whole));
        expect(crc32c(b, crc32c(a))).toBe(crc32c(whole));
        expect(crc32cJs(b, crc32cJs(a))).toBe(crc32c(whole));
      }),
    );
  });

  it('gives the known value for 32 zero bytes (RFC 3720 B.4)', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32cJs(new Uint8Array(32))).toBe(0x8a9136aa);
  });
});
