import { mayRedactSpanName, mayRedactText, redactSpanName, redactText } from '../../core/net/attribute-secrets.ts';
import { varint } from '../rows/row-binary-reader.ts';
import { RowBinaryWriter } from '../rows/row-binary-writer.ts';
import { ExpansionBudget } from '../rows/expansion.ts';
import { traceColumns, type TraceColumn } from '../rows/trace-columns.ts';
import { spanKindNames, statusCodeNames } from '../rows/trace-names.ts';
import { TRACE_REASONS, type TraceContext } from '../rows/trace-rows.ts';
import { isWeftError } from '../../core/errors/index.ts';
import { ERR_OTLP_BAD_INPUT } from './bad-input.ts';
import { tooDeepReason, wrongFieldReason } from './item-refusal.ts';
import {
  isWrongWire,
  LINK_WIRE,
  RESOURCE_SPANS_WIRE,
  RESOURCE_WIRE,
  SCOPE_SPANS_WIRE,
  SCOPE_WIRE,
  SPAN_WIRE,
  STATUS_WIRE,
  TRACE_REQUEST_WIRE,
  wrongWireError,
  wrongWireMessage,
  type WireTable,
} from './wire-types.ts';
import { FieldWriter, isUtf8Range, Ranges, repairedText, validText } from './field-writer.ts';
import {
  END_BEFORE_START,
  ERR_OTLP_EXPANDS_TOO_MUCH,
  ERR_OTLP_TOO_DEEP,
  cutEnd,
  cutText,
  IngestReport,
  MAX_NAME_BYTES,
  NORMALIZED_ATTRIBUTE,
  resourceLimits,
  spanTimeProblem,
  truncateUtf8,
  unknownServiceName,
  WARN_SERVICE_NAME_CUT,
} from './limits.ts';
import { TAG } from './proto-fields.ts';
import { RECORDS_ATTRIBUTE, recordsValid, WARN_RECORDS } from './records-count.ts';
import * as lists from './span-columns.ts';
import { Malformed } from './wire-reader.ts';
import { malformed } from './proto-items.ts';
import { messages } from './proto-codec.ts';

const RESOURCE_TYPE = messages.traces.request.root.lookupType('weft.otlp.Resource');
const SCOPE_TYPE = messages.traces.request.root.lookupType('weft.otlp.InstrumentationScope');

/**
 * The hot path: reads an ExportTraceServiceRequest straight from protobuf bytes and writes
 * otel_traces rows as RowBinary (in the order of `traceColumns`), without building JavaScript
 * objects per span. Strings are copied byte for byte; ids become hex; times stay fixed64.
 * Produces the same rows, refusals and warnings as `traceRows()` over a protobufjs decode.
 */
export interface DecodedTraces {
  rows: number;
  rejected: number;
  message: string;
  /** `spanIdHashes` of each row's trace id and span id (h1, h2, …), in row order: the spool keeps copies of a span in two inserts. */
  ids: Uint32Array;
}

const ZERO8 = new Uint8Array(8);
/** By Span field number, the wire type its type has (-1: no such field). */
const SPAN_WIRE_TYPES = SPAN_WIRE.wire;
/** RowBinary strings for the fixed column values, encoded once. */
const rowBinaryString = (s: string) => {
  const w = new RowBinaryWriter(16);
  w.str(s);
  return Buffer.from(w.view());
};
const KIND_BYTES = spanKindNames.map(rowBinaryString);
const STATUS_BYTES = statusCodeNames.map(rowBinaryString);
const SERVICE_NAME = Buffer.from('service.name');
const NORMALIZED_KEY = Buffer.from(NORMALIZED_ATTRIBUTE);
const END_BEFORE_START_VALUE = Buffer.from(END_BEFORE_START);
const EXECUTABLE_NAME = Buffer.from('process.executable.name');
const RECORDS_KEY = Buffer.from(RECORDS_ATTRIBUTE);

/** The span being written: byte ranges of its fields in the request ([start, end) pairs). */
class SpanFields implements lists.SpanLists {
  traceS = 0;
  traceE = 0;
  spanS = 0;
  spanE = 0;
  stateS = 0;
  stateE = 0;
  parentS = 0;
  parentE = 0;
  nameS = 0;
  nameE = 0;
  kind = 0;
  startAt = -1;
  endAt = -1;
  /** The span ends before it starts: stored with duration 0 and `weft.normalized=end_before_start`. */
  backwards = false;
  code = 0;
  msgS = 0;
  msgE = 0;
  readonly attrs = new Ranges();
  readonly events = new Ranges();
  readonly links = new Ranges();
  scopeWhere = '';
  /** AttributeValueLengthLimit of the request: longer names and messages are cut (`cutSpanText`). */
  textLimit = Infinity;
  index = 0;
  /** The resource's columns, RowBinary-encoded once per ResourceSpans. */
  service: Buffer = Buffer.alloc(1);
  resourceAttributes: Buffer = Buffer.alloc(1);
  /** The scope's name and version ranges. */
  scopeNameS = 0;
  scopeNameE = 0;
  scopeVersionS = 0;
  scopeVersionE = 0;
  /** The scope's name and version RowBinary-encoded with U+FFFD when they are not UTF-8; null when they are (written as sent). */
  scopeNameText: Buffer | null = null;
  scopeVersionText: Buffer | null = null;
  constructor(readonly f: FieldWriter) {}
}

type ColumnWriter = (s: SpanFields, out: RowBinaryWriter) => void;

