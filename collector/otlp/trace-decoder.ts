import { RowBinaryWriter } from '../rows/row-binary-writer.ts';
import { spanKindNames, statusCodeNames } from '../rows/trace-names.ts';
import { anyValueText, doubleText } from './any-value.ts';
import { ERR_OTLP_BAD_INPUT } from './bad-input.ts';
import { messages } from './proto-codec.ts';
import { Malformed, WireReader } from './wire-reader.ts';

/**
 * The hot path: reads an ExportTraceServiceRequest straight from protobuf bytes and writes
 * otel_traces rows as RowBinary (the layout of `tables.otel_traces`), without building
 * JavaScript objects per span. Strings are copied byte for byte; ids become hex; times stay
 * fixed64. Produces the same rows as `traceRows()` over a protobufjs decode.
 */
export interface DecodedTraces {
  rows: number;
  rejected: number;
  message: string;
}

const anyValueType = messages.traces.request.root.lookupType('weft.otlp.AnyValue');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const ZERO8 = new Uint8Array(8);
/** RowBinary strings for the fixed column values, encoded once. */
const preEncoded = (names: readonly string[]) =>
  names.map((n) => {
    const b = Buffer.from(n);
    return Buffer.concat([Buffer.from([b.length]), b]);
  });
const KIND_BYTES = preEncoded(spanKindNames);
const STATUS_BYTES = preEncoded(statusCodeNames);

/** Field ranges of one message: [start, end) pairs per field number (only the ones asked for). */
class Ranges {
  list: number[] = [];
  clear() {
    this.list.length = 0;
  }
  push(s: number, e: number) {
    this.list.push(s, e);
  }
  get count() {
    return this.list.length / 2;
  }
}

export class TraceDecoder {
  private r = new WireReader(new Uint8Array(0));
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private resAttrs = new RowBinaryWriter(4096);
  private attrs = new Ranges();
  private events = new Ranges();
  private links = new Ranges();
  private scratch = new Ranges();

  /** Appends rows for `body` to `out`; on malformed input throws a 400 and leaves `out` to be discarded. */
  decode(body: Uint8Array, out: RowBinaryWriter): DecodedTraces {
    this.r = new WireReader(body);
    this.view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const result = { rows: 0, rejected: 0, message: '' };
    try {
      this.request(body.length, out, result);
    } catch (err) {
      if (err instanceof Malformed) throw ERR_OTLP_BAD_INPUT(`The body is not a valid OTLP ExportTraceServiceRequest in protobuf: ${err.message}.`);
      throw err;
    }
    if (result.rejected > 0) result.message = 'spans without a trace id or span id were rejected';
    return result;
  }

  private request(end: number, out: RowBinaryWriter, result: DecodedTraces): void {
    const r = this.r;
    let index = 0;
    while (r.p < end) {
      const tag = r.varint(end);
      if (tag >>> 3 === 1 && (tag & 7) === 2) {
        const n = r.len(end);
        const start = r.p;
        this.resourceSpans(start, start + n, `resourceSpans[${index++}]`, out, result);
        r.p = start + n;
      } else r.skip(tag & 7, end);
    }
  }

