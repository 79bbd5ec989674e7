import { traceColumns } from './trace-columns.ts';
import { settingsClause, sqlString as quote, type StatementSettings } from '../../clickhouse/statement-settings.ts';

/**
 * How mapped rows reach each table. Spool segments hold RowBinary rows whose fields follow
 * `fields`; times are written as nanosecond integers, which is what RowBinary DateTime64(9)
 * is, so the JavaScript side never formats dates.
 */
export type Signal = 'traces' | 'metrics' | 'logs';
export type TableName = 'otel_traces' | 'otel_metrics_sum' | 'otel_metrics_gauge' | 'otel_metrics_histogram' | 'otel_logs';

export interface Field {
  /** Target column. */
  readonly column: string;
  /** Type of the field in the segment file. */
  readonly type: string;
  /** Conversion from the file field (named `f<i>`) to the column; identity when absent. */
  readonly convert?: (f: string) => string;
}

export interface TableSpec {
  table: TableName;
  signal: Signal;
  fields: Field[];
  /** The field whose day is the table's partition (`PARTITION BY toDate(…)`): the loader splits by it. */
  partitionColumn: 'Timestamp' | 'TimeUnix';
}

const MAP = 'Map(String, String)';
/** RowBinary DateTime64(9) is the Int64 count of nanoseconds: OTLP's fixed64 times as they come. */
const NANOS = 'DateTime64(9)';
const field = (column: string, type: string, convert?: (f: string) => string): Field => ({ column, type, convert });

const metricHead: Field[] = [
  field('ResourceAttributes', MAP),
  field('ResourceSchemaUrl', 'String'),
  field('ScopeName', 'String'),
  field('ScopeVersion', 'String'),
  field('ScopeAttributes', MAP),
  field('ScopeDroppedAttrCount', 'UInt32'),
  field('ScopeSchemaUrl', 'String'),
  field('ServiceName', 'String'),
  field('MetricName', 'String'),
  field('MetricDescription', 'String'),
  field('MetricUnit', 'String'),
  field('Attributes', MAP),
  field('StartTimeUnix', NANOS),
  field('TimeUnix', NANOS),
];
const exemplarFields: Field[] = [
  field('Exemplars.FilteredAttributes', `Array(${MAP})`),
  field('Exemplars.TimeUnix', `Array(${NANOS})`),
  field('Exemplars.Value', 'Array(Float64)'),
  field('Exemplars.SpanId', 'Array(String)'),
  field('Exemplars.TraceId', 'Array(String)'),
];

export const tables: Record<TableName, TableSpec> = {
  otel_traces: {
    table: 'otel_traces',
    signal: 'traces',
    partitionColumn: 'Timestamp',
    fields: [...traceColumns],
  },
  otel_metrics_sum: {
    table: 'otel_metrics_sum',
    signal: 'metrics',
    partitionColumn: 'TimeUnix',
    fields: [
      ...metricHead,
      field('Value', 'Float64'),
      field('Flags', 'UInt32'),
      ...exemplarFields,
      field('AggregationTemporality', 'Int32'),
      field('IsMonotonic', 'Bool'),
    ],
  },
  otel_metrics_gauge: {
    table: 'otel_metrics_gauge',
    signal: 'metrics',
    partitionColumn: 'TimeUnix',
    fields: [...metricHead, field('Value', 'Float64'), field('Flags', 'UInt32'), ...exemplarFields],
  },
  otel_metrics_histogram: {
    table: 'otel_metrics_histogram',
    signal: 'metrics',
    partitionColumn: 'TimeUnix',
    fields: [
      ...metricHead,
      field('Count', 'UInt64'),
      field('Sum', 'Float64'),
      field('BucketCounts', 'Array(UInt64)'),
      field('ExplicitBounds', 'Array(Float64)'),
      ...exemplarFields,
      field('Flags', 'UInt32'),
      field('Min', 'Float64'),
      field('Max', 'Float64'),
      field('AggregationTemporality', 'Int32'),
    ],
  },
  otel_logs: {
    table: 'otel_logs',
    signal: 'logs',
    partitionColumn: 'Timestamp',
    fields: [
      field('Timestamp', NANOS),
      field('TraceId', 'String'),
      field('SpanId', 'String'),
      field('TraceFlags', 'UInt8'),
      field('SeverityText', 'String'),
      field('SeverityNumber', 'UInt8'),
      field('ServiceName', 'String'),
      field('Body', 'String'),
      field('ResourceSchemaUrl', 'String'),
      field('ResourceAttributes', MAP),
      field('ScopeSchemaUrl', 'String'),
      field('ScopeName', 'String'),
      field('ScopeVersion', 'String'),
      field('ScopeAttributes', MAP),
      field('LogAttributes', MAP),
    ],
  },
};

export const tableNames = Object.keys(tables) as TableName[];

/** The segment format: RowBinary, rows back to back in the order of `fields`. */
export const SEGMENT_FORMAT = 'RowBinary';

/** What a load statement needs of a table: its name and the fields of its segment files. */
export type LoadSpec = Pick<TableSpec, 'fields'> & { table: string };

/** `f0 UInt64, f1 String, …`: the structure of a segment file for this table. */
export function structure(spec: LoadSpec): string {
  return spec.fields.map((f, i) => `f${i} ${f.type}`).join(', ');
}

/**
 * The INSERT that loads one segment. `source` is `file` (the embedded engine reads the segment
 * from disk) or `input` (the segment is streamed to a server as the request body); `settings` are
 * written into the statement (the deduplication token of the segment, for one).
 */
export function loadStatement(spec: LoadSpec, source: { file: string } | 'input', database?: string, settings?: StatementSettings): string {
  const columns = spec.fields.map((f) => `\`${f.column}\``).join(', ');
  const select = spec.fields.map((f, i) => (f.convert ? f.convert(`f${i}`) : `f${i}`)).join(', ');
  const table = database ? `\`${database}\`.\`${spec.table}\`` : `\`${spec.table}\``;
  const from = source === 'input' ? `input(${quote(structure(spec))})` : `file(${quote(source.file)}, ${quote(SEGMENT_FORMAT)}, ${quote(structure(spec))})`;
  return `INSERT INTO ${table} (${columns})${settingsClause(settings)} SELECT ${select} FROM ${from}${source === 'input' ? ` FORMAT ${SEGMENT_FORMAT}` : ''}`;
}