/** One writer per column; `traceColumns` gives their order (a missing column fails to type-check). */
const columnWriters: Record<TraceColumn, ColumnWriter> = {
  Timestamp: (s, out) => (s.startAt >= 0 ? out.raw8(s.f.r.b, s.startAt) : out.raw8(ZERO8, 0)),
  TraceId: (s, out) => out.hexId(s.f.r.b, s.traceS, s.traceE),
  SpanId: (s, out) => out.hexId(s.f.r.b, s.spanS, s.spanE),
  ParentSpanId: (s, out) => out.hexId(s.f.r.b, s.parentS, s.parentE),
  // A length check first: the cut only for a text past AttributeValueLengthLimit.
  TraceState: (s, out) =>
    spanText(s, out, s.stateS, s.stateE - s.stateS > s.textLimit ? cutSpanText(s, s.stateS, s.stateE, 'traceState') : s.stateE, 'traceState'),
  // Cut, then its secrets redacted (`redactSpanName`; decoded only when it may hold one, or is not UTF-8).
  SpanName: (s, out) => {
    const b = s.f.r.b;
    const end = s.nameE - s.nameS > s.textLimit ? cutSpanText(s, s.nameS, s.nameE, 'name') : s.nameE;
    const valid = isUtf8Range(b, s.nameS, end);
    if (valid && !mayRedactSpanName(b, s.nameS, end)) return out.bytes(b, s.nameS, end);
    if (!valid) s.f.invalidUtf8(`${spanWhere(s)}.name`, s.nameS);
    out.str(redactSpanName(valid ? validText(b, s.nameS, end) : repairedText(b, s.nameS, end)));
  },
  SpanKind: (s, out) => out.raw(KIND_BYTES[s.kind]),
  ServiceName: (s, out) => out.raw(s.service),
  ResourceAttributes: (s, out) => out.raw(s.resourceAttributes),
  // Checked once per scope (`scopeSpans`): text that is not UTF-8 is held decoded.
  ScopeName: (s, out) => (s.scopeNameText ? out.raw(s.scopeNameText) : out.bytes(s.f.r.b, s.scopeNameS, s.scopeNameE)),
  ScopeVersion: (s, out) => (s.scopeVersionText ? out.raw(s.scopeVersionText) : out.bytes(s.f.r.b, s.scopeVersionS, s.scopeVersionE)),
  SpanAttributes: (s, out) => {
    if (s.backwards) s.f.mapWith(s.attrs, NORMALIZED_KEY, END_BEFORE_START_VALUE, out, RECORDS_KEY);
    else s.f.map(s.attrs, out, RECORDS_KEY);
    // A count Weft does not take reads as not reported (`recordsCount`): the sender is told.
    if (s.f.found !== undefined && !recordsValid(s.f.found)) s.f.ctx.report.warn(WARN_RECORDS, `${spanWhere(s)}.attributes`);
  },
  Duration: (s, out) => writeDuration(s, out),
  StatusCode: (s, out) => out.raw(STATUS_BYTES[s.code]),
  StatusMessage: (s, out) => {
    const b = s.f.r.b;
    const valid = isUtf8Range(b, s.msgS, s.msgE);
    if (valid && !mayRedactText(b, s.msgS, s.msgE))
      out.bytes(b, s.msgS, s.msgE - s.msgS > s.textLimit ? cutSpanText(s, s.msgS, s.msgE, 'status.message') : s.msgE);
    else {
      if (!valid) s.f.invalidUtf8(`${spanWhere(s)}.status.message`, s.msgS);
      const text = redactText(valid ? validText(b, s.msgS, s.msgE) : repairedText(b, s.msgS, s.msgE));
      out.str(cutText(text, s.f.ctx.limits, s.f.ctx.report, `${spanWhere(s)}.status.message`));
    }
  },
  'Events.Timestamp': lists.eventTimestamps,
  'Events.Name': lists.eventNames,
  'Events.Attributes': lists.eventAttributes,
  'Links.TraceId': lists.linkTraceIds,
  'Links.SpanId': lists.linkSpanIds,
  'Links.TraceState': lists.linkTraceStates,
  'Links.Attributes': lists.linkAttributes,
};
/** Writes the span's text `[start, end)` (`field` of it): as it is when it is UTF-8, else with U+FFFD (reported). */
function spanText(s: SpanFields, out: RowBinaryWriter, start: number, end: number, field: string): void {
  const b = s.f.r.b;
  if (isUtf8Range(b, start, end)) out.bytes(b, start, end);
  else s.f.invalidText(out, start, end, `${spanWhere(s)}.${field}`);
}

/** The end of the span's text `[start, end)` cut to AttributeValueLengthLimit, reported at the span's `field`. */
function cutSpanText(s: SpanFields, start: number, end: number, field: string): number {
  return cutEnd(s.f.r.b, start, end, s.f.ctx.limits, s.f.ctx.report, () => `${spanWhere(s)}.${field}`);
}

const orderedWriters: ColumnWriter[] = traceColumns.map((c) => columnWriters[c.column]);

/** A range of the request: the message being read and where it sits in the request (`index`: in its list). */
interface Part {
  start: number;
  end: number;
  where: string;
  index: number;
  /**
   * For a ScopeSpans: its spans, the whole tag of its scope's first field sent with another wire type, and of its own
   * (-1: none).
   */
  spans?: number;
  wrongTag?: number;
  ownWrongTag?: number;
  /**
   * For a ScopeSpans whose own bytes or its scope's are broken: the reason, where in it (`.scope`, `.spans[2]`, or '') and
   * the `Malformed` message (`countSpans`).
   */
  broken?: [reason: string, at: string, message: string];
}

