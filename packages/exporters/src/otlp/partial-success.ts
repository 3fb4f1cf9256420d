/**
 * Reads `partial_success` from an `Export*ServiceResponse` (protobuf or JSON): field 1, a message with
 * `rejected_<items>` (1, int64) and `error_message` (2, string). A reader for exactly this, so the
 * exporters need no protobuf runtime.
 */

/** What a 200 response said about the request. */
export interface PartialSuccess {
  readonly rejected: number;
  readonly errorMessage: string;
}

function readVarint(buf: Uint8Array, pos: { p: number }): number {
  let result = 0;
  let shift = 0;
  for (let i = 0; i < 10; i++) {
    if (pos.p >= buf.length) throw new RangeError('truncated varint');
    const b = buf[pos.p++]!;
    if (shift < 53) result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result;
    shift += 7;
  }
  throw new RangeError('varint too long');
}

function skip(buf: Uint8Array, wireType: number, pos: { p: number }): void {
  switch (wireType) {
    case 0:
      readVarint(buf, pos);
      return;
    case 1:
      pos.p += 8;
      return;
    case 2:
      pos.p += readVarint(buf, pos);
      return;
    case 5:
      pos.p += 4;
      return;
    default:
      throw new RangeError(`unsupported wire type ${wireType}`);
  }
}

/** Decodes a protobuf response; `undefined` when `partial_success` is absent or the bytes are malformed. */
export function decodePartialSuccessProto(buf: Uint8Array): PartialSuccess | undefined {
  try {
    const pos = { p: 0 };
    let found: PartialSuccess | undefined;
    while (pos.p < buf.length) {
      const tag = readVarint(buf, pos);
      if (tag === 0x0a) {
        const len = readVarint(buf, pos);
        const end = pos.p + len;
        if (end > buf.length) return undefined;
        let rejected = 0;
        let errorMessage = '';
        while (pos.p < end) {
          const t = readVarint(buf, pos);
          if (t === 0x08) {
            const v = readVarint(buf, pos);
            // int64: a negative value is ten bytes of two's complement; treat it as 0 (nonsense).
            rejected = v > Number.MAX_SAFE_INTEGER ? 0 : v;
          } else if (t === 0x12) {
            const l = readVarint(buf, pos);
            errorMessage = Buffer.from(buf.buffer, buf.byteOffset + pos.p, Math.min(l, end - pos.p)).toString(
              'utf8',
            );
            pos.p += l;
          } else {
            skip(buf, t & 7, pos);
          }
        }
        found = { rejected, errorMessage };
      } else {
        skip(buf, tag & 7, pos);
      }
    }
    return found;
  } catch {
    return undefined;
  }
}

/** Decodes a JSON response (`{"partialSuccess":{"rejectedSpans":"3","errorMessage":"…"}}`). */
export function decodePartialSuccessJson(buf: Uint8Array): PartialSuccess | undefined {
  try {
    const parsed = JSON.parse(
      Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8'),
    ) as unknown;
    if (parsed === null || typeof parsed !== 'object') return undefined;
    const ps =
      (parsed as Record<string, unknown>)['partialSuccess'] ??
      (parsed as Record<string, unknown>)['partial_success'];
    if (ps === null || typeof ps !== 'object') return undefined;
    let rejected = 0;
    let errorMessage = '';
    for (const [key, value] of Object.entries(ps)) {
      if (/^rejected/i.test(key)) {
        const n = Number(value);
        if (Number.isFinite(n) && n > 0) rejected = n;
      } else if (/^error_?message$/i.test(key) && typeof value === 'string') {
        errorMessage = value;
      }
    }
    return { rejected, errorMessage };
  } catch {
    return undefined;
  }
}
