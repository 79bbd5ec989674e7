import type { RowBinaryWriter } from '../rows/row-binary-writer.ts';
import { ERR_OTLP_BAD_INPUT } from './bad-input.ts';
import type { FieldWriter, Ranges } from './field-writer.ts';

// The Events.* and Links.* columns of one span: Nested columns are parallel arrays, so each
// column walks the span's events (or links) once.

const ZERO8 = new Uint8Array(8);

/** Events.Timestamp, Events.Name, Events.Attributes. */
export function writeEventColumns(f: FieldWriter, events: Ranges, out: RowBinaryWriter): void {
  const r = f.r;
  const ev = events.list;
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
    f.stringField(ev[i], ev[i + 1], 2);
    out.bytes(r.b, f.fieldStart, f.fieldEnd);
  }
  // Events.Attributes
  out.varint(n);
  for (let i = 0; i < ev.length; i += 2) f.mapOf(ev[i], ev[i + 1], 3, out);
}

/** Links.TraceId, Links.SpanId, Links.TraceState, Links.Attributes; ids of the wrong length are refused. */
export function writeLinkColumns(f: FieldWriter, links: Ranges, scopeWhere: string, index: number, out: RowBinaryWriter): void {
  const r = f.r;
  const lk = links.list;
  const n = lk.length / 2;
  out.varint(n);
  for (let i = 0; i < lk.length; i += 2) {
    f.stringField(lk[i], lk[i + 1], 1);
    checkId(f.fieldEnd - f.fieldStart, 16, scopeWhere, index, 'traceId', i / 2);
    out.hexId(r.b, f.fieldStart, f.fieldEnd);
  }
  out.varint(n);
  for (let i = 0; i < lk.length; i += 2) {
    f.stringField(lk[i], lk[i + 1], 2);
    checkId(f.fieldEnd - f.fieldStart, 8, scopeWhere, index, 'spanId', i / 2);
    out.hexId(r.b, f.fieldStart, f.fieldEnd);
  }
  out.varint(n);
  for (let i = 0; i < lk.length; i += 2) {
    f.stringField(lk[i], lk[i + 1], 3);
    out.bytes(r.b, f.fieldStart, f.fieldEnd);
  }
  out.varint(n);
  for (let i = 0; i < lk.length; i += 2) f.mapOf(lk[i], lk[i + 1], 4, out);
}

/** An id of the wrong length is the sender's mistake; the message names the field (built only then). */
export function checkId(length: number, want: number, scopeWhere: string, span: number, field: string, link = -1): void {
  if (length === 0 || length === want) return;
  const where = `${scopeWhere}.spans[${span}]${link >= 0 ? `.links[${link}]` : ''}.${field}`;
  throw ERR_OTLP_BAD_INPUT(`${where} must be ${want} bytes, got ${length}.`);
}
