/**
 * Bounds on the time inputs of every read route (`since`, `step`): answered with 400 and a message
 * that says what to send instead, never a 500 from an invalid date or an overflowing interval.
 */
import { ERR_BAD_REQUEST, isWeftError } from '../../core/errors/index.ts';
import { formatDuration, parseDuration } from '../../core/time/index.ts';

/** Longest look-back when the process does not say (the default rollup retention, 400 days). */
export const DEFAULT_MAX_SINCE_MS = 400 * 86_400_000;
/** Longest look-back over Weft's own records (probe samples): their default retention, 730 days. */
export const DEFAULT_MAX_RECORD_SINCE_MS = 730 * 86_400_000;
/** Smallest series bucket: the rollups are per minute. */
export const MIN_STEP_MS = 60_000;
/** Most points one series may have (since / step). */
export const MAX_SERIES_POINTS = 10_000;

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

/** `step` → ms: at least 1m, at most the window, and at most MAX_SERIES_POINTS points over it. Throws ERR_BAD_REQUEST. */
export function boundedStep(step: string, sinceMs: number): number {
  const ms = duration(step, 'step');
  if (ms < MIN_STEP_MS) throw ERR_BAD_REQUEST(`Invalid querystring field "step": at least 1m (the rollups are per minute), got "${step}".`);
  if (ms > sinceMs) throw ERR_BAD_REQUEST(`Invalid querystring field "step": at most the window (since=${formatDuration(sinceMs)}), got "${step}".`);
  if (sinceMs / ms > MAX_SERIES_POINTS) {
    throw ERR_BAD_REQUEST(
      `Invalid querystring field "step": since / step would be ${Math.ceil(sinceMs / ms)} points, more than ${MAX_SERIES_POINTS}; ` +
        `use a step of at least ${formatDuration(Math.ceil(sinceMs / MAX_SERIES_POINTS))}.`,
    );
  }
  return ms;
}
