import { describe, expect, it } from 'vitest';
import { Secrets } from '../index.ts';
import { runReconciliation } from './index.ts';
import { escapedPart, keyTextExpr, keyTextOf } from './row-text.ts';
import { twoDatabases } from './test/two-databases.ts';

/**
 * Rows and keys are hashed as one text of their parts (joined by \x1f, NULL as \x01): two different
 * rows or keys must never share that text, whatever their values hold.
 */
const db = await twoDatabases();
const { up, suffix, tables } = db;
const secrets = new Secrets(() => undefined);

type Row = unknown[];

/** Both tables (no primary key: key columns may hold NULL), then a run each way; returns [PostgreSQL → MariaDB, MariaDB → PostgreSQL]. */
async function bothWays(name: string, def: { pg: string; my: string; key: string | string[]; columns: string[]; pgRows: Row[]; myRows: Row[] }) {
  const t = `rk_text_${name}_${suffix}`;
  tables.push(t);
  await db.pg.query(`CREATE TABLE ${t} (${def.pg})`);
  await db.my.query(`CREATE TABLE ${t} (${def.my}) DEFAULT CHARSET=utf8mb4`);
  for (const r of def.pgRows) await db.pg.query(`INSERT INTO ${t} VALUES (${r.map((_, i) => `$${i + 1}`).join(', ')})`, r);
  for (const r of def.myRows) await db.my.query(`INSERT INTO ${t} VALUES (${r.map(() => '?').join(', ')})`, r);
  const pgSide = { system: 'crm', url: 'postgres://postgres@127.0.0.1:5432/test', table: t };
  const mySide = { system: 'erp', url: 'mysql://root@127.0.0.1:3306/test', table: t };
  const runs = [];
  for (const [left, right] of [
    [pgSide, mySide],
    [mySide, pgSide],
  ]) {
    const run = await runReconciliation({ id: `rec-${t}`, key: def.key, columns: def.columns, left, right, sampleKeys: 50 }, { secrets });
    expect(run.error).toBe('');
    expect(run.changedDuringRun).toBe(0);
    runs.push({ missing: run.sampleMissing, extra: run.sampleExtra, changed: run.sampleChanged });
  }
  return runs;
}

/** The same rows on both sides but for `changes` (row index → the MariaDB row). */
const withChanges = (rows: Row[], changes: Record<number, Row>) => rows.map((r, i) => changes[i] ?? r);

