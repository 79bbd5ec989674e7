import { describe, expect, it } from 'vitest';
import { Secrets } from '../index.ts';
import { runReconciliation } from './index.ts';
import { twoDatabases } from './test/two-databases.ts';

/** Value columns of types the two databases print differently (floats, booleans): equal stored values are equal, a change is a change. */
const db = await twoDatabases();
const { up, suffix, tables } = db;
const secrets = new Secrets(() => undefined);

/** Values written as text (the shortest form that reads back as the same double), keyed 1…n; then a run each way, as [changed keys PostgreSQL → MariaDB, MariaDB → PostgreSQL]. */
async function bothWays(name: string, pgType: string, myType: string, pgValues: Array<number | string>, myValues: Array<number | string>) {
  const t = `rk_float_${name}_${suffix}`;
  tables.push(t);
  await db.pg.query(`CREATE TABLE ${t} (id integer PRIMARY KEY, v ${pgType})`);
  await db.my.query(`CREATE TABLE ${t} (id integer PRIMARY KEY, v ${myType})`);
  for (let i = 0; i < pgValues.length; i += 1000) {
    const part = pgValues.slice(i, i + 1000);
    await db.pg.query(`INSERT INTO ${t} SELECT i, v::${pgType} FROM unnest($1::int[], $2::text[]) AS u(i, v)`, [
      part.map((_, j) => i + j + 1),
      part.map(String),
    ]);
    await db.my.query(
      `INSERT INTO ${t} VALUES ${part.map(() => '(?, CAST(? AS DOUBLE))').join(', ')}`,
      part.flatMap((v, j) => [i + j + 1, String(v)]),
    );
  }
  for (const [i, v] of myValues.entries()) if (v !== pgValues[i]) await db.my.query(`UPDATE ${t} SET v = CAST(? AS DOUBLE) WHERE id = ?`, [String(v), i + 1]);
  const pgSide = { system: 'crm', url: 'postgres://postgres@127.0.0.1:5432/test', table: t };
  const mySide = { system: 'erp', url: 'mysql://root@127.0.0.1:3306/test', table: t };
  const out: string[][] = [];
  for (const [left, right] of [
    [pgSide, mySide],
    [mySide, pgSide],
  ]) {
    const run = await runReconciliation({ id: `rec-${t}`, key: 'id', columns: ['v'], left, right, sampleKeys: 50 }, { secrets });
    expect(run.error).toBe('');
    expect(run.missing + run.extra).toBe(0);
    out.push(run.sampleChanged);
  }
  return out;
}

/** A deterministic spread of doubles: 7-decimal coordinates (51.5074505), half-way values at 6 decimals, every magnitude from 1e-30 to 1e30, whole numbers past 2^53, huge and tiny ones. */
function doubles(): number[] {
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const out = [0.1 + 0.2, 51.5074505, -0.1234565, 1.0000005, 2.5e-7, 123456789.1234565, 1e300, -1e-300, 1e15, 1e16, 2 ** 53 + 2, 0, 1e21, 1e-7];
  for (let i = 0; i < 1000; i++) out.push(Math.round((rnd() * 180 - 90) * 1e7) / 1e7);
  for (let i = 0; i < 1000; i++) out.push((rnd() - 0.5) * 10 ** Math.floor(rnd() * 60 - 30));
  // whole numbers past 2^53, where PostgreSQL prints every digit (36864697933197024) and MariaDB the shortest form (3.686469793319702e16)
  for (let i = 0; i < 300; i++) out.push((rnd() - 0.5) * 10 ** (15 + Math.floor(rnd() * 6)));
  return out;
}

/** The next double away from zero: a change of one unit in the last place. */
const nextUp = (x: number) => {
  const b = new Float64Array([x]);
  new BigInt64Array(b.buffer)[0] += 1n;
  return b[0];
};

