/**
 * Absolute times a client sends (a range's `from`/`to`, a report's period, a silence's bounds, an
 * OpenLineage `eventTime`), read one way everywhere. `Date.parse` alone takes far more than a time:
 * "2026-02-30T00:00:00Z" becomes 2 March, "2026-11-29T08:00:00" is read in the server's time zone,
 * "Nov 30 2026" is accepted; each would make a query, a report or a run cover another period than the
 * one asked for without saying so. The grammar is RFC 3339 §5.6 as ajv-formats checks it (the validator
 * behind every schema's `format: 'date-time'`), so a route's schema and its own check agree.
 */
import { fullFormats } from 'ajv-formats/dist/formats.js';

const dateTime = fullFormats['date-time'] as { validate: (s: string) => boolean };
const fullDate = fullFormats.date as { validate: (s: string) => boolean };

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

/** How a time should be written, for messages: both forms an RFC 3339 time takes. */
export const INSTANT_EXAMPLE = '2026-11-29T08:00:00Z or 2026-11-29T09:00:00+01:00';

/**
 * Whether `text` is an RFC 3339 full-date ("2026-11-29") that names a day of the calendar: months
 * 01–12, the days that month has (29 February only in leap years).
 */
export function isCalendarDate(text: string): boolean {
  return fullDate.validate(text);
}

/**
 * ms since the epoch of an RFC 3339 date-time (§5.6 `date-time`: a calendar date as `isCalendarDate`,
 * "T" (or "t", or a space), hh:mm:ss with an optional fraction, and an offset, "Z" or ±hh:mm), to the
 * millisecond (a finer fraction is cut); NaN for anything else, including a time without an offset and a
 * leap second (":60", which no store column holds). With `dateAlone`, a full-date alone is accepted
 * too and read as its midnight UTC.
 */
export function instantMs(text: string, options: { dateAlone?: boolean } = {}): number {
  if (options.dateAlone && isCalendarDate(text)) return Date.parse(`${text}T00:00:00Z`);
  if (!dateTime.validate(text)) return NaN;
  // An offset written without its colon (+0100, which RFC 3339 allows in ajv's reading) parses only with it.
  return Date.parse(text.replace(/([+-]\d\d)(\d\d)$/, '$1:$2').replace(' ', 'T'));
}
