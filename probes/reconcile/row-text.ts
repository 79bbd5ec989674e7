import type { SqlDialect } from '../sql/sql-source.ts';
import { planColumn, valueClassOf, type SidePlan } from './canonical.ts';

/**
 * A row's compared columns, and a composite key's parts, are hashed as one text: the parts' canonical
 * texts joined by \x1f\x03, a NULL part written \x1f\x04. So that no two different rows or keys share
 * a text, a part that may hold any character (text, whatever either side's type) is escaped first:
 * each \x1f becomes \x1f\x02 (one REPLACE). In an escaped text every \x1f is followed by \x02 (a
 * character), \x03 (a separator) or \x04 (NULL), so the separators split it back into its parts and a
 * part that is exactly \x1f\x04 is NULL. Texts without \x1f (nearly all) are unchanged. The same bytes are
 * computed in PostgreSQL, in MariaDB/MySQL and here (`keyPartsOf`, `keyTextOf`).
 */
export const PART_SEPARATOR = '\x1f\x03';
/** A NULL part of a row or key text. */
export const NULL_PART = '\x1f\x04';

/** A text part escaped as SQL (\x1f → \x1f\x02; NULL stays NULL): the same bytes in both databases as `keyTextOf` writes. */
export const escapedPart: Record<SqlDialect, (e: string) => string> = {
  postgres: (e) => `replace(${e}, chr(31), chr(31) || chr(2))`,
  mysql: (e) => `REPLACE(${e}, CHAR(31 USING utf8mb4), CHAR(31, 2 USING utf8mb4))`,
};

/** Canonical texts of these classes are digits, signs, points, 'e', hex, bit strings, UUIDs or 'infinity': they never hold \x1f. */
const plain = new Set(['integer', 'decimal', 'float', 'boolean', 'bits', 'timestamp', 'timestamptz', 'date', 'time', 'bytes', 'uuid']);

/**
 * A column pair's canonical texts (`planColumn`) as parts of a row or key text: escaped on both sides
 * when either side's values are text (a text column may hold \x01 or \x1f), as they are otherwise.
 */
export function planPart(left: SidePlan, right: SidePlan): [string, string] {
  const exprs = planColumn(left, right);
  const free = [left, right].some((s) => !plain.has(valueClassOf(s.column.type)));
  return free ? [escapedPart[left.dialect](exprs[0]), escapedPart[right.dialect](exprs[1])] : exprs;
}

/** A key's parts as SQL on each side, and whether its text is raw (`planKey`). */
export interface KeyParts {
  exprs: [string[], string[]];
  /** The key is one text column, NOT NULL on both sides: its key text is its canonical text as it is, unescaped. */
  raw: boolean;
}

/**
 * A key's parts (one pair of columns per part) as SQL on each side: each as `planPart` makes it, except
 * a single key column whose values are text on both sides and NOT NULL on both, which is left as it is
 * (`raw`), since it needs no escaping: its key text holds no other part to be told apart from, and no
 * NULL (that a text '\x1f\x04' could be taken for); in a row text it is the first part and every later
 * part is escaped or never holds \x1f, so the row text still splits back uniquely from the right (no
 * \x1f\x03 inside a later part). Escaping it cost every row of every hashed level one REPLACE, more
 * than once in MariaDB, which evaluates an expression each time a statement names it.
 */
export function planKey(pairs: ReadonlyArray<readonly [SidePlan, SidePlan]>): KeyParts {
  const raw = pairs.length === 1 && pairs[0].every((s) => valueClassOf(s.column.type) === 'text' && s.column.nullable === false);
  const exprs = pairs.map(([l, r]) => (raw ? planColumn(l, r) : planPart(l, r)));
  return { exprs: [exprs.map((e) => e[0]), exprs.map((e) => e[1])], raw };
}

/** One row's compared columns (parts from `planPart`) as one text: \x1f\x03 between parts, NULL as \x1f\x04. */
export function rowTextExpr(dialect: SqlDialect, parts: string[]): string {
  if (dialect === 'postgres') return parts.map((e) => `COALESCE(${e}, chr(31) || chr(4))`).join(` || chr(31) || chr(3) || `);
  return `CONCAT(${parts.map((e) => `COALESCE(${e}, CHAR(31, 4))`).join(', CHAR(31, 3), ')})`;
}

/** A key's canonical text (parts from `planPart`, composite ones joined by \x1f\x03, NULL as \x1f\x04): what `keyHashExpr` hashes, as SQL. */
export function keyTextExpr(dialect: SqlDialect, parts: string[]): string {
  // A NULL key part is \x1f\x04, as in row texts: a NULL key still lands in one bucket and is compared like any other.
  if (parts.length === 1) return dialect === 'postgres' ? `COALESCE(${parts[0]}, chr(31) || chr(4))` : `COALESCE(${parts[0]}, CHAR(31, 4 USING utf8mb4))`;
  return rowTextExpr(dialect, parts);
}

/** A key text's parts (from `keyTextExpr`): split at \x1f\x03, unescaped, \x1f\x04 read as NULL; a `raw` key text (`planKey`) is its one part. */
export function keyPartsOf(text: string, raw = false): Array<string | null> {
  if (raw) return [text];
  return text.split(PART_SEPARATOR).map((p) => (p === NULL_PART ? null : p.replace(/\x1f\x02/g, '\x1f')));
}

/** The key text of these parts, as `keyTextExpr` computes it inside the databases (each part's canonical text). */
export function keyTextOf(parts: Array<string | null>): string {
  return parts.map((p) => (p === null ? NULL_PART : p.replace(/\x1f/g, '\x1f\x02'))).join(PART_SEPARATOR);
}
