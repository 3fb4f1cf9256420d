/**
 * Byte layout of segments and frames (the specification is `FORMAT.md`). Everything is little-endian.
 *
 * Segment header (32 bytes): magic "TWAL", version u8, flags u8, header size u16, segment index u32,
 * reserved u32, first sequence u64, CRC-32C of bytes 0–27 u32.
 *
 * Frame header (24 bytes): stored payload length u32, CRC-32C u32 over bytes 8–23 followed by the
 * payload, flags u8 (0x01 = zstd), reserved u8, record count u16, first sequence u64, raw (uncompressed)
 * payload length u32. Then the payload: the record itself when count = 1, else count × (u32 length,
 * bytes), zstd-compressed as a whole when flagged.
 */
import { crc32c } from './internal/crc32c.js';

export const SEGMENT_MAGIC = Uint8Array.of(0x54, 0x57, 0x41, 0x4c); // "TWAL"
export const FORMAT_VERSION = 1;
export const SEGMENT_HEADER_BYTES = 32;
export const FRAME_HEADER_BYTES = 24;
export const FLAG_ZSTD = 0x01;
const KNOWN_FLAGS = FLAG_ZSTD;
export const MAX_GROUP_RECORDS = 0xffff;
/** Records smaller than this are packed with their neighbours of the same append into one frame. */
export const GROUP_RECORD_BYTES = 16 * 1024;
/** A group frame is closed once its body would pass this size. */
export const GROUP_TARGET_BYTES = 64 * 1024;
/** Payloads smaller than this are not worth a trip to the zstd thread pool. */
export const MIN_COMPRESS_BYTES = 64;
/** Largest sequence number a frame may carry (JS numbers are exact to 2^53). */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

const SEGMENT_NAME = /^(\d{8,})\.seg$/;

/** `00000042.seg` for index 42. */
export function segmentFileName(index: number): string {
  return `${String(index).padStart(8, '0')}.seg`;
}

/** The index in a segment file name, or undefined when the name is not a segment's. */
export function parseSegmentFileName(name: string): number | undefined {
  const m = SEGMENT_NAME.exec(name);
  if (m === null) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : undefined;
}

function writeU64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value % 2 ** 32, true);
  view.setUint32(offset + 4, Math.floor(value / 2 ** 32), true);
}

