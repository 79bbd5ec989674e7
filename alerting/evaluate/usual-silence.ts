import { toChTime, type Store } from '../../clickhouse/index.ts';

/** How many silences (gaps between arrival minutes) of the last day it takes to say what is usual; fewer: no verdict. */
export const USUAL_SILENCE_MIN_GAPS = 20;

/** The share of the last day's silences that are usual: the longest 5 % are not (an outage among them, for one). */
export const USUAL_SILENCE_QUANTILE = 0.95;

/** How long a usual silence read stays good (ms): it is read over a day, and changes slowly. */
const USUAL_SILENCE_MAX_AGE_MS = 600_000;

const cache = new WeakMap<Store, { at: number; ms: number | null }>();

/**
 * How long Weft's intake is usually silent (ms): of the gaps between consecutive minutes in which any span arrived (Weft's
 * clock) over the day before `now`, the USUAL_SILENCE_QUANTILE one, when there are USUAL_SILENCE_MIN_GAPS or more of them;
 * else null (no verdict: a Weft that has received little). Busy intake, a span every minute, is 60_000; an estate of
 * event consumers that are quiet for minutes at a time (a small estate, low traffic) has longer usual silences, and a
 * `telemetry-gap` at 60 s paged it as critical several times an hour while nothing was down. One long silence a day (an
 * estate busy by day and silent at night) is not usual by this measure: it is among the longest 5 % (`intakeSilenceBefore`
 * covers it). Read from weft_intake_1m (migration 108: the arrival minutes, kept 9 days, which `intakeSilenceBefore` reads too), at most every 10 minutes per store (the value of the
 * last read is returned in between). Throws what the store throws.
 */
export async function usualSilenceMs(store: Store, now: Date): Promise<number | null> {
  const cached = cache.get(store);
  if (cached && Math.abs(now.getTime() - cached.at) < USUAL_SILENCE_MAX_AGE_MS) return cached.ms;
  const [row] = await store.client
    .query({
      query: `SELECT length(gaps) AS n, if(n = 0, 0, arraySort(gaps)[toUInt64(ceil(${USUAL_SILENCE_QUANTILE} * n))]) AS usual_s
        FROM (
          SELECT arrayPopFront(arrayDifference(arraySort(groupArray(toUInt32(minute))))) AS gaps
          FROM (
            SELECT DISTINCT minute FROM weft_intake_1m
            WHERE minute >= toStartOfMinute(toDateTime64({now:String}, 3, 'UTC') - toIntervalDay(1))
              AND minute <= toDateTime64({now:String}, 3, 'UTC')))`,
      query_params: { now: toChTime(now) },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ n: string | number; usual_s: string | number }>());
  const ms = row && Number(row.n) >= USUAL_SILENCE_MIN_GAPS ? Number(row.usual_s) * 1000 : null;
  cache.set(store, { at: now.getTime(), ms });
  return ms;
}
