import { RowBinaryWriter } from './row-binary-writer.ts';
import type { TableSpec } from './tables.ts';

type Encode = (w: RowBinaryWriter, v: unknown) => void;

const encoders: Record<string, Encode> = {
  String: (w, v) => w.str(String(v ?? '')),
  UInt64: (w, v) => w.u64Text(typeof v === 'string' ? v : String(Math.max(0, Math.trunc(Number(v ?? 0))))),
  'DateTime64(9)': (w, v) => w.u64Text(typeof v === 'string' ? v : String(Math.max(0, Math.trunc(Number(v ?? 0))))),
  UInt32: (w, v) => w.u32(Number(v ?? 0)),
  UInt8: (w, v) => w.u8(Number(v ?? 0) & 0xff),
  Int32: (w, v) => w.i32(Number(v ?? 0)),
  Float64: (w, v) => w.f64(Number(v ?? 0)),
  Bool: (w, v) => w.u8(v ? 1 : 0),
  'Map(String, String)': (w, v) => {
    const entries = Object.entries((v ?? {}) as Record<string, string>);
    w.varint(entries.length);
    for (const [k, val] of entries) {
      w.str(k);
      w.str(val);
    }
  },
};

function encoderFor(type: string): Encode {
  const direct = encoders[type];
  if (direct) return direct;
  const inner = /^Array\((.+)\)$/.exec(type)?.[1];
  if (inner) {
    const item = encoderFor(inner);
    return (w, v) => {
      const list = (v ?? []) as unknown[];
      w.varint(list.length);
      for (const x of list) item(w, x);
    };
  }
  throw new Error(`no RowBinary encoder for ${type}`);
}

const cache = new WeakMap<TableSpec, Encode[]>();

/** Encodes rows (arrays in the order of `spec.fields`) as RowBinary. */
export function encodeRows(spec: TableSpec, rows: unknown[][], w: RowBinaryWriter = new RowBinaryWriter(64 * 1024)): Buffer {
  let enc = cache.get(spec);
  if (!enc) {
    enc = spec.fields.map((f) => encoderFor(f.type));
    cache.set(spec, enc);
  }
  for (const row of rows) for (let i = 0; i < enc.length; i++) enc[i](w, row[i]);
  return Buffer.from(w.view());
}