  private resourceSpans(start: number, end: number, where: string, out: RowBinaryWriter, result: DecodedTraces): void {
    const r = this.r;
    // Pass 1: the resource (it may follow the scopes on the wire).
    let serviceS = 0;
    let serviceE = 0;
    this.resAttrs.reset();
    this.attrs.clear();
    r.p = start;
    while (r.p < end) {
      const tag = r.varint(end);
      if (tag >>> 3 === 1 && (tag & 7) === 2) {
        const n = r.len(end);
        const resEnd = r.p + n;
        while (r.p < resEnd) {
          const t = r.varint(resEnd);
          if (t >>> 3 === 1 && (t & 7) === 2) {
            const m = r.len(resEnd);
            this.attrs.push(r.p, r.p + m);
            r.p += m;
          } else r.skip(t & 7, resEnd);
        }
      } else r.skip(tag & 7, end);
    }
    const list = this.attrs.list;
    this.resAttrs.varint(list.length / 2);
    for (let i = 0; i < list.length; i += 2) {
      this.keyValue(list[i], list[i + 1], this.resAttrs);
      const ks = this.keyStart;
      if (this.keyEnd - ks === 12 && isServiceName(r.b, ks)) {
        // The value was just written as a string: remember its bytes.
        const valueLen = this.lastValueEnd - this.lastValueStart;
        if (this.lastValueWasString) {
          serviceS = this.lastValueStart;
          serviceE = this.lastValueStart + valueLen;
        }
      }
    }
    const resAttrs = Buffer.from(this.resAttrs.view());
    // Pass 2: the scopes and their spans.
    r.p = start;
    let scopeIndex = 0;
    while (r.p < end) {
      const tag = r.varint(end);
      if (tag >>> 3 === 2 && (tag & 7) === 2) {
        const n = r.len(end);
        const s = r.p;
        this.scopeSpans(s, s + n, `${where}.scopeSpans[${scopeIndex++}]`, serviceS, serviceE, resAttrs, out, result);
        r.p = s + n;
      } else r.skip(tag & 7, end);
    }
  }

  private lastValueStart = 0;
  private lastValueEnd = 0;
  private lastValueWasString = false;

  private scopeSpans(start: number, end: number, where: string, serviceS: number, serviceE: number, resAttrs: Buffer, out: RowBinaryWriter, result: DecodedTraces): void {
    const r = this.r;
    let nameS = 0;
    let nameE = 0;
    let versionS = 0;
    let versionE = 0;
    r.p = start;
    while (r.p < end) {
      const tag = r.varint(end);
      if (tag >>> 3 === 1 && (tag & 7) === 2) {
        const n = r.len(end);
        const scopeEnd = r.p + n;
        while (r.p < scopeEnd) {
          const t = r.varint(scopeEnd);
          const f = t >>> 3;
          if ((f === 1 || f === 2) && (t & 7) === 2) {
            const m = r.len(scopeEnd);
            if (f === 1) [nameS, nameE] = [r.p, r.p + m];
            else [versionS, versionE] = [r.p, r.p + m];
            r.p += m;
          } else r.skip(t & 7, scopeEnd);
        }
      } else r.skip(tag & 7, end);
    }
    r.p = start;
    let spanIndex = 0;
    while (r.p < end) {
      const tag = r.varint(end);
      if (tag >>> 3 === 2 && (tag & 7) === 2) {
        const n = r.len(end);
        const s = r.p;
        this.scope[0] = nameS;
        this.scope[1] = nameE;
        this.scope[2] = versionS;
        this.scope[3] = versionE;
        if (this.span(s, s + n, where, spanIndex++, serviceS, serviceE, resAttrs, this.scope, out)) result.rows++;
        else result.rejected++;
        r.p = s + n;
      } else r.skip(tag & 7, end);
    }
  }

  /** Writes one row; false when the span has no trace id or span id (rejected). */
  private readonly scope = [0, 0, 0, 0];

