import { settingsClause, toChTime } from '../../clickhouse/index.ts';
import type { ServiceShift } from './sender-offsets.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** A time window [since, until]. */
export interface Window {
  since: Date;
  until: Date;
}

/** One range [lo, hi) of a rollup table (epoch ms) that window `w` (its index) reads. */
type WindowRange = { w: number; lo: number; hi: number };

/**
 * The ranges of a rollup family's two tables that make up [since, until] (epoch ms, each [lo, hi)): the
 * minutes that overlap it, from the one `since` falls in to the last that starts before `until` (a
 * minute starting at `until` is after the window: a range ending 11:15:00 holds nothing of 11:15:xx, and
 * the period before a range does not share its first minute). Whole hours from the hourly table, the
 * partial hours at both ends from the per-minute table. A 24-hour window reads ~24 rows per key, not 1,440.
 */
function windowRanges({ since, until }: Window, w: number): { minutes: WindowRange[]; hours: WindowRange[] } {
  const sinceMin = Math.floor(since.getTime() / MINUTE) * MINUTE;
  const h1 = Math.ceil(sinceMin / HOUR) * HOUR;
  const h2 = Math.floor(until.getTime() / HOUR) * HOUR;
  if (h1 >= h2) return { minutes: [{ w, lo: sinceMin, hi: until.getTime() }], hours: [] };
  return {
    minutes: [
      { w, lo: sinceMin, hi: h1 },
      { w, lo: h2, hi: until.getTime() },
    ],
    hours: [{ w, lo: h1, hi: h2 }],
  };
}

/**
 * The rows of several windows in one source, each row tagged with its window's index in column `w`
 * (a row in two overlapping windows comes twice, once per window). Each of the family's two tables is
 * read once, whatever the number of windows: its rows in any window's ranges, each repeated for the
 * windows it falls in (`arrayJoin`). One `UNION ALL` branch per window made the engine plan the whole
 * query once per branch: six windows cost 118 ms of CPU a query on a small store, one read 51 ms.
 * Query parameters are named `wm<k>_lo`, `wm<k>_hi` (per-minute ranges) and `wh<k>_lo`, `wh<k>_hi`
 * (hourly ranges). No windows: a source with no rows.
 *
 * `shifts` (a rollup keyed by span time, read by Weft's clock: the endpoint rollups): the services whose clocks are off
 * (`queryServiceShifts`) have their rows read in the windows moved back by their offset — a window ending at Weft's now
 * reads a sender 10 minutes behind in the minutes its clock gave its calls — and every row carries the offset added to
 * it (column `shift_ms`, Int64 ms; 0 for the other services). One more read per table and offset (parameters
 * `g<i>m<k>_…`, `g<i>h<k>_…`, the services `sv<i>`; `sv0` the shifted services the others' read leaves out).
 */
export function windowsSource(
  family: 'weft_flow_edges' | 'weft_endpoint_rollup',
  columns: string,
  windows: Window[],
  shifts?: readonly ServiceShift[],
): { sql: string; params: Record<string, string | string[]> } {
  const shiftColumn = (ms: number) => (shifts === undefined ? '' : `, toInt64(${Math.trunc(ms)}) AS shift_ms`);
  if (windows.length === 0) return { sql: `SELECT toUInt16(0) AS w, ${columns}${shiftColumn(0)} FROM ${family}_1m WHERE 0`, params: {} };
  const params: Record<string, string | string[]> = {};
  const read = (table: string, column: string, prefix: string, ranges: WindowRange[], extra: string, only: string): string => {
    const at = (k: number, end: 'lo' | 'hi') => `toDateTime64({${prefix}${k}_${end}:String}, 3, 'UTC')`;
    ranges.forEach((r, k) => {
      params[`${prefix}${k}_lo`] = toChTime(new Date(r.lo));
      params[`${prefix}${k}_hi`] = toChTime(new Date(r.hi));
    });
    const ks = ranges.map((_, k) => k);
    // A window's ranges in one table never overlap: a row matches at most one range per window.
    const tag = `arrayJoin(arrayMap(k -> [${ranges.map((r) => r.w).join(', ')}][k + 1], arrayFilter(k -> ${column} >= [${ks.map((k) => at(k, 'lo')).join(', ')}][k + 1] AND ${column} < [${ks.map((k) => at(k, 'hi')).join(', ')}][k + 1], range(${ranges.length}))))`;
    const where = ks.map((k) => `(${column} >= ${at(k, 'lo')} AND ${column} < ${at(k, 'hi')})`).join(' OR ');
    return `SELECT toUInt16(${tag}) AS w, ${columns}${extra} FROM ${table} WHERE ${only}(${where})`;
  };
  const moved = (shifts ?? []).filter((g) => g.ms !== 0 && g.services.length > 0);
  const groups = [{ ms: 0, services: [] as string[] }, ...moved];
  const parts: string[] = [];
  groups.forEach((g, i) => {
    const ranges = windows.map((win, w) => windowRanges({ since: new Date(win.since.getTime() - g.ms), until: new Date(win.until.getTime() - g.ms) }, w));
    const minutes = ranges.flatMap((r) => r.minutes);
    const hours = ranges.flatMap((r) => r.hours);
    let only = '';
    if (i > 0) {
      params[`sv${i}`] = g.services;
      only = `service IN {sv${i}:Array(String)} AND `;
    } else if (moved.length > 0) {
      params.sv0 = moved.flatMap((m) => m.services);
      only = 'service NOT IN {sv0:Array(String)} AND ';
    }
    const [pm, ph] = i === 0 ? ['wm', 'wh'] : [`g${i}m`, `g${i}h`];
    parts.push(read(`${family}_1m`, 'minute', pm, minutes, shiftColumn(g.ms), only));
    if (hours.length > 0) parts.push(read(`${family}_1h`, 'hour', ph, hours, shiftColumn(g.ms), only));
  });
  return { sql: parts.join('\n      UNION ALL '), params };
}

