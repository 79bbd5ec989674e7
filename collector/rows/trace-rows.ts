import { attributeMap } from '../otlp/any-value.ts';
import { ERR_OTLP_BAD_INPUT } from '../otlp/bad-input.ts';
import { durationNanos, enumNumber, idHex, nanosText } from '../otlp/ids-and-times.ts';
import type { Mapped } from './mapped.ts';
import { list, obj, serviceName, str } from './shape.ts';
import { spanKindNames, statusCodeNames } from './trace-names.ts';

export { spanKindNames, statusCodeNames };

const KIND_ENUM = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'] as const;
const STATUS_ENUM = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'] as const;

/**
 * One row per span, in the order of `tables.otel_traces.fields`, from an
 * ExportTraceServiceRequest decoded from protobuf or OTLP/JSON.
 */
export function traceRows(request: unknown): Mapped {
  const rows: unknown[][] = [];
  let rejected = 0;
  const reasons = new Set<string>();
  const resourceSpans = list(obj(request, 'request').resourceSpans, 'resourceSpans');
  for (let r = 0; r < resourceSpans.length; r++) {
    const rw = `resourceSpans[${r}]`;
    const rs = obj(resourceSpans[r], rw);
    const resource = rs.resource ? obj(rs.resource, `${rw}.resource`) : {};
    const resAttrs = attributeMap(resource.attributes, `${rw}.resource.attributes`);
    const service = serviceName(resAttrs);
    const scopeSpans = list(rs.scopeSpans, `${rw}.scopeSpans`);
    for (let s = 0; s < scopeSpans.length; s++) {
      const sw = `${rw}.scopeSpans[${s}]`;
      const ss = obj(scopeSpans[s], sw);
      const scope = ss.scope ? obj(ss.scope, `${sw}.scope`) : {};
      const scopeName = str(scope.name, `${sw}.scope.name`);
      const scopeVersion = str(scope.version, `${sw}.scope.version`);
      const spans = list(ss.spans, `${sw}.spans`);
      for (let i = 0; i < spans.length; i++) {
        const w = `${sw}.spans[${i}]`;
        const span = obj(spans[i], w);
        const traceId = idHex(span.traceId, 16, `${w}.traceId`);
        const spanId = idHex(span.spanId, 8, `${w}.spanId`);
        if (!traceId || !spanId) {
          rejected++;
          reasons.add('spans without a trace id or span id were rejected');
          continue;
        }
        const start = nanosText(span.startTimeUnixNano, `${w}.startTimeUnixNano`);
        const end = nanosText(span.endTimeUnixNano, `${w}.endTimeUnixNano`);
        const kind = enumNumber(span.kind, KIND_ENUM, `${w}.kind`);
        const status = span.status ? obj(span.status, `${w}.status`) : {};
        const code = enumNumber(status.code, STATUS_ENUM, `${w}.status.code`);
        if (kind < 0 || kind >= spanKindNames.length) throw ERR_OTLP_BAD_INPUT(`${w}.kind must be 0-5, got ${kind}.`);
        if (code < 0 || code >= statusCodeNames.length) throw ERR_OTLP_BAD_INPUT(`${w}.status.code must be 0-2, got ${code}.`);
        const events = list(span.events, `${w}.events`);
        const links = list(span.links, `${w}.links`);
        const evTs: string[] = [];
        const evName: string[] = [];
        const evAttrs: Record<string, string>[] = [];
        for (let e = 0; e < events.length; e++) {
          const ev = obj(events[e], `${w}.events[${e}]`);
          evTs.push(nanosText(ev.timeUnixNano, `${w}.events[${e}].timeUnixNano`));
          evName.push(str(ev.name, `${w}.events[${e}].name`));
          evAttrs.push(attributeMap(ev.attributes, `${w}.events[${e}].attributes`));
        }
        const lTrace: string[] = [];
        const lSpan: string[] = [];
        const lState: string[] = [];
        const lAttrs: Record<string, string>[] = [];
        for (let l = 0; l < links.length; l++) {
          const lk = obj(links[l], `${w}.links[${l}]`);
          lTrace.push(idHex(lk.traceId, 16, `${w}.links[${l}].traceId`));
          lSpan.push(idHex(lk.spanId, 8, `${w}.links[${l}].spanId`));
          lState.push(str(lk.traceState, `${w}.links[${l}].traceState`));
          lAttrs.push(attributeMap(lk.attributes, `${w}.links[${l}].attributes`));
        }
        rows.push([
          start,
          traceId,
          spanId,
          idHex(span.parentSpanId, 8, `${w}.parentSpanId`),
          str(span.traceState, `${w}.traceState`),
          str(span.name, `${w}.name`),
          spanKindNames[kind],
          service,
          resAttrs,
          scopeName,
          scopeVersion,
          attributeMap(span.attributes, `${w}.attributes`),
          durationNanos(start, end),
          statusCodeNames[code],
          str(status.message, `${w}.status.message`),
          evTs,
          evName,
          evAttrs,
          lTrace,
          lSpan,
          lState,
          lAttrs,
        ]);
      }
    }
  }
  return { rows, rejected, message: [...reasons].join('; ') };
}