  private span(start: number, end: number, scopeWhere: string, index: number, serviceS: number, serviceE: number, resAttrs: Buffer, scope: number[], out: RowBinaryWriter): boolean {
    const r = this.r;
    const b = r.b;
    let traceS = 0, traceE = 0, spanS = 0, spanE = 0, stateS = 0, stateE = 0, parentS = 0, parentE = 0, nameS = 0, nameE = 0;
    let kind = 0;
    let startAt = -1;
    let endAt = -1;
    let statusS = -1;
    let statusE = -1;
    this.attrs.clear();
    this.events.clear();
    this.links.clear();
    r.p = start;
    while (r.p < end) {
      const tag = r.varint(end);
      const field = tag >>> 3;
      const wt = tag & 7;
      if (wt === 2 && field !== 6 && field !== 7 && field !== 8 && field !== 16) {
        const n = r.len(end);
        const s = r.p;
        r.p += n;
        switch (field) {
          case 1: traceS = s; traceE = s + n; break;
          case 2: spanS = s; spanE = s + n; break;
          case 3: stateS = s; stateE = s + n; break;
          case 4: parentS = s; parentE = s + n; break;
          case 5: nameS = s; nameE = s + n; break;
          case 9: this.attrs.push(s, s + n); break;
          case 11: this.events.push(s, s + n); break;
          case 13: this.links.push(s, s + n); break;
          case 15: statusS = s; statusE = s + n; break;
          default: break;
        }
      } else if (field === 6 && wt === 0) kind = r.varint(end);
      else if (field === 7 && wt === 1) startAt = r.fixed64At(end);
      else if (field === 8 && wt === 1) endAt = r.fixed64At(end);
      else r.skip(wt, end);
    }
    checkId(traceE - traceS, 16, scopeWhere, index, 'traceId');
    checkId(spanE - spanS, 8, scopeWhere, index, 'spanId');
    checkId(parentE - parentS, 8, scopeWhere, index, 'parentSpanId');
    if (isZero(b, traceS, traceE) || isZero(b, spanS, spanE)) return false;
    if (kind < 0 || kind >= spanKindNames.length) throw ERR_OTLP_BAD_INPUT(`${scopeWhere}.spans[${index}].kind must be 0-5, got ${kind}.`);
    let code = 0;
    let msgS = 0;
    let msgE = 0;
    if (statusS >= 0) {
      r.p = statusS;
      while (r.p < statusE) {
        const t = r.varint(statusE);
        if (t >>> 3 === 2 && (t & 7) === 2) {
          const m = r.len(statusE);
          msgS = r.p;
          msgE = r.p + m;
          r.p += m;
        } else if (t >>> 3 === 3 && (t & 7) === 0) code = r.varint(statusE);
        else r.skip(t & 7, statusE);
      }
      if (code >= statusCodeNames.length) throw ERR_OTLP_BAD_INPUT(`${scopeWhere}.spans[${index}].status.code must be 0-2, got ${code}.`);
    }
    // Timestamp, ids, names
    if (startAt >= 0) out.raw8(b, startAt);
    else out.raw8(ZERO8, 0);
    out.hexId(b, traceS, traceE);
    out.hexId(b, spanS, spanE);
    out.hexId(b, parentS, parentE);
    out.bytes(b, stateS, stateE);
    out.bytes(b, nameS, nameE);
    out.raw(KIND_BYTES[kind]);
    out.bytes(b, serviceS, serviceE);
    out.raw(resAttrs);
    out.bytes(b, scope[0], scope[1]);
    out.bytes(b, scope[2], scope[3]);
    this.map(this.attrs, out);
    // Duration = end - start (0 when the end precedes the start), on 32-bit halves.
    if (startAt >= 0 && endAt >= 0) {
      const sLo = readU32(b, startAt), sHi = readU32(b, startAt + 4);
      const eLo = readU32(b, endAt), eHi = readU32(b, endAt + 4);
      let lo = eLo - sLo;
      let hi = eHi - sHi;
      if (lo < 0) {
        lo += 4294967296;
        hi -= 1;
      }
      if (hi < 0) out.u64(0, 0);
      else out.u64(lo, hi);
    } else out.u64(0, 0);
    out.raw(STATUS_BYTES[code]);
    out.bytes(b, msgS, msgE);
    this.eventColumns(out);
    this.linkColumns(scopeWhere, index, out);
    return true;
  }

