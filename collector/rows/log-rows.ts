import { redactJsonBody, redactText } from '../../core/net/attribute-secrets.ts';
import { anyValueText, attributeMap, type AnyValueLike, type ValueContext } from '../otlp/any-value.ts';
import { cutText, resourceLimits } from '../otlp/limits.ts';
import { isWeftError } from '../../core/errors/index.ts';
import { enumNumber, idHex, looksBase64, readNanos } from '../otlp/ids-and-times.ts';
import type { Mapped } from './mapped.ts';
import { itemsIn, readItem, REFUSED_ITEM } from '../otlp/item-refusal.ts';
import { checkWireTypes } from '../otlp/wire-types.ts';
import { ExpansionBudget } from './expansion.ts';
import { list, mapRowBytes, obj, serviceName, str, uint32 } from './shape.ts';

/** Why a log record is refused or changed, in the words of `partial_success`. */
export const LOG_REASONS = {
  unreadableTime:
    'log records with a time or observed time that is not nanoseconds since the epoch as a whole number from 0 to 2^64 - 1 (a negative, a fraction, an exponent, text)',
  badIds: 'log records with a trace id or span id of the wrong length (a trace id is 16 bytes, in OTLP/JSON 32 hex characters; a span id 8 bytes, 16 hex)',
  base64Ids: 'log records with ids in base64 (OTLP/JSON writes trace and span ids as hex, not as the base64 of protobuf JSON)',
  unknownSeverity: 'log records with an unknown severityNumber (a name this collector does not know, or a number outside 0 to 24), stored as 0 (unspecified)',
} as const;

/** SeverityNumber's names (logs.proto), by number: OTLP/JSON may send the name. */
const SEVERITY_ENUM = [
  'SEVERITY_NUMBER_UNSPECIFIED',
  ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((s) => ['', '2', '3', '4'].map((n) => `SEVERITY_NUMBER_${s}${n}`)),
] as const;

/**
 * Rows for otel_logs from an ExportLogsServiceRequest. A record without a time takes its observed
 * time (as the OpenTelemetry Collector's exporter does). A record with a time or observed time that is no uint64, or a
 * trace or span id of the wrong length, is refused alone (`LOG_REASONS`), the request's other records kept. Attribute
 * limits and the expansion budget of `ctx` apply (resource and scope attributes are repeated in every record's row).
 */
export function logRows(request: unknown, ctx: ValueContext): Mapped {
  const budget = new ExpansionBudget(ctx.limits.maxExpandedBytes);
  // A log body is not an attribute: its length is not cut, its nesting is bounded.
  const bodyCtx: ValueContext = { limits: { ...ctx.limits, attributeValueLengthLimit: Infinity }, report: ctx.report };
  const rows: unknown[][] = [];
  const report = ctx.report;
  // A field of the request itself sent with another wire type (resourceLogs as a varint) holds no resource: refused as one.
  readItem(
    report,
    'log records',
    () => 1,
    () => checkWireTypes(request, 'request'),
  );
  const resourceLogs = list(obj(request, 'request').resourceLogs, 'resourceLogs');
  for (let r = 0; r < resourceLogs.length; r++) {
    // Refused as its bytes were decoded (proto-items.ts): said there.
    if (resourceLogs[r] === REFUSED_ITEM) continue;
    const rw = `resourceLogs[${r}]`;
    // A field of the wrong type refuses what holds it: the resource's or scope's records, or the record alone.
    const resource = readItem(
      report,
      'log records',
      () => itemsIn(resourceLogs[r], ['scopeLogs', 'logRecords']),
      () => {
        // A field of the ResourceLogs, or of its resource, sent with another wire type refuses the resource's records.
        checkWireTypes(resourceLogs[r], rw);
        const rl = obj(resourceLogs[r], rw);
        const res = obj(rl.resource, `${rw}.resource`);
        checkWireTypes(res, `${rw}.resource`);
        const attributes = attributeMap(res.attributes, `${rw}.resource.attributes`, { ...ctx, limits: resourceLimits(ctx.limits) });
        const schema = str(rl.schemaUrl, `${rw}.schemaUrl`);
        return { attributes, schema, service: serviceName(attributes, report, `${rw}.resource.attributes`), scopeLogs: list(rl.scopeLogs, `${rw}.scopeLogs`) };
      },
    );
    if (!resource) continue;
    const { attributes: resAttrs, schema: resSchema, service, scopeLogs } = resource;
    for (let s = 0; s < scopeLogs.length; s++) {
      if (scopeLogs[s] === REFUSED_ITEM) continue;
      const sw = `${rw}.scopeLogs[${s}]`;
      const scope = readItem(
        report,
        'log records',
        () => itemsIn(scopeLogs[s], ['logRecords']),
        () => {
          checkWireTypes(scopeLogs[s], sw);
          const sl = obj(scopeLogs[s], sw);
          const sc = obj(sl.scope, `${sw}.scope`);
          checkWireTypes(sc, `${sw}.scope`);
          return {
            schema: str(sl.schemaUrl, `${sw}.schemaUrl`),
            name: cutText(str(sc.name, `${sw}.scope.name`), ctx.limits, report, `${sw}.scope.name`),
            version: cutText(str(sc.version, `${sw}.scope.version`), ctx.limits, report, `${sw}.scope.version`),
            attributes: attributeMap(sc.attributes, `${sw}.scope.attributes`, ctx),
            records: list(sl.logRecords, `${sw}.logRecords`),
          };
        },
      );
      if (!scope) continue;
      const { schema: scopeSchema, name: scopeName, version: scopeVersion, attributes: scopeAttrs, records } = scope;
      budget.charge(records.length, mapRowBytes(resAttrs) + mapRowBytes(scopeAttrs) + Buffer.byteLength(service), `${sw} (resource and scope)`);
      for (let i = 0; i < records.length; i++) {
        if (records[i] === REFUSED_ITEM) continue;
        const w = `${sw}.logRecords[${i}]`;
        const head = [resSchema, resAttrs, scopeSchema, scopeName, scopeVersion, scopeAttrs];
        const row = readItem(
          report,
          'log records',
          () => 1,
          () => recordRow(obj(records[i], w), w, service, head, ctx, bodyCtx),
        );
        if (row) rows.push(row);
      }
    }
  }
  return { rows, rejected: ctx.report.rejected, message: ctx.report.message };
}

