/**
 * A growable buffer that writes ClickHouse RowBinary: LEB128 lengths, little-endian numbers,
 * strings as length + bytes. Spool segments are RowBinary, so the engine reads them without
 * parsing text and the hot path copies protobuf bytes straight through.
 */
export class RowBinaryWriter {
  buf: Buffer;
  pos = 0;
  /**
   * The most bytes this writer may hold; growing past it calls `onLimit` (which throws). Checked
   * only when the buffer grows, so the hot path pays nothing for it.
   */
  limit = Infinity;
  onLimit: (limit: number) => never = (limit) => {
    throw new RangeError(`row data past ${limit} bytes`);
  };

  constructor(size = 1 << 20) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.pos + n > this.limit) this.onLimit(this.limit);
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    size = Math.min(size, Math.max(this.limit, this.pos + n));
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Empties the writer; a buffer grown past `keep` bytes by one large request is let go. */
  reset(keep = 16 << 20): void {
    this.pos = 0;
    if (this.buf.length > keep) this.buf = Buffer.allocUnsafe(keep);
  }

  /** The bytes written so far (a view; copy before reusing the writer). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  varint(v: number): void {
    this.ensure(10);
    while (v > 0x7f) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  i32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32LE(v | 0, this.pos);
    this.pos += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** UInt64 from two 32-bit halves. */
  u64(lo: number, hi: number): void {
    this.ensure(8);
    this.buf.writeUInt32LE(lo >>> 0, this.pos);
    this.buf.writeUInt32LE(hi >>> 0, this.pos + 4);
    this.pos += 8;
  }

  /** UInt64 from decimal text. */
  u64Text(v: string): void {
    this.ensure(8);
    if (v.length < 16) {
      const n = Number(v);
      this.buf.writeUInt32LE(n % 4294967296, this.pos);
      this.buf.writeUInt32LE(Math.floor(n / 4294967296), this.pos + 4);
    } else this.buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)), this.pos);
    this.pos += 8;
  }

  /** Copies 8 raw bytes (a protobuf fixed64 is already little-endian). */
  raw8(src: Uint8Array, at: number): void {
    this.ensure(8);
    for (let i = 0; i < 8; i++) this.buf[this.pos + i] = src[at + i];
    this.pos += 8;
  }

  /** A string from bytes `src[start, end)`. */
  bytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n + 5);
    let pos = this.pos;
    const buf = this.buf;
    if (n < 128) buf[pos++] = n;
    else {
      let v = n;
      while (v > 0x7f) {
        buf[pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[pos++] = v;
    }
    // Short strings (most keys and values) copy faster by hand than through a subarray view.
    if (n <= 64) for (let i = start; i < end; i++) buf[pos++] = src[i];
    else {
      buf.set(src.subarray(start, end), pos);
      pos += n;
    }
    this.pos = pos;
  }

  /** Bytes that are already a complete RowBinary value (a pre-encoded string, a map). */
  raw(src: Uint8Array): void {
    this.ensure(src.length);
    if (src.length <= 64) for (let i = 0; i < src.length; i++) this.buf[this.pos++] = src[i];
    else {
      this.buf.set(src, this.pos);
      this.pos += src.length;
    }
  }

  str(s: string): void {
    if (s.length < 64) {
      // Worst case 3 bytes per UTF-16 unit; write after a one-byte length, fix up if longer.
      this.ensure(1 + s.length * 3);
      const n = this.buf.write(s, this.pos + 1, 'utf8');
      if (n < 128) {
        this.buf[this.pos] = n;
        this.pos += 1 + n;
        return;
      }
    }
    const b = Buffer.from(s, 'utf8');
    this.bytes(b, 0, b.length);
  }

  /** A string given as a byte string: one char per byte, char codes 0–255 (`buffer.toString('latin1')`). */
  latin1(s: string): void {
    const n = s.length;
    this.varint(n);
    this.ensure(n);
    if (n <= 64) for (let i = 0; i < n; i++) this.buf[this.pos++] = s.charCodeAt(i);
    else this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  /** Lowercase hex of `src[start, end)` as a string; '' when all zero. */
  hexId(src: Uint8Array, start: number, end: number): void {
    let zero = true;
    for (let i = start; i < end; i++) if (src[i] !== 0) zero = false;
    if (zero || end === start) {
      this.varint(0);
      return;
    }
    const n = (end - start) * 2;
    this.varint(n);
    this.ensure(n);
    for (let i = start; i < end; i++) {
      const b = src[i];
      this.buf[this.pos++] = HEX[b >> 4];
      this.buf[this.pos++] = HEX[b & 15];
    }
  }

  /** Moves bytes `[from, pos)` right by `by` bytes, leaving a gap at `from` (for a late length prefix). */
  openGap(from: number, by: number): void {
    this.ensure(by);
    this.buf.copy(this.buf, from + by, from, this.pos);
    this.pos += by;
  }
}

const HEX = Buffer.from('0123456789abcdef', 'latin1');

/** Bytes LEB128 needs for `v`. */
export function varintSize(v: number): number {
  let n = 1;
  while (v > 0x7f) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
