import protobuf from 'protobufjs';

/** Bytes that are no protobuf message: the message says what broke and at which byte of the buffer. */
export class Malformed extends Error {}

/** A bounds-checked protobuf wire-format reader over one buffer (no allocation per field). */
export class WireReader {
  constructor(
    public b: Uint8Array,
    public p = 0,
  ) {}

  varint(end: number): number {
    let result = 0;
    let shift = 1;
    for (let i = 0; i < 10; i++) {
      if (this.p >= end) throw this.truncated('varint', end);
      const byte = this.b[this.p++];
      result += (byte & 0x7f) * shift;
      if (byte < 0x80) return result;
      shift *= 128;
    }
    throw new Malformed(`a varint longer than 10 bytes at byte ${this.p - 10}`);
  }

  /** Halves of the last varint64. */
  lo = 0;
  hi = 0;

  /** A varint as two 32-bit halves (left in lo/hi), for int64 values that may not fit a double. */
  varint64(end: number): void {
    let lo = 0;
    let hi = 0;
    let i = 0;
    for (; i < 4; i++) {
      if (this.p >= end) throw this.truncated('varint', end);
      const byte = this.b[this.p++];
      lo |= (byte & 0x7f) << (i * 7);
      if (byte < 0x80) {
        this.lo = lo >>> 0;
        this.hi = 0;
        return;
      }
    }
    if (this.p >= end) throw this.truncated('varint', end);
    let byte = this.b[this.p++];
    lo |= (byte & 0x0f) << 28;
    hi = (byte & 0x7f) >> 4;
    if (byte < 0x80) {
      this.lo = lo >>> 0;
      this.hi = hi >>> 0;
      return;
    }
    for (i = 0; i < 5; i++) {
      if (this.p >= end) throw this.truncated('varint', end);
      byte = this.b[this.p++];
      hi |= (byte & 0x7f) << (i * 7 + 3);
      if (byte < 0x80) {
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    throw new Malformed(`a varint longer than 10 bytes at byte ${this.p - 10}`);
  }

  /** Length of a LEN field; checks it fits before `end`. */
  len(end: number): number {
    const n = this.varint(end);
    if (this.p + n > end) throw new Malformed(`a length of ${n} (its data from byte ${this.p}) runs past the end of its message (byte ${end})`);
    return n;
  }

  skip(wireType: number, end: number): void {
    switch (wireType) {
      case 0:
        this.varint(end);
        return;
      case 1:
        if (this.p + 8 > end) throw this.truncated('fixed64', end);
        this.p += 8;
        return;
      case 2: {
        const n = this.len(end); // read before adding: len() moves p past the length itself
        this.p += n;
        return;
      }
      case 5:
        if (this.p + 4 > end) throw this.truncated('fixed32', end);
        this.p += 4;
        return;
      default:
        throw new Malformed(`invalid wire type ${wireType} in the tag before byte ${this.p}`);
    }
  }

  /**
   * Passes over the packed list of `n` bytes here (a repeated scalar sent as LEN) whose items have wire type `wire`
   * (0 varint, 1 fixed64, 5 fixed32): a list of fixed-size items whose length is not a multiple of theirs, or whose last
   * varint is cut short, is Malformed.
   */
  packed(wire: number, n: number): void {
    const end = this.p + n;
    const size = wire === 1 ? 8 : wire === 5 ? 4 : 0;
    if (size > 0 && n % size !== 0)
      throw new Malformed(
        `a packed list of ${size === 8 ? 'fixed64' : 'fixed32'} values of ${n} bytes (its data from byte ${this.p}), not a multiple of ${size}`,
      );
    if (size > 0) this.p = end;
    else while (this.p < end) this.varint(end);
  }

  /** A `what` (varint, fixed64, fixed32) cut short by the end of its message at `end`. */
  private truncated(what: string, end: number): Malformed {
    return new Malformed(`a ${what} cut short by the end of its message (byte ${end})`);
  }

  fixed64At(end: number): number {
    if (this.p + 8 > end) throw this.truncated('fixed64', end);
    const at = this.p;
    this.p += 8;
    return at;
  }
}

/** The wire type of the items of `field` when it may be sent packed (a repeated number: 0, 1 or 5), else undefined. */
export function packedWireOf(field: protobuf.Field): number | undefined {
  return (protobuf.types.packed as Record<string, number | undefined>)[field.type];
}
