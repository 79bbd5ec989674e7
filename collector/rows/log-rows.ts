import { anyValueText, attributeMap, type ValueContext } from '../otlp/any-value.ts';
import { resourceLimits } from '../otlp/limits.ts';
import { idHex, nanosText } from '../otlp/ids-and-times.ts';
import type { Mapped } from './mapped.ts';
import { ExpansionBudget } from './expansion.ts';
import { list, mapRowBytes, num, obj, serviceName, str } from './shape.ts';

/**
 * Rows for otel_logs from an ExportLogsServiceRequest. A record without a time takes its observed
 * time (as the OpenTelemetry Collector's exporter does). Attribute limits and the expansion budget
 * of `ctx` apply (resource and scope attributes are repeated in every record's row).
 */
export function logRows(request: unknown, ctx: ValueContext): Mapped {
  const budget = new ExpansionBudget(ctx.limits.maxExpandedBytes);
  // A log body is not an attribute: its length is not cut, its nesting is bounded.
  const bodyCtx: ValueContext = { limits: { ...ctx.limits, attributeValueLengthLimit: Infinity }, report: ctx.report };
  const rows: unknown[][] = [];
  const resourceLogs = list(obj(request, 'request').resourceLogs, 'resourceLogs');
  for (let r = 0; r < resourceLogs.length; r++) {
    const rw = `resourceLogs[${r}]`;
    const rl = obj(resourceLogs[r], rw);
    const resource = obj(rl.resource, `${rw}.resource`);
    const resAttrs = attributeMap(resource.attributes, `${rw}.resource.attributes`, { ...ctx, limits: resourceLimits(ctx.limits) });
    const resSchema = str(rl.schemaUrl, `${rw}.schemaUrl`);
    const service = serviceName(resAttrs, ctx.report, `${rw}.resource.attributes`);
    const scopeLogs = list(rl.scopeLogs, `${rw}.scopeLogs`);
    for (let s = 0; s < scopeLogs.length; s++) {
      const sw = `${rw}.scopeLogs[${s}]`;
      const sl = obj(scopeLogs[s], sw);
      const scope = obj(sl.scope, `${sw}.scope`);
      const scopeSchema = str(sl.schemaUrl, `${sw}.schemaUrl`);
      const scopeName = str(scope.name, `${sw}.scope.name`);
      const scopeVersion = str(scope.version, `${sw}.scope.version`);
      const scopeAttrs = attributeMap(scope.attributes, `${sw}.scope.attributes`, ctx);
      const records = list(sl.logRecords, `${sw}.logRecords`);
      budget.charge(records.length, mapRowBytes(resAttrs) + mapRowBytes(scopeAttrs) + Buffer.byteLength(service), `${sw} (resource and scope)`);
      for (let i = 0; i < records.length; i++) {
        const w = `${sw}.logRecords[${i}]`;
        const rec = obj(records[i], w);
        let ts = nanosText(rec.timeUnixNano, `${w}.timeUnixNano`);
        if (ts === '0') ts = nanosText(rec.observedTimeUnixNano, `${w}.observedTimeUnixNano`);
        const severity = num(rec.severityNumber, `${w}.severityNumber`);
        rows.push([
          ts,
          idHex(rec.traceId, 16, `${w}.traceId`),
          idHex(rec.spanId, 8, `${w}.spanId`),
          num(rec.flags, `${w}.flags`) & 0xff,
          str(rec.severityText, `${w}.severityText`),
          Math.max(0, Math.min(255, severity)),
          service,
          anyValueText(rec.body as Record<string, unknown> | undefined, bodyCtx, `${w}.body`),
          resSchema,
          resAttrs,
          scopeSchema,
          scopeName,
          scopeVersion,
          scopeAttrs,
          attributeMap(rec.attributes, `${w}.attributes`, ctx),
        ]);
      }
    }
  }
  return { rows, rejected: ctx.report.rejected, message: ctx.report.message };
}