describe.skipIf(!up)('reconciliation of float values', () => {
  it('double against double: equal values are equal at every magnitude (51.5074505 was "changed": rounded to 6 decimals apart), and one unit in the last place is a change', async () => {
    const values = doubles();
    const changed = values.map((v, i) => (i === 1 || i === 700 || i === 1500 ? nextUp(v) : v));
    expect(await bothWays('dd', 'double precision', 'double', values, values)).toEqual([[], []]);
    expect(await bothWays('dd1', 'double precision', 'double', values, changed)).toEqual([
      ['2', '701', '1501'],
      ['2', '701', '1501'],
    ]);
  });

  it('real against float: equal single-precision values are equal (51.50745 was "51.5075" against "51.50745")', async () => {
    const values = doubles()
      .filter((v) => Math.abs(v) < 1e30 && Math.abs(v) > 1e-30)
      .map((v) => Math.fround(v));
    expect(await bothWays('rf', 'real', 'float', values, values)).toEqual([[], []]);
  });

  it('real against double: compared as real', async () => {
    const values = [51.50745, 0.1, 3.1415927, 1234.5678];
    expect(await bothWays('rd', 'real', 'double', values, [51.50745, 0.1, 3.1415927, 1234.57])).toEqual([['4'], ['4']]);
  });

  it('double against decimal(18,6), either side: the double rounded to 6 decimals from its shortest form, half away from zero (51.5074505 rounded to 51.50745 in MariaDB, 123456789.1234565 to 123456789.123456 in PostgreSQL)', async () => {
    const values = [51.5074505, -0.1234565, 1.0000005, 123456789.1234565, 0.3];
    const decimals = ['51.507451', '-0.123457', '1.000001', '123456789.123457', '0.3'];
    expect(await bothWays('fdec', 'double precision', 'decimal(18,6)', values, decimals)).toEqual([[], []]);
    expect(await bothWays('decf', 'decimal(18,6)', 'double', decimals, values)).toEqual([[], []]);
  });
});

describe.skipIf(!up)('reconciliation of boolean values', () => {
  it('boolean against bit(1) and tinyint(1): equal truth values are equal (every bit(1) row was "changed": \\u0001 against 1), a flipped one is a change', async () => {
    const t = `rk_bool_${suffix}`;
    tables.push(t);
    await db.pg.query(`CREATE TABLE ${t} (id integer PRIMARY KEY, b boolean, t boolean)`);
    await db.my.query(`CREATE TABLE ${t} (id integer PRIMARY KEY, b bit(1), t tinyint(1))`);
    await db.pg.query(`INSERT INTO ${t} VALUES (1, true, true), (2, false, false), (3, NULL, NULL), (4, true, false)`);
    await db.my.query(`INSERT INTO ${t} VALUES (1, 1, 1), (2, 0, 0), (3, NULL, NULL), (4, 0, 0)`);
    const pgSide = { system: 'crm', url: 'postgres://postgres@127.0.0.1:5432/test', table: t };
    const mySide = { system: 'erp', url: 'mysql://root@127.0.0.1:3306/test', table: t };
    for (const [left, right] of [
      [pgSide, mySide],
      [mySide, pgSide],
    ]) {
      const run = await runReconciliation({ id: `rec-${t}`, key: 'id', columns: ['b', 't'], left, right }, { secrets });
      expect(run.error).toBe('');
      expect({ missing: run.missing, extra: run.extra, changed: run.sampleChanged }).toEqual({ missing: 0, extra: 0, changed: ['4'] });
      expect(run.details.changedColumns[0].columns.map((c) => c.column)).toEqual(['b']);
    }
  });
});

