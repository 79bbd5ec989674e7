import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../sql/sql-source.ts';
import { escapedPart, keyPartsOf, keyTextOf, planKey } from './row-text.ts';

describe('key texts (keyTextOf, keyPartsOf)', () => {
  const tuples: Array<Array<string | null>> = [
    ['a\x1fb', 'c'],
    ['a', 'b\x1fc'],
    ['a\x1f', 'b'],
    ['a', '\x1fb'],
    ['\x01', 'x'],
    [null, 'x'],
    ['\x1f', 'y'],
    ['\x01\x03', 'y'],
    ['\x01\x02', 'z'],
    ['\x01', 'z'],
    ['', ''],
    [null, null],
    ['\x01\x02\x02\x03', '\x1f\x1f'],
    ['\x1f\x04', 'z'],
    ['\x1f\x03', 'z'],
    ['\x1f', '\x03z'],
    ['\x1f\x02', ''],
    ['\x1f', '\x02'],
  ];

  it('gives different tuples different texts (("a\\x1fb", "c") and ("a", "b\\x1fc") shared one, so did "\\x01" and NULL)', () => {
    expect(new Set(tuples.map(keyTextOf)).size).toBe(tuples.length);
    const singles = ['\x01', null, '\x01\x02', '\x1f', '\x01\x03', '', '\x1f\x04', '\x1f\x03', '\x1f\x02', '\x04'];
    expect(new Set(singles.map((p) => keyTextOf([p]))).size).toBe(singles.length);
  });

  it('reads a text back into its parts', () => {
    for (const t of tuples) expect(keyPartsOf(keyTextOf(t))).toEqual(t);
    expect(keyPartsOf(keyTextOf(['k\x1fl']))).toEqual(['k\x1fl']);
  });
});

describe('planKey', () => {
  const col = (column: string, type: string, nullable = false): ColumnInfo => ({ table: 't', column, type, nullable, charset: 'utf8mb4' });
  const pair = (pgType: string, myType: string, pgNull = false, myNull = false) =>
    [
      { dialect: 'postgres' as const, column: col('id', pgType, pgNull) },
      { dialect: 'mysql' as const, column: col('id', myType, myNull) },
    ] as const;

  it('leaves one text key, NOT NULL on both sides, unescaped: its text is the value as it is (every row paid a REPLACE)', () => {
    expect(planKey([pair('text', 'varchar(24)')])).toEqual({ exprs: [['"id"::text'], ['`id`']], raw: true });
    expect(keyPartsOf('a\x1f\x03b\x1f\x04', true)).toEqual(['a\x1f\x03b\x1f\x04']);
  });

  it('escapes a key that may be NULL on either side, a composite key, and a text key against another type', () => {
    expect(planKey([pair('text', 'varchar(24)', true)])).toEqual({ exprs: [[escapedPart.postgres('"id"::text')], [escapedPart.mysql('`id`')]], raw: false });
    expect(planKey([pair('text', 'varchar(24)', false, true)]).raw).toBe(false);
    expect(planKey([pair('text', 'varchar(24)'), pair('text', 'varchar(24)')]).raw).toBe(false);
    expect(planKey([pair('uuid', 'char(36)')]).raw).toBe(false);
    expect(planKey([pair('bigint', 'int')])).toEqual({ exprs: [['"id"::text'], ['CAST(`id` AS CHAR)']], raw: false });
  });
});
