export { parseDuration, parsePositiveDuration, isDuration, formatDuration, MAX_DURATION_MS, DURATION_PATTERN } from './duration.ts';
export { systemClock } from './clock.ts';
export { minuteWindow } from './minute-window.ts';
export type { Clock } from './clock.ts';
export { instantMs, isCalendarDate, storableTime, INSTANT_EXAMPLE, STORE_FIRST_YEAR, STORE_LAST_YEAR, STORE_EARLIEST_MS, STORE_LATEST_MS } from './instant.ts';
