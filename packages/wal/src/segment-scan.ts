/**
 * Read-only validation of segment files: walks frames, checks structure, sequence continuity and
 * CRC-32C, and, past a damaged frame, looks for the next valid one to tell a torn tail (nothing valid
 * follows) from damage in the middle (valid frames follow, so records were lost). Recovery and the CLI
 * both use it; neither this file nor its callers' reads ever change a segment.
 */
import { crc32c } from './internal/crc32c.js';
import { readFully, type WalFile } from './internal/fs.js';
import {
  FRAME_HEADER_BYTES,
  MAX_SEQ,
  SEGMENT_HEADER_BYTES,
  checkFrameHeader,
  decodeSegmentHeader,
  frameCrc,
  readFrameHeader,
  type SegmentHeaderResult,
} from './record-codec.js';

/** What was found damaged. */
export type WalCorruptionReason =
  'bad_segment_header' | 'bad_frame_header' | 'bad_length' | 'bad_checksum' | 'bad_sequence' | 'bad_content';

/** Chunk size of sequential reads; bounds the memory of a scan. */
export const SCAN_CHUNK_BYTES = 1024 * 1024;
/** Distance between entries of a segment's sparse seq → position index. */
export const SPARSE_INDEX_STEP_BYTES = 1024 * 1024;

export interface SparseEntry {
  readonly seq: number;
  readonly pos: number;
}

export interface WalkResult {
  /** Position just after the last valid frame. */
  readonly validEnd: number;
  /** Sequence after the last valid frame's records. */
  readonly endSeq: number;
  readonly frames: number;
  readonly sparse: SparseEntry[];
  /** First invalid frame, if the walk stopped before the end of the file. */
  readonly damage?: { readonly position: number; readonly reason: WalCorruptionReason } | undefined;
}

export interface WalkOptions {
  /** Check every frame's CRC (otherwise only structure and sequence numbers). */
  readonly verifyCrc: boolean;
  /** Frames must end before this sequence (the next segment's first one). */
  readonly maxSeqExclusive?: number | undefined;
}

async function crcOfLargeFrame(
  file: WalFile,
  headerTail: Uint8Array,
  payloadPos: number,
  length: number,
  scratch: Buffer,
): Promise<number | undefined> {
  let crc = crc32c(headerTail);
  let done = 0;
  while (done < length) {
    const want = Math.min(scratch.length, length - done);
    const n = await readFully(file, scratch, want, payloadPos + done);
    if (n < want) return undefined;
    crc = crc32c(scratch.subarray(0, n), crc);
    done += n;
  }
  return crc;
}

/**
 * Walks frames from `start` (the first frame must carry `expectedSeq`) to `fileSize`, stopping at the
 * first frame that is incomplete, malformed, out of sequence or (with `verifyCrc`) fails its checksum.
 */
export async function walkFrames(
  file: WalFile,
  start: number,
  fileSize: number,
  expectedSeq: number,
  options: WalkOptions,
): Promise<WalkResult> {
  const buf = Buffer.allocUnsafe(SCAN_CHUNK_BYTES);
  let scratch: Buffer | undefined;
  let bufStart = 0;
  let bufLen = 0;
  const ensure = async (from: number, len: number): Promise<boolean> => {
    if (from >= bufStart && from + len <= bufStart + bufLen) return true;
    bufStart = from;
    bufLen = await readFully(file, buf, Math.min(SCAN_CHUNK_BYTES, fileSize - from), from);
    return bufLen >= len;
  };
  let pos = start;
  let seq = expectedSeq;
  let frames = 0;
  const sparse: SparseEntry[] = [];
  let lastIndexed = Number.NEGATIVE_INFINITY;
  let damage: WalkResult['damage'];
  while (pos < fileSize) {
    if (fileSize - pos < FRAME_HEADER_BYTES || !(await ensure(pos, FRAME_HEADER_BYTES))) {
      damage = { position: pos, reason: 'bad_length' };
      break;
    }
    const at = pos - bufStart;
    const h = readFrameHeader(buf, at);
    const problem = checkFrameHeader(h, fileSize - pos - FRAME_HEADER_BYTES);
    if (problem !== undefined) {
      damage = { position: pos, reason: problem };
      break;
    }
    if (
      h.seq !== seq ||
      (options.maxSeqExclusive !== undefined && h.seq + h.count > options.maxSeqExclusive)
    ) {
      damage = { position: pos, reason: 'bad_sequence' };
      break;
    }
    const total = FRAME_HEADER_BYTES + h.length;
    if (options.verifyCrc) {
      let crc: number | undefined;
      if (total <= SCAN_CHUNK_BYTES) {
        if (await ensure(pos, total)) {
          const a = pos - bufStart;
          crc = frameCrc(
            buf.subarray(a + 8, a + FRAME_HEADER_BYTES),
            buf.subarray(a + FRAME_HEADER_BYTES, a + total),
          );
        }
      } else {
        scratch ??= Buffer.allocUnsafe(SCAN_CHUNK_BYTES);
        const tail = Buffer.from(buf.subarray(at + 8, at + FRAME_HEADER_BYTES));
        crc = await crcOfLargeFrame(file, tail, pos + FRAME_HEADER_BYTES, h.length, scratch);
      }
      if (crc !== h.crc) {
        damage = { position: pos, reason: crc === undefined ? 'bad_length' : 'bad_checksum' };
        break;
      }
    }
    if (pos - lastIndexed >= SPARSE_INDEX_STEP_BYTES) {
      sparse.push({ seq: h.seq, pos });
      lastIndexed = pos;
    }
    frames++;
    seq = h.seq + h.count;
    pos += total;
  }
  return { validEnd: pos, endSeq: seq, frames, sparse, damage };
}

