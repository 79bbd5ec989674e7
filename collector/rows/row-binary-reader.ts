import type { TableSpec } from './tables.ts';

/** Moves past one RowBinary value of some type: returns the position after the value that starts at `p`. */
export type Skip = (b: Buffer, p: number) => number;

/**
 * Reads a RowBinary length (unsigned LEB128 varint) at `p`: returns [value, position after it]. Throws a
 * RangeError when the buffer ends inside it.
 */
export function varint(b: Buffer, p: number): [number, number] {
  let n = 0;
  let shift = 1;
  for (;;) {
    if (p >= b.length) throw new RangeError('RowBinary segment ends inside a length');
    const byte = b[p++];
    n += (byte & 0x7f) * shift;
    if (byte < 0x80) return [n, p];
    shift *= 128;
  }
}

const skipString: Skip = (b, p) => {
  const [n, q] = varint(b, p);
  return q + n;
};
const fixed =
  (n: number): Skip =>
  (_b, p) =>
    p + n;

const skippers: Record<string, Skip> = {
  String: skipString,
  UInt64: fixed(8),
  'DateTime64(9)': fixed(8),
  Float64: fixed(8),
  UInt32: fixed(4),
  Int32: fixed(4),
  UInt8: fixed(1),
  Bool: fixed(1),
  'Map(String, String)': (b, p) => {
    const [n, q] = varint(b, p);
    let r = q;
    for (let i = 0; i < 2 * n; i++) r = skipString(b, r);
    return r;
  },
};

/** A Skip for a RowBinary type of the collector's tables (String, numbers, Map(String, String), Array of those); throws for other types. */
export function skipperFor(type: string): Skip {
  const direct = skippers[type];
  if (direct) return direct;
  const inner = /^Array\((.+)\)$/.exec(type)?.[1];
  if (!inner) throw new Error(`no RowBinary reader for ${type}`);
  const item = skipperFor(inner);
  return (b, p) => {
    const [n, q] = varint(b, p);
    let r = q;
    for (let i = 0; i < n; i++) r = item(b, r);
    return r;
  };
}

const DAY_NS = 86_400_000_000_000n;

/**
 * The rows of a RowBinary segment written for `spec`, each as its byte range and the UTC day
 * (days since the epoch) of the table's partition column. The loader uses it to split a segment
 * the store refuses for spanning too many partitions.
 */
export function segmentRows(spec: TableSpec, b: Buffer): { start: number; end: number; day: number }[] {
  const skips = spec.fields.map((f) => skipperFor(f.type));
  const dayField = spec.fields.findIndex((f) => f.column === spec.partitionColumn);
  const rows: { start: number; end: number; day: number }[] = [];
  let p = 0;
  while (p < b.length) {
    const start = p;
    let day = 0;
    for (let i = 0; i < skips.length; i++) {
      if (i === dayField) day = Number(b.readBigUInt64LE(p) / DAY_NS);
      p = skips[i](b, p);
    }
    if (p > b.length) throw new RangeError('RowBinary segment ends inside a row');
    rows.push({ start, end: p, day });
  }
  return rows;
}
