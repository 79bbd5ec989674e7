import type protobuf from 'protobufjs';
import { messages } from '../otlp/proto-codec.ts';

/** A protobuf message type of otlp.proto (`weft.otlp.<name>`: Span, LogRecord, Metric…). */
export const otlpType = (name: string): protobuf.Type => messages.traces.request.root.lookupType(`weft.otlp.${name}`);

/** A field's tag as it is written on the wire: its number and wire type (0 VARINT, 1 I64, 2 LEN, 5 I32). */
export const tag = (field: number, wire: number): number => (field << 3) | wire;

/** `message` (an object for `typeName`) encoded, then `extra` (raw bytes a sender could write) appended. */
export function withFields(typeName: string, message: object, extra: (w: protobuf.Writer) => void = () => {}): Uint8Array {
  const t = otlpType(typeName);
  const w = t.encode(t.fromObject(message));
  extra(w);
  return w.finish();
}

/** A LEN field of `bytes` whose length prefix is right (the bytes themselves may be broken). */
export const lenField =
  (field: number, bytes: Uint8Array | number[]) =>
  (w: protobuf.Writer): protobuf.Writer =>
    w.uint32(tag(field, 2)).bytes(Uint8Array.from(bytes));

/** An OTLP/JSON traces request as tests write it: trace, span and parent span ids as hex (OTLP/JSON's encoding). */
export interface JsonTracesRequest {
  resourceSpans: Array<{
    scopeSpans: Array<{ spans: Array<{ traceId?: string; spanId?: string; parentSpanId?: string; links?: Array<{ traceId?: string; spanId?: string }> }> }>;
  }>;
}

/**
 * The same request as an OTLP/protobuf body (ExportTraceServiceRequest, through protobufjs): the hex ids (spans' and
 * their links') become bytes, an absent id stays absent. Throws what protobufjs throws for a request that does not fit the schema.
 */
export function protoTracesBody(req: JsonTracesRequest): Buffer {
  const bytes = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, 'hex'));
  const withBytes = {
    ...req,
    resourceSpans: req.resourceSpans.map((rs) => ({
      ...rs,
      scopeSpans: rs.scopeSpans.map((ss) => ({
        ...ss,
        spans: ss.spans.map((s) => ({
          ...s,
          traceId: bytes(s.traceId),
          spanId: bytes(s.spanId),
          parentSpanId: bytes(s.parentSpanId),
          links: s.links?.map((l) => ({ ...l, traceId: bytes(l.traceId), spanId: bytes(l.spanId) })),
        })),
      })),
    })),
  };
  const t = messages.traces.request;
  return Buffer.from(t.encode(t.fromObject(withBytes)).finish());
}