export class TraceDecoder {
  private readonly f: FieldWriter;
  private readonly span: SpanFields;
  private readonly resAttrs = new RowBinaryWriter(4096);
  private ctx!: TraceContext;
  private budget = new ExpansionBudget(Infinity);
  /** The trace and span ids of the request's spans kept so far (`TRACE_REASONS.sentTwice`). */
  private readonly kept = new KeptIds();

  constructor() {
    this.f = new FieldWriter();
    this.span = new SpanFields(this.f);
  }

  /** Appends rows for `body` to `out`; on malformed input throws a 400 and leaves `out` to be discarded. */
  decode(body: Uint8Array, out: RowBinaryWriter, ctx: TraceContext): DecodedTraces {
    this.f.reset(body, ctx);
    this.span.textLimit = ctx.limits.attributeValueLengthLimit;
    this.ctx = ctx;
    this.budget = new ExpansionBudget(ctx.limits.maxExpandedBytes);
    this.kept.clear();
    let rows = 0;
    try {
      rows = this.request(body.length, out);
    } catch (err) {
      // The request's own framing is broken (what is inside a ResourceSpans whose length is whole refuses that
      // ResourceSpans' spans, or less, alone: `resourceSpans`): at which byte.
      if (err instanceof Malformed)
        throw ERR_OTLP_BAD_INPUT(`The body is not a valid OTLP ExportTraceServiceRequest in protobuf: in the request: ${err.message}.`);
      throw err;
    }
    return { rows, rejected: ctx.report.rejected, message: ctx.report.message, ids: this.kept.hashes() };
  }

  private request(end: number, out: RowBinaryWriter): number {
    const r = this.f.r;
    let index = 0;
    let rows = 0;
    while (r.p < end) {
      const tag = r.varint(end);
      if (tag === TAG.ExportTraceServiceRequest.resource_spans) {
        const n = r.len(end);
        const start = r.p;
        rows += this.resourceSpans(start, start + n, index++, out);
        r.p = start + n;
      } else {
        // `resource_spans` sent as a varint (say) holds no resource: refused as one span, as a list item that is no object.
        if (isWrongWire(TRACE_REQUEST_WIRE, tag)) this.refuseWrongWire('request', TRACE_REQUEST_WIRE, tag, 1);
        r.skip(tag & 7, end);
      }
    }
    return rows;
  }

  /**
   * Pass 1 reads the resource (it may follow the scopes on the wire), pass 2 counts each ScopeSpans' spans; then the
   * spans are charged and written. The ResourceSpans, its ScopeSpans and its resource attributes each count as a message
   * of the request (`FieldWriter.countMessage`): millions of empty ones in a few KiB of gzip are refused (413) rather
   * than read. Bytes that are no protobuf inside it (its length in the request whole) refuse the smallest message that
   * holds them, with its spans, before any row is written: the ResourceSpans' own (its spans as far as they could be
   * counted), its resource's (`malformed`: attributes and values too), a ScopeSpans' own or its scope's (`countSpans`).
   */
  private resourceSpans(start: number, end: number, at: number, out: RowBinaryWriter): number {
    this.f.countMessage();
    // Its place in the request, for messages: written only for a resource that has spans.
    const rs: Part = { start, end, where: '', index: at };
    const where = () => (rs.where ||= `resourceSpans[${at}]`);
    const r = this.f.r;
    const attrs = this.span.attrs;
    attrs.clear();
    let wrongTag = -1;
    // The whole tag of the ResourceSpans' own first field sent with another wire type (-1: none).
    let ownWrongTag = -1;
    // What is broken in the resource's bytes, and in the ResourceSpans' own (where, and the Malformed message).
    let resourceBroken: string | undefined;
    let ownBroken: [where: string, message: string] | undefined;
    r.p = rs.start;
    try {
      while (r.p < rs.end) {
        const tag = r.varint(rs.end);
        if (tag === TAG.ResourceSpans.resource) {
          const resEnd = r.len(rs.end) + r.p;
          resourceBroken ??= malformed(RESOURCE_TYPE, r.b, r.p, resEnd);
          while (resourceBroken === undefined && r.p < resEnd) {
            const t = r.varint(resEnd);
            if (t === TAG.Resource.attributes) {
              const m = r.len(resEnd);
              this.f.countMessage();
              attrs.push(r.p, r.p + m);
              r.p += m;
            } else {
              if (wrongTag < 0 && isWrongWire(RESOURCE_WIRE, t)) wrongTag = t;
              r.skip(t & 7, resEnd);
            }
          }
          r.p = resEnd;
        } else {
          if (ownWrongTag < 0 && isWrongWire(RESOURCE_SPANS_WIRE, tag)) ownWrongTag = tag;
          r.skip(tag & 7, rs.end);
        }
      }
    } catch (err) {
      if (!(err instanceof Malformed)) throw err;
      ownBroken = [where(), err.message];
    }
    // Charge what each span's row repeats before writing any of them. Scopes without spans are passed over, and a
    // resource without spans is not encoded: 10 million empty ResourceSpans (19 KiB of gzip) took 39 s of the main thread.
    const scopes: Part[] = [];
    let spans = 0;
    let scopeBytes = 0;
    let index = 0;
    // A ScopeSpans whose length runs past the ResourceSpans counts as one span (what the sender meant).
    let cut = 0;
    r.p = rs.start;
    try {
      while (r.p < rs.end) {
        const tag = r.varint(rs.end);
        if (tag === TAG.ResourceSpans.scope_spans) {
          cut = 1;
          const n = r.len(rs.end);
          cut = 0;
          this.f.countMessage();
          const scope: Part = { start: r.p, end: r.p + n, where: '', index };
          const [count, bytes] = this.countSpans(scope);
          scope.spans = count;
          scope.wrongTag = this.scopeWrongTag;
          scope.ownWrongTag = this.scopeSpansWrongTag;
          if (count > 0 || scope.ownWrongTag >= 0 || scope.broken) {
            scope.where = `${where()}.scopeSpans[${index}]`;
            scopes.push(scope);
          }
          index++;
          spans += count;
          scopeBytes += count * bytes;
          r.p = scope.end;
        } else r.skip(tag & 7, rs.end);
      }
    } catch (err) {
      if (!(err instanceof Malformed)) throw err;
      ownBroken ??= [where(), err.message];
      spans += cut;
    }
    const report = this.ctx.report;
    // Its own bytes broken: every span it holds, as far as they were counted, and at least one (what the sender meant).
    if (ownBroken) return (report.reject(TRACE_REASONS.brokenResourceSpans, `${ownBroken[0]}: ${ownBroken[1]}`, Math.max(spans, 1)), 0);
    // A field of the ResourceSpans or of a ScopeSpans itself sent with another wire type (`scope_spans` as a varint) refuses
    // the spans it holds, at least one (the field may be all the sender meant as its spans).
    if (ownWrongTag >= 0) return this.refuseWrongWire(where(), RESOURCE_SPANS_WIRE, ownWrongTag, Math.max(spans, 1));
    if (spans === 0) {
      for (const scope of scopes) this.refuseScope(scope);
      return 0;
    }
    // The resource's bytes broken (its attributes' too), or a field of it sent with another wire type, refuses its
    // spans, as `readItem` does on the object path.
    if (resourceBroken !== undefined) return (report.reject(TRACE_REASONS.brokenResource, `${where()}.resource: ${resourceBroken}`, spans), 0);
    if (wrongTag >= 0) return this.refuseWrongWire(`${where()}.resource`, RESOURCE_WIRE, wrongTag, spans);
    // A resource attribute nested past WEFT_MAX_ANY_VALUE_DEPTH or with a field sent with another wire type refuses the
    // resource's spans (as `readItem` does).
    try {
      this.resource(attrs, `${where()}.resource`);
    } catch (err) {
      const broken = err instanceof Malformed;
      const reason = broken ? TRACE_REASONS.brokenResource : refusalOf(err);
      if (!reason) throw err;
      this.f.ctx = this.ctx;
      report.reject(reason, broken ? `${where()}.resource: ${err.message}` : (err as Error).message.replace(/\.$/, ''), spans);
      return 0;
    }
    this.budget.charge(spans, this.span.resourceAttributes.length + this.span.service.length, `${rs.where}.resource`);
    this.budget.charge(1, scopeBytes, `${rs.where}.scopeSpans[].scope`);
    let rows = 0;
    for (const scope of scopes) {
      if (scope.broken || scope.ownWrongTag! >= 0) this.refuseScope(scope);
      else if (scope.wrongTag! >= 0) this.refuseWrongWire(`${scope.where}.scope`, SCOPE_WIRE, scope.wrongTag!, scope.spans!);
      else rows += this.scopeSpans(scope, out);
    }
    return rows;
  }

