import { toChTime } from '../../clickhouse/index.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/**
 * Rows of a rollup family for [since, until]: the minutes that overlap it, from the one `since` falls
 * in to the last that starts before `until` (a minute starting at `until` is after the window: a range
 * ending 11:15:00 holds nothing of 11:15:xx, and the period before a range does not share its first
 * minute). Whole hours from the hourly table, the partial hours at both ends from the per-minute
 * table. A 24-hour window reads ~24 rows per key, not 1,440.
 * `prefix` names the query parameters (`<prefix>_since`, …), so several windows can share one query.
 */
export function windowSource(
  family: 'weft_flow_edges' | 'weft_endpoint_rollup',
  columns: string,
  since: Date,
  until: Date,
  prefix = 'w',
): { sql: string; params: Record<string, string> } {
  const sinceMin = Math.floor(since.getTime() / MINUTE) * MINUTE;
  const h1 = Math.ceil(sinceMin / HOUR) * HOUR;
  const h2 = Math.floor(until.getTime() / HOUR) * HOUR;
  const t = (ms: number) => toChTime(new Date(ms));
  const at = (name: string) => `toDateTime64({${prefix}_${name}:String}, 3, 'UTC')`;
  if (h1 >= h2) {
    return {
      sql: `SELECT ${columns} FROM ${family}_1m WHERE minute >= ${at('since')} AND minute < ${at('until')}`,
      params: { [`${prefix}_since`]: t(sinceMin), [`${prefix}_until`]: toChTime(until) },
    };
  }
  return {
    sql: `SELECT ${columns} FROM ${family}_1m WHERE (minute >= ${at('since')} AND minute < ${at('h1')}) OR (minute >= ${at('h2')} AND minute < ${at('until')})
      UNION ALL SELECT ${columns} FROM ${family}_1h WHERE hour >= ${at('h1')} AND hour < ${at('h2')}`,
    params: { [`${prefix}_since`]: t(sinceMin), [`${prefix}_h1`]: t(h1), [`${prefix}_h2`]: t(h2), [`${prefix}_until`]: toChTime(until) },
  };
}

/** A time window [since, until]. */
export interface Window {
  since: Date;
  until: Date;
}

/**
 * The rows of several windows in one source, each row tagged with its window's index in column `w`
 * (a row in two overlapping windows comes twice, once per window).
 */
export function windowsSource(
  family: 'weft_flow_edges' | 'weft_endpoint_rollup',
  columns: string,
  windows: Window[],
): { sql: string; params: Record<string, string> } {
  const parts = windows.map((w, i) => windowSource(family, `toUInt16(${i}) AS w, ${columns}`, w.since, w.until, `w${i}`));
  const params: Record<string, string> = {};
  for (const p of parts) Object.assign(params, p.params);
  return { sql: parts.map((p) => p.sql).join('\n      UNION ALL '), params };
}
