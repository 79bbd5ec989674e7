// Plain formatting for tables and panels.

const nf = new Intl.NumberFormat('en');

export const num = (n: number | null | undefined) => (n === null || n === undefined ? '–' : nf.format(n));
/** "1 trace", "2 traces", "1,204 traces": a count and its noun, plural unless the count is one. */
export const count = (n: number | null | undefined, noun: string, plural = `${noun}s`) => `${num(n)} ${n === 1 ? noun : plural}`;
export const pct = (ratio: number | null | undefined) =>
  ratio === null || ratio === undefined ? '–' : `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.001 ? 2 : 1)}%`;

/** Units a duration under a minute is written in, smallest first: how many ms each is. */
const SMALL_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['ns', 1e-6],
  ['µs', 1e-3],
  ['ms', 1],
  ['s', 1000],
];
/** Units of a duration of a minute or more, largest first (ms each). */
const LARGE_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1000],
];

/**
 * The one way the UI writes a duration, given in milliseconds. Under a minute: three significant digits
 * in the unit that suits the value, so figures side by side read alike — "834 ns", "83.4 µs", "1.20 ms",
 * "12.3 ms", "123 ms", "2.51 s", "12.5 s". From a minute on, whole units as people say them, the two
 * largest: "4 min 10 s", "3 h 20 min", "1 d 1 h". Zero is "0 ms"; a negative duration (an event
 * before its trace's start, a clock skewed) keeps its sign ("−1.20 ms"); "–" for none or a value that is not a number.
 */
export function duration(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (value === 0) return '0 ms';
  const sign = value < 0 ? '−' : '';
  const abs = Math.abs(value);
  // Rounded to three digits in its unit first: 999.96 µs is "1.00 ms", 59.97 s is "1 min".
  for (const [i, [unit, size]] of SMALL_UNITS.entries()) {
    const limit = SMALL_UNITS[i + 1]?.[1] ?? 60_000;
    const digits = (abs / size).toPrecision(3);
    if (Number(digits) * size < limit) return `${sign}${digits} ${unit}`;
  }
  const parts: string[] = [];
  let rest = Math.round(abs / 1000) * 1000;
  for (const [unit, size] of LARGE_UNITS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n} ${unit}`);
  }
  // The two largest units say enough ("3 h 20 min", not "3 h 20 min 5 s"); a zero second part is dropped.
  return `${sign}${parts
    .slice(0, 2)
    .filter((p, i) => i === 0 || !p.startsWith('0 '))
    .join(' ')}`;
}

/** A latency or other duration in ms, or "–" for none: `duration`'s rule (kept as the name latency tables use). */
export const ms = (v: number | null | undefined) => duration(v);

/** Why a flow that ran shows no latency (the API gives null, never 0 ms, when no run had a duration). */
export const noLatencyWhy =
  'No run in this window had a duration: runs reported by OpenLineage carry no latency unless their START event reached Weft (traced runs always have one).';

/**
 * The one way the UI writes a point in time: the viewer's local time, day, month name and year and a
 * 24-hour clock ("30 Nov 2026, 07:08:12"), the same in every locale (neither 11/30 nor 30/11 to
 * misread). Where a time is shown, its ISO 8601 value goes in the element's title (components/Time.svelte).
 */
const clock = (timeZone?: string) =>
  new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZone,
  });
const calendar = (timeZone?: string) => new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone });
const localClock = clock();
const localCalendar = calendar();

/** Options of the time formatters: the time zone is the viewer's unless given (tests give one). */
export interface TimeFormat {
  /** An IANA zone such as "Europe/Berlin"; default: the browser's. */
  timeZone?: string;
}

/** "30 Nov 2026, 07:08:12" (local time) for an ISO 8601 time or ms since the epoch; "–" for none; a value that is not a time as it is. */
export function when(iso: string | number | null | undefined, { timeZone }: TimeFormat = {}): string {
  if (iso === null || iso === undefined || iso === '') return '–';
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  if (Number.isNaN(t)) return String(iso);
  return (timeZone ? clock(timeZone) : localClock).format(t);
}

/** "30 Nov 2026" (local date) for an ISO 8601 time; as `when` for none and for a value that is not a time. */
export function day(iso: string | null | undefined, { timeZone }: TimeFormat = {}): string {
  if (!iso) return '–';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return (timeZone ? calendar(timeZone) : localCalendar).format(t);
}

/** "3 min ago", "2 h ago", or the date (as `day` writes it) when older than a week; "never" for null. */
export function ago(iso: string | null | undefined, now = Date.now(), format: TimeFormat = {}): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 0) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  if (s < 7 * 86_400) return `${Math.round(s / 86_400)} d ago`;
  return day(iso, format);
}

/** An ISO 8601 date-time as the API writes them ("2026-11-30T07:08:12.345Z", or with an offset): a time to format, not text to show as it is. */
export function isIsoTime(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value) && !Number.isNaN(Date.parse(value));
}

/** Milliseconds of a duration like "5m", "1h30m", "7d". */
export function durationMs(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) total += Number(n) * units[unit];
  return total;
}

/** Link to a flow's page (ids of observed flows hold ':', '>' and '@'). */
export const flowHref = (id: string) => `/flows/${encodeURIComponent(id)}`;

/** The id the API gives an undocumented flow seen between two systems through one integration. */
export const observedFlowId = (source: string, target: string, integration: string) => `observed:${source}->${target}@${integration}`;
