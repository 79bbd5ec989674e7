import { metricRows } from '../rows/metric-rows.ts';
import { logRows } from '../rows/log-rows.ts';
import { encodeRows } from '../rows/row-binary.ts';
import { RowBinaryWriter } from '../rows/row-binary-writer.ts';
import { traceRows } from '../rows/trace-rows.ts';
import { tables, type TableName } from '../rows/tables.ts';
import { decodeJson } from '../otlp/json-codec.ts';
import { decodeProto, type SignalName } from '../otlp/proto-codec.ts';
import { TraceDecoder } from '../otlp/trace-decoder.ts';

/** Segment bytes (RowBinary) per table for one export request, plus what was rejected. */
export interface IngestBatch {
  tables: { table: TableName; rows: number; data: Buffer }[];
  accepted: number;
  rejected: number;
  message: string;
}

const decoder = new TraceDecoder();
const out = new RowBinaryWriter(4 << 20);

const encoded = (table: TableName, rows: unknown[][]) => ({ table, rows: rows.length, data: encodeRows(tables[table], rows) });

/** Rows from an already decoded request (protobufjs message or OTLP/JSON), per signal. */
const fromObjects: Record<SignalName, (request: unknown) => IngestBatch> = {
  traces: (request) => {
    const m = traceRows(request);
    return { tables: [encoded('otel_traces', m.rows)], accepted: m.rows.length, rejected: m.rejected, message: m.message };
  },
  metrics: (request) => {
    const m = metricRows(request);
    return {
      tables: [encoded('otel_metrics_sum', m.sum), encoded('otel_metrics_gauge', m.gauge), encoded('otel_metrics_histogram', m.histogram)],
      accepted: m.sum.length + m.gauge.length + m.histogram.length,
      rejected: m.rejected,
      message: m.message,
    };
  },
  logs: (request) => {
    const m = logRows(request);
    return { tables: [encoded('otel_logs', m.rows)], accepted: m.rows.length, rejected: m.rejected, message: m.message };
  },
};

/**
 * Maps one export request body to segment bytes. Protobuf traces take the hand-written decoder
 * (bytes to RowBinary directly); everything else goes through protobufjs or JSON.parse and the
 * object mappers.
 */
export function ingestBody(signal: SignalName, wire: 'proto' | 'json', body: Buffer): IngestBatch {
  if (signal === 'traces' && wire === 'proto') {
    out.reset();
    const r = decoder.decode(body, out);
    return { tables: [{ table: 'otel_traces', rows: r.rows, data: Buffer.from(out.view()) }], accepted: r.rows, rejected: r.rejected, message: r.message };
  }
  return fromObjects[signal](wire === 'proto' ? decodeProto(signal, body) : decodeJson(body));
}

export { fromObjects };
