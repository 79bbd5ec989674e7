// Changing a page's URL query (its filters, its range) only when the change changes something: a
// navigation to the same view adds a history entry, and Back then has to be pressed twice.
import { isIsoTime } from '../format.ts';

/** Two values of a query parameter that say the same: equal text, or two ISO 8601 times of the same instant ("…07Z" and "…07.000Z"). */
function same(a: string | null, b: string | null): boolean {
  if (a === b) return true;
  return isIsoTime(a) && isIsoTime(b) && Date.parse(a) === Date.parse(b);
}

/**
 * The href of `url` with `changes` applied to its query (a value sets the parameter; undefined or ''
 * removes it), or null when that query says the same as the current one (every parameter equal, times
 * compared as instants): the caller then does not navigate. The path is kept; the parameters keep their order.
 */
export function changedHref(url: URL, changes: Record<string, string | undefined>): string | null {
  const next = new URLSearchParams(url.searchParams);
  for (const [k, v] of Object.entries(changes)) {
    if (v) next.set(k, v);
    else next.delete(k);
  }
  const keys = new Set([...url.searchParams.keys(), ...next.keys()]);
  const unchanged = [...keys].every((k) => {
    const was = url.searchParams.getAll(k);
    const now = next.getAll(k);
    return was.length === now.length && was.every((v, i) => same(v, now[i]));
  });
  return unchanged ? null : `${url.pathname}${next.size ? `?${next}` : ''}`;
}

/**
 * Whether a range to zoom into (`from`, `to`, ISO 8601) is the window shown (`since`, `until`, as the
 * API stated it): a drag across the whole chart selects the range already on screen, and is no change.
 */
export function isSameWindow(range: { from: string; to: string }, shown: { since: string; until: string } | undefined): boolean {
  return !!shown && Date.parse(range.from) === Date.parse(shown.since) && Date.parse(range.to) === Date.parse(shown.until);
}
