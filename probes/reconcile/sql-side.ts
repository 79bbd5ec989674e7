import { createHash } from 'node:crypto';
import type { ColumnInfo, SqlDialect, SqlQuery, SqlSource } from '../sql/sql-source.ts';
import { keyHashExpr, keyTextExpr, quoteIdent, rowHashExpr, rowTextExpr } from './canonical.ts';

/** A range [from, to) of the bisected space: integer keys themselves, or the 32-bit key hash (`KEY_HASH_SPACE`). */
export interface KeyRange {
  from: number;
  to: number;
}

export interface SegmentSum {
  count: number;
  sum: string;
}

/** A row's key: the integer itself (integer keys), or the canonical key text (string, UUID, decimal, composite keys). */
export type RowKey = number | string;

/** Size of the hashed key space: keys are bucketed by 32 bits of the MD5 of their canonical text. */
export const KEY_HASH_SPACE = 2 ** 32;

/** What the bisection asks of one side; every answer is computed by SQL inside that database. */
export interface SideQueries {
  /** Lowest and highest point of the bisected space, and the planner's estimate of the rows (-1 when unknown). */
  bounds(): Promise<{ min: number | null; max: number | null; estimate: number }>;
  /** Count and hash sum per bucket of `width` from `lo`, over `ranges` (all rows when null). */
  summarize(lo: number, width: number, ranges: KeyRange[] | null): Promise<Map<number, SegmentSum>>;
  /** Key → row hash, for the rows in `ranges`; `duplicates` counts keys seen twice (equal once canonical). */
  download(ranges: KeyRange[]): Promise<Map<RowKey, string>>;
  /** Key → row hash for these keys (exact: a collation's idea of equal is not enough). */
  hashes(keys: RowKey[]): Promise<Map<RowKey, string>>;
  /** Key → canonical text of each compared column, for these keys. */
  values(keys: RowKey[]): Promise<Map<RowKey, Array<string | null>>>;
  /** Keys that appeared more than once with the same canonical text on this side (e.g. "abc" and "ABC" against a uuid). */
  readonly duplicates: RowKey[];
}

export interface SideDefinition {
  source: SqlSource;
  table: string;
  /** Key columns on this side, in the catalog's order. */
  keys: string[];
  /** Canonical text expressions of the key columns (see `planColumn`), in order. */
  keyExprs: string[];
  /** 'integer': one integer key on both sides, bisected by its own ranges through the index; 'hashed': by the key hash. */
  mode: 'integer' | 'hashed';
  /** Whether key lookups may use the native columns (text and integer keys), then filter exactly. */
  nativeLookup: boolean;
  columns: string[];
  /** Canonical text expressions of the compared columns, in order (see `planColumn`). */
  exprs: string[];
}

