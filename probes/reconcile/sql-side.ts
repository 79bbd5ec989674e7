import type { ColumnInfo, SqlDialect, SqlQuery, SqlSource } from '../sql/sql-source.ts';
import { quoteIdent, rowHashExpr } from './canonical.ts';
import { rowTextExpr } from './row-text.ts';
import { hashedSide } from './hashed-side.ts';
import type { LocatorSums } from './segment-locator.ts';
import { estimateOf } from './table-estimate.ts';

/** A range [from, to) of the bisected space: integer keys themselves, or hashed keys' points (`KEY_POINT_SPACE`, `key-point.ts`). */
export interface KeyRange {
  from: number;
  to: number;
}

/** A segment's rows: their count, Σ row hash and (levels that locate, `segment-locator.ts`) Σ unit × weight, sums as decimal text. */
export type SegmentSum = LocatorSums;

/** A row's key: the integer itself (integer keys), or the canonical key text (string, UUID, decimal, composite keys). */
export type RowKey = number | string;

/** What the bisection asks of one side; every answer is computed by SQL inside that database. */
export interface SideQueries {
  /** Lowest and highest point of the bisected space, and the planner's estimate of the rows (-1 when unknown). */
  bounds(): Promise<{ min: number | null; max: number | null; estimate: number }>;
  /** Count and hash sum per bucket of `width` from `lo`, over `ranges` (all rows when null); with `locate`, the weighted sum too (sides with a `locator`). */
  summarize(lo: number, width: number, ranges: KeyRange[] | null, locate?: boolean): Promise<Map<number, SegmentSum>>;
  /** Key → row hash, for the rows in `ranges`; `duplicates` counts keys seen twice (equal once canonical). */
  download(ranges: KeyRange[]): Promise<Map<RowKey, string>>;
  /** Key → row hash for these keys (exact: a collation's idea of equal is not enough). */
  hashes(keys: RowKey[]): Promise<Map<RowKey, string>>;
  /** Key → canonical text of each compared column, for these keys. */
  values(keys: RowKey[]): Promise<Map<RowKey, Array<string | null>>>;
  /** For each of these keys, the other keys of this side that its key columns' collation finds for it (case, accents, ß/ss, PAD SPACE); absent where lookups are not by the native columns. */
  collationTwins?(keys: RowKey[]): Promise<Map<RowKey, RowKey[]>>;
  /** Keys that appeared more than once with the same canonical text on this side (e.g. "abc" and "ABC" against a uuid). */
  readonly duplicates: RowKey[];
  /** Sides whose levels are scans locate single differences: a unit is `unit` points (a key's unit is its point ÷ unit, `unitOf`). */
  readonly locator?: { unit: number; unitOf(key: RowKey): number };
}

export interface SideDefinition {
  source: SqlSource;
  table: string;
  /** Key columns on this side, in the catalog's order. */
  keys: string[];
  /** Canonical text expressions of the key columns as parts of a key text (see `planPart`), in order. */
  keyExprs: string[];
  /** Whether the key text is the one key column's canonical text as it is, unescaped (`planKey`): read back as one part. */
  rawKey: boolean;
  /** Declared types of the key columns on this side, in order (lookups bind each key part as its column's kind). */
  keyTypes: string[];
  /** 'integer': one integer key on both sides, bisected by its own ranges through the index; 'hashed': by the key's point (spread, then hash). */
  mode: 'integer' | 'hashed';
  /** Whether key lookups may use the native columns (text and integer keys), then filter exactly. */
  nativeLookup: boolean;
  columns: string[];
  /** Canonical text expressions of the compared columns, in order (see `planColumn`): what a changed-row sample shows. */
  exprs: string[];
  /** The same as parts of the row text (see `planPart`: text escaped), in order: what is hashed. */
  parts: string[];
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

/**
 * The lowest and highest value of one integer key on this side, exactly (as bigint), or null for an
 * empty table: ranges of the key itself are numbers in JavaScript, so a key beyond 2^53 (64-bit ids
 * such as Snowflake ids) is bisected by its point instead (`integerKeyFits`).
 */
export async function integerKeyBounds(def: SideDefinition, query: SqlQuery): Promise<{ lo: bigint; hi: bigint } | null> {
  const d = def.source.dialect;
  const k = quoteIdent[d](def.keys[0]);
  const text = (e: string) => (d === 'postgres' ? `(${e})::text` : `CAST(${e} AS CHAR)`);
  const [r] = (await query(`SELECT ${text(`MIN(${k})`)} AS lo, ${text(`MAX(${k})`)} AS hi FROM ${quoteIdent[d](def.table)}`)).rows;
  return r.lo === null || r.hi === null ? null : { lo: BigInt(String(r.lo)), hi: BigInt(String(r.hi)) };
}

/** Whether this side's one integer key column holds a NULL: such rows are in no range of the key (bisect them by point). */
export async function integerKeyHasNull(def: SideDefinition, query: SqlQuery): Promise<boolean> {
  const d = def.source.dialect;
  const [r] = (await query(`SELECT EXISTS (SELECT 1 FROM ${quoteIdent[d](def.table)} WHERE ${quoteIdent[d](def.keys[0])} IS NULL) AS n`)).rows;
  return Number(r.n) === 1 || r.n === true;
}

/** Whether the key ranges of both sides' bounds (`integerKeyBounds`) are safe integers, and so is their span. */
export function integerKeyFits(bounds: Array<{ lo: bigint; hi: bigint } | null>): boolean {
  const all = bounds.filter((b): b is { lo: bigint; hi: bigint } => b !== null);
  if (all.length === 0) return true;
  const safe = BigInt(Number.MAX_SAFE_INTEGER);
  const lo = all.reduce((m, b) => (b.lo < m ? b.lo : m), all[0].lo);
  const hi = all.reduce((m, b) => (b.hi > m ? b.hi : m), all[0].hi);
  return lo >= -safe && hi <= safe && hi - lo + 1n <= safe;
}

/**
 * A compared column's value as a person reads it in a changed-row sample: text as it is; a value the
 * driver decoded (mysql2 parses MariaDB/MySQL JSON columns into objects, which printed as
 * "[object Object]") as JSON text; NULL as null.
 */
export function shownValue(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object' && !(v instanceof Date) && !Buffer.isBuffer(v)) return JSON.stringify(v);
  return String(v);
}

/** The SQL of one side, bound to a session's query function. */
export function sideQueries(def: SideDefinition, query: SqlQuery): SideQueries {
  return def.mode === 'integer' ? integerSide(def, query) : hashedSide(def, query);
}

/** One integer key: ranges of the key itself, read through its index. */
function integerSide(def: SideDefinition, query: SqlQuery): SideQueries {
  const d: SqlDialect = def.source.dialect;
  const q = quoteIdent[d];
  const table = q(def.table);
  const k = d === 'postgres' ? `${q(def.keys[0])}::bigint` : q(def.keys[0]);
  const texts = def.exprs;
  // The key is part of the row hash: values swapped between two keys of one segment would leave its count and sum unchanged.
  const hash = rowHashExpr(d, rowTextExpr(d, [d === 'postgres' ? `${k}::text` : `CAST(${k} AS CHAR)`, ...def.parts]));
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
      return new Map(rs.map((r) => [toKey(r.k, def.table), texts.map((_, i) => shownValue(r[`c${i}`]))]));
    },
  };
}
