// The flow page's range: its custom inputs (local time, to the second), the check of what the URL or the
// inputs give before anything is asked of the API, zooming by dragging, and the period before a range.
import {
  INSTANT_EXAMPLE,
  instantMs,
  MAX_RANGE_DAYS,
  minuteWindow,
  STORE_FIRST_YEAR,
  STORE_LAST_YEAR,
  storableTime,
} from '../../../../api/schemas/range-limits.ts';
import { when, type TimeFormat } from '../format.ts';

const DAY = 86_400_000;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * An ISO 8601 time as a datetime-local input shows it: the viewer's local time to the second,
 * "2026-11-30T07:08:12" (the input needs `step="1"` to show the seconds). The offset is the one of that
 * date, not today's: a time across a daylight-saving change keeps its hour. '' for none or not a time.
 */
export function toLocalInput(iso: string | null | undefined): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return '';
  const d = new Date(t);
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * A datetime-local input's value ("2026-11-30T07:08", or with ":12" seconds; local time) as the URL
 * keeps it, ISO 8601 in UTC; undefined when empty (the field cleared), '' when not a time (so the
 * range check says so rather than the value vanishing).
 */
export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const m = /^(\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value);
  if (!m) return '';
  const [, y, mo, d, h, mi, s = '0', frac = '0'] = m;
  const t = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(frac.padEnd(3, '0'))).getTime();
  return Number.isNaN(t) ? '' : new Date(t).toISOString();
}

/**
 * What is wrong with an absolute range as the URL or the inputs give it (`from`, and `to`: '' for an
 * open range, up to `now`), in words that say what to change; null when the API will take it. The
 * rules are the API's (api/routes/bounds.ts `boundedRange`): both times RFC 3339 with their offset
 * (`instantMs`: a URL edited to 2026-02-30 is refused here, not read as 2 March) and within the years the
 * store holds (1900–2299), 'from' before 'to', at most MAX_RANGE_DAYS days.
 */
export function rangeProblem(from: string, to: string, now: number, format: TimeFormat = {}): string | null {
  const a = instantMs(from);
  const b = to ? instantMs(to) : now;
  const readable = `(an existing day, with its UTC offset: ${INSTANT_EXAMPLE})`;
  if (Number.isNaN(a)) return `'from' is not a date and time ${readable}: pick one in the 'from' field.`;
  if (Number.isNaN(b)) return `'to' is not a date and time ${readable}: pick one in the 'to' field, or clear it for a range up to now.`;
  const years = `${STORE_FIRST_YEAR} to ${STORE_LAST_YEAR}`;
  if (!storableTime(a)) return `'from' lies outside the years ${years} that Weft stores: pick a 'from' between them.`;
  if (!storableTime(b)) return `'to' lies outside the years ${years} that Weft stores: pick a 'to' between them, or clear it for a range up to now.`;
  const toText = to ? `'to' is ${when(b, format)}` : `'to' is now (${when(b, format)})`;
  if (a >= b) return `'from' must be before 'to': 'from' is ${when(a, format)}, ${toText}. Pick an earlier 'from' or a later 'to'.`;
  if (b - a > MAX_RANGE_DAYS * DAY)
    return `The range may cover at most ${MAX_RANGE_DAYS} days; this one covers ${Math.ceil((b - a) / DAY)}. Pick a later 'from' or an earlier 'to'.`;
  return null;
}

/**
 * The range a drag across a chart selects (ms since the epoch), widened to whole minutes (the rollups'
 * grain, at least one; `minuteWindow`, as the API reads a range): so the period before it, shifted onto it, lands on its buckets.
 */
export function zoomRange(a: number, b: number): { from: string; to: string } {
  const { since, until } = minuteWindow(Math.min(a, b), Math.max(a, b), false);
  return { from: new Date(since).toISOString(), to: new Date(until).toISOString() };
}

/**
 * The period before a window (for "compare with the previous period"), as ISO 8601: as long, ending where
 * it starts, both on whole minutes. The window is first taken as the API reads it (core/time/minute-window.ts
 * `minuteWindow`, the rule of the flow summary and series: 10:44:07 – 10:46:33 is 10:44 – 10:47), so the
 * period before (10:41 – 10:44) shares no minute with it and its buckets, shifted by the length, are its
 * buckets. A window the API stated (already whole minutes) is kept as it is.
 */
export function periodBefore(w: { since: string; until: string }): { since: string; until: string } {
  const { since, until } = minuteWindow(Date.parse(w.since), Date.parse(w.until), false);
  return { since: new Date(since - (until - since)).toISOString(), until: new Date(since).toISOString() };
}