export interface ResyncResult {
  /** Position of the first valid frame after the damage. */
  readonly position: number;
  /** Its sequence number: the records from the damaged frame up to here are lost. */
  readonly seq: number;
  /** Sequence after the chain of valid frames that starts there. */
  readonly endSeq: number;
  readonly frames: number;
}

/**
 * Looks for the first frame after `from` that is fully valid (structure, plausible sequence ≥ `minSeq`,
 * CRC) and walks the valid chain from there. Only used on damaged files, where the cost of testing every
 * byte offset is acceptable; reads are chunked, so memory stays bounded.
 */
export async function resync(
  file: WalFile,
  from: number,
  fileSize: number,
  minSeq: number,
  maxSeqExclusive: number | undefined,
): Promise<ResyncResult | undefined> {
  const buf = Buffer.allocUnsafe(SCAN_CHUNK_BYTES);
  const scratch = Buffer.allocUnsafe(SCAN_CHUNK_BYTES);
  let windowStart = from;
  while (windowStart + FRAME_HEADER_BYTES <= fileSize) {
    const n = await readFully(file, buf, Math.min(SCAN_CHUNK_BYTES, fileSize - windowStart), windowStart);
    if (n < FRAME_HEADER_BYTES) return undefined;
    for (let i = 0; i + FRAME_HEADER_BYTES <= n; i++) {
      // Cheap byte tests first: almost every offset fails one of them.
      if (buf[i + 9] !== 0 || (buf[i + 8]! & 0xfe) !== 0) continue;
      const pos = windowStart + i;
      const h = readFrameHeader(buf, i);
      if (checkFrameHeader(h, fileSize - pos - FRAME_HEADER_BYTES) !== undefined) continue;
      if (h.seq < minSeq || h.seq > MAX_SEQ) continue;
      // A frame takes at least a header and holds at most 65535 records: seq cannot jump further than that.
      if (h.seq - minSeq > (pos - from + FRAME_HEADER_BYTES) * 0xffff) continue;
      if (maxSeqExclusive !== undefined && h.seq + h.count > maxSeqExclusive) continue;
      let crc: number | undefined;
      const total = FRAME_HEADER_BYTES + h.length;
      if (i + total <= n) {
        crc = frameCrc(
          buf.subarray(i + 8, i + FRAME_HEADER_BYTES),
          buf.subarray(i + FRAME_HEADER_BYTES, i + total),
        );
      } else {
        const tail = Buffer.from(buf.subarray(i + 8, i + FRAME_HEADER_BYTES));
        crc = await crcOfLargeFrame(file, tail, pos + FRAME_HEADER_BYTES, h.length, scratch);
      }
      if (crc !== h.crc) continue;
      const chain = await walkFrames(file, pos, fileSize, h.seq, { verifyCrc: true, maxSeqExclusive });
      return { position: pos, seq: h.seq, endSeq: chain.endSeq, frames: chain.frames };
    }
    if (windowStart + n >= fileSize) return undefined;
    windowStart += n - FRAME_HEADER_BYTES + 1;
  }
  return undefined;
}

/** Everything known about one segment file after a read-only scan. */
export interface SegmentScan {
  readonly index: number;
  readonly fileSize: number;
  readonly mtimeMs: number;
  readonly header: SegmentHeaderResult;
  /** Present when the header is valid. */
  readonly walk?: WalkResult | undefined;
  /** Present when the walk stopped on damage: the first valid frame after it, if any. */
  readonly resync?: ResyncResult | undefined;
}

/** Reads and validates a segment header from an open file. */
export async function readSegmentHeader(file: WalFile): Promise<SegmentHeaderResult> {
  const buf = Buffer.alloc(SEGMENT_HEADER_BYTES);
  const n = await readFully(file, buf, SEGMENT_HEADER_BYTES, 0);
  return decodeSegmentHeader(buf.subarray(0, n));
}

/**
 * Scans one segment: header, frames and, on damage, a resync. `maxSeqExclusive` is the next segment's
 * first sequence, when known.
 */
export async function scanSegment(file: WalFile, index: number, options: WalkOptions): Promise<SegmentScan> {
  const st = await file.stat();
  const header = await readSegmentHeader(file);
  if (!header.ok || header.header.index !== index) {
    const bad: SegmentHeaderResult = header.ok ? { ok: false, problem: 'bad' } : header;
    return { index, fileSize: st.size, mtimeMs: st.mtimeMs, header: bad };
  }
  const walk = await walkFrames(file, SEGMENT_HEADER_BYTES, st.size, header.header.firstSeq, options);
  let found: ResyncResult | undefined;
  if (walk.damage !== undefined) {
    found = await resync(file, walk.damage.position + 1, st.size, walk.endSeq, options.maxSeqExclusive);
  }
  return { index, fileSize: st.size, mtimeMs: st.mtimeMs, header, walk, resync: found };
}
