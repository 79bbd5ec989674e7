import { ERR_CONFIG } from '../errors/index.ts';
import { checkedRegExp } from '../text/checked-regexp.ts';

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The longest duration Weft accepts anywhere (100 years, in ms): beyond it dates stop being dates. */
export const MAX_DURATION_MS = 100 * 365 * 86_400_000;
/** Longest duration text read: "1h30m" is short; 64 characters hold any sensible compound. */
const MAX_DURATION_TEXT = 64;

/**
 * A setting's own upper bound on a duration, below MAX_DURATION_MS: `maxMs` (ms), and the error that says it, thrown
 * for any longer duration — an overflowing one ("99999999999999999999d") included, so that the message names the
 * setting's bound rather than the 100 years every duration has.
 */
export interface DurationBound {
  maxMs: number;
  error: () => Error;
}

/**
 * "500ms", "30s", "5m", "2h", "7d", "1w", or compound "1h30m" → milliseconds. Throws ERR_CONFIG
 * (400) with a message naming the value when it is not a duration, or longer than MAX_DURATION_MS
 * (so that an overflowing "99999999999999999999999d" never becomes an invalid date further on);
 * with `bound`, `bound.error()` for a duration longer than `bound.maxMs`.
 */
export function parseDuration(text: string, what = 'duration', bound?: DurationBound): number {
  const s = String(text).trim();
  const shown = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  if (s.length > MAX_DURATION_TEXT) throw ERR_CONFIG(`${what} must be a duration like 30s, 5m, 2h or 7d, got a ${s.length}-character text "${shown}".`);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * units[m[2]];
    matched = re.lastIndex;
  }
  if (s.length === 0 || matched !== s.length) {
    throw ERR_CONFIG(`${what} must be a duration like 30s, 5m, 2h or 7d, got "${shown}".`);
  }
  // NaN never: every number matched is digits. Infinity (an overflow) is longer than any bound.
  if (bound && total > bound.maxMs) throw bound.error();
  if (!Number.isFinite(total) || total > MAX_DURATION_MS) {
    throw ERR_CONFIG(`${what} is longer than the longest duration Weft accepts (100 years), got "${shown}".`);
  }
  return total;
}

/**
 * parseDuration for a length of time that must pass: a window, a period, an interval. "0s" (or "0m", "0ms") is
 * refused with ERR_CONFIG naming `what` and the reason: a window of no time holds nothing, an interval of none is a
 * loop that never rests. `bound` as for parseDuration.
 */
export function parsePositiveDuration(text: string, what = 'duration', reason = 'no time at all is not a window', bound?: DurationBound): number {
  const ms = parseDuration(text, what, bound);
  if (ms <= 0) throw ERR_CONFIG(`${what} must be longer than 0 (${reason}), got "${String(text).trim()}".`);
  return ms;
}

/**
 * The JSON Schema pattern of a duration in the catalog (`30s`, `5m`, `1h30m`): the one every duration field uses, and
 * what the catalog's range check (core/catalog/schema-problems.ts) recognises a duration field by.
 */
export const DURATION_PATTERN = '^(\\d+(\\.\\d+)?(ms|s|m|h|d|w))+$';

const DURATION = checkedRegExp(DURATION_PATTERN);

/** Whether `text` (trimmed) has a duration's shape (DURATION_PATTERN); its range is parseDuration's to check. */
export function isDuration(text: string): boolean {
  return DURATION.test(String(text).trim());
}

/** 90_000 → "1m30s"; for messages and evidence. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
