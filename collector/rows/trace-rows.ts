import { redactSpanName, redactText } from '../../core/net/attribute-secrets.ts';
import { isWeftError } from '../../core/errors/index.ts';
import { attributeMap, type AttributeMap, type ValueContext } from '../otlp/any-value.ts';
import { durationNanos, enumNumber, idHex, looksBase64, readNanos } from '../otlp/ids-and-times.ts';
import { cutText, END_BEFORE_START, NORMALIZED_ATTRIBUTE, resourceLimits, spanTimeProblem } from '../otlp/limits.ts';
import { RECORDS_ATTRIBUTE, recordsValid, WARN_RECORDS } from '../otlp/records-count.ts';
import { brokenEntryReason, brokenHolderReason, brokenItemReason, itemsIn, readItem } from '../otlp/item-refusal.ts';
import { checkWireTypes } from '../otlp/wire-types.ts';
import { ExpansionBudget } from './expansion.ts';
import type { Mapped } from './mapped.ts';
import { list, mapRowBytes, obj, serviceName, str, uint32 } from './shape.ts';
import { orderedRow, type TraceColumn } from './trace-columns.ts';
import { spanKindNames, statusCodeNames } from './trace-names.ts';

export { spanKindNames, statusCodeNames };

const KIND_ENUM = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'] as const;
const STATUS_ENUM = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'] as const;

/** Reasons shared with the protobuf decoder, so both paths answer in the same words. */
export const TRACE_REASONS = {
  noIds: 'spans without a trace id or span id',
  badIds: 'spans with a trace id or span id of the wrong length (a trace id is 16 bytes, in OTLP/JSON 32 hex characters; a span id 8 bytes, 16 hex)',
  base64Ids: 'spans with ids in base64 (OTLP/JSON writes trace and span ids as hex, not as the base64 of protobuf JSON)',
  unknownKind: 'spans with an unknown kind (stored as Unspecified)',
  unknownStatus: 'spans with an unknown status code (stored as Unset)',
  time: (problem: string) => `spans with times out of range (${problem})`,
  unreadableTime: 'spans with a time that is not nanoseconds since the epoch as a whole number from 0 to 2^64 - 1 (a negative, a fraction, an exponent, text)',
  endBeforeStart: `spans that end before they start (a clock stepped back?), stored with end = start (duration 0) and ${NORMALIZED_ATTRIBUTE}=${END_BEFORE_START}`,
  brokenSpan: brokenItemReason('spans', 'Span', 'span'),
  brokenResource: brokenHolderReason('spans', 'resource', 'Resource'),
  brokenScope: brokenHolderReason('spans', 'scope', 'InstrumentationScope'),
  brokenResourceSpans: brokenEntryReason('spans', 'resourceSpans', 'ResourceSpans'),
  brokenScopeSpans: brokenEntryReason('spans', 'scopeSpans', 'ScopeSpans'),
  sentTwice:
    'spans whose trace id and span id an earlier span of the request has (a span id names one span of its trace: give each span an id of its own, or send it once): the earlier span was kept, this one refused',
} as const;

/** What a trace mapper needs besides the request: limits, the report, and the collector clock. */
export interface TraceContext extends ValueContext {
  /** Nanoseconds since the epoch, for the "more than a day ahead" check. */
  nowNs: number;
}

/** end < start, exactly, on decimal nanosecond text. */
function endBeforeStart(start: string, end: string): boolean {
  if (start.length < 16 && end.length < 16) return Number(end) < Number(start);
  return BigInt(end) < BigInt(start);
}

/**
 * `attributes`, with `weft.normalized=end_before_start` set when `backwards`: over a value the sender gave,
 * and last, where the protobuf decoder writes it.
 */
function flagged(attributes: AttributeMap, backwards: boolean): AttributeMap {
  if (!backwards) return attributes;
  delete attributes[NORMALIZED_ATTRIBUTE];
  attributes[NORMALIZED_ATTRIBUTE] = END_BEFORE_START;
  return attributes;
}

/**
 * One row per span, in the order of `traceColumns`, from an ExportTraceServiceRequest decoded
 * from protobuf or OTLP/JSON. Spans without ids or with times out of range are refused one by
 * one (reported in `ctx.report`); an unknown kind or status keeps the span, and so does an end
 * before the start (normalised: see `END_BEFORE_START`), each with a warning.
 */