function readU64(view: DataView, offset: number): number {
  const lo = view.getUint32(offset, true);
  const hi = view.getUint32(offset + 4, true);
  // Past 2^53 the value is not a sequence we could have written: mark it invalid (-1).
  return hi >= 2 ** 21 ? -1 : hi * 2 ** 32 + lo;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export interface SegmentHeader {
  readonly version: number;
  readonly index: number;
  readonly firstSeq: number;
}

/** Builds the 32-byte header of segment `index` whose first record will be `firstSeq`. */
export function encodeSegmentHeader(index: number, firstSeq: number): Buffer {
  const buf = Buffer.alloc(SEGMENT_HEADER_BYTES);
  const view = viewOf(buf);
  buf.set(SEGMENT_MAGIC, 0);
  buf[4] = FORMAT_VERSION;
  buf[5] = 0;
  view.setUint16(6, SEGMENT_HEADER_BYTES, true);
  view.setUint32(8, index, true);
  view.setUint32(12, 0, true);
  writeU64(view, 16, firstSeq);
  view.setUint32(28, crc32c(buf.subarray(0, 28)), true);
  return buf;
}

export type SegmentHeaderResult =
  | { readonly ok: true; readonly header: SegmentHeader }
  | {
      readonly ok: false;
      readonly problem: 'short' | 'zero' | 'bad' | 'unsupported_version';
      readonly version?: number;
    };

/** Validates a segment header; `bytes` may be shorter than a header (a torn create). */
export function decodeSegmentHeader(bytes: Uint8Array): SegmentHeaderResult {
  if (bytes.length < SEGMENT_HEADER_BYTES) {
    return { ok: false, problem: bytes.every((b) => b === 0) ? 'zero' : 'short' };
  }
  const view = viewOf(bytes);
  const magicOk = SEGMENT_MAGIC.every((b, i) => bytes[i] === b);
  const crcOk = view.getUint32(28, true) === crc32c(bytes.subarray(0, 28));
  if (!magicOk || !crcOk) {
    return {
      ok: false,
      problem: bytes.subarray(0, SEGMENT_HEADER_BYTES).every((b) => b === 0) ? 'zero' : 'bad',
    };
  }
  const version = bytes[4]!;
  if (version !== FORMAT_VERSION) return { ok: false, problem: 'unsupported_version', version };
  const firstSeq = readU64(view, 16);
  if (bytes[5] !== 0 || view.getUint16(6, true) !== SEGMENT_HEADER_BYTES || firstSeq < 0) {
    return { ok: false, problem: 'bad' };
  }
  return { ok: true, header: { version, index: view.getUint32(8, true), firstSeq } };
}

export interface FrameHeader {
  /** Stored payload bytes. */
  readonly length: number;
  readonly crc: number;
  readonly flags: number;
  readonly count: number;
  readonly seq: number;
  /** Payload bytes before compression. */
  readonly rawLength: number;
}

/** Reads the 24-byte frame header at `offset` of `bytes` (no validation). */
export function readFrameHeader(
  bytes: Uint8Array,
  offset: number,
): FrameHeader & { readonly reserved: number } {
  const view = viewOf(bytes);
  return {
    length: view.getUint32(offset, true),
    crc: view.getUint32(offset + 4, true),
    flags: bytes[offset + 8]!,
    reserved: bytes[offset + 9]!,
    count: view.getUint16(offset + 10, true),
    seq: readU64(view, offset + 12),
    rawLength: view.getUint32(offset + 20, true),
  };
}

/** Why a frame header cannot be valid, before its payload is looked at; undefined when plausible. */
export function checkFrameHeader(
  h: FrameHeader & { readonly reserved: number },
  bytesAfterHeader: number,
): 'bad_frame_header' | 'bad_length' | undefined {
  if ((h.flags & ~KNOWN_FLAGS) !== 0 || h.reserved !== 0 || h.count === 0 || h.seq < 0)
    return 'bad_frame_header';
  if (h.seq + h.count > MAX_SEQ) return 'bad_frame_header';
  if (h.length > bytesAfterHeader) return 'bad_length';
  // Compression is kept only when it makes the payload smaller; otherwise both lengths are equal.
  if ((h.flags & FLAG_ZSTD) === 0 ? h.rawLength !== h.length : h.rawLength <= h.length) {
    return 'bad_frame_header';
  }
  return undefined;
}

/** CRC a frame must carry: CRC-32C over header bytes 8–23, continued over the payload. */
export function frameCrc(headerTail: Uint8Array, payload: Uint8Array): number {
  return crc32c(payload, crc32c(headerTail));
}

/** Builds a frame header for `payload`, with its checksum. */
export function encodeFrameHeader(
  payload: Uint8Array,
  flags: number,
  count: number,
  seq: number,
  rawLength: number,
): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  const view = viewOf(header);
  view.setUint32(0, payload.length, true);
  header[8] = flags;
  header[9] = 0;
  view.setUint16(10, count, true);
  writeU64(view, 12, seq);
  view.setUint32(20, rawLength, true);
  view.setUint32(4, frameCrc(header.subarray(8, FRAME_HEADER_BYTES), payload), true);
  return header;
}

/** Body of a multi-record frame: each record as u32 length then bytes. */
export function encodeGroup(records: readonly Uint8Array[]): Buffer {
  let size = 0;
  for (const r of records) size += 4 + r.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const r of records) {
    out.writeUInt32LE(r.length, at);
    out.set(r, at + 4);
    at += 4 + r.length;
  }
  return out;
}

/** Splits a group body into its `count` records; undefined when the body does not parse exactly. */
export function decodeGroup(body: Uint8Array, count: number): Uint8Array[] | undefined {
  const view = viewOf(body);
  const out: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 4 > body.length) return undefined;
    const len = view.getUint32(at, true);
    at += 4;
    if (at + len > body.length) return undefined;
    out.push(body.subarray(at, at + len));
    at += len;
  }
  return at === body.length ? out : undefined;
}
