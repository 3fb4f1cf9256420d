/**
 * A single-pass protobuf writer over one growable buffer.
 *
 * Why not protobufjs's `Writer`: it records every write as a linked-list operation and replays them in
 * `finish()`, which allocates per field. Why not upstream's writer: it sizes everything twice (an
 * estimator pass, then the real pass) and reserves one byte for every length prefix, so each message
 * over 127 bytes (every span) is shifted in memory once. Here a nested message reserves as many length
 * bytes as its kind usually needs (`begin(n)`), and only a wrong guess costs a `copyWithin`.
 */

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[97 + i] = 10 + i;
  HEX[65 + i] = 10 + i;
}

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);

/** Node's native UTF-8 writer: `Buffer#write` wraps it with argument checks that cost on short strings. */
type Utf8Writer = (this: Buffer, s: string, offset: number, length: number) => number;
const nativeUtf8Write = (Buffer.prototype as unknown as { utf8Write?: Utf8Writer }).utf8Write;

/** Writes `s` as UTF-8 at `offset` (at most `length` bytes). */
export function writeUtf8(buf: Buffer, s: string, offset: number, length: number): number {
  return nativeUtf8Write === undefined
    ? buf.write(s, offset, length, 'utf8')
    : nativeUtf8Write.call(buf, s, offset, length);
}