  /**
   * Refuses the spans of a ScopeSpans whose own bytes, or its scope's, are broken (`Part.broken`), or whose own field was
   * sent with another wire type: as many as were counted, at least one.
   */
  private refuseScope(scope: Part): void {
    const n = Math.max(scope.spans!, 1);
    if (scope.broken) this.ctx.report.reject(scope.broken[0], `${scope.where}${scope.broken[1]}: ${scope.broken[2]}`, n);
    else this.refuseWrongWire(scope.where, SCOPE_SPANS_WIRE, scope.ownWrongTag!, n);
  }

  /** Refuses `spans` spans for the field with whole tag `tag` of the message at `where` sent with another wire type; 0 rows. */
  private refuseWrongWire(where: string, t: WireTable, tag: number, spans: number): number {
    this.ctx.report.reject(wrongFieldReason('spans'), wrongWireMessage(where, t.names[tag >>> 3], t.wire[tag >>> 3], tag & 7), spans);
    return 0;
  }

  /** Of the scope `countSpans` read last: the whole tag of its first field sent with another wire type (-1: none). */
  private scopeWrongTag = -1;
  /** Of the ScopeSpans `countSpans` read last: the whole tag of its own first field sent with another wire type (-1: none). */
  private scopeSpansWrongTag = -1;

  /** Encodes the resource's attributes once, and its ServiceName (service.name, else unknown_service). */
  private resource(attrs: Ranges, where: string): void {
    const f = this.f;
    const w = this.resAttrs;
    w.reset();
    w.limit = this.ctx.limits.maxExpandedBytes;
    w.onLimit = (limit) => {
      throw ERR_OTLP_EXPANDS_TOO_MUCH(limit, `${where}: its attributes alone`);
    };
    f.at.prefix = where;
    f.at.span = -1;
    // Every attribute, whole: resources are exempt from the attribute limits (`resourceLimits`).
    const limits = resourceLimits(this.ctx.limits);
    f.ctx = { limits, report: this.ctx.report };
    f.map(attrs, w);
    // Find service.name and process.executable.name among them: the first of each, as a Map column's lookup, the object
    // path (`attributeMap`) and the Collector's pdata `Map.Get` read a key sent twice.
    let service: string | undefined;
    let executable: string | undefined;
    const probe = new RowBinaryWriter(64);
    // Warnings about these two were reported by the map above: read them again unreported.
    f.ctx = { limits, report: new IngestReport() };
    for (let i = 0; i < attrs.list.length; i += 2) {
      f.stringField(attrs.list[i], attrs.list[i + 1], TAG.KeyValue.key);
      const isService = service === undefined && sameBytes(f.r.b, f.fieldStart, f.fieldEnd, SERVICE_NAME);
      const isExecutable = !isService && executable === undefined && sameBytes(f.r.b, f.fieldStart, f.fieldEnd, EXECUTABLE_NAME);
      if (!isService && !isExecutable) continue;
      probe.reset();
      f.keyValue(attrs.list[i], attrs.list[i + 1], probe);
      const text = readLastString(probe.view());
      if (isService) service = text;
      else executable = text;
    }
    f.ctx = this.ctx;
    const name = service || unknownServiceName(executable);
    const cut = truncateUtf8(name, MAX_NAME_BYTES);
    if (cut !== name) this.ctx.report.warn(WARN_SERVICE_NAME_CUT, `${where}.attributes`);
    this.span.service = rowBinaryString(cut);
    this.span.resourceAttributes = Buffer.from(w.view());
  }

