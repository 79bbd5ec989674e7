import type { Store } from '../../clickhouse/index.ts';
import { toChTime } from '../../clickhouse/index.ts';

/**
 * A sender's clock is taken as off from Weft's, and what it sent placed by Weft's clock, when its spans' least lag
 * (arrival − end) is this far from 0 (ms) or more. The SDKs export a span seconds after it ends: a smaller lag is export
 * delay, and moves a run by a minute at most.
 */
export const CLOCK_OFFSET_MIN_MS = 60_000;

/**
 * How many of a sender's latest arrival minutes must show one lag (within CLOCK_LAG_SPREAD_MS) before it is taken as a
 * clock behind Weft's rather than as spans delivered late: a gateway's backlog, a replayed spool or history sent to a new
 * installation arrives with lags that shrink as it is sent, or in one go (a test's history too); a clock behind sends
 * every minute with the same lag.
 */
export const CLOCK_BEHIND_MINUTES = 3;

/** How far apart (ms) the least lags of those minutes may be: the SDKs' export delay, seconds, with room for a slow network. */
export const CLOCK_LAG_SPREAD_MS = 30_000;

/**
 * SQL: per sender, the least lags (ms, Int64) of its latest CLOCK_BEHIND_MINUTES arrival minutes of the `lookback`
 * before `clock` (an SQL DateTime64 expression), newest first, from weft_sender_lag_1m (migration 105; kept a day):
 * columns `service`, `instance` and `lags`. `by`: 'instance' keeps a sender per service and instance (as the collector's
 * view keys them); 'service' makes each service one sender (`instance` ''), the least lag of its instances per minute.
 * `senders`: a SELECT of `service, instance` (or of `service` for 'service') the read is limited to; null: every sender.
 * Reads a row per sender and arrival minute of the look-back.
 */
export function senderLagsSql(clock: string, by: 'instance' | 'service', senders: string | null, lookback: 'day' | 'hour' = 'day'): string {
  const key = by === 'instance' ? 'service, instance' : 'service';
  const only = senders === null ? '' : `AND (${key}) IN (${senders})`;
  return `SELECT service, ${by === 'instance' ? 'instance' : "'' AS instance"},
        arraySlice(arrayReverseSort(x -> x.1, groupArray((minute, lag))), 1, ${CLOCK_BEHIND_MINUTES}).2 AS lags
      FROM (
        SELECT ${key}, minute, min(min_lag_ms) AS lag FROM weft_sender_lag_1m
        WHERE minute >= toStartOfMinute(${clock} - ${lookback === 'day' ? 'toIntervalDay(1)' : 'toIntervalHour(1)'}) ${only}
        GROUP BY ${key}, minute)
      GROUP BY ${key}`;
}

/**
 * SQL expression: a sender's offset from Weft's clock (ms; what its span times are moved by to be Weft's), from `lag`,
 * the least lag (arrival − end, ms) of the spans at hand, and `lags`, its latest arrival minutes' (`senderLagsSql`):
 * - a clock ahead (a span cannot arrive before it ended): `lag`, at once, when it is −CLOCK_OFFSET_MIN_MS or less;
 * - a clock behind: the least of `lags` when it holds CLOCK_BEHIND_MINUTES minutes that agree within
 *   CLOCK_LAG_SPREAD_MS, CLOCK_OFFSET_MIN_MS or more (history delivered late, in one go or with lags that shrink as it
 *   is sent, is no clock behind);
 * - else 0.
 * An export adds seconds to a span's lag and a clock off adds its offset, so the least lag is the offset plus the
 * shortest export delay.
 */
export function senderShiftExpr(lag: string, lags: string): string {
  return `multiIf(${lag} <= -${CLOCK_OFFSET_MIN_MS}, ${lag},
        ${lagsAgreeExpr(lags)} AND arrayMin(${lags}) >= ${CLOCK_OFFSET_MIN_MS}, arrayMin(${lags}), 0)`;
}

/** SQL condition: `lags` (`senderLagsSql`) holds CLOCK_BEHIND_MINUTES arrival minutes whose lags agree within CLOCK_LAG_SPREAD_MS. */
function lagsAgreeExpr(lags: string): string {
  return `length(${lags}) = ${CLOCK_BEHIND_MINUTES} AND arrayMax(${lags}) - arrayMin(${lags}) <= ${CLOCK_LAG_SPREAD_MS}`;
}

/**
 * SQL expression: what a sender's span times are moved by (ms, Int64) to be compared with another sender's on Weft's
 * clock, when its clock is known, else NULL; `lag` and `lags` as for `senderShiftExpr`. A clock ahead: `lag`, at once,
 * when it is −CLOCK_OFFSET_MIN_MS or less; a clock whose CLOCK_BEHIND_MINUTES latest arrival minutes agree within
 * CLOCK_LAG_SPREAD_MS, behind or not: their least lag (its offset and its shortest export delay, seconds; a clock that
 * is right is known too); else NULL: a new sender, or history delivered late, whose offset is not known.
 */
export function senderPlacingExpr(lag: string, lags: string): string {
  return `multiIf(${lag} <= -${CLOCK_OFFSET_MIN_MS}, toNullable(toInt64(${lag})),
        ${lagsAgreeExpr(lags)}, toNullable(toInt64(arrayMin(${lags}))), NULL)`;
}

/** The services whose clocks are off by one offset: `ms` (a whole number of minutes, ≠ 0) is added to their span times to make them Weft's. */
export interface ServiceShift {
  ms: number;
  services: string[];
}

/**
 * The services whose clocks are off from Weft's as of `clock` (senderShiftExpr, each service one sender: the least lag
 * of its instances), grouped by offset rounded to whole minutes, for the rollups keyed by span minute (the endpoint
 * rollups): a window ending at Weft's now reads such a service's calls in the minutes its clock gave them, moved by
 * its offset. A clock ahead is taken from the newest arrival minute's least lag (at once, as the pairing does with its
 * run's spans); a clock behind once its last three arrival minutes agree. Services whose offset rounds to 0 are left
 * out, and so are services that sent nothing in the hour before `clock` (their calls are older than the windows read
 * by Weft's now; the pairing looks a day back, for the senders of its run alone). Reads weft_sender_lag_1m, a row per
 * sender and arrival minute of that hour (1,000 senders: 60,000 rows, where a day's were 1.44 million): its cost does
 * not grow with history. Throws what the store throws.
 */
export async function queryServiceShifts(store: Store, clock: Date): Promise<ServiceShift[]> {
  const rows = await store.client
    .query({
      query: `SELECT service, ${senderShiftExpr('lags[1]', 'lags')} AS shift
        FROM (${senderLagsSql("toDateTime64({clock:String}, 3, 'UTC')", 'service', null, 'hour')})
        WHERE shift != 0`,
      query_params: { clock: toChTime(clock) },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ service: string; shift: string | number }>());
  const byMs = new Map<number, string[]>();
  for (const r of rows) {
    const ms = Math.round(Number(r.shift) / 60_000) * 60_000;
    if (ms === 0 || !Number.isFinite(ms)) continue;
    byMs.set(ms, [...(byMs.get(ms) ?? []), r.service]);
  }
  return [...byMs].sort(([a], [b]) => a - b).map(([ms, services]) => ({ ms, services: services.sort() }));
}
