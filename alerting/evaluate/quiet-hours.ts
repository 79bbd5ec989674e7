import { fromChTime, toChTime, type Store } from '../../clickhouse/index.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/**
 * How far either side of this time of day a day or a week before is looked at (ms): an estate's traffic does not stop at
 * the same minute every evening, nor start at the same minute every morning.
 */
export const QUIET_HOURS_TOLERANCE_MS = 30 * MINUTE_MS;

/**
 * The longest silence Weft's intake had reached within QUIET_HOURS_TOLERANCE_MS of this time of day, a day and a week
 * before (ms), null where it cannot know.
 */
export interface SilenceBefore {
  day: number | null;
  week: number | null;
}

/**
 * How long Weft's intake had been silent, at its longest, within QUIET_HOURS_TOLERANCE_MS either side of `now` less a
 * day and less a week (ms; by minute of arrival: a silence runs from the end of a minute in which a span arrived to the
 * start of the next such minute, or to the end of that stretch). Null for a stretch that begins before the first span
 * still kept (Weft was not watching yet, or it is older than the 9 days weft_intake_1m keeps: migration 108). An estate
 * busy by day and silent at night had been silent for hours at 23:00 the night before too; on a Saturday morning, as on
 * the Saturday before (the Friday before was busy). Throws what the store throws.
 */
export async function intakeSilenceBefore(store: Store, now: Date): Promise<SilenceBefore> {
  const stretch = (days: number) => {
    const at = now.getTime() - days * DAY_MS;
    return { from: at - QUIET_HOURS_TOLERANCE_MS, to: at + QUIET_HOURS_TOLERANCE_MS };
  };
  const [day, week] = [stretch(1), stretch(7)];
  const t = (name: string) => `toDateTime64({${name}:String}, 3, 'UTC')`;
  const [row] = await store.client
    .query({
      query: `SELECT count() AS n, min(minute) AS first,
          maxIf(minute, minute <= ${t('dayFrom')}) AS day_before, arraySort(groupArrayIf(minute, minute > ${t('dayFrom')} AND minute <= ${t('dayTo')})) AS day_in,
          maxIf(minute, minute <= ${t('weekFrom')}) AS week_before, arraySort(groupArrayIf(minute, minute > ${t('weekFrom')} AND minute <= ${t('weekTo')})) AS week_in
        FROM weft_intake_1m`,
      query_params: {
        dayFrom: toChTime(new Date(day.from)),
        dayTo: toChTime(new Date(day.to)),
        weekFrom: toChTime(new Date(week.from)),
        weekTo: toChTime(new Date(week.to)),
      },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ n: string | number; first: string; day_before: string; day_in: string[]; week_before: string; week_in: string[] }>());
  const first = row && Number(row.n) > 0 ? Date.parse(fromChTime(row.first)) : NaN;
  const longest = (s: { from: number; to: number }, before: string | undefined, inside: string[] | undefined) => {
    if (!(first <= s.from) || before === undefined) return null;
    const minutes = [before, ...(inside ?? [])].map((m) => Date.parse(fromChTime(m)));
    let most = 0;
    for (let i = 0; i < minutes.length; i++) {
      const end = minutes[i] + MINUTE_MS;
      const next = i + 1 < minutes.length ? minutes[i + 1] : s.to;
      most = Math.max(most, Math.min(next, s.to) - end);
    }
    return most;
  };
  return { day: longest(day, row?.day_before, row?.day_in), week: longest(week, row?.week_before, row?.week_in) };
}
