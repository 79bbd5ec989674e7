import type { SqlDialect, SqlQuery } from '../sql/sql-source.ts';
import { keyHashExpr, quoteIdent, rowHashExpr, scaleOf, valueClassOf } from './canonical.ts';
import { keyPartsOf, keyTextExpr, rowTextExpr } from './row-text.ts';
import { HASH_BITS, KEY_POINT_SPACE, SPREAD_WIDTH, keyBytesExpr, keySpreadExpr, keySpreadOf } from './key-point.ts';
import { shownValue, type KeyRange, type RowKey, type SideDefinition, type SideQueries } from './sql-side.ts';
import { WEIGHT_BITS } from './segment-locator.ts';
import { estimateOf } from './table-estimate.ts';

const chunk = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** Ranges as aligned power-of-two blocks, grouped by size: size → block numbers (start / size). */
export function alignedBlocks(ranges: KeyRange[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const r of ranges) {
    let from = r.from;
    while (from < r.to) {
      let size = KEY_POINT_SPACE;
      while (size > 1 && (from % size !== 0 || from + size > r.to)) size /= 2;
      const ids = out.get(size) ?? [];
      if (ids.length === 0) out.set(size, ids);
      ids.push(from / size);
      from += size;
    }
  }
  return out;
}

/**
 * String, UUID, exact-number and composite keys, bisected on the key's point (`key-point.ts`):
 * segments of one spread value or more are found from the spread alone; finer ones read the MD5
 * key hash, only for rows whose spread is in one of them. Keys are compared as canonical text,
 * byte for byte: "abc" and "abc " or "ABC" are different keys, reported, never matched.
 */
