/**
 * Limits of a time range (`from`, `to`) the API reads, as plain values (no TypeBox): the API's checks
 * (api/routes/bounds.ts) and the UI's range inputs both take them from here; how a time is read and the
 * years the store holds are core/time/instant.ts's.
 */

/** The longest absolute range a route reads, in days (the default rollup retention). */
export const MAX_RANGE_DAYS = 400;
