import { MAX_NAME_BYTES, utf8Cut } from '../otlp/limits.ts';
import { recordsCount } from '../otlp/records-count.ts';
import { RowBinaryWriter } from '../rows/row-binary-writer.ts';
import type { Field, LoadSpec } from '../rows/tables.ts';
import { asciiUpper } from './byte-text.ts';
import { classify } from './classify.ts';
import { skippedFastPath } from './skipped-fast-path.ts';
import { A, SpanRecord } from './span-record.ts';

const MS = "DateTime64(3, 'UTC')";

/**
 * The columns of weft_span_touches (migrations 021 and 085), in the order the touches file of a spool
 * segment holds them; `touch-rows.test.ts` compares them with the table ClickHouse reports.
 */
export const touchColumns = [
  { column: 'ts', type: MS },
  { column: 'end_ts', type: MS },
  { column: 'trace_id', type: 'String' },
  { column: 'integration', type: 'String' },
  { column: 'service', type: 'String' },
  { column: 'domain', type: 'String' },
  { column: 'direction', type: 'String' },
  { column: 'ep_kind', type: 'String' },
  { column: 'ep_sys', type: 'String' },
  { column: 'ep_host', type: 'String' },
  { column: 'ep_name', type: 'String' },
  { column: 'ep_peer', type: 'String' },
  { column: 'is_error', type: 'UInt8' },
  { column: 'is_primary', type: 'UInt8' },
  { column: 'records', type: 'UInt64' },
  { column: 'duration_ms', type: 'Float64' },
  { column: 'span_id', type: 'String' },
] as const satisfies readonly Field[];

/** How a touches file is loaded (`loadStatement(touchesSpec, …)`). */
export const touchesSpec: LoadSpec = { table: 'weft_span_touches', fields: [...touchColumns] };

/**
 * `bytes` (a byte string: one char a byte, as `classify` gives them) cut to MAX_NAME_BYTES at a UTF-8 character
 * boundary: an endpoint named by an attribute value of megabytes (an array of millions of items) named a system.
 */
export function nameCut(bytes: string): string {
  return bytes.length <= MAX_NAME_BYTES ? bytes : bytes.slice(0, utf8Cut(Buffer.from(bytes, 'latin1'), 0, MAX_NAME_BYTES));
}

/** Milliseconds of a nanosecond count given as unsigned 32-bit halves, rounded down (exact). */
function millis(lo: number, hi: number): number {
  return hi * 4294 + Math.floor((hi * 967296 + lo) / 1e6);
}

/**
 * Whether a span is an HTTP call, not a server's span, whose answer says the resource is already as the call asked
 * (`http.request.method` or `http.method`, ASCII case-insensitive; `http.response.status_code` or `http.status_code`):
 * - a DELETE answered 404 Not Found or 410 Gone: the resource is gone, which is what a DELETE asks for (RFC 9110
 *   §9.3.5, DELETE is idempotent; migration 107);
 * - a POST answered 409 Conflict: the resource it creates exists already (an idempotent create: Kubernetes'
 *   AlreadyExists, Keycloak's, Cosmos DB's 409) — migration 125;
 * - a PUT, POST or PATCH sent with If-None-Match (a create only if absent: `http.request.header.if-none-match`, or
 *   `…if_none_match` as older conventions name a captured header) answered 412 Precondition Failed: it exists
 *   (RFC 9110 §13.1.2) — migration 125.
 * OpenTelemetry's HTTP conventions mark a client's 4xx as an error; such a call is not a failed one for Weft. Whether
 * the integration took it as done is for its own spans to say: a caller that failed because of it marks its own span
 * Error (an exception escaping a span does in the Java agent, Python and .NET), and that span fails the run. A 409 or
 * 412 answering anything else (an update whose record changed: PUT 409, If-Match 412) is a failed call. The SQL views
 * (migrations 107 and 125) say the same; parity.test.ts keeps the two equal.
 */
export function answeredAsAsked(s: SpanRecord): boolean {
  if (s.kindIs('server')) return false;
  const method = asciiUpper(s.has(A['http.request.method']) ? s.attr(A['http.request.method']) : s.attr(A['http.method']));
  const status = s.has(A['http.response.status_code']) ? s.attr(A['http.response.status_code']) : s.attr(A['http.status_code']);
  if (method === 'DELETE') return status === '404' || status === '410';
  if (method === 'POST' && status === '409') return true;
  return (
    status === '412' &&
    (method === 'PUT' || method === 'POST' || method === 'PATCH') &&
    (s.has(A['http.request.header.if-none-match']) || s.has(A['http.request.header.if_none_match']))
  );
}

/**
 * Writes the weft_span_touches rows of every otel_traces row in `segment` (RowBinary in the order
 * of `traceColumns`) to `out`, one or more per span (`classify`); returns how many. Throws a
 * RangeError when the segment ends inside a row.
 */
export class TouchWriter {
  private readonly span = new SpanRecord();

  write(segment: Buffer, out: RowBinaryWriter): number {
    const s = this.span;
    let rows = 0;
    let p = 0;
    while (p < segment.length) {
      p = s.read(segment, p);
      const touches = classify(s);
      const ts = millis(s.tsLo, s.tsHi);
      const end = ts + millis(s.durLo, s.durHi);
      const isError = s.statusIs('error') && !answeredAsAsked(s) && !skippedFastPath(s) ? 1 : 0;
      const records = recordsCount(s.attr(A['integration.records']));
      const duration = (s.durHi * 4294967296 + s.durLo) / 1e6;
      for (let i = 0; i < touches.length; i++) {
        const t = touches[i];
        out.u64(ts % 4294967296, Math.floor(ts / 4294967296));
        out.u64(end % 4294967296, Math.floor(end / 4294967296));
        out.bytes(segment, s.trace[0], s.trace[1]);
        // Names are cut to MAX_NAME_BYTES (the stored ServiceName already is).
        s.writeFirst(out, A['integration.flow'], 'integration.flow', s.service, MAX_NAME_BYTES);
        out.bytes(segment, s.service[0], s.service[1]);
        s.writeFirst(out, A['integration.domain'], 'integration.domain', undefined, MAX_NAME_BYTES);
        for (let f = 0; f < 6; f++) out.latin1(nameCut(t[f]));
        out.u8(isError);
        out.u8(i === 0 ? 1 : 0);
        if (i === 0 && records !== '0') out.u64Text(records);
        else out.u64(0, 0);
        out.f64(duration);
        out.bytes(segment, s.span[0], s.span[1]);
      }
      rows += touches.length;
    }
    return rows;
  }
}