  /**
   * How many spans a ScopeSpans holds, and the bytes of its scope's name and version (repeated in each row). Its own
   * bytes broken (a span's length running past its end, a tag of wire type 7…), or its scope's (`malformed`: the scope's
   * attributes and values too), are said in `scope.broken`, the spans counted up to there.
   */
  private countSpans(scope: Part): [number, number] {
    const r = this.f.r;
    let n = 0;
    let bytes = 0;
    this.scopeWrongTag = -1;
    this.scopeSpansWrongTag = -1;
    // Where a break of its own bytes is: in the length of span `at` (-1: elsewhere in it). A number: a string per span
    // cost the hot path.
    let at = -1;
    r.p = scope.start;
    try {
      while (r.p < scope.end) {
        const tag = r.varint(scope.end);
        if (tag === TAG.ScopeSpans.spans) {
          at = n++;
          r.skip(2, scope.end);
          at = -1;
        } else if (tag === TAG.ScopeSpans.scope) {
          const scopeEnd = r.len(scope.end) + r.p;
          const broken = malformed(SCOPE_TYPE, r.b, r.p, scopeEnd);
          if (broken !== undefined) scope.broken ??= [TRACE_REASONS.brokenScope, '.scope', broken];
          bytes = 0;
          while (broken === undefined && r.p < scopeEnd) {
            const t = r.varint(scopeEnd);
            if (t === TAG.InstrumentationScope.name || t === TAG.InstrumentationScope.version) {
              const m = r.len(scopeEnd);
              bytes += m;
              r.p += m;
            } else {
              if (this.scopeWrongTag < 0 && isWrongWire(SCOPE_WIRE, t)) this.scopeWrongTag = t;
              r.skip(t & 7, scopeEnd);
            }
          }
          r.p = scopeEnd;
        } else {
          if (this.scopeSpansWrongTag < 0 && isWrongWire(SCOPE_SPANS_WIRE, tag)) this.scopeSpansWrongTag = tag;
          r.skip(tag & 7, scope.end);
        }
      }
    } catch (err) {
      if (!(err instanceof Malformed)) throw err;
      scope.broken = [TRACE_REASONS.brokenScopeSpans, at >= 0 ? `.spans[${at}]` : '', err.message];
    }
    return [n, bytes];
  }

  /** A scope's text `[start, end)` RowBinary-encoded with U+FFFD when it is not UTF-8 (reported at `where`); else null. */
  private scopeText(start: number, end: number, where: string): Buffer | null {
    const b = this.f.r.b;
    if (isUtf8Range(b, start, end)) return null;
    this.f.invalidUtf8(where, start);
    return rowBinaryString(repairedText(b, start, end));
  }

  private scopeSpans(scope: Part, out: RowBinaryWriter): number {
    const r = this.f.r;
    const s = this.span;
    s.scopeNameS = s.scopeNameE = s.scopeVersionS = s.scopeVersionE = 0;
    r.p = scope.start;
    while (r.p < scope.end) {
      const tag = r.varint(scope.end);
      if (tag === TAG.ScopeSpans.scope) {
        const scopeEnd = r.len(scope.end) + r.p;
        while (r.p < scopeEnd) {
          const t = r.varint(scopeEnd);
          if (t === TAG.InstrumentationScope.name || t === TAG.InstrumentationScope.version) {
            const m = r.len(scopeEnd);
            if (t === TAG.InstrumentationScope.name) [s.scopeNameS, s.scopeNameE] = [r.p, r.p + m];
            else [s.scopeVersionS, s.scopeVersionE] = [r.p, r.p + m];
            r.p += m;
          } else r.skip(t & 7, scopeEnd);
        }
      } else r.skip(tag & 7, scope.end);
    }
    // Cut once per scope, as the object path reads a scope once.
    const { limits, report } = this.ctx;
    s.scopeNameE = cutEnd(r.b, s.scopeNameS, s.scopeNameE, limits, report, () => `${scope.where}.scope.name`);
    s.scopeVersionE = cutEnd(r.b, s.scopeVersionS, s.scopeVersionE, limits, report, () => `${scope.where}.scope.version`);
    s.scopeNameText = this.scopeText(s.scopeNameS, s.scopeNameE, `${scope.where}.scope.name`);
    s.scopeVersionText = this.scopeText(s.scopeVersionS, s.scopeVersionE, `${scope.where}.scope.version`);
    s.scopeWhere = scope.where;
    this.f.at.prefix = scope.where;
    r.p = scope.start;
    let index = 0;
    let rows = 0;
    while (r.p < scope.end) {
      const tag = r.varint(scope.end);
      if (tag === TAG.ScopeSpans.spans) {
        const n = r.len(scope.end);
        const start = r.p;
        s.index = index++;
        // The span's notes (warnings from reading it) are taken back if writing it refuses it (`writeRow`).
        const mark = this.ctx.report.begin();
        if (this.spanOrRefusal(start, start + n, mark)) {
          this.f.at.span = s.index;
          if (this.writeRow(s, out, mark)) rows++;
        } else this.ctx.report.commit();
        r.p = start + n;
      } else r.skip(tag & 7, scope.end);
    }
    this.f.at.span = -1;
    return rows;
  }

