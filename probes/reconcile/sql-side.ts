import type { ColumnInfo, SqlDialect, SqlQuery, SqlSource } from '../sql/sql-source.ts';
import { quoteIdent, rowHashExpr, rowTextExpr } from './canonical.ts';

/** A key range [from, to). */
export interface KeyRange {
  from: number;
  to: number;
}

export interface SegmentSum {
  count: number;
  sum: string;
}

/** What the bisection asks of one side; every answer is computed by SQL inside that database. */
export interface SideQueries {
  /** Lowest and highest key (index end points), and the planner's estimate of the rows (-1 when unknown). */
  bounds(): Promise<{ min: number | null; max: number | null; estimate: number }>;
  /** Count and hash sum per bucket of `width` keys from `lo`, over `ranges` (all keys when null). */
  summarize(lo: number, width: number, ranges: KeyRange[] | null): Promise<Map<number, SegmentSum>>;
  /** Key → row hash, for the rows in `ranges`. */
  download(ranges: KeyRange[]): Promise<Map<number, string>>;
  /** Key → row hash for these keys. */
  hashes(keys: number[]): Promise<Map<number, string>>;
  /** Key → canonical text of each compared column, for these keys. */
  values(keys: number[]): Promise<Map<number, Array<string | null>>>;
}

export interface SideDefinition {
  source: SqlSource;
  table: string;
  key: string;
  columns: string[];
  /** Canonical text expressions of the compared columns, in order (see `planColumns`). */
  exprs: string[];
}

function toKey(v: unknown, table: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`${table}: key value ${String(v)} is not an integer in the safe range; reconciliation needs an integer key`);
  return n;
}

function rangeWhere(k: string, ranges: KeyRange[] | null): string {
  if (ranges === null) return '1=1';
  if (ranges.length === 0) return '1=0';
  return `(${ranges.map((r) => (r.to - r.from === 1 ? `${k} = ${r.from}` : `(${k} >= ${r.from} AND ${k} < ${r.to})`)).join(' OR ')})`;
}

const chunk = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** The compared columns' information, in order; a missing column is an error naming it. */
export function columnsFor(columns: ColumnInfo[], table: string, wanted: string[]): ColumnInfo[] {
  const byName = new Map(columns.map((c) => [c.column.toLowerCase(), c]));
  if (byName.size === 0) throw new Error(`table ${table} does not exist or has no columns visible to this user`);
  return wanted.map((w) => {
    const t = byName.get(w.toLowerCase());
    if (!t) throw new Error(`table ${table} has no column "${w}" (it has ${[...byName.keys()].join(', ')})`);
    return t;
  });
}

/** The SQL of one side, bound to a session's query function. */
export function sideQueries(def: SideDefinition, query: SqlQuery): SideQueries {
  const d: SqlDialect = def.source.dialect;
  const q = quoteIdent[d];
  const table = q(def.table);
  const k = d === 'postgres' ? `${q(def.key)}::bigint` : q(def.key);
  const texts = def.exprs;
  const hash = rowHashExpr(d, rowTextExpr(d, texts));
  const div = d === 'postgres' ? '/' : 'DIV';
  const rows = async (sql: string) => (await query(sql)).rows;
  const hashMap = (rs: Array<Record<string, unknown>>) => new Map(rs.map((r) => [toKey(r.k, def.table), String(r.h)]));

  return {
    async bounds() {
      const [r] = await rows(`SELECT MIN(${k}) AS lo, MAX(${k}) AS hi FROM ${table}`);
      const [schema, name] = def.table.includes('.') ? def.table.split('.') : [null, def.table];
      const est =
        d === 'postgres'
          ? await query(`SELECT reltuples::bigint AS n FROM pg_class WHERE oid = to_regclass($1)`, [table])
          : await query(`SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?`, [schema, name]);
      const estimate = est.rows[0]?.n === null || est.rows[0]?.n === undefined ? -1 : Number(est.rows[0].n);
      return { min: r.lo === null ? null : toKey(r.lo, def.table), max: r.hi === null ? null : toKey(r.hi, def.table), estimate };
    },
    async summarize(lo, width, ranges) {
      const rs = await rows(
        `SELECT (${k} - ${lo}) ${div} ${width} AS b, COUNT(*) AS n, SUM(${hash}) AS s FROM ${table} WHERE ${rangeWhere(k, ranges)} GROUP BY 1`,
      );
      return new Map(rs.map((r) => [Number(r.b), { count: Number(r.n), sum: BigInt(String(r.s ?? '0')).toString() }]));
    },
    async download(ranges) {
      const out = new Map<number, string>();
      for (const part of chunk(ranges, 500)) {
        for (const [key, h] of hashMap(await rows(`SELECT ${k} AS k, ${hash} AS h FROM ${table} WHERE ${rangeWhere(k, part)}`))) out.set(key, h);
      }
      return out;
    },
    async hashes(keys) {
      const out = new Map<number, string>();
      for (const part of chunk(keys, 1000)) {
        for (const [key, h] of hashMap(await rows(`SELECT ${k} AS k, ${hash} AS h FROM ${table} WHERE ${k} IN (${part.join(',')})`))) out.set(key, h);
      }
      return out;
    },
    async values(keys) {
      if (keys.length === 0) return new Map();
      const rs = await rows(`SELECT ${k} AS k, ${texts.map((t, i) => `${t} AS c${i}`).join(', ')} FROM ${table} WHERE ${k} IN (${keys.join(',')})`);
      return new Map(rs.map((r) => [toKey(r.k, def.table), texts.map((_, i) => (r[`c${i}`] === null ? null : String(r[`c${i}`])))]));
    },
  };
}
