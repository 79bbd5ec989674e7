import { CronTime } from 'cron';

const DAY_MS = 86_400_000;
/** The days looked at: eight years from a leap year's first day, so that every month length and 29 February recur. */
const FROM_MS = Date.UTC(2024, 0, 1);
const DAYS = 8 * 365 + 2;

/** The values a field of `CronTime.toJSON()` stands for: `*` is every value of `[low, high]`, else its comma list. */
function values(field: string, low: number, high: number): Set<number> {
  if (field === '*') return new Set(Array.from({ length: high - low + 1 }, (_, i) => low + i));
  return new Set(field.split(',').map(Number));
}

const gaps = new Map<string, number | undefined>();

/**
 * The longest time (ms) between two consecutive times a cron expression is due (five fields, or six with seconds
 * first; UTC, as the catalog reads `schedule.cron`), over eight years of days, which hold every pattern of months,
 * weekdays and leap days a cron can name: `0 2 * * *` 24 h, `0 6 * * 1` 168 h, every quarter hour from 09:00 to 17:45 on weekdays
 * 63 h 15 min (Friday 17:45 to Monday 09:00). Days are matched as the `cron` package matches them (when both the day of the month and
 * the day of the week are restricted, either one), the expression parsed by it. Undefined for an expression due less
 * than twice in those years (`0 0 30 2 *`: never). Cached per expression. Throws the `cron` package's error on an
 * expression that is not one (the catalog's validation refuses such a catalog first).
 */
export function longestCronGapMs(cron: string): number | undefined {
  if (gaps.has(cron)) return gaps.get(cron);
  const [sec, min, hour, dom, month, dow] = new CronTime(cron, 'UTC').toJSON();
  const seconds = values(sec, 0, 59);
  const minutes = values(min, 0, 59);
  const hours = values(hour, 0, 23);
  const months = values(month, 1, 12);
  const doms = values(dom, 1, 31);
  const dows = values(dow, 0, 6);
  // The times of a day it is due (ms after midnight), in order.
  const times: number[] = [];
  for (const h of [...hours].sort((a, b) => a - b))
    for (const m of [...minutes].sort((a, b) => a - b)) for (const s of [...seconds].sort((a, b) => a - b)) times.push(((h * 60 + m) * 60 + s) * 1000);
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i] - times[i - 1]);
  // The days it is due, as the cron package matches them (CronTime.getNextDateFrom): a restricted day of the month or
  // day of the week that the day is not skips it, unless the other field is restricted too and the day is that.
  const domAll = doms.size === 31;
  const dowAll = dows.size === 7;
  let previous: number | undefined;
  let dueDays = 0;
  for (let d = 0; d < DAYS; d++) {
    const day = new Date(FROM_MS + d * DAY_MS);
    if (!months.has(day.getUTCMonth() + 1)) continue;
    const domHit = doms.has(day.getUTCDate());
    const dowHit = dows.has(day.getUTCDay());
    const skip = (!domHit && !domAll && !(dowHit && !dowAll)) || (!dowHit && !dowAll && !(domHit && !domAll));
    if (skip || times.length === 0) continue;
    dueDays++;
    if (previous !== undefined) longest = Math.max(longest, (d - previous) * DAY_MS + times[0] - times[times.length - 1]);
    previous = d;
  }
  const gap = dueDays * times.length < 2 ? undefined : longest;
  gaps.set(cron, gap);
  return gap;
}