  /**
   * `readSpan`, with a span whose own bytes are broken (its length in the ScopeSpans is whole, what it holds runs past
   * it) refused alone (`TRACE_REASONS.brokenSpan`, its notes since `mark` taken back): it was a 400 for the whole request.
   */
  private spanOrRefusal(start: number, end: number, mark: number): boolean {
    try {
      return this.readSpan(start, end);
    } catch (err) {
      if (!(err instanceof Malformed)) throw err;
      this.ctx.report.rollback(mark);
      this.ctx.report.begin();
      this.ctx.report.reject(TRACE_REASONS.brokenSpan, `${spanWhere(this.span)}: ${err.message}`);
      return false;
    }
  }

  /**
   * Writes the span read as a row; false when a value nested past WEFT_MAX_ANY_VALUE_DEPTH or a field of an attribute or
   * event sent with another wire type refuses it (`readItem`'s refusal on the object path): its bytes, its notes since
   * `mark` (`IngestReport.begin`) and its ids are taken back, the request's other spans kept.
   */
  private writeRow(s: SpanFields, out: RowBinaryWriter, mark: number): boolean {
    const report = this.ctx.report;
    const rowStart = out.pos;
    try {
      for (const write of orderedWriters) write(s, out);
      report.commit();
      return true;
    } catch (err) {
      report.rollback(mark);
      const reason = refusalOf(err);
      if (!reason) throw err;
      out.pos = rowStart;
      this.kept.removeLast();
      this.f.at.itemKind = '';
      report.reject(reason, err instanceof Malformed ? `${spanWhere(s)}: ${err.message}` : (err as Error).message.replace(/\.$/, ''));
      return false;
    }
  }

  /** Reads one span's fields into `this.span`; false when it is refused (reported). */
  private readSpan(start: number, end: number): boolean {
    const r = this.f.r;
    const b = r.b;
    const s = this.span;
    s.traceS = s.traceE = s.spanS = s.spanE = s.stateS = s.stateE = s.parentS = s.parentE = s.nameS = s.nameE = 0;
    s.kind = 0;
    s.startAt = s.endAt = -1;
    s.attrs.clear();
    s.events.clear();
    s.links.clear();
    let statusS = -1;
    let statusE = -1;
    let wrongTag = -1;
    let wrongStatusTag = -1;
    const T = TAG.Span;
    r.p = start;
    while (r.p < end) {
      const tag = r.varint(end);
      if (tag === T.kind) s.kind = r.varint(end);
      else if (tag === T.start_time_unix_nano) s.startAt = r.fixed64At(end);
      else if (tag === T.end_time_unix_nano) s.endAt = r.fixed64At(end);
      else if ((tag & 7) === 2) {
        const n = r.len(end);
        const at = r.p;
        r.p += n;
        if (tag === T.trace_id) [s.traceS, s.traceE] = [at, at + n];
        else if (tag === T.span_id) [s.spanS, s.spanE] = [at, at + n];
        else if (tag === T.trace_state) [s.stateS, s.stateE] = [at, at + n];
        else if (tag === T.parent_span_id) [s.parentS, s.parentE] = [at, at + n];
        else if (tag === T.name) [s.nameS, s.nameE] = [at, at + n];
        // Each is a message of the request's count (a span of 6 million empty events, 12 KiB of gzip, was one 60 MB row).
        else if (tag === T.attributes) (this.f.countMessage(), s.attrs.push(at, at + n));
        else if (tag === T.events) (this.f.countMessage(), s.events.push(at, at + n));
        else if (tag === T.links) (this.f.countMessage(), s.links.push(at, at + n));
        else if (tag === T.status) [statusS, statusE] = [at, at + n];
        else if (wrongTag < 0 && SPAN_WIRE_TYPES[tag >>> 3] >= 0) wrongTag = tag;
      } else {
        // A known field with another wire type (`name` as a varint) refuses the span; protobuf would pass over it as unknown.
        if (wrongTag < 0 && SPAN_WIRE_TYPES[tag >>> 3] !== (tag & 7) && SPAN_WIRE_TYPES[tag >>> 3] >= 0) wrongTag = tag;
        r.skip(tag & 7, end);
      }
    }
    s.code = 0;
    s.msgS = s.msgE = 0;
    if (statusS >= 0) {
      r.p = statusS;
      while (r.p < statusE) {
        const t = r.varint(statusE);
        if (t === TAG.Status.message) {
          const m = r.len(statusE);
          [s.msgS, s.msgE] = [r.p, r.p + m];
          r.p += m;
        } else if (t === TAG.Status.code) s.code = r.varint(statusE);
        else {
          if (wrongStatusTag < 0 && STATUS_WIRE.wire[t >>> 3] >= 0) wrongStatusTag = t;
          r.skip(t & 7, statusE);
        }
      }
    }
    const report = this.ctx.report;
    const where = spanWhere;
    // As `checkWireTypes` finds it on the object path: the span's own fields first, then its status's.
    if (wrongTag >= 0 || wrongStatusTag >= 0) {
      const [at, t, names] = wrongTag >= 0 ? [where(s), wrongTag, SPAN_WIRE] : [`${where(s)}.status`, wrongStatusTag, STATUS_WIRE];
      report.reject(wrongFieldReason('spans'), wrongWireMessage(at, names.names[t >>> 3], names.wire[t >>> 3], t & 7));
      return false;
    }
    // A malformed id is the span's own fault: it alone is refused, the request's other spans are kept.
    let badId =
      s.traceE - s.traceS !== 16 && s.traceE !== s.traceS
        ? 'traceId'
        : s.spanE - s.spanS !== 8 && s.spanE !== s.spanS
          ? 'spanId'
          : s.parentE - s.parentS !== 8 && s.parentE !== s.parentS
            ? 'parentSpanId'
            : undefined;
    try {
      badId ??= this.badLinkId();
    } catch (err) {
      if (!isWeftError(err) || err.code !== ERR_OTLP_BAD_INPUT.code) throw err;
      report.reject(wrongFieldReason('spans'), err.message.replace(/\.$/, ''));
      return false;
    }
    if (badId) {
      report.reject(TRACE_REASONS.badIds, `${where(s)}.${badId}`);
      return false;
    }
    if (isZero(b, s.traceS, s.traceE) || isZero(b, s.spanS, s.spanE)) {
      report.reject(TRACE_REASONS.noIds, where(s));
      return false;
    }
    const startNs = s.startAt >= 0 ? nanos(b, s.startAt) : 0;
    const endNs = s.endAt >= 0 ? nanos(b, s.endAt) : 0;
    const problem = spanTimeProblem(startNs, endNs, this.ctx.nowNs);
    if (problem) {
      report.reject(TRACE_REASONS.time(problem), where(s));
      return false;
    }
    // The same ids sent again within the request: the first is the span (as `traceRows`).
    if (!this.kept.add(b, s.traceS, s.spanS)) {
      report.reject(TRACE_REASONS.sentTwice, where(s));
      return false;
    }
    s.backwards = endBeforeStart(b, s.startAt, s.endAt);
    if (s.backwards) report.warn(TRACE_REASONS.endBeforeStart, where(s));
    // int32 on the wire: a negative kind arrives as a ten-byte varint, far above 5.
    if (s.kind >= spanKindNames.length) {
      report.warn(TRACE_REASONS.unknownKind, `${where(s)}.kind`);
      s.kind = 0;
    }
    if (s.code >= statusCodeNames.length) {
      report.warn(TRACE_REASONS.unknownStatus, `${where(s)}.status.code`);
      s.code = 0;
    }
    return true;
  }

