/**
 * Turns the records of one append into frames (grouping small ones, compressing where it pays) and
 * frames back into records.
 */
import {
  FLAG_ZSTD,
  GROUP_RECORD_BYTES,
  GROUP_TARGET_BYTES,
  MAX_GROUP_RECORDS,
  MIN_COMPRESS_BYTES,
  decodeGroup,
  encodeGroup,
} from './record-codec.js';
import { zstdCompress, zstdDecompress } from './internal/zstd.js';

/** A frame ready to be written, except for its sequence number and checksum. */
export interface PreparedFrame {
  readonly payload: Uint8Array;
  readonly flags: number;
  readonly count: number;
  /** Payload length before compression. */
  readonly rawLength: number;
}

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

async function compressIfSmaller(raw: Uint8Array, level: number, count: number): Promise<PreparedFrame> {
  try {
    const packed = await zstdCompress(raw, level);
    if (packed.length < raw.length)
      return { payload: packed, flags: FLAG_ZSTD, count, rawLength: raw.length };
  } catch {
    // Compression is an optimisation: on failure the frame is stored raw, never lost.
  }
  return { payload: raw, flags: 0, count, rawLength: raw.length };
}

/**
 * Frames for `records`, in order: records of at least GROUP_RECORD_BYTES get a frame each, runs of
 * smaller ones share a frame of up to GROUP_TARGET_BYTES. Compression runs in parallel on the libuv pool.
 */
export async function prepareFrames(
  records: readonly Uint8Array[],
  compress: boolean,
  level: number,
): Promise<PreparedFrame[]> {
  const raw: { payload: Uint8Array; count: number }[] = [];
  let group: Uint8Array[] = [];
  let groupBytes = 0;
  const closeGroup = (): void => {
    if (group.length === 0) return;
    raw.push(
      group.length === 1
        ? { payload: group[0]!, count: 1 }
        : { payload: encodeGroup(group), count: group.length },
    );
    group = [];
    groupBytes = 0;
  };
  for (const record of records) {
    if (record.length >= GROUP_RECORD_BYTES) {
      closeGroup();
      raw.push({ payload: record, count: 1 });
      continue;
    }
    if (group.length >= MAX_GROUP_RECORDS || groupBytes + 4 + record.length > GROUP_TARGET_BYTES)
      closeGroup();
    group.push(record);
    groupBytes += 4 + record.length;
  }
  closeGroup();
  return Promise.all(
    raw.map(async ({ payload, count }) => {
      const buf = toBuffer(payload);
      if (!compress || buf.length < MIN_COMPRESS_BYTES)
        return { payload: buf, flags: 0, count, rawLength: buf.length };
      return compressIfSmaller(buf, level, count);
    }),
  );
}

/** The records of a frame whose checksum has been verified; undefined when its content does not decode. */
export async function decodeFramePayload(
  payload: Uint8Array,
  flags: number,
  count: number,
  rawLength: number,
): Promise<Uint8Array[] | undefined> {
  let body = payload;
  if ((flags & FLAG_ZSTD) !== 0) {
    try {
      body = await zstdDecompress(payload);
    } catch {
      return undefined;
    }
    if (body.length !== rawLength) return undefined;
  }
  if (count === 1) return [body];
  return decodeGroup(body, count);
}
