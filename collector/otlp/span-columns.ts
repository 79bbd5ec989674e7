import { mayRedactSpanName, redactSpanName } from '../../core/net/attribute-secrets.ts';
import type { RowBinaryWriter } from '../rows/row-binary-writer.ts';
import { ERR_OTLP_BAD_INPUT } from './bad-input.ts';
import { isUtf8Range, repairedText, validText, type FieldWriter, type Ranges } from './field-writer.ts';
import { cutEnd } from './limits.ts';
import { TAG } from './proto-fields.ts';
import { EVENT_WIRE, isWrongWire, wrongWireError } from './wire-types.ts';

// The Events.* and Links.* columns of one span: Nested columns are parallel arrays, so each
// column walks the span's events (or links) once.

const ZERO8 = new Uint8Array(8);
const EVENT = TAG['Span.Event'];
const LINK = TAG['Span.Link'];

/** What a column writer needs about the span being written. */
export interface SpanLists {
  f: FieldWriter;
  events: Ranges;
  links: Ranges;
  /** Path of the span's scope (`resourceSpans[0].scopeSpans[1]`) and the span's index, for messages. */
  scopeWhere: string;
  index: number;
  /** AttributeValueLengthLimit of the request: longer event names and link trace states are cut. */
  textLimit: number;
}

/**
 * Events.Timestamp: the event's time_unix_nano (0 when absent). The first column to read each event whole: a field of it
 * sent with another wire type (`name` as a varint) refuses the span (ERR_OTLP_BAD_INPUT naming it), as its own fields do.
 */
export function eventTimestamps({ f, events, scopeWhere, index }: SpanLists, out: RowBinaryWriter): void {
  const r = f.r;
  const ev = events.list;
  out.varint(ev.length / 2);
  for (let i = 0; i < ev.length; i += 2) {
    let at = -1;
    r.p = ev[i];
    while (r.p < ev[i + 1]) {
      const t = r.varint(ev[i + 1]);
      if (t === EVENT.time_unix_nano) at = r.fixed64At(ev[i + 1]);
      else {
        if (isWrongWire(EVENT_WIRE, t)) throw wrongWireError(`${scopeWhere}.spans[${index}].events[${i / 2}]`, EVENT_WIRE, t);
        r.skip(t & 7, ev[i + 1]);
      }
    }
    if (at >= 0) out.raw8(r.b, at);
    else out.raw8(ZERO8, 0);
  }
}

/** Events.Name, cut to the length limit, then with its secrets redacted as a span's name is (`redactSpanName`; decoded only when it may hold one). */
export function eventNames({ f, events, scopeWhere, index, textLimit }: SpanLists, out: RowBinaryWriter): void {
  const ev = events.list;
  out.varint(ev.length / 2);
  for (let i = 0; i < ev.length; i += 2) {
    f.stringField(ev[i], ev[i + 1], EVENT.name);
    const end = f.fieldEnd - f.fieldStart <= textLimit ? f.fieldEnd : cutListText(f, scopeWhere, index, 'events', i / 2, 'name');
    const b = f.r.b;
    const valid = isUtf8Range(b, f.fieldStart, end);
    if (valid && !mayRedactSpanName(b, f.fieldStart, end)) out.bytes(b, f.fieldStart, end);
    else {
      if (!valid) f.invalidUtf8(`${scopeWhere}.spans[${index}].events[${i / 2}].name`, f.fieldStart);
      out.str(redactSpanName(valid ? validText(b, f.fieldStart, end) : repairedText(b, f.fieldStart, end)));
    }
  }
}

/** Events.Attributes, under the attribute limits. */
export function eventAttributes({ f, events }: SpanLists, out: RowBinaryWriter): void {
  const ev = events.list;
  out.varint(ev.length / 2);
  f.at.itemKind = 'events';
  for (let i = 0; i < ev.length; i += 2) {
    f.at.item = i / 2;
    f.mapOf(ev[i], ev[i + 1], EVENT.attributes, out);
  }
  f.at.itemKind = '';
}

/** Links.TraceId, Links.SpanId: ids of the wrong length are refused. */
function linkIds(s: SpanLists, out: RowBinaryWriter, tag: number, bytes: number, field: string): void {
  const { f, links } = s;
  const lk = links.list;
  out.varint(lk.length / 2);
  for (let i = 0; i < lk.length; i += 2) {
    f.stringField(lk[i], lk[i + 1], tag);
    checkId(s, { field, length: f.fieldEnd - f.fieldStart, want: bytes, link: i / 2 });
    out.hexId(f.r.b, f.fieldStart, f.fieldEnd);
  }
}

export const linkTraceIds = (s: SpanLists, out: RowBinaryWriter) => linkIds(s, out, LINK.trace_id, 16, 'traceId');
export const linkSpanIds = (s: SpanLists, out: RowBinaryWriter) => linkIds(s, out, LINK.span_id, 8, 'spanId');

/** Links.TraceState. */
export function linkTraceStates({ f, links, scopeWhere, index, textLimit }: SpanLists, out: RowBinaryWriter): void {
  const lk = links.list;
  out.varint(lk.length / 2);
  for (let i = 0; i < lk.length; i += 2) {
    f.stringField(lk[i], lk[i + 1], LINK.trace_state);
    const end = f.fieldEnd - f.fieldStart <= textLimit ? f.fieldEnd : cutListText(f, scopeWhere, index, 'links', i / 2, 'traceState');
    if (isUtf8Range(f.r.b, f.fieldStart, end)) out.bytes(f.r.b, f.fieldStart, end);
    else f.invalidText(out, f.fieldStart, end, `${scopeWhere}.spans[${index}].links[${i / 2}].traceState`);
  }
}

/**
 * The end of the field `f` read last, cut to AttributeValueLengthLimit and reported at `…spans[index].<list>[item].<field>`.
 * Kept out of the column writers: a closure over their loop variables there cost every span (about a tenth of the rate).
 */
function cutListText(f: FieldWriter, scopeWhere: string, index: number, list: string, item: number, field: string): number {
  return cutEnd(f.r.b, f.fieldStart, f.fieldEnd, f.ctx.limits, f.ctx.report, () => `${scopeWhere}.spans[${index}].${list}[${item}].${field}`);
}

/** Links.Attributes, under the attribute limits. */
export function linkAttributes({ f, links }: SpanLists, out: RowBinaryWriter): void {
  const lk = links.list;
  out.varint(lk.length / 2);
  f.at.itemKind = 'links';
  for (let i = 0; i < lk.length; i += 2) {
    f.at.item = i / 2;
    f.mapOf(lk[i], lk[i + 1], LINK.attributes, out);
  }
  f.at.itemKind = '';
}

/** An id field of a span (or of its link number `link`): its name, its length in bytes, the length it must have. */
export interface IdCheck {
  field: string;
  length: number;
  want: number;
  link?: number;
}

/** An id of the wrong length (0 is absent, allowed) is the sender's mistake; the message names the field (built only then). */
export function checkId(span: Pick<SpanLists, 'scopeWhere' | 'index'>, id: IdCheck): void {
  if (id.length === 0 || id.length === id.want) return;
  const where = `${span.scopeWhere}.spans[${span.index}]${id.link !== undefined ? `.links[${id.link}]` : ''}.${id.field}`;
  throw ERR_OTLP_BAD_INPUT(`${where} must be ${id.want} bytes, got ${id.length}.`);
}