export function traceRows(request: unknown, ctx: TraceContext): Mapped {
  const rows: unknown[][] = [];
  // The trace and span ids of the spans kept: a later span with the same ids is refused (`TRACE_REASONS.sentTwice`).
  const kept = new Set<string>();
  const budget = new ExpansionBudget(ctx.limits.maxExpandedBytes);
  const resourceSpans = list(obj(request, 'request').resourceSpans, 'resourceSpans');
  const report = ctx.report;
  for (let r = 0; r < resourceSpans.length; r++) {
    const rw = `resourceSpans[${r}]`;
    // A field of the wrong type refuses what holds it: the resource's or scope's spans, or the span alone.
    const resource = readItem(
      report,
      'spans',
      () => itemsIn(resourceSpans[r], ['scopeSpans', 'spans']),
      () => {
        const rs = obj(resourceSpans[r], rw);
        const res = rs.resource ? obj(rs.resource, `${rw}.resource`) : {};
        checkWireTypes(res, `${rw}.resource`);
        const attributes = attributeMap(res.attributes, `${rw}.resource.attributes`, { ...ctx, limits: resourceLimits(ctx.limits) });
        return { attributes, service: serviceName(attributes, report, `${rw}.resource.attributes`), scopeSpans: list(rs.scopeSpans, `${rw}.scopeSpans`) };
      },
    );
    if (!resource) continue;
    const { attributes: resAttrs, service, scopeSpans } = resource;
    const spanCount = scopeSpans.reduce<number>((n, ss) => n + itemsIn(ss, ['spans']), 0);
    budget.charge(spanCount, mapRowBytes(resAttrs) + Buffer.byteLength(service), `${rw}.resource`);
    for (let s = 0; s < scopeSpans.length; s++) {
      const sw = `${rw}.scopeSpans[${s}]`;
      const scope = readItem(
        report,
        'spans',
        () => itemsIn(scopeSpans[s], ['spans']),
        () => {
          const ss = obj(scopeSpans[s], sw);
          const sc = ss.scope ? obj(ss.scope, `${sw}.scope`) : {};
          checkWireTypes(sc, `${sw}.scope`);
          const spans = list(ss.spans, `${sw}.spans`);
          // A scope is cut once (and, as the protobuf decoder does, only when it has spans).
          const text = (v: unknown, where: string) => (spans.length > 0 ? cutText(str(v, where), ctx.limits, report, where) : str(v, where));
          return { name: text(sc.name, `${sw}.scope.name`), version: text(sc.version, `${sw}.scope.version`), spans };
        },
      );
      if (!scope) continue;
      const { name: scopeName, version: scopeVersion, spans } = scope;
      budget.charge(spans.length, Buffer.byteLength(scopeName) + Buffer.byteLength(scopeVersion), `${sw}.scope`);
      for (let i = 0; i < spans.length; i++) {
        const w = `${sw}.spans[${i}]`;
        const row = readItem(
          report,
          'spans',
          () => 1,
          () => spanRow(obj(spans[i], w), w, ctx, kept),
        );
        if (!row) continue;
        row.ServiceName = service;
        row.ResourceAttributes = resAttrs;
        row.ScopeName = scopeName;
        row.ScopeVersion = scopeVersion;
        rows.push(orderedRow(row));
      }
    }
  }
  return { rows, rejected: ctx.report.rejected, message: ctx.report.message };
}

/**
 * The span's own columns (resource and scope are filled by the caller), or undefined when refused. `kept`: the trace id
 * and span id (hex, joined) of the request's spans kept so far; the span's are added when it is kept.
 */