describe.skipIf(!up)('reconciliation of bit strings', () => {
  const pgSide = (t: string) => ({ system: 'crm', url: 'postgres://postgres@127.0.0.1:5432/test', table: t });
  const mySide = (t: string) => ({ system: 'erp', url: 'mysql://root@127.0.0.1:3306/test', table: t });
  /** Values as SQL literals (NULL or b'…'), keyed 1…n, into `left` and `right` ([system, table, type]); then a run each way: [changed keys left → right, right → left]. */
  async function bits(left: ['pg' | 'my', string, string], right: ['pg' | 'my', string, string], lv: string[], rv: string[]) {
    for (const [[which, t, type], values] of [
      [left, lv],
      [right, rv],
    ] as const) {
      tables.push(t);
      const q = (sql: string) => (which === 'pg' ? db.pg.query(sql) : db.my.query(sql));
      await q(`CREATE TABLE ${t} (id integer PRIMARY KEY, b ${type})`);
      await q(`INSERT INTO ${t} VALUES ${values.map((v, i) => `(${i + 1}, ${which === 'pg' ? v.replace(/^b'/, "B'") : v})`).join(', ')}`);
    }
    const side = ([db, t]: ['pg' | 'my', string, string]) => (db === 'pg' ? pgSide(t) : mySide(t));
    const out: string[][] = [];
    for (const [l, r] of [
      [side(left), side(right)],
      [side(right), side(left)],
    ]) {
      const run = await runReconciliation({ id: `rec-${l.table}`, key: 'id', columns: ['b'], left: l, right: r, sampleKeys: 50 }, { secrets });
      expect(run.error).toBe('');
      out.push(run.sampleChanged);
    }
    return out;
  }
  const eight = ["b'00000101'", "b'10000000'", "b'11111111'", "b'00000000'", 'NULL', "b'01000001'"];

  it('bit(8) against BIT(8): equal values are equal (every row was "changed": 00000101 against the raw byte \\u0005), a flipped bit is a change', async () => {
    const t = `rk_bit8_${suffix}`;
    expect(await bits(['pg', t, 'bit(8)'], ['my', t, 'bit(8)'], eight, eight)).toEqual([[], []]);
    const u = `rk_bit8c_${suffix}`;
    expect(
      await bits(
        ['pg', u, 'bit(8)'],
        ['my', u, 'bit(8)'],
        eight,
        eight.map((v, i) => (i === 2 ? "b'11111110'" : v)),
      ),
    ).toEqual([['3'], ['3']]);
  });

  it("BIT(8) against BIT(8) in two MariaDB tables: b'10000000' against b'11111111' is a change (both read \"?\" as UTF-8, and matched)", async () => {
    expect(
      await bits(
        ['my', `rk_bitmy1_${suffix}`, 'bit(8)'],
        ['my', `rk_bitmy2_${suffix}`, 'bit(8)'],
        ["b'10000000'", "b'11111111'"],
        ["b'11111111'", "b'10000000'"],
      ),
    ).toEqual([
      ['1', '2'],
      ['1', '2'],
    ]);
  });

  it('bit(64) against BIT(64), and bit(16) against BIT(8): the same numbers are equal at the wider width', async () => {
    const top = [`b'${'1'.repeat(64)}'`, `b'1${'0'.repeat(63)}'`, "b'1'"];
    expect(
      await bits(
        ['pg', `rk_bit64_${suffix}`, 'bit(64)'],
        ['my', `rk_bit64_${suffix}`, 'bit(64)'],
        top.map((v) => (v === "b'1'" ? `b'${'0'.repeat(63)}1'` : v)),
        top,
      ),
    ).toEqual([[], []]);
    expect(
      await bits(
        ['pg', `rk_bit16_${suffix}`, 'bit(16)'],
        ['my', `rk_bit16_${suffix}`, 'bit(8)'],
        ["b'0000000000000101'", "b'0000000100000000'"],
        ["b'101'", "b'0'"],
      ),
    ).toEqual([['2'], ['2']]);
  });

  it('bit varying against BIT(8): a bit string of another length is a change, shown as both bit strings', async () => {
    const t = `rk_varbit_${suffix}`;
    expect(await bits(['pg', t, 'bit varying(8)'], ['my', t, 'bit(8)'], ["b'101'", "b'00000101'"], ["b'101'", "b'101'"])).toEqual([['1'], ['1']]);
  });

  it('BIT(8) against smallint: compared as numbers', async () => {
    const t = `rk_bitint_${suffix}`;
    tables.push(t);
    await db.pg.query(`CREATE TABLE ${t} (id integer PRIMARY KEY, b smallint)`);
    await db.my.query(`CREATE TABLE ${t} (id integer PRIMARY KEY, b bit(8))`);
    await db.pg.query(`INSERT INTO ${t} VALUES (1, 5), (2, 255), (3, 0), (4, 7)`);
    await db.my.query(`INSERT INTO ${t} VALUES (1, b'101'), (2, b'11111111'), (3, b'0'), (4, b'110')`);
    for (const [left, right] of [
      [pgSide(t), mySide(t)],
      [mySide(t), pgSide(t)],
    ]) {
      const run = await runReconciliation({ id: `rec-${t}`, key: 'id', columns: ['b'], left, right }, { secrets });
      expect({ error: run.error, changed: run.sampleChanged }).toEqual({ error: '', changed: ['4'] });
    }
  });
});

describe.skipIf(!up)('reconciliation of timestamps of two precisions', () => {
  /** The same text written to both sides (each database stores it at its column's precision), then a run each way: [changed keys PostgreSQL → MariaDB, MariaDB → PostgreSQL]. */
  async function sameText(name: string, pgType: string, myType: string, texts: string[], myChanged: Record<number, string>) {
    const t = `rk_ts_${name}_${suffix}`;
    tables.push(t);
    await db.pg.query(`CREATE TABLE ${t} (id integer PRIMARY KEY, v ${pgType})`);
    await db.my.query(`CREATE TABLE ${t} (id integer PRIMARY KEY, v ${myType})`);
    for (const [i, text] of texts.entries()) {
      await db.pg.query(`INSERT INTO ${t} VALUES ($1, $2)`, [i + 1, text]);
      await db.my.query(`INSERT INTO ${t} VALUES (?, ?)`, [i + 1, myChanged[i + 1] ?? text]);
    }
    const pgSide = { system: 'crm', url: 'postgres://postgres@127.0.0.1:5432/test', table: t };
    const mySide = { system: 'erp', url: 'mysql://root@127.0.0.1:3306/test', table: t };
    const out: string[][] = [];
    for (const [left, right] of [
      [pgSide, mySide],
      [mySide, pgSide],
    ]) {
      const run = await runReconciliation({ id: `rec-${t}`, key: 'id', columns: ['v'], left, right }, { secrets });
      expect(run.error).toBe('');
      out.push(run.sampleChanged);
    }
    return out;
  }
  const texts = [
    '2024-03-31 01:30:00.623456',
    '2024-01-01 10:00:00.5',
    '2024-01-01 10:00:00',
    '1999-12-31 23:59:59.5',
    '1969-12-31 23:59:59.7',
    '2024-06-01 12:00:00.123',
  ];

  it('timestamp (6 digits) against DATETIME (0): compared at whole seconds as MariaDB stores them (every row with a fraction was "changed"), a second off is a change', async () => {
    expect(await sameText('ts6dt0', 'timestamp', 'datetime', texts, { 3: '2024-01-01 10:00:01' })).toEqual([['3'], ['3']]);
  });

  it('timestamp(0) against DATETIME(6): compared at whole seconds as PostgreSQL rounds them, half away from 2000-01-01', async () => {
    expect(await sameText('ts0dt6', 'timestamp(0)', 'datetime(6)', texts, { 6: '2024-06-01 12:00:01.123' })).toEqual([['6'], ['6']]);
  });

  it('timestamptz (6) against DATETIME(3)', async () => {
    // a DATETIME holds no zone: it is read as UTC, so the texts are written as UTC on both sides
    await db.pg.query(`SET TIME ZONE 'UTC'`);
    expect(await sameText('tz6dt3', 'timestamptz', 'datetime(3)', texts, {})).toEqual([[], []]);
  });
});

describe.skipIf(!up)('reconciliation of MariaDB zero and invalid dates', () => {
  it('a zero or invalid DATETIME / DATE is a change against NULL, and against another invalid date (both read NULL, and matched)', async () => {
    const t = `rk_zero_${suffix}`;
    const u = `rk_zero2_${suffix}`;
    tables.push(t, u);
    await db.pg.query(`CREATE TABLE ${t} (id integer PRIMARY KEY, d timestamp, e date)`);
    await db.pg.query(`INSERT INTO ${t} VALUES (1, NULL, NULL), (2, NULL, NULL), (3, '2024-01-15 10:00', '2024-01-15'), (4, NULL, NULL)`);
    await db.my.query(`SET SESSION sql_mode = ''`);
    for (const table of [t, u]) await db.my.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, d datetime, e date)`);
    await db.my.query(
      `INSERT INTO ${t} VALUES (1, '0000-00-00 00:00:00', '0000-00-00'), (2, '2024-00-15 10:00:00', '2024-02-00'), (3, '2024-01-15 10:00:00', '2024-01-15'), (4, NULL, NULL)`,
    );
    await db.my.query(
      `INSERT INTO ${u} VALUES (1, '2024-00-16 10:00:00', '2024-03-00'), (2, '2024-00-15 10:00:00', '2024-02-00'), (3, '2024-01-15 10:00:00', '2024-01-15'), (4, NULL, NULL)`,
    );
    await db.my.query(`SET SESSION sql_mode = DEFAULT`);
    const pgSide = { system: 'crm', url: 'postgres://postgres@127.0.0.1:5432/test', table: t };
    const mySide = (table: string) => ({ system: 'erp', url: 'mysql://root@127.0.0.1:3306/test', table });
    for (const [left, right, changed] of [
      [pgSide, mySide(t), ['1', '2']],
      [mySide(t), pgSide, ['1', '2']],
      [mySide(t), mySide(u), ['1']],
    ] as const) {
      const run = await runReconciliation({ id: `rec-${t}`, key: 'id', columns: ['d', 'e'], left, right }, { secrets });
      expect({ error: run.error, changed: run.sampleChanged }).toEqual({ error: '', changed });
    }
  });
});

describe.skipIf(!up)('changed-row samples of JSON columns', () => {
  it('show a MariaDB JSON value as JSON text (it was "[object Object]": the driver decodes JSON columns)', async () => {
    const t = `rk_json_${suffix}`;
    tables.push(t);
    await db.pg.query(`CREATE TABLE ${t} (id integer PRIMARY KEY, j text)`);
    await db.my.query(`CREATE TABLE ${t} (id integer PRIMARY KEY, j json)`);
    await db.pg.query(`INSERT INTO ${t} VALUES (1, '{"a":1}')`);
    await db.my.query(`INSERT INTO ${t} VALUES (1, '{"a":2}')`);
    const run = await runReconciliation(
      {
        id: `rec-${t}`,
        key: 'id',
        columns: ['j'],
        left: { system: 'crm', url: 'postgres://postgres@127.0.0.1:5432/test', table: t },
        right: { system: 'erp', url: 'mysql://root@127.0.0.1:3306/test', table: t },
      },
      { secrets },
    );
    expect(run.details.changedColumns).toEqual([{ key: '1', columns: [{ column: 'j', left: '{"a":1}', right: '{"a":2}' }] }]);
  });
});

describe.skipIf(!up)('reconciliation of JSON values', () => {
  it('jsonb against MariaDB JSON: equal JSON in another key order, spacing or number notation is no change (every such row was "changed"), a changed value is', async () => {
    const t = `rk_jsonb_${suffix}`;
    tables.push(t);
    await db.pg.query(`CREATE TABLE ${t} (id integer PRIMARY KEY, j jsonb, n text)`);
    await db.my.query(`CREATE TABLE ${t} (id integer PRIMARY KEY, j json, n varchar(10))`);
    const rows: Array<[number, string, string, string]> = [
      [1, '{"b":2,"a":1}', '{"a":1,"b":2}', 'same'],
      [2, '{"x": [1, 2.0], "y": {"q": null, "p": "z"}}', '{"y":{"p":"z","q":null},"x":[1,2]}', 'same'],
      [3, '{"a":1}', '{"a":2}', 'same'],
      [4, '{"id":9007199254740993}', '{"id":9007199254740992}', 'same'],
      [5, '{"a":1}', '{"a": 1}', 'other'],
    ];
    for (const [id, p, m, n] of rows) {
      await db.pg.query(`INSERT INTO ${t} VALUES ($1, $2, 'same')`, [id, p]);
      await db.my.query(`INSERT INTO ${t} VALUES (?, ?, ?)`, [id, m, n]);
    }
    const pgSide = { system: 'crm', url: 'postgres://postgres@127.0.0.1:5432/test', table: t };
    const mySide = { system: 'erp', url: 'mysql://root@127.0.0.1:3306/test', table: t };
    for (const [left, right] of [
      [pgSide, mySide],
      [mySide, pgSide],
    ]) {
      const run = await runReconciliation({ id: `rec-${t}`, key: 'id', columns: ['j', 'n'], left, right }, { secrets });
      expect(run.error).toBe('');
      expect({ changed: run.sampleChanged, jsonFormatOnly: run.details.jsonFormatOnly }).toEqual({ changed: ['3', '4', '5'], jsonFormatOnly: 2 });
    }
  });
});
