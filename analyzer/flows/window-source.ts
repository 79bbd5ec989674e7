import { toChTime } from '../../clickhouse/index.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/**
 * Rows of a rollup family for [since, until]: whole hours from the hourly table, the partial hours
 * at both ends from the per-minute table. A 24-hour window reads ~24 rows per key, not 1,440.
 */
export function windowSource(
  family: 'weft_flow_edges' | 'weft_endpoint_rollup',
  columns: string,
  since: Date,
  until: Date,
): { sql: string; params: Record<string, string> } {
  const sinceMin = Math.floor(since.getTime() / MINUTE) * MINUTE;
  const h1 = Math.ceil(sinceMin / HOUR) * HOUR;
  const h2 = Math.floor(until.getTime() / HOUR) * HOUR;
  const t = (ms: number) => toChTime(new Date(ms));
  const at = (name: string) => `toDateTime64({${name}:String}, 3, 'UTC')`;
  if (h1 >= h2) {
    return {
      sql: `SELECT ${columns} FROM ${family}_1m WHERE minute >= ${at('w_since')} AND minute <= ${at('w_until')}`,
      params: { w_since: t(sinceMin), w_until: toChTime(until) },
    };
  }
  return {
    sql: `SELECT ${columns} FROM ${family}_1m WHERE (minute >= ${at('w_since')} AND minute < ${at('w_h1')}) OR (minute >= ${at('w_h2')} AND minute <= ${at('w_until')})
      UNION ALL SELECT ${columns} FROM ${family}_1h WHERE hour >= ${at('w_h1')} AND hour < ${at('w_h2')}`,
    params: { w_since: t(sinceMin), w_h1: t(h1), w_h2: t(h2), w_until: toChTime(until) },
  };
}
