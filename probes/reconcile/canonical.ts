import type { ColumnInfo, SqlDialect } from '../sql/sql-source.ts';
import { zonedColumns, type ZonedColumns, type ZoneSide } from './time-zone.ts';

/**
 * Values are compared as a canonical text form computed inside each database, so the same value
 * stored as int vs bigint, numeric(12,2) vs decimal(14,4), timestamp vs datetime, or under another
 * text collation hashes the same on both sides. Timestamps become microseconds since the epoch
 * (UTC; MariaDB/MySQL sessions run with time_zone +00:00; instants against wall-clock times: `time-zone.ts`), dates days since the epoch, booleans
 * and bit(1) as 1/0, bit strings as their digits (`bitsPlan`).
 */
export type ValueClass = 'integer' | 'decimal' | 'float' | 'boolean' | 'bits' | 'timestamp' | 'timestamptz' | 'date' | 'time' | 'bytes' | 'uuid' | 'text';

const classes: Array<[RegExp, ValueClass]> = [
  [/^(smallint|integer|bigint|int|tinyint|mediumint|serial|bigserial|year)\b/, 'integer'],
  [/^(numeric|decimal)\b/, 'decimal'],
  [/^(real|double|float)\b/, 'float'],
  // bit(1) is how Hibernate and other ORMs store a boolean in MySQL/MariaDB
  [/^(boolean|bool\b|bit\(1\)$)/, 'boolean'],
  // PostgreSQL bit(n) and bit varying(n), MySQL/MariaDB BIT(n) (an n-bit unsigned number)
  [/^(bit|bit varying|varbit)\b/, 'bits'],
  [/^timestamp.*with time zone/, 'timestamptz'],
  [/^(timestamp|datetime)\b/, 'timestamp'],
  [/^date$/, 'date'],
  // PostgreSQL time [without time zone], MySQL/MariaDB TIME (a duration of up to ±838 hours); PostgreSQL's time with time zone stays text
  [/^time\b(?!.*with time zone)/, 'time'],
  [/^(bytea|tinyblob|blob|mediumblob|longblob|binary|varbinary)\b/, 'bytes'],
  [/^uuid\b/, 'uuid'],
];

export function valueClassOf(declaredType: string): ValueClass {
  const t = declaredType.toLowerCase().trim();
  return classes.find(([re]) => re.test(t))?.[1] ?? 'text';
}

/** Trailing zeros of a decimal's fraction, then a trailing point, go: "12.50" → "12.5", "3.000" → "3". */
const mysqlTrimDecimal = (s: string) => `IF(LOCATE('.', ${s}) > 0, TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM ${s})), ${s})`;

/**
 * A float as the shortest decimal that reads back as the same double (what PostgreSQL's float8
 * output and MariaDB's CAST(double AS CHAR) both print), rewritten to one notation: sign, significant
 * digits, 'e', the power of ten of the first digit ("5.15074505e1" → "515074505e1", 1e-07 and
 * 0.0000001 → "1e-7", -0 → "0"). Exact: no rounding, so no half-way value that the two databases
 * round apart. Whole numbers below 9e18 are read through a 64-bit integer: PostgreSQL prints
 * 36864697933197024 in full where MariaDB prints its shortest form, 3.686469793319702e16.
 * `narrow`: through float4 first (a real against a double is compared as real).
 */
const floatText: Record<SqlDialect, (c: string, narrow: boolean) => string> = {
  postgres: (c, narrow) => {
    const v = narrow ? `${c}::real::float8` : `${c}::float8`;
    return `CASE WHEN ${v} = 'NaN'::float8 OR abs(${v}) = 'Infinity'::float8 THEN ${v}::text ELSE ${finiteFloatText(v)} END`;
  },
  mysql: (c, narrow) => {
    const v = narrow ? `CAST(CAST(${c} AS FLOAT) AS DOUBLE)` : `CAST(${c} AS DOUBLE)`;
    const s = `IF(${v} = TRUNCATE(${v}, 0) AND ABS(${v}) < 9e18, CAST(CAST(${v} AS SIGNED) AS CHAR), CAST(${v} AS CHAR))`;
    const a = `TRIM(LEADING '-' FROM ${s})`;
    const m = `SUBSTRING_INDEX(${a}, 'e', 1)`;
    const ex = `IF(LOCATE('e', ${a}) > 0, CAST(SUBSTRING_INDEX(${a}, 'e', -1) AS SIGNED), 0)`;
    const ip = `SUBSTRING_INDEX(${m}, '.', 1)`;
    const all = `CONCAT(${ip}, IF(LOCATE('.', ${m}) > 0, SUBSTRING_INDEX(${m}, '.', -1), ''))`;
    const lz = `(CHAR_LENGTH(${all}) - CHAR_LENGTH(TRIM(LEADING '0' FROM ${all})))`;
    const sig = `TRIM(TRAILING '0' FROM TRIM(LEADING '0' FROM ${all}))`;
    return `IF(${sig} = '', '0', CONCAT(IF(LEFT(${s}, 1) = '-', '-', ''), ${sig}, 'e', CAST(${ex} + CHAR_LENGTH(${ip}) - 1 - ${lz} AS CHAR)))`;
  },
};

