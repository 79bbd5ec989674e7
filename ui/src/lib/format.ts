// Plain formatting for tables and panels.

const nf = new Intl.NumberFormat('en');

export const num = (n: number | null | undefined) => (n === null || n === undefined ? '–' : nf.format(n));
/** "1 trace", "2 traces", "1,204 traces": a count and its noun, plural unless the count is one. */
export const count = (n: number | null | undefined, noun: string, plural = `${noun}s`) => `${num(n)} ${n === 1 ? noun : plural}`;
export const pct = (ratio: number | null | undefined) =>
  ratio === null || ratio === undefined ? '–' : `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.001 ? 2 : 1)}%`;
export const ms = (v: number | null | undefined) =>
  v === null || v === undefined ? '–' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${nf.format(Math.round(v))} ms`;

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