/** The 32-bit bucket hash of a canonical key text, as `keyHashExpr` computes it inside the databases. */
export function keyHashOf(text: string): number {
  return parseInt(createHash('md5').update(text, 'utf8').digest('hex').slice(0, 8), 16);
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

/** The largest power of two dividing every boundary: ranges of the hashed space are unions of aligned buckets. */
function granule(ranges: KeyRange[]): number {
  let g = KEY_HASH_SPACE;
  for (const r of ranges) for (const x of [r.from, r.to]) while (g > 1 && x % g !== 0) g /= 2;
  return g;
}

/** Ranges of the hashed space as a bucket list: `kh DIV g IN (…)`, one hashed lookup per row instead of an OR chain. */
function bucketWhere(dialect: SqlDialect, kh: string, ranges: KeyRange[] | null): string {
  if (ranges === null) return '1=1';
  if (ranges.length === 0) return '1=0';
  const g = granule(ranges);
  const ids: number[] = [];
  for (const r of ranges) for (let b = r.from / g; b < r.to / g; b++) ids.push(b);
  return `(${kh}) ${dialect === 'postgres' ? '/' : 'DIV'} ${g} IN (${ids.join(',')})`;
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
  return def.mode === 'integer' ? integerSide(def, query) : hashedSide(def, query);
}

async function estimateOf(def: SideDefinition, query: SqlQuery): Promise<number> {
  const d = def.source.dialect;
  const table = quoteIdent[d](def.table);
  const [schema, name] = def.table.includes('.') ? def.table.split('.') : [null, def.table];
  const est =
    d === 'postgres'
      ? await query(`SELECT reltuples::bigint AS n FROM pg_class WHERE oid = to_regclass($1)`, [table])
      : await query(`SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?`, [schema, name]);
  return est.rows[0]?.n === null || est.rows[0]?.n === undefined ? -1 : Number(est.rows[0].n);
}

/** One integer key: ranges of the key itself, read through its index. */
function integerSide(def: SideDefinition, query: SqlQuery): SideQueries {
  const d: SqlDialect = def.source.dialect;
  const q = quoteIdent[d];
  const table = q(def.table);
  const k = d === 'postgres' ? `${q(def.keys[0])}::bigint` : q(def.keys[0]);
  const texts = def.exprs;
  const hash = rowHashExpr(d, rowTextExpr(d, texts));
  const div = d === 'postgres' ? '/' : 'DIV';
  const rows = async (sql: string) => (await query(sql)).rows;
  const hashMap = (rs: Array<Record<string, unknown>>) => new Map<RowKey, string>(rs.map((r) => [toKey(r.k, def.table), String(r.h)]));
  const ints = (keys: RowKey[]) => keys.map((key) => toKey(key, def.table));

  return {
    duplicates: [],
    async bounds() {
      const [r] = await rows(`SELECT MIN(${k}) AS lo, MAX(${k}) AS hi FROM ${table}`);
      const estimate = await estimateOf(def, query);
      return { min: r.lo === null ? null : toKey(r.lo, def.table), max: r.hi === null ? null : toKey(r.hi, def.table), estimate };
    },
    async summarize(lo, width, ranges) {
      const rs = await rows(
        `SELECT (${k} - ${lo}) ${div} ${width} AS b, COUNT(*) AS n, SUM(${hash}) AS s FROM ${table} WHERE ${rangeWhere(k, ranges)} GROUP BY 1`,
      );
      return new Map(rs.map((r) => [Number(r.b), { count: Number(r.n), sum: BigInt(String(r.s ?? '0')).toString() }]));
    },
    async download(ranges) {
      const out = new Map<RowKey, string>();
      for (const part of chunk(ranges, 500)) {
        for (const [key, h] of hashMap(await rows(`SELECT ${k} AS k, ${hash} AS h FROM ${table} WHERE ${rangeWhere(k, part)}`))) out.set(key, h);
      }
      return out;
    },
    async hashes(keys) {
      const out = new Map<RowKey, string>();
      for (const part of chunk(ints(keys), 1000)) {
        for (const [key, h] of hashMap(await rows(`SELECT ${k} AS k, ${hash} AS h FROM ${table} WHERE ${k} IN (${part.join(',')})`))) out.set(key, h);
      }
      return out;
    },
    async values(keys) {
      if (keys.length === 0) return new Map();
      const rs = await rows(`SELECT ${k} AS k, ${texts.map((t, i) => `${t} AS c${i}`).join(', ')} FROM ${table} WHERE ${k} IN (${ints(keys).join(',')})`);
      return new Map(rs.map((r) => [toKey(r.k, def.table), texts.map((_, i) => (r[`c${i}`] === null ? null : String(r[`c${i}`])))]));
    },
  };
}

/**
 * String, UUID, exact-number and composite keys: bisected on a 32-bit hash of the canonical key
 * text, which both databases compute the same way whatever their collations or padding rules,
 * so a bucket holds exactly the same keys on both sides. Keys are compared as canonical text,
 * byte for byte: "abc" and "abc " or "ABC" are different keys, reported, never matched.
 */
function hashedSide(def: SideDefinition, query: SqlQuery): SideQueries {
  const d: SqlDialect = def.source.dialect;
  const q = quoteIdent[d];
  const table = q(def.table);
  const keyText = keyTextExpr(d, def.keyExprs);
  const kh = keyHashExpr(d, keyText);
  // The key's text is part of the row hash: the same row content under another key is a difference.
  const hash = rowHashExpr(d, rowTextExpr(d, [keyText, ...def.exprs]));
  const div = d === 'postgres' ? '/' : 'DIV';
  const rows = async (sql: string, params: unknown[] = []) => (await query(sql, params)).rows;
  const duplicates: RowKey[] = [];
  const collect = (rs: Array<Record<string, unknown>>, out: Map<RowKey, string>, wanted?: Set<string>) => {
    for (const r of rs) {
      const key = String(r.k);
      if (wanted && !wanted.has(key)) continue;
      if (out.has(key)) duplicates.push(key);
      out.set(key, String(r.h));
    }
    return out;
  };
  /** Lookup by the native key columns (index), a superset under the collation, filtered exactly by the caller; or by key hash (scan). */
  const lookupWhere = (keys: string[]): { where: string; params: unknown[] } => {
    if (!def.nativeLookup) return { where: `${kh} IN (${[...new Set(keys.map(keyHashOf))].join(',')})`, params: [] };
    const tuples = keys.map((key) => key.split('\x1f'));
    const params = tuples.flat();
    let n = 0;
    const ph = () => (d === 'postgres' ? `$${++n}` : '?');
    const cols = def.keys.map(q);
    if (cols.length === 1) return { where: `${cols[0]} IN (${tuples.map(() => ph()).join(',')})`, params };
    return { where: `(${cols.join(', ')}) IN (${tuples.map((t) => `(${t.map(() => ph()).join(', ')})`).join(', ')})`, params };
  };

  return {
    duplicates,
    async bounds() {
      const estimate = await estimateOf(def, query);
      const [r] = await rows(`SELECT EXISTS (SELECT 1 FROM ${table}) AS any_row`);
      const any = Number(r.any_row) === 1 || r.any_row === true;
      return any ? { min: 0, max: KEY_HASH_SPACE - 1, estimate } : { min: null, max: null, estimate: 0 };
    },
    async summarize(lo, width, ranges) {
      const rs = await rows(
        `SELECT (${kh} - ${lo}) ${div} ${width} AS b, COUNT(*) AS n, SUM(${hash}) AS s FROM ${table} WHERE ${bucketWhere(d, kh, ranges)} GROUP BY 1`,
      );
      return new Map(rs.map((r) => [Number(r.b), { count: Number(r.n), sum: BigInt(String(r.s ?? '0')).toString() }]));
    },
    async download(ranges) {
      const out = new Map<RowKey, string>();
      for (const part of chunk(ranges, 2000)) collect(await rows(`SELECT ${keyText} AS k, ${hash} AS h FROM ${table} WHERE ${bucketWhere(d, kh, part)}`), out);
      return out;
    },
    async hashes(keys) {
      const out = new Map<RowKey, string>();
      for (const part of chunk(keys.map(String), 500)) {
        const { where, params } = lookupWhere(part);
        collect(await rows(`SELECT ${keyText} AS k, ${hash} AS h FROM ${table} WHERE ${where}`, params), out, new Set(part));
      }
      return out;
    },
    async values(keys) {
      if (keys.length === 0) return new Map();
      const wanted = new Set(keys.map(String));
      const { where, params } = lookupWhere([...wanted]);
      const rs = await rows(`SELECT ${keyText} AS k, ${def.exprs.map((t, i) => `${t} AS c${i}`).join(', ')} FROM ${table} WHERE ${where}`, params);
      return new Map(
        rs.filter((r) => wanted.has(String(r.k))).map((r) => [String(r.k), def.exprs.map((_, i) => (r[`c${i}`] === null ? null : String(r[`c${i}`])))]),
      );
    },
  };
}
