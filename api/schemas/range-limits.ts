/**
 * Limits of a time range (`from`, `to`) the API reads, as plain values (no TypeBox): the API's checks
 * (api/routes/bounds.ts) and the UI's range inputs both take them from here.
 */

/** The longest absolute range a route reads, in days (the default rollup retention). */
export const MAX_RANGE_DAYS = 400;

/**
 * The first and last instants the store's DateTime64 columns hold, ms since the epoch (ClickHouse
 * DateTime64: 1900-01-01 00:00:00 to 2299-12-31 23:59:59.99999999 UTC). A time outside them cannot be
 * compared with or written into the store: a route refuses it with 400 instead of passing it on.
 */
export const STORE_FIRST_YEAR = 1900;
export const STORE_LAST_YEAR = 2299;
export const STORE_EARLIEST_MS = Date.UTC(STORE_FIRST_YEAR, 0, 1);
export const STORE_LATEST_MS = Date.UTC(STORE_LAST_YEAR + 1, 0, 1) - 1;

/** Whether `ms` (since the epoch) is an instant the store can hold (see STORE_EARLIEST_MS). */
export function storableTime(ms: number): boolean {
  return ms >= STORE_EARLIEST_MS && ms <= STORE_LATEST_MS;
}