/**
 * A log record's body as stored, with its secrets redacted as an exception message's: a text body as free text
 * (`redactText`), a structured one (kvlist, array) string by string in its JSON text, with the values of its keys that
 * say a secret (`redactJsonBody`).
 */
function logBody(body: AnyValueLike, ctx: ValueContext, where: string): string {
  const text = anyValueText(body, ctx, where);
  const structured = body != null && (Object.hasOwn(body, 'kvlistValue') || Object.hasOwn(body, 'arrayValue'));
  return structured ? redactJsonBody(text) : redactText(text);
}

/**
 * One log record's row (`service` and the resource and scope columns `head` given), or undefined when it is refused
 * (reported). A field of the wrong type throws (`readItem` refuses the record alone).
 */
function recordRow(rec: Record<string, unknown>, w: string, service: string, head: unknown[], ctx: ValueContext, bodyCtx: ValueContext): unknown[] | undefined {
  // A field sent with another wire type than its type has (protobuf) refuses the record.
  checkWireTypes(rec, w);
  // A time or id that is malformed (only OTLP/JSON can send most) is the record's own fault, as it is a span's:
  // it alone is refused.
  const time = readNanos(rec.timeUnixNano);
  const observed = readNanos(rec.observedTimeUnixNano);
  if (time === undefined || observed === undefined) {
    ctx.report.reject(LOG_REASONS.unreadableTime, `${w}.${time === undefined ? 'timeUnixNano' : 'observedTimeUnixNano'}`);
    return undefined;
  }
  const ids: string[] = [];
  for (const [field, bytes] of [
    ['traceId', 16],
    ['spanId', 8],
  ] as const) {
    try {
      ids.push(idHex(rec[field], bytes, `${w}.${field}`));
    } catch (err) {
      if (!isWeftError(err)) throw err;
      ctx.report.reject(looksBase64(rec[field], bytes) ? LOG_REASONS.base64Ids : LOG_REASONS.badIds, `${w}.${field}`);
      return undefined;
    }
  }
  // An enum is open: a name or number this collector does not know (99, -3, "LOUD") keeps the record, as unspecified,
  // and is said, as a span's unknown kind is; a number outside int32 (2^40) or a fraction refuses it (`enumNumber`).
  const sent = rec.severityNumber;
  const unknownName = typeof sent === 'string' && !/^-?\d+$/.test(sent) && !(SEVERITY_ENUM as readonly string[]).includes(sent);
  const number = unknownName ? -1 : enumNumber(sent, SEVERITY_ENUM, `${w}.severityNumber`);
  const unknown = !(number >= 0 && number < SEVERITY_ENUM.length);
  const [resSchema, resAttrs, scopeSchema, scopeName, scopeVersion, scopeAttrs] = head;
  const row = [
    time === '0' ? observed : time,
    ids[0],
    ids[1],
    // TraceFlags: the W3C trace flags are the low 8 bits of the fixed32; the others are reserved (logs.proto).
    uint32(rec.flags, `${w}.flags`) & 0xff,
    cutText(str(rec.severityText, `${w}.severityText`), ctx.limits, ctx.report, `${w}.severityText`),
    unknown ? 0 : number,
    service,
    logBody(rec.body as Record<string, unknown> | undefined, bodyCtx, `${w}.body`),
    resSchema,
    resAttrs,
    scopeSchema,
    scopeName,
    scopeVersion,
    scopeAttrs,
    attributeMap(rec.attributes, `${w}.attributes`, ctx),
  ];
  if (unknown) ctx.report.warn(LOG_REASONS.unknownSeverity, `${w}.severityNumber`);
  return row;
}