/** Bytes a varint of this non-negative 32-bit value takes. */
export function varintSize32(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** The buffer is kept between calls up to this size; a larger one is dropped after use. */
const RETAIN_BYTES = 4 * 1024 * 1024;

export class ProtoWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Starts a new message, keeping the buffer (shrunk if a previous message made it huge). */
  reset(): void {
    this.pos = 0;
    if (this.buf.length > RETAIN_BYTES) this.buf = Buffer.allocUnsafe(64 * 1024);
  }

  /** A copy of the bytes written so far, safe to keep after the next `reset()` (for small messages). */
  finishCopy(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  /**
   * The bytes written so far, handed over without a copy: the writer takes a fresh buffer of the same
   * capacity for the next message. Copying a 256 KiB batch out of a reused buffer cost a third of the
   * encode time (fresh pages are touched either way, the copy is the extra).
   */
  finishDetach(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafeSlow(Math.min(Math.max(this.buf.length, 1024), RETAIN_BYTES));
    this.pos = 0;
    return out;
  }

  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A tag or any value below 128. */
  byte(b: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = b;
  }

  /** Two raw bytes (a two-byte tag such as field 16). */
  byte2(a: number, b: number): void {
    if (this.pos + 2 > this.buf.length) this.grow(2);
    this.buf[this.pos++] = a;
    this.buf[this.pos++] = b;
  }

  /** An unsigned 32-bit varint. */
  uint32(value: number): void {
    let v = value >>> 0;
    if (this.pos + 5 > this.buf.length) this.grow(5);
    const buf = this.buf;
    while (v > 0x7f) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }

  /**
   * An int64 varint from a JS number (exact for safe integers; beyond that, the number's exact value,
   * which is an integer because every double ≥ 2^53 is). Negative values take ten bytes.
   */
  int64(value: number): void {
    if (value >= 0 && value <= 0xffffffff) {
      this.uint32(value);
      return;
    }
    let lo: number;
    let hi: number;
    if (value >= 0) {
      lo = value >>> 0;
      hi = Math.floor(value / 4294967296) >>> 0;
    } else {
      const abs = -value;
      lo = abs >>> 0;
      hi = Math.floor(abs / 4294967296) >>> 0;
      // two's complement of (hi, lo)
      lo = ~lo >>> 0;
      hi = ~hi >>> 0;
      lo = (lo + 1) >>> 0;
      if (lo === 0) hi = (hi + 1) >>> 0;
    }
    this.ensure(10);
    const buf = this.buf;
    while (hi > 0 || lo > 0x7f) {
      buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[this.pos++] = lo;
  }

  /** An unsigned varint up to 2^53 (uint64 counts). */
  uint53(value: number): void {
    if (value <= 0xffffffff) {
      this.uint32(value);
      return;
    }
    this.int64(value);
  }

  /** A zigzag sint32. */
  sint32(value: number): void {
    this.uint32(((value << 1) ^ (value >> 31)) >>> 0);
  }

  fixed32(value: number): void {
    if (this.pos + 4 > this.buf.length) this.grow(4);
    const buf = this.buf;
    const v = value >>> 0;
    buf[this.pos++] = v & 0xff;
    buf[this.pos++] = (v >>> 8) & 0xff;
    buf[this.pos++] = (v >>> 16) & 0xff;
    buf[this.pos++] = v >>> 24;
  }

  /** A fixed64 from its low and high 32-bit halves. */
  fixed64(lo: number, hi: number): void {
    if (this.pos + 8 > this.buf.length) this.grow(8);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = lo & 0xff;
    buf[p++] = (lo >>> 8) & 0xff;
    buf[p++] = (lo >>> 16) & 0xff;
    buf[p++] = lo >>> 24;
    buf[p++] = hi & 0xff;
    buf[p++] = (hi >>> 8) & 0xff;
    buf[p++] = (hi >>> 16) & 0xff;
    buf[p++] = hi >>> 24;
    this.pos = p;
  }

  /** A non-negative integer (≤ 2^53) as fixed64. */
  fixed64Number(value: number): void {
    this.fixed64(value >>> 0, Math.floor(value / 4294967296) >>> 0);
  }

  /** A signed integer as sfixed64 (two's complement). */
  sfixed64Number(value: number): void {
    if (value >= 0) {
      this.fixed64Number(value);
      return;
    }
    const abs = -value;
    let lo = ~(abs >>> 0) >>> 0;
    let hi = ~(Math.floor(abs / 4294967296) >>> 0) >>> 0;
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
    this.fixed64(lo, hi);
  }

  /**
   * An `HrTime` (`[seconds, nanoseconds]`) as fixed64 nanoseconds. `seconds * 1e9` exceeds 2^53 for any
   * current date, so the product is formed from 1e9 = 2^9 · 1953125 in exact pieces.
   */
  hrTime(seconds: number, nanos: number): void {
    const x = seconds * 1953125; // exact: < 2^53 for seconds < 4.6e9
    const xHi = Math.floor(x / 4294967296);
    const xLo = x - xHi * 4294967296;
    const lo512 = xLo * 512; // < 2^41, exact
    const carry = Math.floor(lo512 / 4294967296);
    let lo = lo512 - carry * 4294967296 + nanos;
    let hi = xHi * 512 + carry;
    if (lo >= 4294967296) {
      lo -= 4294967296;
      hi += 1;
    }
    this.fixed64(lo >>> 0, hi >>> 0);
  }

  double(value: number): void {
    if (this.pos + 8 > this.buf.length) this.grow(8);
    F64[0] = value;
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = F64_BYTES[0]!;
    buf[p++] = F64_BYTES[1]!;
    buf[p++] = F64_BYTES[2]!;
    buf[p++] = F64_BYTES[3]!;
    buf[p++] = F64_BYTES[4]!;
    buf[p++] = F64_BYTES[5]!;
    buf[p++] = F64_BYTES[6]!;
    buf[p++] = F64_BYTES[7]!;
    this.pos = p;
  }

  /** A length-prefixed UTF-8 string (lone surrogates become U+FFFD, as in every UTF-8 encoder). */
  string(s: string): void {
    const len = s.length;
    // Short strings: assume ASCII and a one-byte length, write the characters in the same loop, and
    // fall back to the native encoder at the first non-ASCII character.
    if (len < 128) {
      if (this.pos + 1 + len > this.buf.length) this.grow(1 + len);
      const buf = this.buf;
      const start = this.pos;
      let p = start + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i === len) {
        buf[start] = len;
        this.pos = p;
        return;
      }
    }
    const bytes = Buffer.byteLength(s, 'utf8');
    this.uint32(bytes);
    this.ensure(bytes);
    writeUtf8(this.buf, s, this.pos, bytes);
    this.pos += bytes;
  }

  /** Length-prefixed raw bytes. */
  bytes(b: Uint8Array): void {
    this.uint32(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Raw bytes, no prefix, copied in a loop (faster than `set()` below ~64 bytes). */
  short(b: Uint8Array): void {
    const n = b.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = b[i]!;
    this.pos = p;
  }

  /** Raw bytes, no prefix (a pre-encoded message or field). */
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /**
   * A length-prefixed id from its hex form (`byteLength` bytes: 16 for a trace id, 8 for a span id).
   * Invalid hex (wrong length or characters) writes zero bytes of that length, which receivers treat
   * as an invalid id, rather than throwing on the export path.
   */
  hexId(hex: string, byteLength: number): void {
    if (this.pos + 1 + byteLength > this.buf.length) this.grow(1 + byteLength);
    const buf = this.buf;
    buf[this.pos++] = byteLength;
    if (hex.length !== byteLength * 2) {
      buf.fill(0, this.pos, this.pos + byteLength);
      this.pos += byteLength;
      return;
    }
    let p = this.pos;
    for (let i = 0; i < hex.length; i += 2) {
      const hi = HEX[hex.charCodeAt(i) & 0x7f]!;
      const lo = HEX[hex.charCodeAt(i + 1) & 0x7f]!;
      buf[p++] = ((hi << 4) | lo) & 0xff;
    }
    this.pos = p;
  }

  /** Reserves `reserve` bytes for the length of the message that starts now; returns its mark. */
  begin(reserve: number): number {
    if (this.pos + reserve > this.buf.length) this.grow(reserve);
    const mark = this.pos;
    this.pos += reserve;
    return mark;
  }

  /** Writes the length of the message begun at `mark`, moving its body if the guess was wrong. */
  end(mark: number, reserve: number): void {
    const len = this.pos - mark - reserve;
    const size = varintSize32(len);
    if (size !== reserve) {
      if (size > reserve) this.ensure(size - reserve);
      this.buf.copyWithin(mark + size, mark + reserve, this.pos);
      this.pos += size - reserve;
    }
    const buf = this.buf;
    let v = len;
    let p = mark;
    while (v > 0x7f) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p] = v;
  }
}