/**
 * Settings for the queries that read the rollups in nested aggregations (the observed edges and touches, the flow
 * summary and series), written after their last clause. The engine's GROUP BY rewrites (dropping `any()` of a key,
 * functions of other keys, injective functions) find nothing to rewrite in them — their keys are plain columns of the
 * level below — and walking their expression trees took a fifth of the CPU of the edges read (148 against 183 ms at
 * 150 endpoints, `tsx bench/analyze.ts`' 1M-span estate).
 */
export const NESTED_ROLLUP_SETTINGS = settingsClause({
  optimize_aggregators_of_group_by_keys: 0,
  optimize_group_by_function_keys: 0,
  optimize_injective_functions_in_group_by: 0,
});

/**
 * The run group of a `weft_flow_edges` row, beside its integration, service and domain (migration 086): the edge
 * rows of one group hold the same runs (every endpoint a run read × every one it wrote), so a query that resolves
 * edges to systems takes a group's counts once per resolved edge (`max`: they are equal) before summing groups.
 * Without it one run that read two CRM resources and wrote two ERP ones was four runs of crm → erp. Rows written
 * before 086 (shape 0) are each a group of their own, summed edge by edge as they were.
 */
export const RUN_GROUP = 'if(shape = 0, cityHash64(src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer), shape)';

/**
 * The target endpoint of a `weft_flow_edges` row whose records are its target's, as one value: an OpenLineage run's
 * (service '') and a traced run's whose writes reported its records (`bt`, the rows' `max(records_per_target)`,
 * migration 088); 0 for a row that carries its run's records on every edge. Select it as `tk` for `runGroupOnce`.
 */
export const TARGET_KEY = "if(service = '' OR bt = 1, cityHash64(tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer), 0)";

/**
 * What `TARGET_KEY` and `runGroupOnce` need beside the edge's columns, aggregated per raw edge and shape (migrations 088, 089):
 * whether the rows' records are their target's (`bt`), their fallback (`fb`), their target's place in the order of
 * the runs' last writes (`wr`), which resource of its system the target is, whatever its host (`tn`: kind and name), and
 * whether its runs failed on it (`ff`).
 */
export const RECORDS_PER_TARGET =
  'max(records_per_target) AS bt, sum(records_fallback) AS fb, max(write_rank) AS wr, any(cityHash64(tgt_kind, tgt_name)) AS tn, toUInt8(sum(failed_traces) > 0) AS ff';

/**
 * Whether a run group failed on its resolved target (089): one of its rows (a target endpoint) failed (`ff`) and no
 * row of the same resource (`tn`) was written after it (`wr`) without failing — per resource, the last failed rank
 * against the last successful one (both maps hold every resource: 1 stands for none). Rows of one group hold the same
 * runs (one shape), so each row's failed runs are none or all of them.
 */
const FAILED_ON_TARGET = 'arrayExists((f, s) -> f > s, maxMap([tn], [if(ff = 1, toUInt32(wr) + 2, 1)]).2, maxMap([tn], [if(ff = 0, toUInt32(wr) + 2, 1)]).2)';

/**
 * How a run group's edge rows combine on one resolved edge, per column. Counts are equal on every edge row of a group
 * (`max`), but failed runs and records. A run failed on the resolved target when a resource of it (`tn`) was last
 * written by a write that failed, unless the same resource was written later, on another host, by one that succeeded
 * (`wr`: the order of the last writes): a write that failed on one ERP host and succeeded on another failed no run of
 * crm → erp, while accounts that failed and contacts written after them did; so is the sample of a failed run (`se`). Records: a row with a target key (`tk`: an OpenLineage run's rows written to its target datasets, a
 * traced run's records written to its target) carries its target's, summed over the group's distinct targets — or,
 * when no write to the resolved target reported a count, the runs' fallback (`fb`: their own count, else their reads',
 * equal on the rows whose last write did not fail); a row without (a run whose records are its root span's or its
 * reads') carries its run's on every edge (`max`).
 */
const ONCE: Readonly<Record<string, string>> = {
  t: 'max(t)',
  ft: `if(max(wr) = 0 OR ${FAILED_ON_TARGET}, max(ft), 0)`,
  es: 'max(es)',
  rc: 'if(max(tk) != 0, if(max(rc) > 0, arraySum(x -> x.2, groupUniqArray((tk, rc))), max(fb)), max(rc))',
  lat: 'any(lat)',
  fs: 'min(fs)',
  ls: 'max(ls)',
  st: 'max(st)',
  se: `if(max(wr) = 0 OR ${FAILED_ON_TARGET}, max(se), '')`,
  sl: 'max(sl)',
};

/**
 * The aggregates that take a run group's counts once on one resolved edge (`GROUP BY …, RUN_GROUP`), over its edge
 * rows summed per raw edge, each column named the same in and out: traces `t`, failed runs `ft`, error spans `es`,
 * records `rc` (UInt64; needs `tk`, the row's `TARGET_KEY`, and `fb`, from `RECORDS_PER_TARGET`; `ft` and `se` need its `wr`, `tn` and `ff`), latency digest state `lat`, first and last
 * seen `fs`, `ls`, sample traces `st`, `se`, `sl`. Throws on a column it does not know (a query written wrong).
 */
export function runGroupOnce(columns: readonly string[]): string {
  return columns
    .map((c) => {
      const aggregate = ONCE[c];
      if (aggregate === undefined) throw new Error(`runGroupOnce: no rule for column ${c}`);
      return `${aggregate} AS ${c}`;
    })
    .join(', ');
}
