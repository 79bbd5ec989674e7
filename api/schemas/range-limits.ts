/**
 * Limits of a time range (`from`, `to`) the API reads, as plain values (no TypeBox): the API's checks
 * (api/routes/bounds.ts) and the UI's range inputs both take them from here. How a time is read, the years
 * the store holds and the whole-minute window are core/time's, passed on here for the UI (which imports
 * only the API).
 */
export { INSTANT_EXAMPLE, instantMs, storableTime, STORE_FIRST_YEAR, STORE_LAST_YEAR } from '../../core/time/instant.ts';
export { minuteWindow } from '../../core/time/minute-window.ts';

/** The longest absolute range a route reads, in days (the default rollup retention). */
export const MAX_RANGE_DAYS = 400;