/** PostgreSQL: a finite float8 `v` in `floatText`'s notation (its Infinity, -Infinity and NaN, which MySQL/MariaDB cannot hold, are told apart before). */
function finiteFloatText(v: string): string {
  const s = `CASE WHEN ${v} = trunc(${v}) AND abs(${v}) < 9e18 THEN ${v}::bigint::text ELSE ${v}::text END`;
  const a = `ltrim(${s}, '-')`;
  const m = `split_part(${a}, 'e', 1)`;
  const ex = `COALESCE(NULLIF(split_part(${a}, 'e', 2), ''), '0')::int`;
  const ip = `split_part(${m}, '.', 1)`;
  const all = `(${ip} || split_part(${m}, '.', 2))`;
  const lz = `(length(${all}) - length(ltrim(${all}, '0')))`;
  const sig = `rtrim(ltrim(${all}, '0'), '0')`;
  return `CASE WHEN ${sig} = '' THEN '0' ELSE CASE WHEN left(${s}, 1) = '-' THEN '-' ELSE '' END || ${sig} || 'e' || (${ex} + length(${ip}) - 1 - ${lz})::text END`;
}

/**
 * A float rounded to `scale` decimals, trailing zeros trimmed, for comparison with an exact number:
 * rounded half away from zero from its shortest decimal (PostgreSQL's float8 → numeric cast keeps 15
 * digits, and MariaDB's ROUND works on the binary value: 51.5074505 rounded to 51.507451 in one and
 * 51.50745 in the other).
 */
const floatAtScale: Record<SqlDialect, (c: string, scale: number) => string> = {
  postgres: (c, scale) => `trim_scale(round(${c}::float8::text::numeric, ${scale}))::text`,
  mysql: (c, scale) => mysqlTrimDecimal(`CAST(CAST(CAST(${c} AS DOUBLE) AS DECIMAL(65,${scale})) AS CHAR)`),
};

/** Whether a declared float type is single precision (PostgreSQL real, MariaDB/MySQL float). */
const isFloat4 = (dialect: SqlDialect, declaredType: string) =>
  dialect === 'postgres' ? /^(real|float4)\b/i.test(declaredType.trim()) : /^float\b/i.test(declaredType.trim());

/**
 * PostgreSQL: `expr` for a finite timestamp or date `c`; its 'infinity' and '-infinity' as those
 * words (they have no epoch offset: the run failed, "cannot convert infinity to bigint"). MySQL/MariaDB
 * cannot hold them, so against it they are a difference; against PostgreSQL, equal infinities match.
 */
const finiteOr = (c: string, expr: string) => `CASE WHEN isfinite(${c}) THEN ${expr} ELSE ${c}::text END`;

