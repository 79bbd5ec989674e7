import { toChTime, type Store } from '../../clickhouse/index.ts';
import { formatDuration } from '../../core/time/index.ts';

/**
 * A stretch of time in which Weft was not observing (ISO instants, Weft's clock): from its last pairing run before a
 * stop to its first one after, or to now when it has not paired since (`WEFT_DOWNTIME_MIN_MS`). What an integration
 * sent meanwhile may be lost (an exporter gives up), so a flow's silence across it says nothing of the flow.
 */
export interface WeftDowntime {
  from: string;
  to: string;
}

/**
 * How long (ms) Weft may go without a pairing run before it counts as not observing: 1 minute. A running Weft pairs
 * every 5 s (FIRST_SIGHT_MS) besides each analysis, so a longer pause is a stop, a pairing that failed throughout, or a
 * machine too loaded to run. It is short because what Weft misses while stopped may be lost (an SDK exporting straight
 * to Weft drops what it cannot send): at 5 minutes, a flow allowed a minute of silence was called stale by the first
 * evaluation after a 4m40s stop. A pairing run slower than this (a catch-up after a restart) reads as a stop too: a
 * flow's silence across it is judged once Weft has watched for the flow's allowed silence after it — later, not
 * wrongly.
 */
export const WEFT_DOWNTIME_MIN_MS = 60_000;

/**
 * Weft's last downtime (`WeftDowntime`) that ended in the `lookbackMs` (ms) before `now`, from the times of a running
 * Weft's pairing runs (`weft_pairing_runs.at`, kept 7 days; the runs `weft audit --data` and `weft report --data` make
 * on a stopped store record no windows, `late_ms` NULL, and are not Weft observing): the last gap longer than
 * `WEFT_DOWNTIME_MIN_MS` between two such runs, or between the last of them and `now` — a Weft that has not paired since
 * (stopped, its store read offline; or just started, before its first run is stored) has not observed since. Null when
 * there is none, or no such run at all (a store Weft never ran on). One statement over the run times of the look-back
 * (and the last run before it), gaps found in SQL: its cost follows the look-back, never the history stored. Runs
 * ahead of `now` (a clock that went back) are not read. Throws what the store throws.
 */
export async function queryLastDowntime(store: Store, now: Date, lookbackMs: number): Promise<WeftDowntime | null> {
  const live = 'late_ms IS NOT NULL';
  const rows = await store.client
    .query({
      query: `SELECT toUnixTimestamp64Milli(prev) AS from, toUnixTimestamp64Milli(at) AS to FROM (
          SELECT at, lagInFrame(at, 1, at) OVER (ORDER BY at ASC ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS prev
          FROM (
            SELECT at FROM weft_pairing_runs WHERE ${live} AND at >= toDateTime64({since:String}, 3, 'UTC') AND at <= toDateTime64({now:String}, 3, 'UTC')
            UNION ALL
            SELECT max(at) FROM weft_pairing_runs WHERE ${live} AND at < toDateTime64({since:String}, 3, 'UTC') HAVING count() > 0
            UNION ALL
            SELECT toDateTime64({now:String}, 3, 'UTC') FROM weft_pairing_runs WHERE ${live} AND at <= toDateTime64({now:String}, 3, 'UTC') HAVING count() > 0))
        WHERE toUnixTimestamp64Milli(at) - toUnixTimestamp64Milli(prev) > {gap:UInt64}
        ORDER BY at DESC LIMIT 1`,
      query_params: { since: toChTime(new Date(now.getTime() - lookbackMs)), now: toChTime(now), gap: WEFT_DOWNTIME_MIN_MS },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ from: number | string; to: number | string }>());
  const last = rows[0];
  return last ? { from: new Date(Number(last.from)).toISOString(), to: new Date(Number(last.to)).toISOString() } : null;
}

/**
 * The rule for every verdict drawn from a flow's absence (stale-flow, flow-never-observed, the flow-stale alert): a
 * silence that runs across Weft's last downtime is judged only once Weft has watched, since it came back, for as long
 * as the flow may be silent (`allowedMs`): before that, a run may have happened while no Weft was there to see it.
 * Returns null when the silence can be judged — no downtime, the flow seen since it (`silentSinceMs` at or after its
 * end; undefined: never seen), or Weft has watched long enough (`knownUntilMs`, epoch ms, up to where the silence is
 * known, minus the downtime's end, at least `allowedMs`); else the reason there is no verdict, in words for a reader.
 */
export function absenceUnjudged(
  downtime: WeftDowntime | null | undefined,
  silentSinceMs: number | undefined,
  knownUntilMs: number,
  allowedMs: number,
): string | null {
  if (!downtime) return null;
  const back = Date.parse(downtime.to);
  if (silentSinceMs !== undefined && silentSinceMs >= back) return null;
  if (knownUntilMs - back >= allowedMs) return null;
  return `Weft was not observing from ${downtime.from} to ${downtime.to}; judged again once it has watched for ${formatDuration(allowedMs)} since`;
}
