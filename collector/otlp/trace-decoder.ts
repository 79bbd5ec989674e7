import { RowBinaryWriter } from '../rows/row-binary-writer.ts';
import { spanKindNames, statusCodeNames } from '../rows/trace-names.ts';
import { ERR_OTLP_BAD_INPUT } from './bad-input.ts';
import { FieldWriter, Ranges } from './field-writer.ts';
import { checkId, writeEventColumns, writeLinkColumns } from './span-columns.ts';
import { Malformed } from './wire-reader.ts';

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

const ZERO8 = new Uint8Array(8);
/** RowBinary strings for the fixed column values, encoded once. */
const preEncoded = (names: readonly string[]) =>
  names.map((n) => {
    const b = Buffer.from(n);
    return Buffer.concat([Buffer.from([b.length]), b]);
  });
const KIND_BYTES = preEncoded(spanKindNames);
const STATUS_BYTES = preEncoded(statusCodeNames);

export class TraceDecoder {
  private readonly f = new FieldWriter();
  private resAttrs = new RowBinaryWriter(4096);
  private attrs = new Ranges();
  private events = new Ranges();
  private links = new Ranges();

  /** Appends rows for `body` to `out`; on malformed input throws a 400 and leaves `out` to be discarded. */
  decode(body: Uint8Array, out: RowBinaryWriter): DecodedTraces {
    this.f.reset(body);
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
    const r = this.f.r;
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
    const r = this.f.r;
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
      this.f.keyValue(list[i], list[i + 1], this.resAttrs);
      const ks = this.f.keyStart;
      if (this.f.keyEnd - ks === 12 && isServiceName(r.b, ks)) {
        // The value was just written as a string: remember its bytes.
        const valueLen = this.f.lastValueEnd - this.f.lastValueStart;
        if (this.f.lastValueWasString) {
          serviceS = this.f.lastValueStart;
          serviceE = this.f.lastValueStart + valueLen;
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

  private scopeSpans(start: number, end: number, where: string, serviceS: number, serviceE: number, resAttrs: Buffer, out: RowBinaryWriter, result: DecodedTraces): void {
    const r = this.f.r;
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
    const r = this.f.r;
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
    this.f.map(this.attrs, out);
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
    writeEventColumns(this.f, this.events, out);
    writeLinkColumns(this.f, this.links, scopeWhere, index, out);
    return true;
  }

}

function readU32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 16777216;
}

function isZero(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (b[i] !== 0) return false;
  return true;
}

const SERVICE_NAME = Buffer.from('service.name');
function isServiceName(b: Uint8Array, at: number): boolean {
  for (let i = 0; i < 12; i++) if (b[at + i] !== SERVICE_NAME[i]) return false;
  return true;
}
