import { describe, expect, it } from 'vitest';
import type { ReconcileSpec } from '../../core/catalog/index.ts';
import { Secrets } from '../index.ts';
import { keyHashExpr } from './canonical.ts';
import { keyHashOf, runReconciliation } from './index.ts';
import { twoDatabases } from './test/two-databases.ts';

/** String, UUID, composite and mixed-type keys between the machine's PostgreSQL and MariaDB (issue 13, item 3). */
const db = await twoDatabases();
const { up, suffix } = db;
const names = { str: `secrets_rec_str_${suffix}`, uuid: `secrets_rec_uuid_${suffix}`, comp: `secrets_rec_comp_${suffix}`, num: `secrets_rec_num_${suffix}` };
db.tables.push(...Object.values(names));
const secrets = new Secrets(() => undefined);

const spec = (table: string, key: string | string[], columns: string[], extra: Partial<ReconcileSpec> = {}): ReconcileSpec => ({
  id: `rec-${table}`,
  key,
  columns,
  left: { system: 'crm', url: 'postgres://postgres@127.0.0.1:5432/test', table },
  right: { system: 'erp', url: 'mysql://root@127.0.0.1:3306/test', table },
  ...extra,
});

describe.skipIf(!up)('reconciliation keys beyond integers', () => {
  it('string keys: order numbers and case-sensitive Salesforce ids under a case-insensitive, PAD SPACE collation — exact keys, and the near-misses reported', async () => {
    const t = names.str;
    await db.pg.query(`CREATE TABLE ${t} (id text PRIMARY KEY, name text)`);
    await db.my.query(`CREATE TABLE ${t} (id varchar(40) COLLATE utf8mb4_general_ci PRIMARY KEY, name varchar(80)) DEFAULT CHARSET=utf8mb4`);
    await db.pg.query(`INSERT INTO ${t} SELECT 'SO-' || lpad(g::text, 6, '0'), 'order ' || g FROM generate_series(1, 6000) g`);
    await db.my.query(`INSERT INTO ${t} SELECT CONCAT('SO-', LPAD(seq, 6, '0')), CONCAT('order ', seq) FROM seq_1_to_6000`);
    // Salesforce 18-character ids: "…AbC" and "…aBc" are different records in the CRM
    await db.pg.query(`INSERT INTO ${t} VALUES ('001Dn00000AbCdEIAX', 'sf upper'), ('001Dn00000XyZwQIA1', 'sf two'), ('Zoë-ÆØÅ-1', 'unicode')`);
    await db.my.query(`INSERT INTO ${t} VALUES ('001dn00000abcdeiax', 'sf upper'), ('001Dn00000XyZwQIA1', 'sf two'), ('Zoë-ÆØÅ-1', 'unicode')`);
    await db.my.query(`DELETE FROM ${t} WHERE id IN ('SO-000017', 'SO-004242')`);
    await db.my.query(`INSERT INTO ${t} VALUES ('SO-900001', 'stray')`);
    await db.my.query(`UPDATE ${t} SET name = 'changed' WHERE id IN ('SO-000500', 'Zoë-ÆØÅ-1')`);
    // The CRM key has a trailing space; MariaDB's PAD SPACE collation would call it equal to "SO-000777"
    await db.pg.query(`UPDATE ${t} SET id = 'SO-000777 ' WHERE id = 'SO-000777'`);

    const run = await runReconciliation(spec(t, 'id', ['name']), { secrets });
    expect(run.error).toBe('');
    expect(run.details.keyMode).toBe('hashed');
    expect(run.sampleMissing).toEqual(['001Dn00000AbCdEIAX', 'SO-000017', 'SO-000777 ', 'SO-004242']);
    expect(run.sampleExtra).toEqual(['001dn00000abcdeiax', 'SO-000777', 'SO-900001']);
    expect(run.sampleChanged).toEqual(['SO-000500', 'Zoë-ÆØÅ-1']);
    expect(run.details.keyNotes).toEqual([
      { left: 'SO-000777 ', right: 'SO-000777', why: 'trailing-space' },
      { left: '001Dn00000AbCdEIAX', right: '001dn00000abcdeiax', why: 'case' },
    ]);
    expect(run.details.changedColumns).toContainEqual({ key: 'Zoë-ÆØÅ-1', columns: [{ column: 'name', left: 'unicode', right: 'changed' }] });
    expect(run.rowsDownloaded).toBeLessThan((run.leftRows + run.rightRows) / 5);
  });

  it('uuid in PostgreSQL against char(36) in MariaDB, stored in upper case: equal values match, a change is found', async () => {
    const t = names.uuid;
    await db.pg.query(`CREATE TABLE ${t} (id uuid PRIMARY KEY, v integer)`);
    await db.my.query(`CREATE TABLE ${t} (id char(36) CHARACTER SET ascii COLLATE ascii_bin PRIMARY KEY, v bigint)`);
    await db.pg.query(`INSERT INTO ${t} SELECT md5(g::text)::uuid, g FROM generate_series(1, 3000) g`);
    const { rows } = await db.pg.query(`SELECT upper(id::text) AS id, v FROM ${t}`);
    await db.my.query(
      `INSERT INTO ${t} VALUES ${rows.map(() => '(?, ?)').join(',')}`,
      rows.flatMap((r) => [r.id, r.v]),
    );
    const same = await runReconciliation(spec(t, 'id', ['v']), { secrets });
    expect(same.error).toBe('');
    expect({ missing: same.missing, extra: same.extra, changed: same.changed }).toEqual({ missing: 0, extra: 0, changed: 0 });

    const target = String(rows[1234].id);
    await db.my.query(`UPDATE ${t} SET v = -1 WHERE id = ?`, [target]);
    const diff = await runReconciliation(spec(t, 'id', ['v']), { secrets });
    expect(diff.sampleChanged).toEqual([target.toLowerCase()]);
    expect(diff.details.changedColumns).toEqual([{ key: target.toLowerCase(), columns: [{ column: 'v', left: String(rows[1234].v), right: '-1' }] }]);
  });

  it('composite keys with types that differ between the sides (text + bigint against varchar + decimal(20,0))', async () => {
    const t = names.comp;
    await db.pg.query(`CREATE TABLE ${t} (region text, order_no bigint, total numeric(12,2), PRIMARY KEY (region, order_no))`);
    await db.my.query(`CREATE TABLE ${t} (region varchar(8), order_no decimal(20,0), total decimal(14,4), PRIMARY KEY (region, order_no))`);
    await db.pg.query(`INSERT INTO ${t} SELECT r, g, g / 10.0 FROM generate_series(1, 1500) g, unnest(ARRAY['EU', 'US']) r`);
    await db.my.query(`INSERT INTO ${t} SELECT r.r, seq, seq / 10.0 FROM seq_1_to_1500, (SELECT 'EU' AS r UNION ALL SELECT 'US') r`);
    await db.my.query(`DELETE FROM ${t} WHERE region = 'US' AND order_no = 42`);
    await db.my.query(`INSERT INTO ${t} VALUES ('APAC', 42, 1)`);
    await db.my.query(`UPDATE ${t} SET total = total + 0.01 WHERE region = 'EU' AND order_no = 1000`);
    const run = await runReconciliation(spec(t, ['region', 'order_no'], ['total']), { secrets });
    expect(run.error).toBe('');
    expect(run.details.keyMode).toBe('hashed');
    expect({ missing: run.sampleMissing, extra: run.sampleExtra, changed: run.sampleChanged }).toEqual({
      missing: ['["US","42"]'],
      extra: ['["APAC","42"]'],
      changed: ['["EU","1000"]'],
    });
  });

  it('bigint against numeric keys: equal numbers are the same key', async () => {
    const t = names.num;
    await db.pg.query(`CREATE TABLE ${t} (id numeric(20,0) PRIMARY KEY, v text)`);
    await db.my.query(`CREATE TABLE ${t} (id bigint PRIMARY KEY, v varchar(20))`);
    await db.pg.query(`INSERT INTO ${t} SELECT g::bigint * 1000000007, 'v' || g FROM generate_series(1, 2000) g`);
    await db.my.query(`INSERT INTO ${t} SELECT seq * 1000000007, CONCAT('v', seq) FROM seq_1_to_2000`);
    await db.my.query(`DELETE FROM ${t} WHERE id = 7000000049`);
    const run = await runReconciliation(spec(t, 'id', ['v']), { secrets });
    expect(run.error).toBe('');
    expect(run.details.keyMode).toBe('hashed');
    expect({ missing: run.sampleMissing, extra: run.sampleExtra, changed: run.sampleChanged }).toEqual({ missing: ['7000000049'], extra: [], changed: [] });
  });

  it('the key hash is the same number in PostgreSQL, MariaDB and Weft, for any text', async () => {
    const texts = ['', 'a', 'SO-000000123', 'SO-000777 ', '001Dn00000AbCdEIAX', 'Zoë-ÆØÅ-1', '日本語のキー', 'EU\x1f42', '\x01', 'x'.repeat(300)];
    const pgRows = await db.pg.query(`SELECT ${keyHashExpr('postgres', 't')} AS h FROM unnest($1::text[]) WITH ORDINALITY AS u(t, i) ORDER BY i`, [texts]);
    const [myRows] = (await db.my.query(
      texts.map(() => `SELECT ${keyHashExpr('mysql', 't')} AS h FROM (SELECT CONVERT(? USING utf8mb4) AS t) x`).join(' UNION ALL '),
      texts,
    )) as unknown as [Array<{ h: unknown }>];
    const weft = texts.map(keyHashOf);
    expect(pgRows.rows.map((r) => Number(r.h))).toEqual(weft);
    expect(myRows.map((r) => Number(r.h))).toEqual(weft);
  });
});