function spanRow(span: Record<string, unknown>, w: string, ctx: TraceContext, kept: Set<string>): Record<TraceColumn, unknown> | undefined {
  // A field sent with another wire type than its type has (protobuf) refuses the span, as the protobuf decoder does.
  checkWireTypes(span, w);
  checkWireTypes(span.status, `${w}.status`);
  // A malformed id, the span's own or one of its links', is the span's own fault: it alone is refused, the
  // request's other spans are kept.
  const links = list(span.links, `${w}.links`);
  const lk = links.map((l, i) => obj(l, `${w}.links[${i}]`));
  lk.forEach((l, i) => checkWireTypes(l, `${w}.links[${i}]`));
  const idFields: [holder: Record<string, unknown>, field: string, bytes: number, where: string][] = [
    [span, 'traceId', 16, `${w}.traceId`],
    [span, 'spanId', 8, `${w}.spanId`],
    [span, 'parentSpanId', 8, `${w}.parentSpanId`],
  ];
  lk.forEach((l, i) => idFields.push([l, 'traceId', 16, `${w}.links[${i}].traceId`], [l, 'spanId', 8, `${w}.links[${i}].spanId`]));
  const ids: string[] = [];
  for (const [holder, field, bytes, where] of idFields) {
    const value = holder[field];
    try {
      ids.push(idHex(value, bytes, where));
    } catch (err) {
      if (!isWeftError(err)) throw err;
      ctx.report.reject(looksBase64(value, bytes) ? TRACE_REASONS.base64Ids : TRACE_REASONS.badIds, where);
      return undefined;
    }
  }
  const [traceId, spanId, parent] = ids;
  const start = readNanos(span.startTimeUnixNano);
  const end = readNanos(span.endTimeUnixNano);
  let kind = enumNumber(span.kind, KIND_ENUM, `${w}.kind`);
  const status = span.status ? obj(span.status, `${w}.status`) : {};
  let code = enumNumber(status.code, STATUS_ENUM, `${w}.status.code`);
  const events = list(span.events, `${w}.events`);
  const ev = events.map((e, i) => obj(e, `${w}.events[${i}]`));
  ev.forEach((e, i) => checkWireTypes(e, `${w}.events[${i}]`));
  const eventTimes = ev.map((e) => readNanos(e.timeUnixNano));
  if (!traceId || !spanId) {
    ctx.report.reject(TRACE_REASONS.noIds, w);
    return undefined;
  }
  // A time that is no uint64 (only OTLP/JSON can send one: "-1", "1.5e18", 21 digits) is the span's own fault, as an
  // id of the wrong length is: it alone is refused, the request's other spans are kept.
  const badEvent = eventTimes.indexOf(undefined);
  if (start === undefined || end === undefined || badEvent >= 0) {
    const field = start === undefined ? 'startTimeUnixNano' : end === undefined ? 'endTimeUnixNano' : `events[${badEvent}].timeUnixNano`;
    ctx.report.reject(TRACE_REASONS.unreadableTime, `${w}.${field}`);
    return undefined;
  }
  const problem = spanTimeProblem(Number(start), Number(end), ctx.nowNs);
  if (problem) {
    ctx.report.reject(TRACE_REASONS.time(problem), w);
    return undefined;
  }
  // The same ids sent again within the request (an SDK reusing ids, a copy rewritten on the way): a span is one span, the
  // first (the pairing takes the first copy that arrived as the span; copies in one insert it cannot tell apart).
  const key = traceId + spanId;
  if (kept.has(key)) {
    ctx.report.reject(TRACE_REASONS.sentTwice, w);
    return undefined;
  }
  const backwards = endBeforeStart(start, end);
  if (backwards) ctx.report.warn(TRACE_REASONS.endBeforeStart, w);
  if (!(kind >= 0 && kind < spanKindNames.length)) {
    ctx.report.warn(TRACE_REASONS.unknownKind, `${w}.kind`);
    kind = 0;
  }
  if (!(code >= 0 && code < statusCodeNames.length)) {
    ctx.report.warn(TRACE_REASONS.unknownStatus, `${w}.status.code`);
    code = 0;
  }
  // Span and link flags are not stored (otel_traces has no column for them), but one that is no fixed32 (2^40, -1) is
  // no value of its field, refused as a log record's or a data point's is.
  uint32(span.flags, `${w}.flags`);
  lk.forEach((l, i) => uint32(l.flags, `${w}.links[${i}].flags`));
  // Cut in the order the protobuf decoder writes the columns, so that both report alike.
  const cut = (text: string, where: string) => cutText(text, ctx.limits, ctx.report, where);
  const traceState = cut(str(span.traceState, `${w}.traceState`), `${w}.traceState`);
  const name = cut(str(span.name, `${w}.name`), `${w}.name`);
  const attributes = attributeMap(span.attributes, `${w}.attributes`, ctx);
  // A count Weft does not take reads as not reported (`recordsCount`): the sender is told.
  const records = attributes[RECORDS_ATTRIBUTE];
  if (records !== undefined && !recordsValid(records)) ctx.report.warn(WARN_RECORDS, `${w}.attributes`);
  const row: Record<TraceColumn, unknown> = {
    Timestamp: start,
    TraceId: traceId,
    SpanId: spanId,
    ParentSpanId: parent,
    TraceState: traceState,
    SpanName: redactSpanName(name),
    SpanKind: spanKindNames[kind],
    ServiceName: '',
    ResourceAttributes: undefined,
    ScopeName: '',
    ScopeVersion: '',
    SpanAttributes: flagged(attributes, backwards),
    Duration: backwards ? '0' : durationNanos(start, end),
    StatusCode: statusCodeNames[code],
    StatusMessage: cut(redactText(str(status.message, `${w}.status.message`)), `${w}.status.message`),
    'Events.Timestamp': eventTimes as string[],
    'Events.Name': ev.map((e, i) => redactSpanName(cut(str(e.name, `${w}.events[${i}].name`), `${w}.events[${i}].name`))),
    'Events.Attributes': ev.map((e, i) => attributeMap(e.attributes, `${w}.events[${i}].attributes`, ctx)),
    'Links.TraceId': lk.map((_, i) => ids[3 + 2 * i]),
    'Links.SpanId': lk.map((_, i) => ids[4 + 2 * i]),
    'Links.TraceState': lk.map((l, i) => cut(str(l.traceState, `${w}.links[${i}].traceState`), `${w}.links[${i}].traceState`)),
    'Links.Attributes': lk.map((l, i) => attributeMap(l.attributes, `${w}.links[${i}].attributes`, ctx)),
  };
  // Added once every field is read: a span refused for a field of the wrong type (`readItem`) leaves its ids free.
  kept.add(key);
  return row;
}
