import { randomBytes } from 'node:crypto';

/**
 * An OTLP/JSON span (opentelemetry-proto's JSON mapping: ids in hex, times as decimal strings of ns) of 20 ms starting at
 * `startMs` (ms since the epoch), for the shapes a test writes by hand that an SDK would not make. `kind`: the OTLP
 * SpanKind number (1 INTERNAL, 2 SERVER, 3 CLIENT, 4 PRODUCER, 5 CONSUMER); `attributes`: OTLP KeyValue objects.
 */
export const otlpJsonSpan = (traceId: string, spanId: string, parentSpanId: string, kind: number, startMs: number, attributes: object[], name = 'x') => ({
  traceId,
  spanId,
  parentSpanId,
  name,
  kind,
  startTimeUnixNano: `${startMs}000000`,
  endTimeUnixNano: `${startMs + 20}000000`,
  attributes,
});

/** New random ids in hex, one of each size in bytes (16 a trace id, 8 a span id). */
export const randomIds = (...sizes: number[]): string[] => sizes.map((n) => randomBytes(n).toString('hex'));
