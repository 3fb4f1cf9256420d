import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  FLAG_ZSTD,
  FRAME_HEADER_BYTES,
  SEGMENT_HEADER_BYTES,
  checkFrameHeader,
  decodeGroup,
  decodeSegmentHeader,
  encodeFrameHeader,
  encodeGroup,
  encodeSegmentHeader,
  frameCrc,
  parseSegmentFileName,
  readFrameHeader,
  segmentFileName,
} from './record-codec.js';

describe('segment header', () => {
  it('round-trips index and first sequence', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 32 - 1 }), fc.maxSafeNat(), (index, firstSeq) => {
        const header = encodeSegmentHeader(index, firstSeq);
        expect(header.length).toBe(SEGMENT_HEADER_BYTES);
        expect(decodeSegmentHeader(header)).toEqual({ ok: true, header: { version: 1, index, firstSeq } });
      }),
    );
  });

  it('rejects any single flipped bit', () => {
    const header = encodeSegmentHeader(7, 1234);
    for (let bit = 0; bit < SEGMENT_HEADER_BYTES * 8; bit++) {
      const copy = Buffer.from(header);
      copy[bit >> 3]! ^= 1 << (bit & 7);
      expect(decodeSegmentHeader(copy).ok).toBe(false);
    }
  });

  it('tells a torn (short or zero) header from a bad one and from a newer version', () => {
    const header = encodeSegmentHeader(1, 0);
    expect(decodeSegmentHeader(header.subarray(0, 10))).toEqual({ ok: false, problem: 'short' });
    expect(decodeSegmentHeader(new Uint8Array(32))).toEqual({ ok: false, problem: 'zero' });
    const garbage = Buffer.from(header);
    garbage[0] = 0x41;
    expect(decodeSegmentHeader(garbage)).toEqual({ ok: false, problem: 'bad' });
  });
});

describe('segment file names', () => {
  it('are eight-digit, zero-padded, and parse back', () => {
    expect(segmentFileName(42)).toBe('00000042.seg');
    expect(parseSegmentFileName('00000042.seg')).toBe(42);
    expect(parseSegmentFileName('123456789.seg')).toBe(123456789);
    expect(parseSegmentFileName('00000042.seg.32.corrupt')).toBeUndefined();
    expect(parseSegmentFileName('42.seg')).toBeUndefined();
  });
});

describe('frame header', () => {
  it('round-trips and carries a CRC over header fields and payload', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.integer({ min: 1, max: 0xffff }),
        fc.nat({ max: 2 ** 40 }),
        (payload, count, seq) => {
          const header = encodeFrameHeader(payload, 0, count, seq, payload.length);
          const h = readFrameHeader(header, 0);
          expect(h).toMatchObject({
            length: payload.length,
            flags: 0,
            reserved: 0,
            count,
            seq,
            rawLength: payload.length,
          });
          expect(checkFrameHeader(h, payload.length)).toBeUndefined();
          expect(frameCrc(header.subarray(8, FRAME_HEADER_BYTES), payload)).toBe(h.crc);
        },
      ),
    );
  });

  it('flags impossible headers', () => {
    const payload = new Uint8Array(10);
    const ok = readFrameHeader(encodeFrameHeader(payload, 0, 1, 5, 10), 0);
    expect(checkFrameHeader(ok, 10)).toBeUndefined();
    expect(checkFrameHeader(ok, 9)).toBe('bad_length');
    expect(checkFrameHeader({ ...ok, flags: 0x80 }, 10)).toBe('bad_frame_header');
    expect(checkFrameHeader({ ...ok, reserved: 1 }, 10)).toBe('bad_frame_header');
    expect(checkFrameHeader({ ...ok, count: 0 }, 10)).toBe('bad_frame_header');
    expect(checkFrameHeader({ ...ok, rawLength: 11 }, 10)).toBe('bad_frame_header');
    // A compressed frame is only kept when smaller than its raw payload.
    expect(checkFrameHeader({ ...ok, flags: FLAG_ZSTD, rawLength: 10 }, 10)).toBe('bad_frame_header');
    expect(checkFrameHeader({ ...ok, flags: FLAG_ZSTD, rawLength: 11 }, 10)).toBeUndefined();
    // An all-zero header (a zero-filled tail) is never valid.
    expect(checkFrameHeader(readFrameHeader(new Uint8Array(FRAME_HEADER_BYTES), 0), 100)).toBe(
      'bad_frame_header',
    );
  });
});

describe('group body', () => {
  it('round-trips any list of records', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 1, maxLength: 40 }), (records) => {
        const decoded = decodeGroup(encodeGroup(records), records.length);
        expect(decoded?.map((r) => [...r])).toEqual(records.map((r) => [...r]));
      }),
    );
  });

  it('refuses bodies that do not parse exactly', () => {
    const body = encodeGroup([Uint8Array.of(1, 2), Uint8Array.of(3)]);
    expect(decodeGroup(body, 3)).toBeUndefined();
    expect(decodeGroup(body, 1)).toBeUndefined();
    expect(decodeGroup(body.subarray(0, body.length - 1), 2)).toBeUndefined();
  });
});
