import { toChTime, type Store } from '../../clickhouse/index.ts';
import { WEFT_DOWNTIME_MIN_MS } from '../flows/weft-downtime.ts';

/**
 * Records that Weft kept running over (from, to) (epoch ms, the analyzer's clock): a pairing run every `stepMs` (default
 * half of WEFT_DOWNTIME_MIN_MS) that paired nothing new, with the windows a running Weft records (`late_ms`: `lateMs`), as a running Weft leaves them between two runs a test
 * makes with its clock hours apart. Each carries the latest run at or before `from` (its frontier, newest arrival and
 * observing-since; none: observing since `from`) and is settled up to its time minus `lateMs` (ms, default a minute).
 * Without them the clock moved on reads as Weft stopped that long (`queryLastDowntime`). Throws what the store throws.
 */
export async function keptWatching(store: Store, from: number, to: number, { lateMs = 60_000, stepMs = WEFT_DOWNTIME_MIN_MS / 2 } = {}): Promise<void> {
  const [prev] = await store.client
    .query({
      query: `SELECT frontier, newest, observing_since FROM weft_pairing_runs WHERE at <= toDateTime64({from:String}, 3, 'UTC') ORDER BY at DESC LIMIT 1`,
      query_params: { from: toChTime(new Date(from)) },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ frontier: string; newest: string; observing_since: string | null }>());
  const carried = prev ?? { frontier: toChTime(new Date(0)), newest: toChTime(new Date(0)), observing_since: toChTime(new Date(from)) };
  const values = [];
  for (let t = from + stepMs; t < to; t += stepMs)
    values.push({ at: toChTime(new Date(t)), settled_before: toChTime(new Date(t - lateMs)), ...carried, late_ms: lateMs, run_gap_ms: 1_000 });
  if (values.length > 0) await store.client.insert({ table: 'weft_pairing_runs', format: 'JSONEachRow', values });
}
