import type { RowBinaryWriter } from '../rows/row-binary-writer.ts';
import { anyValueText, doubleText } from './any-value.ts';
import { messages } from './proto-codec.ts';
import { WireReader } from './wire-reader.ts';

const anyValueType = messages.traces.request.root.lookupType('weft.otlp.AnyValue');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');

/** Byte ranges of repeated fields: [start, end) pairs. */
export class Ranges {
  list: number[] = [];
  clear() {
    this.list.length = 0;
  }
  push(s: number, e: number) {
    this.list.push(s, e);
  }
}

/**
 * Reads OTLP common messages (KeyValue, AnyValue) from protobuf bytes and writes them as
 * RowBinary: attribute maps as `Map(String, String)` with the values' text as the OpenTelemetry
 * Collector renders it. Results that are positions (a field's range, the last key) are left in
 * fields rather than returned, so the hot path allocates nothing.
 */
export class FieldWriter {
  r = new WireReader(new Uint8Array(0));
  view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  lastValueStart = 0;
  lastValueEnd = 0;
  lastValueWasString = false;
  private readonly scratch = new Ranges();

  reset(body: Uint8Array): void {
    this.r = new WireReader(body);
    this.view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  }

  fieldStart = 0;
  fieldEnd = 0;

  /** The last LEN field `field` of the message in [start, end), left in fieldStart/fieldEnd. */
  stringField(start: number, end: number, field: number): void {
    const r = this.r;
    let s = 0;
    let e = 0;
    r.p = start;
    while (r.p < end) {
      const t = r.varint(end);
      if (t >>> 3 === field && (t & 7) === 2) {
        const m = r.len(end);
        s = r.p;
        e = r.p + m;
        r.p += m;
      } else r.skip(t & 7, end);
    }
    this.fieldStart = s;
    this.fieldEnd = e;
  }

  /** A Map column from the repeated KeyValue field `field` of the message in [start, end). */
  mapOf(start: number, end: number, field: number, out: RowBinaryWriter): void {
    const r = this.r;
    const kvs = this.scratch;
    kvs.clear();
    r.p = start;
    while (r.p < end) {
      const t = r.varint(end);
      if (t >>> 3 === field && (t & 7) === 2) {
        const m = r.len(end);
        kvs.push(r.p, r.p + m);
        r.p += m;
      } else r.skip(t & 7, end);
    }
    this.map(kvs, out);
  }

  map(kvs: Ranges, out: RowBinaryWriter): void {
    const list = kvs.list;
    out.varint(list.length / 2);
    for (let i = 0; i < list.length; i += 2) this.keyValue(list[i], list[i + 1], out);
  }

  keyStart = 0;
  keyEnd = 0;

  /** Writes key and value text of one KeyValue; leaves the key's byte range in keyStart/keyEnd. */
  keyValue(start: number, end: number, out: RowBinaryWriter): void {
    const r = this.r;
    let ks = 0;
    let ke = 0;
    let vs = -1;
    let ve = -1;
    r.p = start;
    while (r.p < end) {
      const t = r.varint(end);
      if ((t & 7) === 2 && (t >>> 3 === 1 || t >>> 3 === 2)) {
        const m = r.len(end);
        if (t >>> 3 === 1) {
          ks = r.p;
          ke = r.p + m;
        } else {
          vs = r.p;
          ve = r.p + m;
        }
        r.p += m;
      } else r.skip(t & 7, end);
    }
    out.bytes(r.b, ks, ke);
    this.valueText(vs, ve, out);
    this.keyStart = ks;
    this.keyEnd = ke;
  }

  /** An AnyValue's text, as `anyValueText` renders it. */
  valueText(start: number, end: number, out: RowBinaryWriter): void {
    this.lastValueWasString = false;
    if (start < 0) {
      out.varint(0);
      return;
    }
    const r = this.r;
    const b = r.b;
    let kind = 0;
    let s = 0;
    let e = 0;
    let lo = 0;
    let hi = 0;
    let at = 0;
    r.p = start;
    while (r.p < end) {
      const t = r.varint(end);
      const f = t >>> 3;
      const wt = t & 7;
      if (wt === 2 && (f === 1 || f === 5 || f === 6 || f === 7)) {
        const m = r.len(end);
        kind = f;
        s = r.p;
        e = r.p + m;
        r.p += m;
      } else if (wt === 0 && (f === 2 || f === 3)) {
        kind = f;
        r.varint64(end);
        lo = r.lo;
        hi = r.hi;
      } else if (wt === 1 && f === 4) {
        kind = 4;
        at = r.fixed64At(end);
      } else r.skip(wt, end);
    }
    switch (kind) {
      case 1:
        this.lastValueWasString = true;
        out.bytes(b, s, e);
        this.lastValueStart = s;
        this.lastValueEnd = e;
        return;
      case 2: {
        const v = lo !== 0 || hi !== 0 ? TRUE : FALSE;
        out.bytes(v, 0, v.length);
        return;
      }
      case 3:
        out.str(int64Text(lo, hi));
        return;
      case 4:
        out.str(doubleText(this.view.getFloat64(at, true)));
        return;
      case 7:
        out.str(Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('base64'));
        return;
      case 5:
      case 6: {
        const decoded = anyValueType.decode(b.subarray(start, end)) as unknown as Record<string, unknown>;
        out.str(anyValueText(decoded));
        return;
      }
      default:
        out.varint(0);
    }
  }
}

function int64Text(lo: number, hi: number): string {
  if (hi < 0x200000) return String(hi * 4294967296 + lo);
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
}
