/**
 * The whole-minute window figures read from the rollups cover, as plain arithmetic: a flow's summary and
 * series (api/routes/flows.ts) and the analyzer's snapshots behind the graph, the inventory and the records
 * per hop (analyzer/runner.ts) are read over it and state it, and the UI lays the period before a range on it.
 */

const MINUTE_MS = 60_000;

/**
 * The window of whole minutes (the rollups' grain) a range asked for is read over, in ms since the epoch.
 * A preset (`preset`: the range was given as `since=1h`) keeps its length in minutes (rounded up) and ends
 * at the end of the current minute; an absolute range (`from`, `to`) is widened to the minutes it touches:
 * 10:44:07 – 10:46:33 is 10:44 – 10:47, a 30 s range its whole minute. A window already on whole minutes
 * is itself. `since` and `until` are ms since the epoch, `since` < `until` (the range checks come first).
 */
export function minuteWindow(since: number, until: number, preset: boolean): { since: number; until: number } {
  const end = Math.ceil(until / MINUTE_MS) * MINUTE_MS;
  const start = preset ? end - Math.ceil((until - since) / MINUTE_MS) * MINUTE_MS : Math.floor(since / MINUTE_MS) * MINUTE_MS;
  return { since: start, until: Math.max(end, start + MINUTE_MS) };
}
