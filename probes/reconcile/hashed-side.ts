import type { SqlDialect, SqlQuery } from '../sql/sql-source.ts';
import { keyHashExpr, keyTextExpr, quoteIdent, rowHashExpr, rowTextExpr } from './canonical.ts';
import { HASH_BITS, KEY_POINT_SPACE, SPREAD_WIDTH, keyBytesExpr, keySpreadExpr, keySpreadOf } from './key-point.ts';
import type { KeyRange, RowKey, SideDefinition, SideQueries } from './sql-side.ts';
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
  const hash = rowHashExpr(d, rowTextExpr(d, [keyText, ...def.exprs]));
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
    const tuples = keys.map((key) => key.split('\x1f'));
    const params = tuples.flat();
    let n = 0;
    const ph = () => (d === 'postgres' ? `$${++n}` : '?');
    const cols = def.keys.map(q);
    if (cols.length === 1) return { from: table, where: `${cols[0]} IN (${tuples.map(() => ph()).join(',')})`, params };
    return { from: table, where: `(${cols.join(', ')}) IN (${tuples.map((t) => `(${t.map(() => ph()).join(', ')})`).join(', ')})`, params };
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
    async values(keys) {
      if (keys.length === 0) return new Map();
      const wanted = new Set(keys.map(String));
      const { from, where, params } = lookup([...wanted]);
      const rs = await rows(`SELECT ${keyText} AS k, ${def.exprs.map((t, i) => `${t} AS c${i}`).join(', ')} FROM ${from} WHERE ${where}`, params);
      return new Map(
        rs.filter((r) => wanted.has(String(r.k))).map((r) => [String(r.k), def.exprs.map((_, i) => (r[`c${i}`] === null ? null : String(r[`c${i}`])))]),
      );
    },
  };
}
