import { defaultIngestLimits, IngestReport } from '../otlp/limits.ts';
import { decodeProto, messages } from '../otlp/proto-codec.ts';
import { encodeRows } from '../rows/row-binary.ts';
import { tables } from '../rows/tables.ts';
import { traceRows } from '../rows/trace-rows.ts';
import { classify } from '../touches/classify.ts';
import { SpanRecord } from '../touches/span-record.ts';

/**
 * The otel_traces row (in traceColumns' order) the collector's object path stores for one span of the service `sync`,
 * named `name`, of kind `kind` (OTLP's number: 3 CLIENT by default), with the string attributes `attrs`, sent as
 * protobuf: redacted, cut and normalised as a real request's. Throws what the decoder throws.
 */
export function storedSpanRow(name: string, attrs: Record<string, string>, kind = 3): unknown[] {
  const t = messages.traces.request;
  const request = t.fromObject({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'sync' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: Buffer.alloc(16, 1),
                spanId: Buffer.alloc(8, 2),
                name,
                kind,
                startTimeUnixNano: '1764230400000000000',
                endTimeUnixNano: '1764230400100000000',
                attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } })),
              },
            ],
          },
        ],
      },
    ],
  });
  const ctx = { limits: defaultIngestLimits(1 << 20), report: new IngestReport(), nowNs: 1764230460000000000 };
  return traceRows(decodeProto('traces', Buffer.from(t.encode(request).finish())), ctx).rows[0];
}

/** The touches the collector's classification (classify.ts) reads from an otel_traces row, as it reads a stored one. */
export function touchesOfRow(row: unknown[]): ReturnType<typeof classify> {
  const rec = new SpanRecord();
  rec.read(encodeRows(tables.otel_traces, [row]), 0);
  return classify(rec);
}
