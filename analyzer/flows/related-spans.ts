/**
 * The statement that reads, from otel_traces, each span's parent and the spans of its trace it links to, for the spans of
 * traces `ids` whose start times (ms since the epoch) are `at` (weft_trace_spans keeps neither). Columns: trace_id,
 * span_id, parent, linked (span ids). Parameters: `relatedSpansParams`.
 *
 * otel_traces is partitioned by day: the statement reads the days of the spans' times (a minute either side), not every
 * day from the earliest to the latest. One sender whose clock is years behind (a device whose clock reset to 2000, or to
 * 1970 through another writer than Weft's collector) in a trace with a correct sender made [min, max] of the times cover
 * every partition stored, and each pairing tick read the TraceId index of all of them.
 */
export const RELATED_SPANS_SQL = `SELECT DISTINCT TraceId AS trace_id, SpanId AS span_id, ParentSpanId AS parent,
    arrayFilter((l, t) -> t = TraceId AND l != '', Links.SpanId, Links.TraceId) AS linked
  FROM otel_traces
  WHERE TraceId IN {ids:Array(String)} AND (ParentSpanId != '' OR notEmpty(Links.SpanId))
    AND Timestamp >= fromUnixTimestamp64Milli({from:Int64}) AND Timestamp <= fromUnixTimestamp64Milli({to:Int64})
    AND toDate(Timestamp) IN (SELECT DISTINCT toDate(fromUnixTimestamp64Milli(arrayJoin([t - 60000, t + 60000]))) FROM (SELECT arrayJoin({at:Array(Int64)}) AS t))`;

/** The parameters of `RELATED_SPANS_SQL` for traces `ids` whose spans start at `startsMs` (ms since the epoch; not empty). */
export function relatedSpansParams(ids: string[], startsMs: number[]): Record<string, unknown> {
  const at = [...new Set(startsMs)];
  let [from, to] = [Infinity, -Infinity];
  for (const t of at) [from, to] = [Math.min(from, t), Math.max(to, t)];
  return { ids, at, from: from - 60_000, to: to + 60_000 };
}
