import { formatDuration, INSTANT_EXAMPLE, instantMs, parseDuration, STORE_FIRST_YEAR, STORE_LAST_YEAR, storableTime } from '../core/time/index.ts';
import { shown } from '../core/text/index.ts';
import { ERR_REPORT_PERIOD } from './errors.ts';
import type { Period } from './model.ts';

const MAX_MS = 400 * 86_400_000;
const MINUTE_MS = 60_000;

/**
 * The whole minutes flows are counted over in a report of `period` (their rollups are kept by the minute): both
 * ends rounded down, [since, until), so two reports that meet share no minute (rounding out counted the one
 * between them twice) and none is left out. Events, findings and alerts are read over the exact period.
 */
export function flowMinutes(period: Period): { since: Date; until: Date } {
  const floor = (iso: string) => new Date(Math.floor(Date.parse(iso) / MINUTE_MS) * MINUTE_MS);
  return { since: floor(period.since), until: floor(period.until) };
}
/**
 * The sentence a report says about the window its flow figures cover (`flowMinutes`), exact to the second:
 * "Flow figures (runs, records, errors) are counted over whole minutes, from … to … UTC", or, when the period
 * holds no minute's start, that no flow is counted in it.
 */
export function flowWindowText(period: Period): string {
  const { since, until } = flowMinutes(period);
  const at = (d: Date) => `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  const rule = 'flows are counted over whole minutes, both ends of the period rounded down to the minute';
  return since.getTime() === until.getTime()
    ? `No flow is counted in this report: ${rule}, and this period holds no whole minute (both ends round down to ${at(since)}).`
    : `Flow figures (runs, records, errors, last seen) cover ${at(since)} to ${at(until)} (until excluded): ${rule}.`;
}

/** Within this long of a period's end, a report says how soon after it it was made (in ms: an hour). */
const RECENT_END_MS = 3_600_000;

/**
 * What a report's figures are as of (`report.dataAsOf`, on the PDF's cover): what Weft had stored when it was made.
 * Spans, probe samples and findings can be stored after that for a time inside the period (a run still going at its
 * end, an exporter that retried, a collector that was behind), so a report of the same period made later can count
 * more; when the period ended less than an hour before, it says how long before.
 */
export function dataAsOfText(period: Period, generatedAt: Date): string {
  const sinceEnd = generatedAt.getTime() - Date.parse(period.until);
  const base =
    `What Weft had stored at ${generatedAt.toISOString().slice(0, 19).replace('T', ' ')} UTC. Data about the period that is stored later ` +
    '(a run still going at its end, spans an exporter sent late) is not counted here; a report of this period made later can count it, and then differ.';
  return sinceEnd >= 0 && sinceEnd < RECENT_END_MS
    ? `${base} This period ended ${formatDuration(sinceEnd)} before the report was made: runs in flight at its end may not be stored yet.`
    : base;
}

/** How far ahead of this machine's clock a period's end is taken as "now" (another machine's clock running ahead), in ms. */
const FUTURE_SKEW_MS = 60_000;

/**
 * A time given as a duration back from `now` ("24h", "7d"), an RFC 3339 date-time with its offset, or a
 * date alone (its midnight UTC): `instantMs`, so 2026-02-30 is refused rather than read as 2 March and a
 * time without its offset is not read in this machine's zone.
 */
function pointIn(text: string, now: Date, field: string): Date {
  if (/^\d{4}-/.test(text)) {
    const t = instantMs(text, { dateAlone: true });
    if (Number.isNaN(t))
      throw ERR_REPORT_PERIOD(
        `${field} ${shown(text)} is not a date and time that exists with its UTC offset (RFC 3339: ${INSTANT_EXAMPLE}), nor a date alone (2026-11-01, its midnight UTC).`,
      );
    if (!storableTime(t)) throw ERR_REPORT_PERIOD(`${field} ${text} lies outside the years ${STORE_FIRST_YEAR} to ${STORE_LAST_YEAR} that Weft stores.`);
    return new Date(t);
  }
  try {
    return new Date(now.getTime() - parseDuration(text, field));
  } catch {
    throw ERR_REPORT_PERIOD(`${field} takes a duration back from now (24h, 7d) or an RFC 3339 time (${INSTANT_EXAMPLE}), got ${shown(text)}.`);
  }
}

/**
 * The period a report covers: `since` (duration back from now, RFC 3339 time or date) to `until` (the
 * same; default now, when absent). Throws WEFT_ERR_REPORT_PERIOD for an empty `since` or `until` (not
 * taken as its default), an empty, inverted or longer-than-400-days period, and an `until` more than a minute
 * ahead of `now` (within a minute, it is read as `now`). `names` are how its messages call
 * the two fields (the API's body fields by default; the CLI passes its flags, `--since` and `--until`).
 */
export function resolvePeriod(
  input: { since?: string; until?: string },
  now: Date,
  names: { since: string; until: string } = { since: 'since', until: 'until' },
): Period {
  let until = input.until === undefined ? now : pointIn(input.until, now, names.until);
  // A signed report says what happened up to its end: an end to come is refused (a clock a little ahead is read as now).
  if (until.getTime() > now.getTime() + FUTURE_SKEW_MS)
    throw ERR_REPORT_PERIOD(
      `${names.until} ${until.toISOString()} lies in the future (it is ${now.toISOString()}): a report covers what has happened; give a time up to now, or leave it out for now.`,
    );
  if (until.getTime() > now.getTime()) until = now;
  const since = pointIn(input.since ?? '24h', now, names.since);
  if (since.getTime() >= until.getTime())
    throw ERR_REPORT_PERIOD(`The period must start before it ends: since ${since.toISOString()} is not before until ${until.toISOString()}.`);
  if (until.getTime() - since.getTime() > MAX_MS) throw ERR_REPORT_PERIOD('A report covers at most 400 days: shorten the period.');
  return { since: since.toISOString(), until: until.toISOString() };
}
