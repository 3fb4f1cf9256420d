/**
 * How a batch is stored in the WAL: a 6-byte header, then the body exactly as it goes on the wire.
 *
 *   byte 0     format version (1)
 *   byte 1     content encoding: 0 none, 1 gzip, 2 zstd, 3 snappy
 *   bytes 2–5  item count, uint32 little-endian
 *   bytes 6…   request body
 *
 * Headers that depend on configuration (URL, auth) are not stored: after a restart the batch goes to
 * the endpoint configured then. The content encoding is stored because it describes the bytes.
 */

export const RECORD_VERSION = 1;
const HEADER_BYTES = 6;

/** Content encodings a stored body may have. */
export type StoredEncoding = 'none' | 'gzip' | 'zstd' | 'snappy';

const ENCODING_CODES: Readonly<Record<StoredEncoding, number>> = { none: 0, gzip: 1, zstd: 2, snappy: 3 };
const ENCODINGS: readonly StoredEncoding[] = ['none', 'gzip', 'zstd', 'snappy'];

/** A batch read back from the WAL. */
export interface StoredBatch {
  readonly encoding: StoredEncoding;
  readonly items: number;
  readonly body: Buffer;
}

/** The record for a batch. */
export function encodeBatchRecord(encoding: StoredEncoding, items: number, body: Uint8Array): Buffer {
  const record = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  record[0] = RECORD_VERSION;
  record[1] = ENCODING_CODES[encoding];
  record.writeUInt32LE(Math.min(items, 0xffffffff) >>> 0, 2);
  record.set(body, HEADER_BYTES);
  return record;
}

/** Reads a record; `undefined` if it is not one this version understands. */
export function decodeBatchRecord(data: Uint8Array): StoredBatch | undefined {
  if (data.length < HEADER_BYTES || data[0] !== RECORD_VERSION) return undefined;
  const encoding = ENCODINGS[data[1]!];
  if (encoding === undefined) return undefined;
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return { encoding, items: buf.readUInt32LE(2), body: buf.subarray(HEADER_BYTES) };
}