  private eventColumns(out: RowBinaryWriter): void {
    const r = this.r;
    const ev = this.events.list;
    const n = ev.length / 2;
    // Events.Timestamp
    out.varint(n);
    for (let i = 0; i < ev.length; i += 2) {
      let at = -1;
      r.p = ev[i];
      while (r.p < ev[i + 1]) {
        const t = r.varint(ev[i + 1]);
        if (t >>> 3 === 1 && (t & 7) === 1) at = r.fixed64At(ev[i + 1]);
        else r.skip(t & 7, ev[i + 1]);
      }
      if (at >= 0) out.raw8(r.b, at);
      else out.raw8(ZERO8, 0);
    }
    // Events.Name
    out.varint(n);
    for (let i = 0; i < ev.length; i += 2) {
      this.stringField(ev[i], ev[i + 1], 2);
      out.bytes(r.b, this.fieldStart, this.fieldEnd);
    }
    // Events.Attributes
    out.varint(n);
    for (let i = 0; i < ev.length; i += 2) this.mapOf(ev[i], ev[i + 1], 3, out);
  }

  private linkColumns(scopeWhere: string, index: number, out: RowBinaryWriter): void {
    const r = this.r;
    const lk = this.links.list;
    const n = lk.length / 2;
    out.varint(n);
    for (let i = 0; i < lk.length; i += 2) {
      this.stringField(lk[i], lk[i + 1], 1);
      checkId(this.fieldEnd - this.fieldStart, 16, scopeWhere, index, 'traceId', i / 2);
      out.hexId(r.b, this.fieldStart, this.fieldEnd);
    }
    out.varint(n);
    for (let i = 0; i < lk.length; i += 2) {
      this.stringField(lk[i], lk[i + 1], 2);
      checkId(this.fieldEnd - this.fieldStart, 8, scopeWhere, index, 'spanId', i / 2);
      out.hexId(r.b, this.fieldStart, this.fieldEnd);
    }
    out.varint(n);
    for (let i = 0; i < lk.length; i += 2) {
      this.stringField(lk[i], lk[i + 1], 3);
      out.bytes(r.b, this.fieldStart, this.fieldEnd);
    }
    out.varint(n);
    for (let i = 0; i < lk.length; i += 2) this.mapOf(lk[i], lk[i + 1], 4, out);
  }

  private fieldStart = 0;
  private fieldEnd = 0;

  /** The last LEN field `field` of the message in [start, end), left in fieldStart/fieldEnd. */
  private stringField(start: number, end: number, field: number): void {
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
  private mapOf(start: number, end: number, field: number, out: RowBinaryWriter): void {
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

  private map(kvs: Ranges, out: RowBinaryWriter): void {
    const list = kvs.list;
    out.varint(list.length / 2);
    for (let i = 0; i < list.length; i += 2) this.keyValue(list[i], list[i + 1], out);
  }

  private keyStart = 0;
  private keyEnd = 0;

  /** Writes key and value text of one KeyValue; leaves the key's byte range in keyStart/keyEnd. */
  private keyValue(start: number, end: number, out: RowBinaryWriter): void {
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
  private valueText(start: number, end: number, out: RowBinaryWriter): void {
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

function readU32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 16777216;
}

function int64Text(lo: number, hi: number): string {
  if (hi < 0x200000) return String(hi * 4294967296 + lo);
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
}

function isZero(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (b[i] !== 0) return false;
  return true;
}

/** An id of the wrong length is the sender's mistake; the message names the field (built only then). */
function checkId(length: number, want: number, scopeWhere: string, span: number, field: string, link = -1): void {
  if (length === 0 || length === want) return;
  const where = `${scopeWhere}.spans[${span}]${link >= 0 ? `.links[${link}]` : ''}.${field}`;
  throw ERR_OTLP_BAD_INPUT(`${where} must be ${want} bytes, got ${length}.`);
}

const SERVICE_NAME = Buffer.from('service.name');
function isServiceName(b: Uint8Array, at: number): boolean {
  for (let i = 0; i < 12; i++) if (b[at + i] !== SERVICE_NAME[i]) return false;
  return true;
}