describe.skipIf(!up)('reconciliation: row and key texts are unambiguous', () => {
  it('values that hold the separator or the NULL marker: a change is a change (("a\\x1fb", "c") and ("a", "b\\x1fc") matched, so did "\\x01" and NULL), equal ones are equal', async () => {
    // Each changed row alone in its value pattern, so that no two changes could cancel in a segment's sums.
    const pgRows: Row[] = [
      [1, 'a\x1fb', 'c'],
      [2, 'a\x1f', 'b'],
      [3, '\x01', 'x'],
      [4, '\x1f', 'y'],
      [5, '\x01\x02', 'z'],
      [6, 'p', '\x01\x1f'],
      [7, 'a\x1fb', '\x01'],
      [8, '\x01', null],
      [9, '', 'w'],
      [0, '\x1f\x04', 'v'],
    ];
    const myRows = withChanges(pgRows, {
      0: [1, 'a', 'b\x1fc'],
      1: [2, 'a', '\x1fb'],
      2: [3, null, 'x'],
      3: [4, '\x01\x03', 'y'],
      4: [5, '\x01', 'z'],
      5: [6, 'p\x01', '\x1f'],
      9: [0, null, 'v'],
    });
    const def = { key: 'id', columns: ['a', 'b'], pgRows, myRows };
    const changed = { missing: [], extra: [], changed: ['0', '1', '2', '3', '4', '5', '6'] };
    // integer keys (the row text is the values), then text keys (the key text is part of the row text)
    expect(await bothWays('intkey', { ...def, pg: 'id integer, a text, b text', my: 'id integer, a varchar(10), b varchar(10)' })).toEqual([changed, changed]);
    expect(await bothWays('textkey', { ...def, pg: 'id text, a text, b text', my: 'id varchar(10), a varchar(10), b varchar(10)' })).toEqual([
      changed,
      changed,
    ]);
  });

  it("values swapped between keys of one segment, or rotated among three: all changed (with integer keys they left the segment's count and sum as they were, and matched)", async () => {
    const pgRows: Row[] = [
      [1, 'x', 10],
      [2, 'y', 20],
      [3, 'p', 30],
      [4, 'q', 40],
      [5, 'r', 50],
      [6, 'same', 60],
    ];
    const myRows = withChanges(pgRows, { 0: [1, 'y', 20], 1: [2, 'x', 10], 2: [3, 'q', 40], 3: [4, 'r', 50], 4: [5, 'p', 30] });
    const def = { key: 'id', columns: ['a', 'b'], pgRows, myRows };
    const changed = { missing: [], extra: [], changed: ['1', '2', '3', '4', '5'] };
    expect(await bothWays('swapint', { ...def, pg: 'id bigint, a text, b integer', my: 'id int, a varchar(10), b bigint' })).toEqual([changed, changed]);
    expect(await bothWays('swaptext', { ...def, pg: 'id text, a text, b integer', my: 'id varchar(10), a varchar(10), b bigint' })).toEqual([changed, changed]);
  });

  it('composite keys whose parts hold the separator or the NULL marker: different keys are missing and extra (("a\\x1fb", "c") and ("a", "b\\x1fc") were one key; a change of such a key was dropped as changed during the run)', async () => {
    const runs = await bothWays('compkey', {
      pg: 'k1 text, k2 text, v text',
      my: 'k1 varchar(10), k2 varchar(10), v varchar(10)',
      key: ['k1', 'k2'],
      columns: ['v'],
      pgRows: [
        ['a\x1fb', 'c', 'v'],
        ['q', '\x01', 'v'],
        ['\x1f', '\x01', 'same'],
        ['e\x1f', 'f', 'v1'],
        [null, 'n', 'same'],
      ],
      myRows: [
        ['a', 'b\x1fc', 'v'],
        ['q', null, 'v'],
        ['\x1f', '\x01', 'same'],
        ['e\x1f', 'f', 'v2'],
        [null, 'n', 'same'],
      ],
    });
    expect(runs).toEqual([
      { missing: ['["a\\u001fb","c"]', '["q","\\u0001"]'], extra: ['["a","b\\u001fc"]', '["q",null]'], changed: ['["e\\u001f","f"]'] },
      { missing: ['["a","b\\u001fc"]', '["q",null]'], extra: ['["a\\u001fb","c"]', '["q","\\u0001"]'], changed: ['["e\\u001f","f"]'] },
    ]);
  });

  it('a text key "\\x01" against a NULL key: missing and extra (they were one key), and a key holding the separator is shown as one text', async () => {
    const runs = await bothWays('onekey', {
      pg: 'id text, v text',
      my: 'id varchar(10), v varchar(10)',
      key: 'id',
      columns: ['v'],
      pgRows: [
        ['\x01', 'a'],
        ['k\x1fl', 'b'],
      ],
      myRows: [
        [null, 'a'],
        ['k\x1fl', 'c'],
      ],
    });
    expect(runs).toEqual([
      { missing: ['\x01'], extra: ['NULL'], changed: ['k\x1fl'] },
      { missing: ['NULL'], extra: ['\x01'], changed: ['k\x1fl'] },
    ]);
  });

  it('one text primary key left unescaped, holding the separator, the NULL marker or the escape: keys, changes and lookups are exact', async () => {
    // Keys that the escaped forms would tell apart, each with values that hold the separator too: a row text must still split back from the right.
    const pgRows: Row[] = [
      ['a', '\x1f\x03b', 'c'],
      ['a\x1f\x03', 'b', 'c'],
      ['\x1f\x04', 'n', 'n'],
      ['\x1f', '\x1f', '\x1f\x03'],
      ['\x1f\x02', 'e', 'e'],
      ['', 'empty', ''],
      ['k\x1f\x03l', 'same', 'same'],
      ['only-pg\x1f\x03', 'x', 'x'],
    ];
    const myRows: Row[] = [
      ['a', '\x1f\x03b', 'c'],
      ['a\x1f\x03', 'b', '\x1f\x03c'],
      ['\x1f\x04', 'n', 'n'],
      ['\x1f', '\x1f\x03', '\x1f'],
      ['\x1f\x02', 'e', 'e'],
      ['', 'empty', null],
      ['k\x1f\x03l', 'same', 'same'],
      ['only-my\x1f\x04', 'x', 'x'],
    ];
    const runs = await bothWays('rawkey', {
      pg: 'id text PRIMARY KEY, a text, b text',
      my: 'id varchar(20) PRIMARY KEY, a varchar(10), b varchar(10)',
      key: 'id',
      columns: ['a', 'b'],
      pgRows,
      myRows,
    });
    const changed = ['', '\x1f', 'a\x1f\x03'];
    expect(runs.map((r) => ({ ...r, changed: [...r.changed].sort() }))).toEqual([
      { missing: ['only-pg\x1f\x03'], extra: ['only-my\x1f\x04'], changed },
      { missing: ['only-my\x1f\x04'], extra: ['only-pg\x1f\x03'], changed },
    ]);
  });

  it('the key text of parts holding \\x01 to \\x04 and \\x1f is the same in PostgreSQL, MariaDB and Weft', async () => {
    const keys: Array<[string | null, string | null]> = [
      ['a\x1fb', 'c'],
      ['a', 'b\x1fc'],
      ['\x01', null],
      [null, '\x01\x02'],
      ['\x01\x03', '\x1f'],
      ['', ''],
      ['é\x1f日本', '😀\x01'],
      ['\x1f\x04', '\x1f\x03'],
      ['\x1f', '\x03'],
    ];
    const pg = await db.pg.query(
      `SELECT encode(convert_to(${keyTextExpr('postgres', [escapedPart.postgres('a'), escapedPart.postgres('b')])}, 'UTF8'), 'hex') AS t
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(a, b, i) ORDER BY i`,
      [keys.map((k) => k[0]), keys.map((k) => k[1])],
    );
    const [my] = (await db.my.query(
      keys
        .map(
          () =>
            `SELECT HEX(${keyTextExpr('mysql', [escapedPart.mysql('a'), escapedPart.mysql('b')])}) AS t FROM (SELECT CONVERT(? USING utf8mb4) AS a, CONVERT(? USING utf8mb4) AS b) x`,
        )
        .join(' UNION ALL '),
      keys.flat(),
    )) as unknown as [Array<{ t: string }>];
    const weft = keys.map((k) => Buffer.from(keyTextOf(k), 'utf8').toString('hex'));
    expect(pg.rows.map((r) => r.t)).toEqual(weft);
    expect(my.map((r) => r.t.toLowerCase())).toEqual(weft);
    expect(new Set(weft).size).toBe(keys.length);
  });
});
