import { parseDuration } from '../core/time/index.ts';
import { ERR_REPORT_PERIOD } from './errors.ts';
import type { Period } from './model.ts';

const MAX_MS = 400 * 86_400_000;

/** A time given as a duration back from `now` ("24h", "7d") or an ISO 8601 timestamp. */
function pointIn(text: string, now: Date, field: string): Date {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const d = new Date(text);
    if (Number.isNaN(d.getTime())) throw ERR_REPORT_PERIOD(`${field} "${text}" is not a valid ISO 8601 time (2026-11-01T00:00:00Z).`);
    return d;
  }
  try {
    return new Date(now.getTime() - parseDuration(text, field));
  } catch {
    throw ERR_REPORT_PERIOD(`${field} takes a duration back from now (24h, 7d) or an ISO 8601 time (2026-11-01T00:00:00Z), got "${text}".`);
  }
}

/**
 * The period a report covers: `since` (duration back from now, or ISO time) to `until` (ISO time or
 * duration back from now; default now). Throws WEFT_ERR_REPORT_PERIOD for an empty, inverted or
 * longer-than-400-days period.
 */
export function resolvePeriod(input: { since?: string; until?: string }, now: Date): Period {
  const until = input.until ? pointIn(input.until, now, 'until') : now;
  const since = pointIn(input.since ?? '24h', now, 'since');
  if (since.getTime() >= until.getTime())
    throw ERR_REPORT_PERIOD(`The period must start before it ends: since ${since.toISOString()} is not before until ${until.toISOString()}.`);
  if (until.getTime() - since.getTime() > MAX_MS) throw ERR_REPORT_PERIOD('A report covers at most 400 days: shorten the period.');
  return { since: since.toISOString(), until: until.toISOString() };
}
