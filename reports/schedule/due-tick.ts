import { CronTime } from 'cron';

/** How far back a schedule's last tick is looked for (ms): a cron that fires less than once in 5 years has none. */
const LOOKBACK_MS = 5 * 366 * 86_400_000;

/**
 * The most recent time (UTC) at or before `at` that the cron expression was due, exactly (06:00:00.000Z,
 * not the moment a timer fired); null when it was not due in the last five years. Throws on an invalid
 * cron expression.
 */
export function lastTickAtOrBefore(cron: string, at: Date): Date | null {
  const time = new CronTime(cron, 'UTC');
  const after = (d: Date) => time.getNextDateFrom(d).toJSDate();
  for (let window = 60_000; window <= LOOKBACK_MS * 2; window *= 2) {
    let tick = after(new Date(at.getTime() - Math.min(window, LOOKBACK_MS)));
    if (tick > at) continue;
    for (let next = after(tick); next <= at; next = after(next)) tick = next;
    return tick;
  }
  return null;
}