export function hashedSide(def: SideDefinition, query: SqlQuery): SideQueries {
  const d: SqlDialect = def.source.dialect;
  const q = quoteIdent[d];
  const table = q(def.table);
  const keyText = keyTextExpr(d, def.keyExprs);
  // The key's text is part of the row hash: the same row content under another key is a difference.
  const hash = rowHashExpr(d, rowTextExpr(d, [keyText, ...def.parts]));
  const div = d === 'postgres' ? '/' : 'DIV';
  // PostgreSQL and MariaDB evaluate an expression each time a statement names it. PostgreSQL: the key's bytes and spread (and, for a
  // level over all rows, the row hash) are columns of subqueries (OFFSET 0 keeps them apart); MariaDB: the row hash is kept in a variable.
  const keyed = `(SELECT *, ${keyBytesExpr(keyText)} AS weft_key_bytes FROM ${table} OFFSET 0) AS weft_k`;
  const scanned = (withHash = false) =>
    d === 'postgres'
      ? `(SELECT *, ${keySpreadExpr(d, 'weft_key_bytes')} AS weft_key_spread${withHash ? `, ${hash} AS weft_row_hash` : ''} FROM ${keyed} OFFSET 0) AS weft_t`
      : table;
  const spread = d === 'postgres' ? 'weft_key_spread' : `(${keySpreadExpr(d, keyText)})`;
  const point = `(${spread} * ${SPREAD_WIDTH} + ${keyHashExpr(d, keyText)} ${div} ${2 ** (32 - HASH_BITS)})`;
  /** The segment number of a row for segments of `width` points: from the spread alone when a segment holds whole spread values. */
  const segment = (width: number) =>
    width === SPREAD_WIDTH ? spread : width > SPREAD_WIDTH ? `${spread} ${div} ${width / SPREAD_WIDTH}` : `${point} ${div} ${width}`;
  /** Rows whose point is in `ranges`; the key hash is computed only for rows whose spread is in a range narrower than one spread value. */
  const inRanges = (ranges: KeyRange[] | null): string => {
    if (ranges === null) return '1=1';
    if (ranges.length === 0) return '1=0';
    const coarse: string[] = [];
    const fine: string[] = [];
    const spreads = new Set<number>();
    for (const [size, ids] of alignedBlocks(ranges)) {
      (size >= SPREAD_WIDTH ? coarse : fine).push(`${segment(size)} IN (${ids.join(',')})`);
      if (size < SPREAD_WIDTH) for (const id of ids) spreads.add(Math.floor((id * size) / SPREAD_WIDTH));
    }
    if (fine.length > 0) coarse.push(`CASE WHEN ${spread} IN (${[...spreads].join(',')}) THEN ${fine.join(' OR ')} ELSE 1=0 END`);
    return `(${coarse.join(' OR ')})`;
  };
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
  /** Lookup by the native key columns (index), a superset under the collation, filtered exactly by the caller; or by spread (a scan). */
  const lookup = (keys: string[]): { from: string; where: string; params: unknown[] } => {
    if (!def.nativeLookup) return { from: scanned(), where: `${spread} IN (${[...new Set(keys.map(keySpreadOf))].join(',')})`, params: [] };
    return { from: table, ...nativeKeyWhere(d, def.keys.map(q), def.keyTypes, keys, def.rawKey) };
  };

  return {
    duplicates,
    locator: { unit: SPREAD_WIDTH, unitOf: (key) => keySpreadOf(String(key)) },
    async bounds() {
      const estimate = await estimateOf(def, query);
      const [r] = await rows(`SELECT EXISTS (SELECT 1 FROM ${table}) AS any_row`);
      const any = Number(r.any_row) === 1 || r.any_row === true;
      return any ? { min: 0, max: KEY_POINT_SPACE - 1, estimate } : { min: null, max: null, estimate: 0 };
    },
    async summarize(lo, width, ranges, locate = false) {
      if (lo !== 0) throw new Error(`hashed keys are bisected from point 0, not ${lo}`);
      const all = ranges === null;
      let sums = `SUM(${hash}) AS s`;
      if (locate && d === 'postgres') {
        const h = all ? 'weft_row_hash' : `(${hash})`;
        sums = `SUM(${h}) AS s, SUM(${spread} * (${h} % ${2 ** WEIGHT_BITS})) AS w`;
      } else if (locate) sums = `SUM(@weft_row_hash := ${hash}) AS s, SUM(${spread} * (CAST(@weft_row_hash AS UNSIGNED) % ${2 ** WEIGHT_BITS})) AS w`;
      const rs = await rows(`SELECT ${segment(width)} AS b, COUNT(*) AS n, ${sums} FROM ${scanned(locate && all)} WHERE ${inRanges(ranges)} GROUP BY 1`);
      const text = (v: unknown) => BigInt(String(v ?? '0')).toString();
      return new Map(rs.map((r) => [Number(r.b), { count: Number(r.n), sum: text(r.s), ...(locate ? { weighted: text(r.w) } : {}) }]));
    },
    async download(ranges) {
      const out = new Map<RowKey, string>();
      for (const part of chunk(ranges, 2000)) collect(await rows(`SELECT ${keyText} AS k, ${hash} AS h FROM ${scanned()} WHERE ${inRanges(part)}`), out);
      return out;
    },
    async hashes(keys) {
      const out = new Map<RowKey, string>();
      for (const part of chunk(keys.map(String), 500)) {
        const { from, where, params } = lookup(part);
        collect(await rows(`SELECT ${keyText} AS k, ${hash} AS h FROM ${from} WHERE ${where}`, params), out, new Set(part));
      }
      return out;
    },
    ...(def.nativeLookup
      ? {
          async collationTwins(keys: RowKey[]) {
            const out = new Map<RowKey, RowKey[]>();
            for (const key of keys.map(String)) {
              const { where, params } = nativeKeyWhere(d, def.keys.map(q), def.keyTypes, [key], def.rawKey);
              const others = (await rows(`SELECT ${keyText} AS k FROM ${table} WHERE ${where} LIMIT 5`, params))
                .map((r) => String(r.k))
                .filter((k) => k !== key);
              if (others.length > 0) out.set(key, others);
            }
            return out;
          },
        }
      : {}),
    async values(keys) {
      if (keys.length === 0) return new Map();
      const wanted = new Set(keys.map(String));
      const { from, where, params } = lookup([...wanted]);
      const rs = await rows(`SELECT ${keyText} AS k, ${def.exprs.map((t, i) => `${t} AS c${i}`).join(', ')} FROM ${from} WHERE ${where}`, params);
      return new Map(rs.filter((r) => wanted.has(String(r.k))).map((r) => [String(r.k), def.exprs.map((_, i) => shownValue(r[`c${i}`]))]));
    },
  };
}

