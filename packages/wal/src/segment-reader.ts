/**
 * Sequential frame reads from one segment file, verifying each frame's checksum. Chunks are freshly
 * allocated, so payloads returned are zero-copy views that stay valid after the next read.
 */
import { readFully, type WalFile } from './internal/fs.js';
import { FRAME_HEADER_BYTES, checkFrameHeader, frameCrc, readFrameHeader } from './record-codec.js';
import type { WalCorruptionReason } from './segment-scan.js';

/** Stored bytes fetched per read; a larger frame is fetched whole. */
export const READ_CHUNK_BYTES = 1024 * 1024;

export interface RawFrame {
  readonly pos: number;
  readonly seq: number;
  readonly count: number;
  readonly flags: number;
  readonly rawLength: number;
  readonly payload: Uint8Array;
}

export interface FrameBatch {
  readonly frames: RawFrame[];
  /** Position after the last frame returned. */
  readonly nextPos: number;
  /** Set when a frame at `nextPos` is damaged (the frames before it are good). */
  readonly damage?: { readonly position: number; readonly reason: WalCorruptionReason } | undefined;
}

/**
 * Reads the complete frames in [pos, end) that fit in one chunk (at least one frame when any remain).
 * `end` is the acknowledged size of the segment: bytes past it are never looked at.
 */
export async function readFrameBatch(
  file: WalFile,
  pos: number,
  end: number,
  chunkBytes = READ_CHUNK_BYTES,
): Promise<FrameBatch> {
  const frames: RawFrame[] = [];
  if (pos >= end) return { frames, nextPos: pos };
  if (end - pos < FRAME_HEADER_BYTES)
    return { frames, nextPos: pos, damage: { position: pos, reason: 'bad_length' } };
  let want = Math.min(chunkBytes, end - pos);
  let buf = Buffer.allocUnsafe(want);
  let got = await readFully(file, buf, want, pos);
  // The first frame may be larger than a chunk: fetch it whole.
  if (got >= FRAME_HEADER_BYTES) {
    const first = readFrameHeader(buf, 0);
    const total = FRAME_HEADER_BYTES + first.length;
    if (
      total > got &&
      total <= end - pos &&
      checkFrameHeader(first, end - pos - FRAME_HEADER_BYTES) === undefined
    ) {
      want = total;
      buf = Buffer.allocUnsafe(want);
      got = await readFully(file, buf, want, pos);
    }
  }
  let at = 0;
  while (at + FRAME_HEADER_BYTES <= got) {
    const h = readFrameHeader(buf, at);
    const problem = checkFrameHeader(h, end - (pos + at) - FRAME_HEADER_BYTES);
    if (problem !== undefined)
      return { frames, nextPos: pos + at, damage: { position: pos + at, reason: problem } };
    const total = FRAME_HEADER_BYTES + h.length;
    if (at + total > got) break;
    const payload = buf.subarray(at + FRAME_HEADER_BYTES, at + total);
    if (frameCrc(buf.subarray(at + 8, at + FRAME_HEADER_BYTES), payload) !== h.crc) {
      return { frames, nextPos: pos + at, damage: { position: pos + at, reason: 'bad_checksum' } };
    }
    frames.push({
      pos: pos + at,
      seq: h.seq,
      count: h.count,
      flags: h.flags,
      rawLength: h.rawLength,
      payload,
    });
    at += total;
  }
  if (frames.length === 0 && pos + at < end) {
    // Nothing complete although bytes remain before `end`: the file is shorter than the table says.
    return { frames, nextPos: pos, damage: { position: pos, reason: 'bad_length' } };
  }
  return { frames, nextPos: pos + at };
}
