import { Type } from '@sinclair/typebox';
import { NullStr, Num, Str } from './common.ts';

const StrMap = Type.Record(Type.String(), Type.String());

/** One span in the trace view (times in ms since the epoch, durations in ms). */
export const TraceSpanSchema = Type.Object({
  spanId: Str,
  parentSpanId: Str,
  name: Str,
  kind: Str,
  service: Str,
  startMs: Num,
  durationMs: Num,
  status: Str,
  statusMessage: Str,
  attributes: StrMap,
  resource: StrMap,
  events: Type.Array(Type.Object({ timeMs: Num, name: Str, attributes: StrMap })),
  systems: Type.Array(Str),
  depth: Type.Integer({ minimum: 0, description: 'depth in the span tree; spans come in waterfall (depth-first) order' }),
});

/** GET /api/v1/traces/:traceId */
export const TraceSchema = Type.Object({
  traceId: Str,
  startMs: Num,
  endMs: Num,
  spans: Type.Array(TraceSpanSchema),
  truncated: Type.Boolean({ description: 'true when the trace has more spans than the view returns (5,000)' }),
  reads: Type.Array(Str, { description: 'systems the trace read, resolved by the catalog as it is now' }),
  writes: Type.Array(Str, { description: 'systems the trace wrote' }),
  services: Type.Array(Str),
  externalUrl: Type.Union([NullStr], { description: 'the same trace in an external viewer (WEFT_TRACE_LINK), or null' }),
});