const canonical: Record<SqlDialect, Record<ValueClass, (c: string) => string>> = {
  postgres: {
    integer: (c) => `${c}::text`,
    decimal: (c) => `trim_scale(${c}::numeric)::text`,
    float: (c) => floatText.postgres(c, false),
    boolean: (c) => `(${c})::int::text`,
    bits: (c) => `${c}::text`,
    timestamp: (c) => finiteOr(c, `(extract(epoch from ${c}) * 1000000)::bigint::text`),
    timestamptz: (c) => finiteOr(c, `(extract(epoch from ${c}) * 1000000)::bigint::text`),
    date: (c) => finiteOr(c, `(${c} - date '1970-01-01')::text`),
    time: (c) => `${timeMicros.postgres(c)}::text`,
    bytes: (c) => `encode(${c}, 'hex')`,
    uuid: (c) => `${c}::text`,
    text: (c) => `${c}::text`,
  },
  mysql: {
    integer: (c) => `CAST(${c} AS CHAR)`,
    decimal: (c) => mysqlTrimDecimal(`CAST(${c} AS CHAR)`),
    float: (c) => floatText.mysql(c, false),
    boolean: (c) => `CASE WHEN ${c} THEN '1' WHEN NOT ${c} THEN '0' END`,
    bits: (c) => `BIN(${c})`,
    timestamp: (c) => `CAST(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', ${c}) AS CHAR)`,
    timestamptz: (c) => `CAST(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', ${c}) AS CHAR)`,
    date: (c) => `CAST(DATEDIFF(${c}, '1970-01-01') AS CHAR)`,
    time: (c) => `CAST(${timeMicros.mysql(c)} AS CHAR)`,
    bytes: (c) => `LOWER(HEX(${c}))`,
    uuid: (c) => `LOWER(CAST(${c} AS CHAR))`,
    text: (c) => `CONVERT(${c} USING utf8mb4)`,
  },
};

export const quoteIdent: Record<SqlDialect, (name: string) => string> = {
  postgres: (name) =>
    name
      .split('.')
      .map((p) => `"${p.replace(/"/g, '""')}"`)
      .join('.'),
  mysql: (name) =>
    name
      .split('.')
      .map((p) => `\`${p.replace(/`/g, '``')}\``)
      .join('.'),
};

export function canonicalExpr(dialect: SqlDialect, column: string, declaredType: string): string {
  return canonical[dialect][valueClassOf(declaredType)](quoteIdent[dialect](column));
}

/**
 * A 32-bit bucket number from the MD5 of a key's canonical text: the same number in both
 * databases (and in `keyHashOf`), whatever their collations — bisection of string, UUID and
 * composite keys is defined on it, never on a native ORDER BY.
 */
export function keyHashExpr(dialect: SqlDialect, keyText: string): string {
  if (dialect === 'postgres') return `('x' || substr(md5(${keyText}), 1, 8))::bit(32)::bigint`;
  return `CAST(CONV(SUBSTRING(MD5(${keyText}), 1, 8), 16, 10) AS UNSIGNED)`;
}

/** A 60-bit integer from the MD5 of the row text: the same number in both databases. */
export function rowHashExpr(dialect: SqlDialect, rowText: string): string {
  if (dialect === 'postgres') return `('x' || substr(md5(${rowText}), 1, 15))::bit(60)::bigint`;
  return `CAST(CONV(SUBSTRING(MD5(${rowText}), 1, 15), 16, 10) AS UNSIGNED)`;
}

/** The scale of an exact number type: 0 for integers, s for decimal(p,s); undefined when unbounded. */
export function scaleOf(declaredType: string): number | undefined {
  const cls = valueClassOf(declaredType);
  if (cls === 'integer') return 0;
  if (cls !== 'decimal') return undefined;
  const m = /\(\s*\d+\s*,\s*(\d+)\s*\)/.exec(declaredType);
  return m ? Number(m[1]) : undefined;
}

const fixedScale: Record<SqlDialect, (c: string, own: number | undefined, scale: number) => string> = {
  postgres: (c, own, scale) => (own === scale ? `${c}::text` : `round(${c}::numeric, ${scale})::text`),
  mysql: (c, own, scale) => (own === scale ? `CAST(${c} AS CHAR)` : `CAST(CAST(${c} AS DECIMAL(65,${scale})) AS CHAR)`),
};

const utf8 = /^(utf8|utf8mb3|utf8mb4|ascii)$/i;

/** Fractional-second digits of a timestamp or time type: PostgreSQL's default to 6, MariaDB/MySQL's DATETIME, TIMESTAMP and TIME to 0. */
export function timePrecisionOf(dialect: SqlDialect, declaredType: string): number {
  const m = /\((\d)\)/.exec(declaredType);
  return m ? Number(m[1]) : dialect === 'postgres' ? 6 : 0;
}

/**
 * A timestamp as microseconds since the epoch, at `digits` fractional digits: rounded where the
 * coarser column is PostgreSQL's (it rounds what it stores, half away from 2000-01-01), truncated where it is MariaDB's or
 * MySQL's (MariaDB truncates unless sql_mode has TIME_ROUND_FRACTIONAL; MySQL rounds unless it has
 * TIME_TRUNCATE_FRACTIONAL).
 */
