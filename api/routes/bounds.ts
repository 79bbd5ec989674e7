/**
 * Bounds on the time inputs of every read route (`since`, `step`): answered with 400 and a message
 * that says what to send instead, never a 500 from an invalid date or an overflowing interval.
 */
import { ERR_BAD_REQUEST, isWeftError } from '../../core/errors/index.ts';
import { didYouMean } from '../../core/text/index.ts';
import {
  formatDuration,
  INSTANT_EXAMPLE,
  instantMs,
  minuteWindow,
  parseDuration,
  STORE_FIRST_YEAR,
  STORE_LAST_YEAR,
  storableTime,
} from '../../core/time/index.ts';
import { MAX_RANGE_DAYS } from '../schemas/range-limits.ts';

/** Longest look-back when the process does not say (the default rollup retention, 400 days). */
export const DEFAULT_MAX_SINCE_MS = 400 * 86_400_000;
/** Longest look-back over Weft's own records (probe samples): their default retention, 730 days. */
export const DEFAULT_MAX_RECORD_SINCE_MS = 730 * 86_400_000;
/** Smallest series bucket: the rollups are per minute. */
export const MIN_STEP_MS = 60_000;
/** Most points one series may have (since / step). */
export const MAX_SERIES_POINTS = 10_000;
/** The longest absolute range (`from`, `to`) a route reads (400 days: the default rollup retention). */
export const MAX_RANGE_MS = MAX_RANGE_DAYS * 86_400_000;
/** The relative window when a range route is given neither `since` nor `from`. */
export const DEFAULT_RANGE_MS = 86_400_000;

function duration(text: string, field: string): number {
  try {
    return parseDuration(text, field);
  } catch (err) {
    if (isWeftError(err)) throw ERR_BAD_REQUEST(`Invalid querystring field "${field}": ${err.message}`);
    throw err;
  }
}

/** `since` → ms: positive and at most `maxMs` (what is kept); undefined when absent. Throws ERR_BAD_REQUEST. */
export function boundedSince(since: string | undefined, maxMs: number = DEFAULT_MAX_SINCE_MS): number | undefined {
  if (since === undefined || since === '') return undefined;
  const ms = duration(since, 'since');
  if (ms <= 0) throw ERR_BAD_REQUEST('Invalid querystring field "since": it must be a positive duration like 24h.');
  if (ms > maxMs) throw ERR_BAD_REQUEST(`Invalid querystring field "since": at most ${formatDuration(maxMs)} (what Weft keeps), got "${since}".`);
  return ms;
}

/**
 * A time range from a query: absolute (`from`, `to`; `to` defaults to `now`) or relative (`since`,
 * default 24h, bounded as `boundedSince`), as Dates. Throws ERR_BAD_REQUEST (400) with what to change
 * when both kinds are given, a time is not an RFC 3339 date-time with its offset (`instantMs`: a day the
 * calendar has, no time read in the server's zone) or lies outside the years the store holds (1900–2299,
 * `storableTime`), `from` is not before `to`, or the range is longer than 400 days.
 */
export function boundedRange(q: { since?: string; from?: string; to?: string }, now = Date.now()): { since: Date; until: Date } {
  if (q.from === undefined && q.to === undefined) return { since: new Date(now - (boundedSince(q.since) ?? DEFAULT_RANGE_MS)), until: new Date(now) };
  if (q.since !== undefined) throw ERR_BAD_REQUEST('Give either since, or from and to, not both.');
  if (q.from === undefined) throw ERR_BAD_REQUEST('to needs from: give from too (or since, for a window ending now).');
  const from = queryInstant(q.from, 'from');
  const to = q.to === undefined ? now : queryInstant(q.to, 'to');
  const iso = (t: number) => new Date(t).toISOString();
  if (from >= to) throw ERR_BAD_REQUEST(`from must be before to, got from=${iso(from)} and to=${iso(to)}.`);
  if (to - from > MAX_RANGE_MS) {
    throw ERR_BAD_REQUEST(
      `The range may cover at most ${MAX_RANGE_DAYS} days, got ${Math.ceil((to - from) / 86_400_000)} days (from=${iso(from)}, to=${iso(to)}).`,
    );
  }
  return { since: new Date(from), until: new Date(to) };
}

/**
 * A client's absolute time → ms since the epoch: an RFC 3339 date-time with its offset (`instantMs`; with
 * `dateAlone`, a date alone too, as its midnight UTC) within the years the store holds. Throws
 * ERR_BAD_REQUEST (400) naming `field` and what to send instead; for an offset whose `+` was sent
 * unencoded (and so arrives as a space), that it must be sent as `%2B`.
 */
