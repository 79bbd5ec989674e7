import { describe, expect, it } from 'vitest';
import type { ReconcileSpec } from '../../core/catalog/index.ts';
import { Secrets } from '../index.ts';
import { keyBytesExpr, keyPointOf, keySpreadExpr, keySpreadOf } from './key-point.ts';
import { runReconciliation } from './index.ts';
import { twoDatabases } from './test/two-databases.ts';

/**
 * Hashed keys are bisected on a spread of their last bytes first: keys that spread badly (all
 * ending alike, very short, a constant last column) must give the same exact answer, only slower.
 */
const db = await twoDatabases();
const { up, suffix, tables } = db;
const secrets = new Secrets(() => undefined);

type Row = Array<string | number>;

interface Shape {
  /** Column definitions on each side: the key column(s) first, then `v`. */
  pg: string;
  my: string;
  key: string | string[];
  rows: Row[];
  /** Rows only in MariaDB. */
  extra: Row[];
  /** Shown keys, as the run reports them, of rows[i]. */
  shown: (row: Row) => string;
}

/** Both tables from `rows`; MariaDB then lacks rows 17 and 1500, holds `extra`, and has rows 5 and 2222 changed. */
async function reconcile(name: string, shape: Shape) {
  const t = `secrets_rec_shape_${name}_${suffix}`;
  tables.push(t);
  const parts = shape.rows[0].length;
  await db.pg.query(`CREATE TABLE ${t} (${shape.pg}, PRIMARY KEY (${[shape.key].flat().join(', ')}))`);
  await db.my.query(`CREATE TABLE ${t} (${shape.my}, PRIMARY KEY (${[shape.key].flat().join(', ')})) DEFAULT CHARSET=utf8mb4`);
  const insert = async (rows: Row[], mine: boolean) => {
    if (mine) return db.my.query(`INSERT INTO ${t} VALUES ${rows.map(() => `(${new Array(parts).fill('?').join(', ')})`).join(', ')}`, rows.flat());
    let n = 0;
    return db.pg.query(`INSERT INTO ${t} VALUES ${rows.map(() => `(${Array.from({ length: parts }, () => `$${++n}`).join(', ')})`).join(', ')}`, rows.flat());
  };
  const changed = (row: Row) => [...row.slice(0, -1), `${String(row.at(-1))}!`];
  await insert(shape.rows, false);
  await insert(
    shape.rows.flatMap((row, i) => (i === 17 || i === 1500 ? [] : i === 5 || i === 2222 ? [changed(row)] : [row])),
    true,
  );
  await insert(shape.extra, true);
  const spec: ReconcileSpec = {
    id: `rec-${t}`,
    key: shape.key,
    columns: ['v'],
    left: { system: 'crm', url: 'postgres://postgres@127.0.0.1:5432/test', table: t },
    right: { system: 'erp', url: 'mysql://root@127.0.0.1:3306/test', table: t },
    // small segments: the bisection goes below one spread value, into the key hash
    downloadBelow: 8,
    sampleKeys: 100,
  };
  const run = await runReconciliation(spec, { secrets });
  const sorted = (keys: string[]) => [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  expect(run.error).toBe('');
  expect(run.details.keyMode).toBe('hashed');
  expect({ missing: run.sampleMissing, extra: run.sampleExtra, changed: run.sampleChanged }).toEqual({
    missing: sorted([shape.rows[17], shape.rows[1500]].map(shape.shown)),
    extra: sorted(shape.extra.map(shape.shown)),
    changed: sorted([shape.rows[5], shape.rows[2222]].map(shape.shown)),
  });
  // Narrowed down, not downloaded: a bucket holds the same keys on both sides, however the keys spread.
  expect(run.rowsDownloaded).toBeLessThan((run.leftRows + run.rightRows) / 10);
  return run;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const base62 = (n: number, width: number) => {
  const digits = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let s = '';
  for (let i = 0; i < width; i++, n = Math.floor(n / 62)) s = digits[n % 62] + s;
  return s;
};
/** An 18-character Salesforce id: the 15-character case-sensitive id and its 3-character case checksum. */
const salesforceId = (n: number) => {
  const id15 = `001Dn0000${base62(n * 7919, 6)}`;
  const suffix = range(3)
    .map((c) => {
      let bits = 0;
      for (let i = 0; i < 5; i++) if (/[A-Z]/.test(id15[c * 5 + i])) bits |= 1 << i;
      return 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'[bits];
    })
    .join('');
  return id15 + suffix;
};

describe.skipIf(!up)('reconciliation of keys that spread badly', () => {
  it('the key spread is the same number in PostgreSQL, MariaDB and Weft, for any text and at every length around its 8 bytes', async () => {
    const texts = ['', 'a', 'ab', '1234567', '12345678', '123456789', 'SO-000000123', 'SO-000777 ', 'Zoë-ÆØÅ-1', 'x€yz€', '日本語のキー', 'EU\x1f42', '\x01'];
    texts.push('x'.repeat(300), `${'é'.repeat(4)}a`, `a${'😀'.repeat(2)}`);
    const pgRows = await db.pg.query(
      `SELECT ${keySpreadExpr('postgres', `(${keyBytesExpr('t')})`)} AS s FROM unnest($1::text[]) WITH ORDINALITY AS u(t, i) ORDER BY i`,
      [texts],
    );
    const [myRows] = (await db.my.query(
      texts.map(() => `SELECT ${keySpreadExpr('mysql', 't')} AS s FROM (SELECT CONVERT(? USING utf8mb4) AS t) x`).join(' UNION ALL '),
      texts,
    )) as unknown as [Array<{ s: unknown }>];
    const weft = texts.map(keySpreadOf);
    expect(pgRows.rows.map((r) => Number(r.s))).toEqual(weft);
    expect(myRows.map((r) => Number(r.s))).toEqual(weft);
    expect(new Set(weft).size).toBe(texts.length);
    expect(keyPointOf('SO-000000123')).toBeLessThan(2 ** 52);
  });

  it('keys that all end alike, with one length (one spread value for every key): exact, through the key hash', async () => {
    const rows = range(3000).map((i) => [`cust-${String(i).padStart(6, '0')}@example.com`, `v${i}`]);
    expect(new Set(rows.map((r) => keySpreadOf(String(r[0])))).size).toBe(1);
    await reconcile('alike', {
      pg: 'id text, v text',
      my: 'id varchar(40) COLLATE utf8mb4_general_ci, v varchar(20)',
      key: 'id',
      rows,
      extra: [['cust-999999@example.com', 'stray']],
      shown: (r) => String(r[0]),
    });
  });

  it('very short keys (empty, one and two characters) under a binary collation', async () => {
    const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const keys = ['', ...chars, ...[...chars].flatMap((a) => [...chars].map((b) => a + b))].slice(0, 3000);
    await reconcile('short', {
      pg: 'id text COLLATE "C", v text',
      my: 'id varchar(4) COLLATE utf8mb4_bin, v varchar(20)',
      key: 'id',
      rows: keys.map((k, i) => [k, `v${i}`]),
      extra: [['~'], ['zz9']].map(([k]) => [k, 'stray']),
      shown: (r) => String(r[0]),
    });
  });

  it('composite keys whose last column is the same for every row', async () => {
    await reconcile('tenant', {
      pg: 'order_no bigint, tenant text, v text',
      my: 'order_no decimal(20,0), tenant varchar(40), v varchar(20)',
      key: ['order_no', 'tenant'],
      rows: range(3000).map((i) => [100000 + i, 'acme-corporation', `v${i}`]),
      extra: [[100000, 'acme-corp', 'stray']],
      shown: (r) => JSON.stringify([String(r[0]), String(r[1])]),
    });
  });

  it('UUIDs, uuid in both databases', async () => {
    const uuid = (i: number) => {
      const h = (i * 2654435761 + 97).toString(16).padStart(12, '0').slice(-12);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(0, 3)}-8${h.slice(3, 6)}-${h}`;
    };
    await reconcile('uuid', {
      pg: 'id uuid, v text',
      my: 'id uuid, v varchar(20)',
      key: 'id',
      rows: range(3000).map((i) => [uuid(i), `v${i}`]),
      extra: [[uuid(5000), 'stray']],
      shown: (r) => String(r[0]),
    });
  });

  it('numeric keys, numeric(20,0) against bigint, as consecutive numbers', async () => {
    await reconcile('numeric', {
      pg: 'id numeric(20,0), v text',
      my: 'id bigint, v varchar(20)',
      key: 'id',
      rows: range(3000).map((i) => [i + 1, `v${i}`]),
      extra: [[3001, 'stray']],
      shown: (r) => String(r[0]),
    });
  });

  it('Salesforce 18-character ids, case-sensitive, with a case-only near-duplicate reported as a key note', async () => {
    const rows = range(3000).map((i) => [salesforceId(i), `v${i}`]);
    const twin = String(rows[17][0]).toLowerCase();
    const run = await reconcile('sfid', {
      pg: 'id text, v text',
      my: 'id varchar(18) COLLATE utf8mb4_bin, v varchar(20)',
      key: 'id',
      rows,
      extra: [[twin, 'v17']],
      shown: (r) => String(r[0]),
    });
    expect(run.details.keyNotes).toEqual([{ left: rows[17][0], right: twin, why: 'case' }]);
  });

  it('a segment holding one difference is settled at the first level: only the unit it lies in is downloaded, in both databases', async () => {
    const t = `secrets_rec_shape_located_${suffix}`;
    tables.push(t);
    await db.pg.query(`CREATE TABLE ${t} (id text PRIMARY KEY, v text)`);
    await db.my.query(`CREATE TABLE ${t} (id varchar(20) COLLATE utf8mb4_general_ci PRIMARY KEY, v varchar(20)) DEFAULT CHARSET=utf8mb4`);
    await db.pg.query(`INSERT INTO ${t} SELECT 'SO-' || lpad(g::text, 6, '0'), 'v' || g FROM generate_series(1, 20000) g`);
    await db.my.query(`INSERT INTO ${t} SELECT CONCAT('SO-', LPAD(seq, 6, '0')), CONCAT('v', seq) FROM seq_1_to_20000`);
    // 20,000 rows make 32 first-level segments (a segment is a 32nd of the spreads): one difference in each of three
    const segmentOf = (key: string) => Math.floor(keySpreadOf(key) / 2 ** 27);
    const [missing, changed, extra] = ['SO-000017', 'SO-000500', 'SO-900001'].reduce<string[]>((picked, first) => {
      let n = Number(first.slice(3));
      while (picked.some((p) => segmentOf(p) === segmentOf(`SO-${String(n).padStart(6, '0')}`))) n++;
      return [...picked, `SO-${String(n).padStart(6, '0')}`];
    }, []);
    await db.my.query(`DELETE FROM ${t} WHERE id = ?`, [missing]);
    await db.my.query(`UPDATE ${t} SET v = 'changed' WHERE id = ?`, [changed]);
    await db.my.query(`INSERT INTO ${t} VALUES (?, 'stray')`, [extra]);
    const run = await runReconciliation(
      {
        id: `rec-${t}`,
        key: 'id',
        columns: ['v'],
        left: { system: 'crm', url: 'postgres://postgres@127.0.0.1:5432/test', table: t },
        right: { system: 'erp', url: 'mysql://root@127.0.0.1:3306/test', table: t },
      },
      { secrets },
    );
    expect({ missing: run.sampleMissing, extra: run.sampleExtra, changed: run.sampleChanged }).toEqual({
      missing: [missing],
      extra: [extra],
      changed: [changed],
    });
    expect(run.details.levels).toBe(1);
    expect(run.rowsDownloaded).toBeLessThanOrEqual(12);
  });
});
