import { messages } from '../otlp/proto-codec.ts';

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
