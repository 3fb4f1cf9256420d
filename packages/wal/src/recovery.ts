/**
 * Recovery on open: validate every segment, cut torn tails, move damaged remainders aside, and work out
 * which records were lost. With `readOnly` (the CLI) the same findings are reported and nothing changes.
 */
import path from 'node:path';
import { WalError, ioError } from './errors.js';
import { readFully, writeFully, type WalFile, type WalFs } from './internal/fs.js';
import {
  SEGMENT_HEADER_BYTES,
  encodeSegmentHeader,
  parseSegmentFileName,
  segmentFileName,
  type SegmentHeaderResult,
} from './record-codec.js';
import {
  SCAN_CHUNK_BYTES,
  readSegmentHeader,
  resync,
  walkFrames,
  type ResyncResult,
  type SparseEntry,
  type WalCorruptionReason,
  type WalkResult,
} from './segment-scan.js';

/** Damage found on open. */
export interface WalCorruption {
  /** Segment index. */
  readonly segment: number;
  /** Byte offset in the segment where the damage starts (0: the whole file). */
  readonly position: number;
  readonly reason: WalCorruptionReason;
  /** Bytes moved out of the segment. */
  readonly bytes: number;
  /** Where those bytes were moved (`<segment>.<position>.corrupt`); undefined in read-only scans. */
  readonly movedTo: string | undefined;
  /** Records lost with it; a lower bound when `exact` is false. */
  readonly recordsLost: number;
  readonly exact: boolean;
}

/** Segment files absent from the middle of the sequence. */
export interface WalMissingSegments {
  readonly fromSegment: number;
  readonly toSegment: number;
  readonly recordsLost: number;
}

/** A range of sequence numbers found lost on this open, and why. */
export interface LossRange {
  readonly from: number;
  readonly to: number;
  readonly reason: 'corruption' | 'missing_segment';
}

/** One segment of the in-memory table. `endSeq` and `bytes` cover acknowledged records only. */
export interface SegmentState {
  readonly index: number;
  readonly path: string;
  readonly firstSeq: number;
  endSeq: number;
  bytes: number;
  mtimeMs: number;
  sparse: SparseEntry[];
}

export interface SegmentFinding {
  readonly index: number;
  readonly fileSize: number;
  readonly header: SegmentHeaderResult;
  readonly walk?: WalkResult | undefined;
  readonly resync?: ResyncResult | undefined;
  readonly torn: boolean;
}

export interface RecoveryResult {
  readonly segments: SegmentState[];
  readonly findings: SegmentFinding[];
  readonly tornBytes: number;
  readonly corruptions: WalCorruption[];
  readonly missingSegments: WalMissingSegments[];
  readonly lossRanges: LossRange[];
  readonly corruptFiles: string[];
  /** Highest sequence end seen, including records found past damage and moved aside: never reused. */
  readonly maxSeenSeq: number;
}

export interface RecoveryOptions {
  readonly readOnly: boolean;
  readonly verifyAll: boolean;
}

/** Placeholders for missing segments are only written for gaps up to this many indexes. */
const MAX_PLACEHOLDERS = 1000;

interface HeaderEntry {
  readonly index: number;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly header: SegmentHeaderResult;
}