export function queryInstant(text: string, field: string, options: { dateAlone?: boolean } = {}): number {
  const t = instantMs(text, options);
  if (Number.isNaN(t)) {
    const alone = options.dateAlone ? ', or a date alone (its midnight UTC)' : '';
    // A `+` left unencoded in a query string is decoded as a space (application/x-www-form-urlencoded).
    const offset = / (\d{2}:?\d{2})$/.exec(text)?.[1];
    const spaced = offset !== undefined && !Number.isNaN(instantMs(`${text.slice(0, -offset.length - 1)}+${offset}`));
    const hint = spaced ? ` A + in a query string arrives as a space: send the offset as %2B${offset}.` : '';
    throw ERR_BAD_REQUEST(
      `${field} must be a date and time that exists, with its UTC offset (RFC 3339), such as ${INSTANT_EXAMPLE}${alone}; got ${JSON.stringify(text.slice(0, 40))}.${hint}`,
    );
  }
  if (!storableTime(t))
    throw ERR_BAD_REQUEST(
      `${field} must lie between the years ${STORE_FIRST_YEAR} and ${STORE_LAST_YEAR} (what the store holds), got ${new Date(t).toISOString()}.`,
    );
  return t;
}

/** `step` → ms: whole minutes, at least 1m, at most the window, and at most MAX_SERIES_POINTS points over it. Throws ERR_BAD_REQUEST. */
export function boundedStep(step: string, sinceMs: number): number {
  const ms = duration(step, 'step');
  if (ms < MIN_STEP_MS) throw ERR_BAD_REQUEST(`Invalid querystring field "step": at least 1m (the rollups are per minute), got "${step}".`);
  // A step between whole minutes lays buckets of one minute and of two by turns: a sawtooth no flow has.
  if (ms % MIN_STEP_MS !== 0) {
    const below = Math.floor(ms / MIN_STEP_MS) * MIN_STEP_MS;
    throw ERR_BAD_REQUEST(
      `Invalid querystring field "step": whole minutes (the rollups are per minute), got "${step}"; use ${formatDuration(below)} or ${formatDuration(below + MIN_STEP_MS)}.`,
    );
  }
  if (ms > sinceMs) throw ERR_BAD_REQUEST(`Invalid querystring field "step": at most the window (since=${formatDuration(sinceMs)}), got "${step}".`);
  if (sinceMs / ms > MAX_SERIES_POINTS) {
    throw ERR_BAD_REQUEST(
      `Invalid querystring field "step": since / step would be ${Math.ceil(sinceMs / ms)} points, more than ${MAX_SERIES_POINTS}; ` +
        `use a step of at least ${formatDuration(Math.ceil(sinceMs / MAX_SERIES_POINTS / MIN_STEP_MS) * MIN_STEP_MS)}.`,
    );
  }
  return ms;
}

/**
 * The whole minutes a range query (`since`, or `from` and `to`) is read over: the window a flow's summary,
 * series and records per hop all state (`minuteWindow`), so a range with seconds and the period before it
 * share one grid of minutes (10:44:07 – 10:46:33 is read as 10:44 – 10:47). Throws ERR_BAD_REQUEST as
 * `boundedRange`.
 */
export function flowWindow(query: { since?: string; from?: string; to?: string }): { since: Date; until: Date } {
  const asked = boundedRange(query);
  const w = minuteWindow(asked.since.getTime(), asked.until.getTime(), query.from === undefined);
  return { since: new Date(w.since), until: new Date(w.until) };
}

/**
 * A comma-separated query value of names from `allowed` (`?status=open,acknowledged`), or undefined when the
 * parameter is absent. Throws WEFT_ERR_BAD_REQUEST (400) for an empty value or item (`?status=`, `open,,x`,
 * `open,`: read as "no filter" it would answer everything), and for an unknown name, with the one meant.
 */
export function commaList<T extends string>(value: string | undefined, allowed: readonly T[], field: string): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim());
  const takes = `expected one or more of ${allowed.join(', ')}, separated by commas`;
  if (items.some((i) => i === ''))
    throw ERR_BAD_REQUEST(
      `Invalid querystring field "${field}": ${value.trim() === '' ? 'it is empty' : `it has an empty item (${JSON.stringify(value.slice(0, 100))})`}; ${takes}.`,
    );
  const bad = items.filter((i) => !allowed.includes(i as T));
  if (bad.length)
    throw ERR_BAD_REQUEST(
      `Invalid querystring field "${field}": unknown ${bad.map((b) => `${JSON.stringify(b.slice(0, 100))}${didYouMean(b.slice(0, 100), allowed)}`).join(', ')}; ${takes}.`,
    );
  return items as T[];
}