const timestampAt: Record<SqlDialect, (c: string, digits: number, round: boolean) => string> = {
  postgres: (c, digits, round) => finiteOr(c, at(`(extract(epoch from ${c}) * 1000000)`, digits, round, 'floor', 'ceil') + '::bigint::text'),
  mysql: (c, digits, round) => `CAST(${at(`TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', ${c})`, digits, round, 'FLOOR', 'CEIL')} AS CHAR)`,
};

/** Microseconds `us` at `digits` digits: truncated down, or rounded half away from 2000-01-01 (PostgreSQL's own epoch) as PostgreSQL stores them. */
function at(us: string, digits: number, round: boolean, floor: string, ceil: string): string {
  const unit = 10 ** (6 - digits);
  if (!round) return `(${floor}(${us} / ${unit}) * ${unit})`;
  return `(CASE WHEN ${us} >= 946684800000000 THEN ${floor}(${us} / ${unit} + 0.5) ELSE ${ceil}(${us} / ${unit} - 0.5) END * ${unit})`;
}

/** A time of day (or MySQL/MariaDB duration) as whole microseconds since midnight, exactly (PostgreSQL's epoch of a time and MariaDB's TIME_TO_SEC keep its fraction). */
const timeMicros: Record<SqlDialect, (c: string) => string> = {
  postgres: (c) => `(extract(epoch from ${c}) * 1000000)::bigint`,
  mysql: (c) => `CAST(TIME_TO_SEC(${c}) * 1000000 AS SIGNED)`,
};

/**
 * A time as microseconds since midnight at `digits` fractional digits, as the coarser column's
 * database stores a finer value: PostgreSQL rounds half up (23:59:59.9 in a time(0) is 24:00:00),
 * MariaDB truncates toward zero (-00:00:01.56 in a TIME(1) is -00:00:01.5). A negative MariaDB TIME,
 * which no PostgreSQL time can hold, is not rounded.
 */
const timeAt: Record<SqlDialect, (c: string, digits: number, round: boolean) => string> = {
  postgres: (c, digits, round) => {
    const unit = 10 ** (6 - digits);
    return `((${timeMicros.postgres(c)}${round ? ` + ${unit / 2}` : ''}) / ${unit} * ${unit})::text`;
  },
  mysql: (c, digits, round) => {
    const unit = 10 ** (6 - digits);
    const us = timeMicros.mysql(c);
    const at = (x: string) => `(${x} - MOD(${x}, ${unit}))`;
    return `CAST(${round ? `IF(${us} >= 0, ${at(`${us} + ${unit / 2}`)}, ${us})` : at(us)} AS CHAR)`;
  },
};