async function withFile<T>(
  fs: WalFs,
  file: string,
  flags: 'r' | 'r+',
  fn: (f: WalFile) => Promise<T>,
): Promise<T> {
  let handle: WalFile;
  try {
    handle = await fs.open(file, flags);
  } catch (error) {
    throw ioError('open', file, error);
  }
  try {
    return await fn(handle);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function uniqueCorruptPath(fs: WalFs, segmentPath: string, position: number): Promise<string> {
  const base = `${segmentPath}.${position}`;
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? `${base}.corrupt` : `${base}.${n}.corrupt`;
    try {
      await fs.stat(candidate);
    } catch {
      return candidate;
    }
  }
}

/** Copies [position, size) of a segment to a `.corrupt` file, then truncates the segment at `position`. */
async function moveRemainderAside(
  fs: WalFs,
  dir: string,
  segmentPath: string,
  position: number,
  size: number,
): Promise<string> {
  const target = await uniqueCorruptPath(fs, segmentPath, position);
  await withFile(fs, segmentPath, 'r+', async (src) => {
    let out: WalFile;
    try {
      out = await fs.open(target, 'wx');
    } catch (error) {
      throw ioError('create', target, error);
    }
    try {
      const buf = Buffer.allocUnsafe(SCAN_CHUNK_BYTES);
      for (let at = position; at < size;) {
        const n = await readFully(src, buf, Math.min(buf.length, size - at), at);
        if (n === 0) break;
        await writeFully(out, buf.subarray(0, n), at - position);
        at += n;
      }
      await out.datasync();
    } catch (error) {
      throw ioError('move aside the damaged part of', segmentPath, error);
    } finally {
      await out.close().catch(() => undefined);
    }
    await src.truncate(position);
    await src.datasync();
  });
  await fs.syncDir(dir);
  return target;
}

async function truncateSegment(fs: WalFs, segmentPath: string, position: number): Promise<void> {
  await withFile(fs, segmentPath, 'r+', async (f) => {
    await f.truncate(position);
    await f.datasync();
  });
}

async function writePlaceholder(
  fs: WalFs,
  dir: string,
  index: number,
  firstSeq: number,
): Promise<SegmentState> {
  const file = path.join(dir, segmentFileName(index));
  try {
    const handle = await fs.open(file, 'wx');
    try {
      await writeFully(handle, encodeSegmentHeader(index, firstSeq), 0);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw ioError('write placeholder segment', file, error);
  }
  return {
    index,
    path: file,
    firstSeq,
    endSeq: firstSeq,
    bytes: SEGMENT_HEADER_BYTES,
    mtimeMs: Date.now(),
    sparse: [],
  };
}

/** Lists segment indexes in `dir`, ascending. */
export async function listSegments(fs: WalFs, dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return [];
    throw ioError('list', dir, error);
  }
  const out: number[] = [];
  for (const n of names) {
    const index = parseSegmentFileName(n);
    if (index !== undefined) out.push(index);
  }
  return out.sort((a, b) => a - b);
}

/** Lists `.corrupt` files in `dir`. */
export async function listCorruptFiles(fs: WalFs, dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((n) => n.endsWith('.corrupt')).sort();
  } catch {
    return [];
  }
}

