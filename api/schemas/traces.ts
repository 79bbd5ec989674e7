import { Type } from '@sinclair/typebox';
import { NullStr, Str } from './common.ts';

const StrMap = Type.Record(Type.String(), Type.String());

/** One span in the trace view (times in ms since the epoch, offsets in ms after the trace's start, durations in ms). */
export const TraceSpanSchema = Type.Object({
  spanId: Str,
  parentSpanId: Str,
  name: Str,
  kind: Str,
  service: Str,
  startMs: Type.Number({ description: 'start, milliseconds since the epoch (to the microsecond: a double holds no finer)' }),
  offsetMs: Type.Number({
    description: "start, milliseconds after the trace's start (its first span's), to the nanosecond: 0.0007 for 700 ns; computed from integer nanoseconds",
  }),
  durationMs: Type.Number({ description: 'duration, milliseconds to the nanosecond (0.000834 for 834 ns)' }),
  status: Str,
  statusMessage: Str,
  attributes: StrMap,
  resource: StrMap,
  events: Type.Array(
    Type.Object({
      timeMs: Type.Number({ description: 'milliseconds since the epoch (to the microsecond)' }),
      offsetMs: Type.Number({ description: "milliseconds after the trace's start, to the nanosecond; computed from integer nanoseconds" }),
      name: Str,
      attributes: StrMap,
    }),
  ),
  systems: Type.Array(Str),
  depth: Type.Integer({ minimum: 0, description: 'depth in the span tree; spans come in waterfall (depth-first) order' }),
});

/** GET /api/v1/traces/:traceId */
export const TraceSchema = Type.Object({
  traceId: Str,
  startMs: Type.Number({ description: "the first span's start, milliseconds since the epoch (to the microsecond)" }),
  endMs: Type.Number({ description: "the last span's end, milliseconds since the epoch (to the microsecond)" }),
  durationMs: Type.Number({ description: "from the first span's start to the last span's end, milliseconds to the nanosecond" }),
  spans: Type.Array(TraceSpanSchema),
  truncated: Type.Boolean({ description: 'true when the trace has more spans than the view returns (5,000)' }),
  reads: Type.Array(Str, { description: 'systems the trace read, resolved by the catalog as it is now' }),
  writes: Type.Array(Str, { description: 'systems the trace wrote' }),
  services: Type.Array(Str),
  externalUrl: Type.Union([NullStr], { description: 'the same trace in an external viewer (WEFT_TRACE_LINK), or null' }),
});
