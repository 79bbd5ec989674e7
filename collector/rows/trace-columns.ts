import type { Field } from './tables.ts';

const MAP = 'Map(String, String)';
/** RowBinary DateTime64(9) is the Int64 count of nanoseconds: OTLP's fixed64 times as they come. */
const NANOS = 'DateTime64(9)';

/**
 * The one list of otel_traces columns the collector writes, in segment order. The object row
 * builder (`trace-rows.ts`), the protobuf decoder (`trace-decoder.ts`) and the INSERT
 * (`tables.ts`) all take their order from it; `trace-columns.test.ts` compares it with the
 * columns of the migrated table as ClickHouse reports them.
 */
export const traceColumns = [
  { column: 'Timestamp', type: NANOS },
  { column: 'TraceId', type: 'String' },
  { column: 'SpanId', type: 'String' },
  { column: 'ParentSpanId', type: 'String' },
  { column: 'TraceState', type: 'String' },
  { column: 'SpanName', type: 'String' },
  { column: 'SpanKind', type: 'String' },
  { column: 'ServiceName', type: 'String' },
  { column: 'ResourceAttributes', type: MAP },
  { column: 'ScopeName', type: 'String' },
  { column: 'ScopeVersion', type: 'String' },
  { column: 'SpanAttributes', type: MAP },
  { column: 'Duration', type: 'UInt64' },
  { column: 'StatusCode', type: 'String' },
  { column: 'StatusMessage', type: 'String' },
  { column: 'Events.Timestamp', type: `Array(${NANOS})` },
  { column: 'Events.Name', type: 'Array(String)' },
  { column: 'Events.Attributes', type: `Array(${MAP})` },
  { column: 'Links.TraceId', type: 'Array(String)' },
  { column: 'Links.SpanId', type: 'Array(String)' },
  { column: 'Links.TraceState', type: 'Array(String)' },
  { column: 'Links.Attributes', type: `Array(${MAP})` },
] as const satisfies readonly Field[];

export type TraceColumn = (typeof traceColumns)[number]['column'];

/** Puts a row given by column name into segment order. */
export function orderedRow(row: Record<TraceColumn, unknown>): unknown[] {
  return traceColumns.map((c) => row[c.column]);
}
