import { metricRows } from '../rows/metric-rows.ts';
import { logRows } from '../rows/log-rows.ts';
import { traceRows } from '../rows/trace-rows.ts';
import type { TableName } from '../rows/tables.ts';
import type { SignalName } from '../otlp/proto-codec.ts';

/** Rows per table for one export request, plus what was rejected. */
export interface IngestBatch {
  tables: [TableName, unknown[][]][];
  accepted: number;
  rejected: number;
  message: string;
}

/** Maps a decoded export request (protobuf or OTLP/JSON) of one signal to table rows. */
export const mappers: Record<SignalName, (request: unknown) => IngestBatch> = {
  traces: (request) => {
    const m = traceRows(request);
    return { tables: [['otel_traces', m.rows]], accepted: m.rows.length, rejected: m.rejected, message: m.message };
  },
  metrics: (request) => {
    const m = metricRows(request);
    return {
      tables: [
        ['otel_metrics_sum', m.sum],
        ['otel_metrics_gauge', m.gauge],
        ['otel_metrics_histogram', m.histogram],
      ],
      accepted: m.sum.length + m.gauge.length + m.histogram.length,
      rejected: m.rejected,
      message: m.message,
    };
  },
  logs: (request) => {
    const m = logRows(request);
    return { tables: [['otel_logs', m.rows]], accepted: m.rows.length, rejected: m.rejected, message: m.message };
  },
};

/** Segment lines: one JSON array per row, newline-terminated. */
export function segmentLines(rows: unknown[][]): Buffer {
  let s = '';
  for (const row of rows) s += `${JSON.stringify(row)}\n`;
  return Buffer.from(s, 'utf8');
}
