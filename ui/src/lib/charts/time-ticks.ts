import { day } from '../format.ts';

/**
 * The time axis' ticks, chosen here rather than by ECharts: across the first of a month its time axis drew
 * the month's tick alone ("Dec 2026" as the only label of an hour 23:50 – 00:50), and on a phone that was
 * the chart's only time label. Ticks fall on round local times (every 1, 2, 5, 10, 15 or 30 minutes; 1, 2,
 * 3, 6 or 12 hours; 1, 2, 7 or 14 days; 1, 2, 3 or 6 months; years), whatever boundary the range crosses.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// As format.ts writes times and dates (en-GB: "1 Dec", "23:45" in every locale); `day` adds the year.
const dayMonth = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short' });
const hourMinute = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** A step: a length within the day (ms, aligned to local midnight), a number of days, or of months. */
type Step = { within: number } | { days: number } | { months: number };

const STEPS: Array<[approxMs: number, step: Step]> = [
  ...[1, 2, 5, 10, 15, 30].map((m): [number, Step] => [m * MINUTE, { within: m * MINUTE }]),
  ...[1, 2, 3, 6, 12].map((h): [number, Step] => [h * HOUR, { within: h * HOUR }]),
  ...[1, 2, 7, 14].map((d): [number, Step] => [d * DAY, { days: d }]),
  ...[1, 2, 3, 6, 12, 24, 60, 120].map((m): [number, Step] => [m * 30 * DAY, { months: m }]),
];

function localMidnight(t: number): Date {
  const d = new Date(t);
  d.setHours(0, 0, 0, 0);
  return d;
}

/**
 * Tick times (ms since the epoch, ascending) within [min, max], at most `target` + 1 of them (fewer when
 * no round step fits more): the smallest step of the list above giving no more than `target` intervals
 * over the range, laid on the local clock and calendar (a minute step counts from local midnight, a day
 * step from the first local midnight in the range, a month step on months whose number is a multiple of it).
 * `min` < `max`, `target` ≥ 1.
 */
export function timeTicks(min: number, max: number, target: number): number[] {
  const span = max - min;
  const step = (STEPS.find(([ms]) => span / ms <= target) ?? STEPS[STEPS.length - 1])[1];
  const out: number[] = [];
  if ('within' in step) {
    // Day by day from the local midnight before min, so that a change of UTC offset keeps ticks on round times.
    for (let start = localMidnight(min).getTime(); start <= max;) {
      const next = localMidnight(start + DAY + 2 * HOUR).getTime();
      for (let t = start; t < next && t <= max; t += step.within) if (t >= min) out.push(t);
      start = next;
    }
  } else if ('days' in step) {
    const day = localMidnight(min);
    if (day.getTime() < min) day.setDate(day.getDate() + 1);
    for (let i = 0; day.getTime() <= max; i++, day.setDate(day.getDate() + 1)) if (i % step.days === 0) out.push(day.getTime());
  } else {
    const month = localMidnight(min);
    month.setDate(1);
    for (; month.getTime() <= max; month.setMonth(month.getMonth() + 1)) {
      const index = month.getFullYear() * 12 + month.getMonth();
      if (month.getTime() >= min && index % step.months === 0) out.push(month.getTime());
    }
  }
  return out;
}

/**
 * A tick's label, on the local clock: a local midnight as the UI writes dates ("1 Dec", with the year on
 * 1 January: "1 Jan 2027"), any other tick as its time ("23:45").
 */
export function tickLabel(t: number): string {
  const d = new Date(t);
  if (d.getHours() !== 0 || d.getMinutes() !== 0) return hourMinute.format(d);
  return d.getMonth() === 0 && d.getDate() === 1 ? day(d.toISOString()) : dayMonth.format(d);
}
