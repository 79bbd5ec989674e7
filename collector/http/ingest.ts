import { metricRows } from '../rows/metric-rows.ts';
import { logRows } from '../rows/log-rows.ts';
import { encodeRows } from '../rows/row-binary.ts';
import { RowBinaryWriter } from '../rows/row-binary-writer.ts';
import { traceRows, type TraceContext } from '../rows/trace-rows.ts';
import { tables, type TableName } from '../rows/tables.ts';
import { checkDecodeCost } from '../otlp/decode-cost.ts';
import { decodeJson } from '../otlp/json-codec.ts';
import { defaultIngestLimits, ERR_OTLP_EXPANDS_TOO_MUCH, IngestReport, type IngestLimits } from '../otlp/limits.ts';
import type { SignalName } from '../otlp/proto-codec.ts';
import { decodeProtoItems } from '../otlp/proto-items.ts';
import { spanIdHashes, TraceDecoder } from '../otlp/trace-decoder.ts';
import { traceColumns } from '../rows/trace-columns.ts';
import { TouchWriter } from '../touches/touch-rows.ts';

/** Segment bytes (RowBinary) per table for one export request, plus what was rejected or changed. */
export interface IngestBatch {
  /** `touches`: with `IngestOptions.touches`, the weft_span_touches rows of the otel_traces rows (collector/touches/). */
  tables: { table: TableName; rows: number; data: Buffer; touches?: { rows: number; data: Buffer }; spanIds?: Uint32Array }[];
  accepted: number;
  rejected: number;
  /** The partial_success message: refusals and warnings ('' when there are none). */
  message: string;
}

/** What every request is held to; `nowNs` is the collector clock (nanoseconds since the epoch). */
export interface IngestOptions {
  limits: IngestLimits;
  nowNs?: () => number;
  /** Classify the spans here and return their weft_span_touches rows beside them (the embedded store loads both). */
  touches?: boolean;
}

/** Where a row of `traceRows` holds its trace id and span id (hex). */
const TRACE_ID = traceColumns.findIndex((c) => c.column === 'TraceId');
const SPAN_ID = traceColumns.findIndex((c) => c.column === 'SpanId');

const decoder = new TraceDecoder();
const out = new RowBinaryWriter(4 << 20);
const touchWriter = new TouchWriter();
const touchOut = new RowBinaryWriter(1 << 20);
const tooMuch = (limit: number): never => {
  throw ERR_OTLP_EXPANDS_TOO_MUCH(limit, 'row data past the limit while writing');
};
out.onLimit = tooMuch;

function encoded(table: TableName, rows: unknown[][], limit: number) {
  const w = new RowBinaryWriter(64 * 1024);
  w.limit = limit;
  w.onLimit = tooMuch;
  return { table, rows: rows.length, data: encodeRows(tables[table], rows, w) };
}

/** Rows from an already decoded request (protobufjs message or OTLP/JSON), per signal. */
const fromObjects: Record<SignalName, (request: unknown, ctx: TraceContext) => IngestBatch> = {
  traces: (request, ctx) => {
    const m = traceRows(request, ctx);
    const spanIds = Uint32Array.from(m.rows.flatMap((row) => spanIdHashes(Buffer.from(`${row[TRACE_ID]}${row[SPAN_ID]}`, 'hex'), 0, 16)));
    return {
      tables: [{ ...encoded('otel_traces', m.rows, ctx.limits.maxExpandedBytes), spanIds }],
      accepted: m.rows.length,
      rejected: m.rejected,
      message: m.message,
    };
  },
  metrics: (request, ctx) => {
    const m = metricRows(request, ctx);
    const limit = ctx.limits.maxExpandedBytes;
    return {
      tables: [encoded('otel_metrics_sum', m.sum, limit), encoded('otel_metrics_gauge', m.gauge, limit), encoded('otel_metrics_histogram', m.histogram, limit)],
      accepted: m.sum.length + m.gauge.length + m.histogram.length,
      rejected: m.rejected,
      message: m.message,
    };
  },
  logs: (request, ctx) => {
    const m = logRows(request, ctx);
    return { tables: [encoded('otel_logs', m.rows, ctx.limits.maxExpandedBytes)], accepted: m.rows.length, rejected: m.rejected, message: m.message };
  },
};

const fallbackLimits = defaultIngestLimits(20 * 1024 * 1024);

/**
 * Maps one export request body to segment bytes. Protobuf traces take the hand-written decoder
 * (bytes to RowBinary directly); everything else goes through protobufjs or JSON.parse and the
 * object mappers, once its messages are counted (`checkDecodeCost`). Throws 400 (unreadable, too deeply nested) or
 * 413 (would expand past `limits.maxExpandedBytes`, or decode into more messages than its share of it); refused items
 * and warnings come back in `rejected`/`message`.
 */
export function ingestBody(signal: SignalName, wire: 'proto' | 'json', body: Buffer, options: IngestOptions = { limits: fallbackLimits }): IngestBatch {
  const ctx: TraceContext = { limits: options.limits, report: new IngestReport(), nowNs: options.nowNs?.() ?? Date.now() * 1e6 };
  let batch: IngestBatch;
  if (signal === 'traces' && wire === 'proto') {
    out.reset();
    out.limit = options.limits.maxExpandedBytes;
    const r = decoder.decode(body, out, ctx);
    batch = {
      tables: [{ table: 'otel_traces', rows: r.rows, data: Buffer.from(out.view()), spanIds: r.ids }],
      accepted: r.rows,
      rejected: r.rejected,
      message: r.message,
    };
  } else {
    const { keepUnknown, broken } = checkDecodeCost(signal, wire, body, options.limits.maxExpandedBytes);
    batch = fromObjects[signal](
      wire === 'proto'
        ? decodeProtoItems(signal, body, { keepUnknown, broken }, ctx.report)
        : decodeJson(signal, body, options.limits.maxAnyValueDepth, ctx.report),
      ctx,
    );
  }
  if (options.touches) for (const t of batch.tables) if (t.table === 'otel_traces') t.touches = touchesOf(t.data);
  return batch;
}

/** The weft_span_touches rows of otel_traces segment bytes. */
function touchesOf(spans: Buffer): { rows: number; data: Buffer } {
  touchOut.reset();
  const rows = touchWriter.write(spans, touchOut);
  return { rows, data: Buffer.from(touchOut.view()) };
}

export { fromObjects };