  /** `links[i].traceId` or `links[i].spanId` of the first link id of the wrong length in the span read, else undefined. */
  private badLinkId(): string | undefined {
    const r = this.f.r;
    const lk = this.span.links.list;
    const LINK = TAG['Span.Link'];
    for (let i = 0; i < lk.length; i += 2) {
      // The last occurrence of a field is its value (protobuf's merge rule), as the column writers read it.
      let traceBytes = 0;
      let spanBytes = 0;
      r.p = lk[i];
      while (r.p < lk[i + 1]) {
        const t = r.varint(lk[i + 1]);
        if (t === LINK.trace_id || t === LINK.span_id) {
          const n = r.len(lk[i + 1]);
          r.p += n;
          if (t === LINK.trace_id) traceBytes = n;
          else spanBytes = n;
        } else {
          // A field of the link sent with another wire type refuses the span (`readSpan`), as its own fields do.
          if (isWrongWire(LINK_WIRE, t)) throw wrongWireError(`${spanWhere(this.span)}.links[${i / 2}]`, LINK_WIRE, t);
          r.skip(t & 7, lk[i + 1]);
        }
      }
      if (traceBytes !== 0 && traceBytes !== 16) return `links[${i / 2}].traceId`;
      if (spanBytes !== 0 && spanBytes !== 8) return `links[${i / 2}].spanId`;
    }
    return undefined;
  }
}

const spanWhere = (s: SpanFields) => `${s.scopeWhere}.spans[${s.index}]`;

/**
 * The partial_success reason for an error that refuses the span (or resource) being written, as `readItem` refuses it on
 * the object path: a value nested too deep, a field of the wrong wire type; undefined for any other error (thrown on).
 */
function refusalOf(err: unknown): string | undefined {
  if (err instanceof Malformed) return TRACE_REASONS.brokenSpan;
  if (!isWeftError(err)) return undefined;
  if (err.code === ERR_OTLP_TOO_DEEP.code) return tooDeepReason('spans');
  if (err.code === ERR_OTLP_BAD_INPUT.code) return wrongFieldReason('spans');
  return undefined;
}

/** Duration = end - start on 32-bit halves; 0 for a span that ends before it starts (`END_BEFORE_START`). */
function writeDuration(s: SpanFields, out: RowBinaryWriter): void {
  const b = s.f.r.b;
  if (s.backwards || s.startAt < 0 || s.endAt < 0) return out.u64(0, 0);
  let lo = readU32(b, s.endAt) - readU32(b, s.startAt);
  let hi = readU32(b, s.endAt + 4) - readU32(b, s.startAt + 4);
  if (lo < 0) {
    lo += 4294967296;
    hi -= 1;
  }
  if (hi < 0) out.u64(0, 0);
  else out.u64(lo, hi);
}

/** A fixed64 nanosecond time as a double (exact to well under a microsecond). */
function nanos(b: Uint8Array, at: number): number {
  return readU32(b, at + 4) * 4294967296 + readU32(b, at);
}