/** Bits of PostgreSQL's integer types: a key part beyond them cannot be in such a column (and binding it would fail). */
const pgIntegerBits: Array<[RegExp, bigint]> = [
  [/^smallint/, 15n],
  [/^integer/, 31n],
];

/**
 * A WHERE clause that finds the rows of these canonical key texts (`keyTextExpr`: parts joined by
 * \x1f\x03, escaped, NULL as \x1f\x04, or `raw` texts of one part, `planKey`; read back by `keyPartsOf`) through the native key columns `cols`
 * (quoted, of the declared `types`), so through their index: a superset of the rows wanted under the
 * database's collation and conversions, to be filtered exactly on the key text by the caller. A NULL
 * key part is looked up as `IS NULL`; numbers are bound as exact numbers, never as text (MariaDB
 * compares a decimal column with a text as doubles: `IN ('9007199254740993', '9007199254740992')`
 * found no row where 9007199254740992 was stored); PostgreSQL's numeric NaN and ±Infinity are looked up
 * as such. A key part that no row of its column can hold (a fraction in an integer column, a number
 * beyond PostgreSQL's integer, NaN in MySQL/MariaDB) leaves its key out.
 */
export function nativeKeyWhere(d: SqlDialect, cols: string[], types: string[], keys: string[], raw = false): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  let n = 0;
  const ph = (value: string) => {
    params.push(value);
    return d === 'postgres' ? `$${++n}` : '?';
  };
  const parts = types.map((t) => {
    const cls = valueClassOf(t);
    const bits = d === 'postgres' && cls === 'integer' ? (pgIntegerBits.find(([re]) => re.test(t.toLowerCase()))?.[1] ?? 63n) : 64n;
    return { cls, scale: scaleOf(t), bits };
  });
  /** The condition on one part, or null when no row can hold it. */
  const partCond = (i: number, value: string | null): string | null => {
    const col = cols[i];
    const { cls, scale, bits } = parts[i];
    if (value === null) return `${col} IS NULL`;
    if (cls === 'integer') {
      const m = /^(-?\d+)(?:\.0*)?$/.exec(value);
      if (!m || BigInt(m[1]) >= 2n ** bits || BigInt(m[1]) < -(2n ** bits)) return null;
      return d === 'postgres' ? `${col} = ${ph(m[1])}` : `${col} = CAST(${ph(m[1])} AS DECIMAL(65,0))`;
    }
    if (cls === 'decimal') {
      // PostgreSQL's numeric holds NaN, Infinity and -Infinity (a key of them was left out of every lookup, and dropped from the differences unseen)
      if (d === 'postgres' && /^(NaN|-?Infinity)$/.test(value)) return `${col} = ${ph(value)}::numeric`;
      if (!/^-?\d+(\.\d*)?$/.test(value)) return null;
      return d === 'postgres' ? `${col} = ${ph(value)}::numeric` : `${col} = CAST(${ph(value)} AS DECIMAL(65,${Math.min(30, scale ?? 30)}))`;
    }
    return `${col} = ${ph(value)}`;
  };
  const conds: string[] = [];
  for (const key of keys) {
    const values = keyPartsOf(key, raw);
    if (values.length !== cols.length) continue;
    const each: string[] = [];
    for (let i = 0; i < values.length; i++) {
      const c = partCond(i, values[i]);
      if (c === null) break;
      each.push(c);
    }
    if (each.length === values.length) conds.push(each.length === 1 ? each[0] : `(${each.join(' AND ')})`);
  }
  return { where: conds.length === 0 ? '1=0' : `(${conds.join(' OR ')})`, params };
}