/** Whether a declared type is a fixed-length, blank-padded character type (PostgreSQL character(n), MariaDB/MySQL char(n)). */
export function isFixedChar(dialect: SqlDialect, declaredType: string): boolean {
  const t = declaredType.toLowerCase().trim();
  return dialect === 'postgres' ? /^(character|bpchar)(\(|$)/.test(t) : /^(char|nchar)(\(|$)/.test(t);
}

export interface SidePlan {
  dialect: SqlDialect;
  column: ColumnInfo;
  /** The zone this side's wall-clock timestamps (PostgreSQL timestamp, MySQL/MariaDB DATETIME) are written in, when the catalog says (`time-zone.ts`). */
  timeZone?: string;
}

/**
 * The canonical text expression of one compared column on each side, chosen from both declared
 * types: exact numbers of known scale are rendered at the larger scale (10.5 as "10.5000" on both
 * sides), unbounded ones with trailing zeros trimmed; text in a UTF-8 character set is hashed as
 * stored (collation plays no part in the bytes), other character sets converted to UTF-8 first.
 */
export function planColumn(left: SidePlan, right: SidePlan): [string, string] {
  const exprs = planColumnByClass(left, right);
  return [left, right].map((s, i) =>
    s.dialect === 'mysql' && isTimeClass(s.column.type) ? keepInvalidDate(exprs[i], quoteIdent.mysql(s.column.column)) : exprs[i],
  ) as [string, string];
}

const isTimeClass = (declaredType: string) => ['timestamp', 'timestamptz', 'date'].includes(valueClassOf(declaredType));

/**
 * MySQL/MariaDB store zero and invalid dates ('0000-00-00', '2024-02-00'; sql_mode without NO_ZERO_DATE)
 * for which date arithmetic answers NULL: they read as NULL, matched a NULL on the other side, and two
 * different ones matched each other. Such a value reads "invalid " and its own text, a difference.
 */
function keepInvalidDate(expr: string, column: string): string {
  return `COALESCE(${expr}, IF(${column} IS NULL, NULL, CONCAT('invalid ', CAST(${column} AS CHAR))))`;
}

function planColumnByClass(left: SidePlan, right: SidePlan): [string, string] {
  const sides = [left, right];
  const declared = sides.map((s) => valueClassOf(s.column.type));
  // A time against a time: microseconds since midnight, at the coarser precision. Against another type, as its text (as before: a
  // varchar holding '12:30:00' matches a time 12:30:00).
  const classes = declared.map((c) => (c === 'time' && !declared.every((d) => d === 'time') ? 'text' : c));
  if (classes.every((c) => c === 'time')) {
    const precisions = sides.map((s) => timePrecisionOf(s.dialect, s.column.type));
    const digits = Math.min(...precisions);
    const coarse = sides[precisions[0] <= precisions[1] ? 0 : 1];
    if (precisions[0] === precisions[1]) return sides.map((s) => canonical[s.dialect].time(quoteIdent[s.dialect](s.column.column))) as [string, string];
    return sides.map((s) => timeAt[s.dialect](quoteIdent[s.dialect](s.column.column), digits, coarse.dialect === 'postgres')) as [string, string];
  }
  // A UUID is the same value in any letter case: against a uuid column, text is compared in lower case (uuid vs char(36)).
  if (classes.includes('bits')) {
    const bits = bitsPlan(sides, classes);
    if (bits) return bits;
  }
  if (classes.includes('uuid')) {
    return sides.map((s, i) => {
      const c = quoteIdent[s.dialect](s.column.column);
      if (classes[i] === 'uuid') return canonical[s.dialect].uuid(c);
      return s.dialect === 'postgres' ? `lower(${canonical.postgres[classes[i]](c)})` : `LOWER(${canonical.mysql[classes[i]](c)})`;
    }) as [string, string];
  }
  // Timestamps: instants against wall-clock times read in the wall-clock side's zone (`zonedColumns`); of two precisions, compared at
  // the coarser, the finer side's value stored as the coarser side's database would have stored it.
  if (classes.every((c) => c === 'timestamp' || c === 'timestamptz')) {
    const cols = zonedPair(left, right)!.columns;
    const precisions = sides.map((s) => timePrecisionOf(s.dialect, s.column.type));
    if (precisions[0] !== precisions[1]) {
      const coarse = sides[precisions[0] < precisions[1] ? 0 : 1];
      const digits = Math.min(...precisions);
      return sides.map((s, i) => timestampAt[s.dialect](cols[i], digits, coarse.dialect === 'postgres')) as [string, string];
    }
    return sides.map((s, i) => canonical[s.dialect][classes[i]](cols[i])) as [string, string];
  }
  if (classes.includes('float')) {
    const other = classes[0] === 'float' ? 1 : 0;
    // Two floats: exactly, as real if either is real. A float against an exact number: rounded to the exact side's scale (6 when unknown).
    if (classes[other] === 'float') {
      const narrow = sides.some((s) => isFloat4(s.dialect, s.column.type));
      return sides.map((s) => floatText[s.dialect](quoteIdent[s.dialect](s.column.column), narrow)) as [string, string];
    }
    if (classes[other] === 'integer' || classes[other] === 'decimal') {
      const scale = Math.min(30, scaleOf(sides[other].column.type) ?? 6);
      return sides.map((s, i) => {
        const c = quoteIdent[s.dialect](s.column.column);
        return i === other ? canonical[s.dialect].decimal(c) : floatAtScale[s.dialect](c, scale);
      }) as [string, string];
    }
  }
  // A fixed-length CHAR holds no trailing spaces of its own (both databases drop its padding when read): against it, they are not compared.
  if (classes.every((c) => c === 'text') && sides.some((s) => isFixedChar(s.dialect, s.column.type))) {
    return sides.map((s) => {
      const c = quoteIdent[s.dialect](s.column.column);
      if (s.dialect === 'postgres') return `rtrim(${c}::text, ' ')`;
      return `TRIM(TRAILING ' ' FROM ${s.column.charset && utf8.test(s.column.charset) ? c : `CONVERT(${c} USING utf8mb4)`})`;
    }) as [string, string];
  }
  const exact = classes.every((c) => c === 'integer' || c === 'decimal') && classes.includes('decimal');
  if (exact) {
    const scales = sides.map((s) => scaleOf(s.column.type));
    if (scales.every((x) => x !== undefined)) {
      const scale = Math.max(...(scales as number[]));
      return sides.map((s, i) => fixedScale[s.dialect](quoteIdent[s.dialect](s.column.column), scales[i], scale)) as [string, string];
    }
  }
  return sides.map((s, i) => {
    if (classes[i] === 'text' && s.dialect === 'mysql' && s.column.charset && utf8.test(s.column.charset)) return quoteIdent.mysql(s.column.column);
    if (exact) return canonical[s.dialect].decimal(quoteIdent[s.dialect](s.column.column));
    return canonical[s.dialect][classes[i]](quoteIdent[s.dialect](s.column.column));
  }) as [string, string];
}

/** The width of a fixed-length bit type (PostgreSQL bit(n), MySQL/MariaDB BIT(n); bit alone is bit(1)); undefined for bit varying. */
export function bitWidthOf(declaredType: string): number | undefined {
  const t = declaredType.toLowerCase().trim();
  if (/^(bit varying|varbit)\b/.test(t)) return undefined;
  const m = /^bit\s*\((\d+)\)/.exec(t);
  return m ? Number(m[1]) : 1;
}

/**
 * Bit strings, as the digits 0 and 1: both sides of fixed width (PostgreSQL bit(n), MySQL/MariaDB
 * BIT(n)) at the wider width, zero-padded on the left (a MySQL/MariaDB BIT is a number, and a narrower
 * value is the same number; its raw bytes were hashed, so every row differed and, MariaDB against
 * MariaDB, bytes that are not UTF-8 all read "?" and matched); against bit varying, each side as it
 * is (a MySQL/MariaDB BIT(n) at its n digits: '101' and '00000101' are different bit strings, shown
 * as such); against an integer, as numbers (a PostgreSQL bit(n) of n ≤ 63). Undefined: another pair,
 * planned by class.
 */
function bitsPlan(sides: SidePlan[], classes: ValueClass[]): [string, string] | undefined {
  const widths = sides.map((s) => bitWidthOf(s.column.type));
  const col = (s: SidePlan) => quoteIdent[s.dialect](s.column.column);
  if (classes.every((c) => c === 'bits')) {
    const fixed = widths.every((w) => w !== undefined);
    const width = Math.max(...widths.map((w) => w ?? 0));
    return sides.map((s, i) => {
      const w = fixed ? width : widths[i];
      if (s.dialect === 'mysql') return `LPAD(BIN(${col(s)}), ${w}, '0')`;
      return fixed && w !== widths[i] ? `lpad(${col(s)}::text, ${w}, '0')` : `${col(s)}::text`;
    }) as [string, string];
  }
  if (classes.every((c) => c === 'bits' || c === 'integer')) {
    const ok = sides.every((s, i) => classes[i] === 'integer' || s.dialect === 'mysql' || (widths[i] ?? 64) <= 63);
    if (!ok) return undefined;
    return sides.map((s, i) => {
      if (classes[i] === 'integer') return canonical[s.dialect].integer(col(s));
      return s.dialect === 'mysql' ? `CAST(${col(s)} + 0 AS CHAR)` : `${col(s)}::bigint::text`;
    }) as [string, string];
  }
  return undefined;
}

/** For a pair of timestamp columns, the expressions compared and the zones each side's database converts with (`zonedColumns`); undefined for other pairs. */
export function zonedPair(left: SidePlan, right: SidePlan): ZonedColumns | undefined {
  const sides = [left, right];
  if (!sides.every((s) => ['timestamp', 'timestamptz'].includes(valueClassOf(s.column.type)))) return undefined;
  return zonedColumns(
    sides.map((s) => ({ dialect: s.dialect, type: s.column.type, column: quoteIdent[s.dialect](s.column.column), timeZone: s.timeZone })) as [
      ZoneSide,
      ZoneSide,
    ],
  );
}