/** Scans (and unless `readOnly`, repairs) the segments of `dir`. */
export async function recover(fs: WalFs, dir: string, options: RecoveryOptions): Promise<RecoveryResult> {
  const indexes = await listSegments(fs, dir);
  const entries: HeaderEntry[] = [];
  for (const index of indexes) {
    const file = path.join(dir, segmentFileName(index));
    const entry = await withFile(fs, file, 'r', async (f) => {
      const st = await f.stat();
      const header = await readSegmentHeader(f);
      return { index, path: file, size: st.size, mtimeMs: st.mtimeMs, header };
    });
    if (!entry.header.ok && entry.header.problem === 'unsupported_version') {
      throw new WalError(
        'TRISIGNAL_WAL_UNSUPPORTED_VERSION',
        `Segment ${file} has format version ${entry.header.version ?? '?'}; this version of @trisignal/wal reads version 1`,
      );
    }
    entries.push(entry);
  }

  const findings: SegmentFinding[] = [];
  const corruptions: WalCorruption[] = [];
  const corruptionByIndex = new Map<
    number,
    { entry: WalCorruption; resync?: ResyncResult | undefined; endSeq: number }
  >();
  let tornBytes = 0;
  const valid: HeaderEntry[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const header = e.header;
    if (header.ok && header.header.index === e.index) {
      valid.push(e);
      continue;
    }
    const isLast = i === entries.length - 1;
    const torn = isLast && !header.ok && (header.problem === 'short' || header.problem === 'zero');
    findings.push({ index: e.index, fileSize: e.size, header, torn });
    if (torn) {
      // A segment whose creation was interrupted: it never held a record.
      tornBytes += e.size;
      if (!options.readOnly)
        await fs.unlink(e.path).catch((error: unknown) => Promise.reject(ioError('remove', e.path, error)));
      continue;
    }
    let movedTo: string | undefined;
    if (!options.readOnly) {
      movedTo = await uniqueCorruptPath(fs, e.path, 0);
      try {
        await fs.rename(e.path, movedTo);
        await fs.syncDir(dir);
      } catch (error) {
        throw ioError('move aside', e.path, error);
      }
    }
    const entry: WalCorruption = {
      segment: e.index,
      position: 0,
      reason: 'bad_segment_header',
      bytes: e.size,
      movedTo,
      recordsLost: 0,
      exact: false,
    };
    corruptions.push(entry);
    corruptionByIndex.set(e.index, { entry, endSeq: 0 });
  }

  const segments: SegmentState[] = [];
  let maxSeenSeq = 0;
  for (let k = 0; k < valid.length; k++) {
    const e = valid[k]!;
    const next = valid[k + 1];
    const isLast = next === undefined;
    const header = (e.header as { ok: true; header: { firstSeq: number } }).header;
    const maxSeqExclusive =
      next === undefined
        ? undefined
        : (next.header as { ok: true; header: { firstSeq: number } }).header.firstSeq;
    const scan = await withFile(fs, e.path, 'r', async (f) => {
      const walk = await walkFrames(f, SEGMENT_HEADER_BYTES, e.size, header.firstSeq, {
        verifyCrc: options.verifyAll || isLast,
        maxSeqExclusive,
      });
      const found =
        walk.damage === undefined
          ? undefined
          : await resync(f, walk.damage.position + 1, e.size, walk.endSeq, maxSeqExclusive);
      return { walk, found };
    });
    const { walk, found } = scan;
    maxSeenSeq = Math.max(maxSeenSeq, walk.endSeq, found?.endSeq ?? 0);
    const torn =
      walk.damage !== undefined && found === undefined && (isLast || walk.endSeq === maxSeqExclusive);
    findings.push({ index: e.index, fileSize: e.size, header: e.header, walk, resync: found, torn });
    if (walk.damage !== undefined) {
      if (torn) {
        tornBytes += e.size - walk.validEnd;
        if (!options.readOnly) await truncateSegment(fs, e.path, walk.validEnd);
      } else {
        const movedTo = options.readOnly
          ? undefined
          : await moveRemainderAside(fs, dir, e.path, walk.validEnd, e.size);
        const lowerBound = found === undefined ? 0 : found.endSeq - walk.endSeq;
        const entry: WalCorruption = {
          segment: e.index,
          position: walk.validEnd,
          reason: walk.damage.reason,
          bytes: e.size - walk.validEnd,
          movedTo,
          recordsLost: lowerBound,
          exact: false,
        };
        corruptions.push(entry);
        corruptionByIndex.set(e.index, { entry, resync: found, endSeq: walk.endSeq });
      }
    }
    segments.push({
      index: e.index,
      path: e.path,
      firstSeq: header.firstSeq,
      endSeq: walk.endSeq,
      bytes: walk.validEnd,
      mtimeMs: e.mtimeMs,
      sparse: walk.sparse,
    });
  }

  // Attribute the sequence gaps between neighbouring segments to what was found on this open. A gap with
  // no damage found now is old (repaired on an earlier open) or a deliberate jump, and is not a new loss.
  const missingSegments: WalMissingSegments[] = [];
  const lossRanges: LossRange[] = [];
  const placeholders: { index: number; firstSeq: number }[] = [];
  for (let k = 1; k < segments.length; k++) {
    const prev = segments[k - 1]!;
    const cur = segments[k]!;
    const between: number[] = [];
    for (let i = prev.index + 1; i < cur.index && between.length <= MAX_PLACEHOLDERS; i++) between.push(i);
    const gap = cur.firstSeq - prev.endSeq;
    const own = corruptionByIndex.get(prev.index);
    const badHeaders = between.filter((i) => corruptionByIndex.has(i));
    const missing = cur.index - prev.index - 1 - badHeaders.length;
    if (between.length > 0 && between.length <= MAX_PLACEHOLDERS) {
      for (const i of between) placeholders.push({ index: i, firstSeq: cur.firstSeq });
    }
    if (gap <= 0) continue;
    let rest = gap;
    if (own !== undefined) {
      const share = between.length === 0 ? gap : Math.min(gap, own.entry.recordsLost);
      Object.assign(own.entry, { recordsLost: share, exact: between.length === 0 });
      if (share > 0) lossRanges.push({ from: prev.endSeq, to: prev.endSeq + share, reason: 'corruption' });
      rest -= share;
    }
    if (rest <= 0) continue;
    const from = cur.firstSeq - rest;
    if (badHeaders.length > 0) {
      const first = corruptionByIndex.get(badHeaders[0]!)!;
      Object.assign(first.entry, { recordsLost: rest, exact: missing === 0 });
      lossRanges.push({ from, to: cur.firstSeq, reason: 'corruption' });
    } else if (missing > 0) {
      missingSegments.push({ fromSegment: prev.index + 1, toSegment: cur.index - 1, recordsLost: rest });
      lossRanges.push({ from, to: cur.firstSeq, reason: 'missing_segment' });
    }
  }
  // Damage in the newest segment: only what the resync proved is known lost.
  const last = segments.at(-1);
  if (last !== undefined) {
    const own = corruptionByIndex.get(last.index);
    if (own !== undefined && own.entry.recordsLost > 0) {
      lossRanges.push({ from: own.endSeq, to: own.endSeq + own.entry.recordsLost, reason: 'corruption' });
    }
  }

  if (!options.readOnly && placeholders.length > 0) {
    for (const p of placeholders) {
      const state = await writePlaceholder(fs, dir, p.index, p.firstSeq);
      segments.push(state);
    }
    segments.sort((a, b) => a.index - b.index);
    await fs.syncDir(dir);
  }

  return {
    segments,
    findings,
    tornBytes,
    corruptions,
    missingSegments,
    lossRanges,
    corruptFiles: await listCorruptFiles(fs, dir),
    maxSeenSeq,
  };
}