/** end < start, exactly, on the fixed64 halves (an absent time is 0). */
function endBeforeStart(b: Uint8Array, startAt: number, endAt: number): boolean {
  const sHi = startAt >= 0 ? readU32(b, startAt + 4) : 0;
  const eHi = endAt >= 0 ? readU32(b, endAt + 4) : 0;
  if (eHi !== sHi) return eHi < sHi;
  return (endAt >= 0 ? readU32(b, endAt) : 0) < (startAt >= 0 ? readU32(b, startAt) : 0);
}

function readU32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 16777216;
}

/**
 * The (trace id, span id) pairs of one request's spans, found by where they are in the request: an open-addressed
 * table of a 30-bit hash of the 24 bytes, each hit compared byte for byte. A string key per span (two latin1 slices in
 * a Set) cost the decoder a quarter of its rate.
 */
class KeptIds {
  /** Slot → the pair's number + 1 (0: empty); its size a power of two, at least twice the pairs. */
  private table = new Int32Array(1024);
  /** Per pair: where its trace id and its span id start. */
  private at = new Int32Array(1024);
  /** Per pair: its `spanIdHashes` (two numbers). */
  private hs = new Uint32Array(1024);
  private n = 0;
  private b: Uint8Array = new Uint8Array(0);

  /** Empties the set for a request; a table grown for a large request is given back. */
  clear(): void {
    if (this.table.length > 1 << 16 && this.n * 8 < this.table.length) this.table = new Int32Array(1 << 16);
    else if (this.n > 0) this.table.fill(0);
    this.n = 0;
  }

  /** Adds the pair whose trace id (16 bytes) starts at `traceS` and span id (8 bytes) at `spanS` in `b`; false when it is there. */
  add(b: Uint8Array, traceS: number, spanS: number): boolean {
    this.b = b;
    if ((this.n + 1) * 2 > this.table.length) this.grow();
    const mask = this.table.length - 1;
    const hash = spanIdHash(b, traceS, spanS, 0);
    let slot = hash & mask;
    for (;;) {
      const k = this.table[slot];
      if (k === 0) break;
      const i = (k - 1) * 2;
      if (this.same(this.at[i], traceS, 16) && this.same(this.at[i + 1], spanS, 8)) return false;
      slot = (slot + 1) & mask;
    }
    if ((this.n + 1) * 2 > this.at.length) {
      const at = new Int32Array(this.at.length * 2);
      at.set(this.at);
      this.at = at;
    }
    if (this.n * 2 === this.hs.length) {
      const hs = new Uint32Array(this.hs.length * 2);
      hs.set(this.hs);
      this.hs = hs;
    }
    this.at[this.n * 2] = traceS;
    this.at[this.n * 2 + 1] = spanS;
    this.hs[this.n * 2] = hash;
    this.hs[this.n * 2 + 1] = spanIdHash(b, traceS, spanS, 1);
    this.table[slot] = ++this.n;
    return true;
  }

  /** Takes back the pair added last (its row was not written after all). */
  removeLast(): void {
    if (this.n === 0) return;
    const mask = this.table.length - 1;
    let slot = this.hs[(this.n - 1) * 2] & mask;
    while (this.table[slot] !== this.n) slot = (slot + 1) & mask;
    // The last pair added ends its probe run's use of this slot: no pair added before it probed past it.
    this.table[slot] = 0;
    this.n--;
  }

  /** The hashes of the pairs added (h1, h2, …), in order (a copy). */
  hashes(): Uint32Array {
    return this.hs.slice(0, this.n * 2);
  }

  private grow(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2);
    const mask = this.table.length - 1;
    for (let k = 1; k <= this.n; k++) {
      let slot = this.hs[(k - 1) * 2] & mask;
      while (this.table[slot] !== 0) slot = (slot + 1) & mask;
      this.table[slot] = k;
    }
  }

  private same(x: number, y: number, n: number): boolean {
    for (let i = 0; i < n; i++) if (this.b[x + i] !== this.b[y + i]) return false;
    return true;
  }
}

/**
 * One of two 32-bit hashes (`which` 0 or 1) of a span's trace id (16 bytes at `traceS` in `b`) and span id (8 bytes at
 * `spanS`): how the decoder and the spool find a span id sent again (equal ids, equal hashes; a hash shared by other ids
 * costs a comparison in the decoder, and both shared a segment sealed early in the spool).
 */
export function spanIdHash(b: Uint8Array, traceS: number, spanS: number, which: 0 | 1): number {
  const [m1, m2] = which === 0 ? [0x9e3779b1, 0x85ebca6b] : [0xc2b2ae35, 0x27d4eb2f];
  let h = Math.imul(readU32(b, spanS) ^ readU32(b, traceS + which * 4), m1);
  h = Math.imul(h ^ readU32(b, spanS + 4) ^ readU32(b, traceS + 12 - which * 4), m2);
  return (h ^ (h >>> 15)) >>> 0;
}

/** Both `spanIdHash`es of the trace id and span id at `traceS` and `spanS` in `b`, as the spool keeps them (h1, h2). */
export const spanIdHashes = (b: Uint8Array, traceS: number, spanS: number): [number, number] => [
  spanIdHash(b, traceS, spanS, 0),
  spanIdHash(b, traceS, spanS, 1),
];

function isZero(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (b[i] !== 0) return false;
  return true;
}

function sameBytes(b: Uint8Array, s: number, e: number, want: Buffer): boolean {
  if (e - s !== want.length) return false;
  for (let i = 0; i < want.length; i++) if (b[s + i] !== want[i]) return false;
  return true;
}

/** The value string of a RowBinary key/value pair written alone into `v`. */
function readLastString(v: Buffer): string {
  const [keyLength, key] = varint(v, 0);
  const [n, p] = varint(v, key + keyLength);
  return v.subarray(p, p + n).toString('utf8');
}
