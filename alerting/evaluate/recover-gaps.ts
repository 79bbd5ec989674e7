import { toChTime, type Store } from '../../clickhouse/index.ts';
import type { IntakeGap } from './observations.ts';

/**
 * The intake gaps of the last `keepMs` before `now`, read from what arrived (`weft_trace_spans.arrived`, every span
 * stored, kept 2 days): each silence between two arrivals longer than `minGapMs`, as `trackGaps` opens them while
 * it watches. Weft keeps the gaps it watches in memory; a Weft that (re)starts, or takes over the alerting lease,
 * would otherwise know none — neither the time it was down nor an outage of its intake before — and would count
 * the runs it never received as runs that did not happen (`traces`, `throughput-drop`) and a flow as silent through
 * its own downtime (`staleness`). A silence that lasts until `now` is left to `trackGaps`, which opens it from the
 * newest span. One read at an acquisition of the lease: per `minGapMs` bucket of arrival time the first and the
 * last arrival (at most 5,760 rows a day at 15 s), so a gap's ends are arrival instants, not bucket edges.
 * `now`, `minGapMs` and `keepMs` as `trackGaps` takes them (ms). Also returns the last arrival it read (ISO; null:
 * none in the look-back), which the evaluation reads on from (`ObserveOptions.lastArrival`) instead of again.
 * Throws what the store throws.
 */
export async function recoverGaps(store: Store, now: Date, minGapMs = 15_000, keepMs = 86_400_000): Promise<{ gaps: IntakeGap[]; lastArrival: string | null }> {
  const since = now.getTime() - keepMs;
  const rows = await store.client
    .query({
      query: `SELECT toUnixTimestamp64Milli(min(arrived)) AS first, toUnixTimestamp64Milli(max(arrived)) AS last
        FROM weft_trace_spans
        WHERE arrived >= toDateTime64({since:String}, 3, 'UTC') AND arrived <= toDateTime64({now:String}, 3, 'UTC')
        GROUP BY intDiv(toUnixTimestamp64Milli(arrived), {bucket:UInt64})
        ORDER BY first`,
      query_params: { since: toChTime(new Date(since)), now: toChTime(now), bucket: minGapMs },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ first: string | number; last: string | number }>());
  const gaps: IntakeGap[] = [];
  // Nothing arrived from the start of the look-back until the first arrival in it: a gap too (Weft down for
  // most of a day; what came before the look-back is not read).
  if (rows.length > 0 && Number(rows[0].first) - since > minGapMs)
    gaps.push({ from: new Date(since).toISOString(), to: new Date(Number(rows[0].first)).toISOString() });
  for (let i = 1; i < rows.length; i++) {
    const [from, to] = [Number(rows[i - 1].last), Number(rows[i].first)];
    if (to - from > minGapMs) gaps.push({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
  }
  return { gaps, lastArrival: rows.length > 0 ? new Date(Number(rows[rows.length - 1].last)).toISOString() : null };
}
