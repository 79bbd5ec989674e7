import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import type { ReconcileSpec } from '../../core/catalog/index.ts';
import { Secrets } from '../index.ts';
import { runReconciliation } from './index.ts';
import { twoDatabases } from './test/two-databases.ts';

const db = await twoDatabases();
const { up, suffix } = db;
const names = { gaps: `weft_rec_gaps_${suffix}`, types: `weft_rec_types_${suffix}`, busy: `weft_rec_busy_${suffix}` };
db.tables.push(...Object.values(names));
const secrets = new Secrets(() => undefined);

const spec = (table: string, columns: string[], extra: Partial<ReconcileSpec> = {}): ReconcileSpec => ({
  id: `rec-${table}`,
  key: 'id',
  columns,
  left: { system: 'crm', url: 'postgres://postgres@127.0.0.1:5432/test', table },
  right: { system: 'erp', url: 'mysql://root@127.0.0.1:3306/test', table },
  ...extra,
});

describe.skipIf(!up)('reconciliation between PostgreSQL and MariaDB', () => {
  it('finds exactly the differing keys across gaps of billions in the key space', async () => {
    const t = names.gaps;
    await db.pg.query(`CREATE TABLE ${t} (id bigint PRIMARY KEY, email text)`);
    await db.my.query(`CREATE TABLE ${t} (id bigint PRIMARY KEY, email varchar(100))`);
    // three dense clusters far apart, plus scattered singles
    const keys = `SELECT g FROM generate_series(1, 3000) g UNION ALL SELECT 1000000 + g * 7 FROM generate_series(1, 2000) g UNION ALL SELECT 5000000000 + g FROM generate_series(1, 3000) g UNION ALL SELECT 9000000000000 + g * 104729 FROM generate_series(1, 50) g`;
    await db.pg.query(`INSERT INTO ${t} SELECT g, 'user' || g || '@example.com' FROM (${keys}) k(g)`);
    const { rows } = await db.pg.query(`SELECT id::text AS id FROM ${t} ORDER BY id`);
    await db.my.query(`INSERT INTO ${t} VALUES ${rows.map((r) => `(${r.id}, CONCAT('user', '${r.id}', '@example.com'))`).join(',')}`);
    await db.my.query(`DELETE FROM ${t} WHERE id IN (17, 1000007, 5000002999)`);
    await db.my.query(`INSERT INTO ${t} VALUES (3001, 'stray@example.com'), (7000000000, 'far@example.com')`);
    await db.my.query(`UPDATE ${t} SET email = 'changed@example.com' WHERE id IN (2500, 9000000000000 + 104729 * 50)`);

    const run = await runReconciliation(spec(t, ['email']), { secrets });
    expect(run.status).toBe('ok');
    expect(run.sampleMissing).toEqual(['17', '1000007', '5000002999']);
    expect(run.sampleExtra).toEqual(['3001', '7000000000']);
    expect(run.sampleChanged).toEqual(['2500', String(9000000000000 + 104729 * 50)]);
    expect(run.rowsDownloaded).toBeLessThan((run.leftRows + run.rightRows) / 10);
    expect(run.details.changedColumns[0]).toEqual({ key: '2500', columns: [{ column: 'email', left: 'user2500@example.com', right: 'changed@example.com' }] });
  });

  it('sees no difference between equal values stored under different types, and finds a real one', async () => {
    const t = names.types;
    await db.pg.query(
      `CREATE TABLE ${t} (id bigint PRIMARY KEY, amount numeric(12,2), qty integer, at timestamp(3), at_tz timestamptz, born date, name text COLLATE "C", active boolean, ratio double precision, note text, legacy text)`,
    );
    await db.my.query(
      `CREATE TABLE ${t} (id int PRIMARY KEY, amount decimal(16,5), qty bigint, at datetime(3), at_tz timestamp(3) NULL, born date, name varchar(80) COLLATE utf8mb4_general_ci, active tinyint(1), ratio float, note varchar(20), legacy varchar(20) CHARACTER SET latin1) DEFAULT CHARSET=utf8mb4`,
    );
    const values = [
      [1, '10.50', 3, '2024-03-01 12:00:00.250', '2024-03-01 12:00:00.250+00', '1990-05-17', 'Zoë Ærø', true, 0.25, null],
      [2, '-0.10', -7, '1969-07-20 20:17:40', '1971-07-20 20:17:40+00', '1969-07-20', 'Alice', false, 1.5, 'n'],
      [3, '1000000.00', 0, '2000-01-01 00:00:00', '2000-01-01 00:00:00+00', '2000-02-29', '日本語テキスト', true, 100, ''],
      [4, '0.00', 2147483647, '2038-01-19 03:14:07.999', '2030-01-19 03:14:07.999+00', '2100-12-31', 'Trailing space ', null, -2.75, null],
    ];
    for (const v of values) {
      await db.pg.query(`INSERT INTO ${t} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'café crème')`, v);
      const tz = String(v[4]).replace('+00', '');
      await db.my.query(`INSERT INTO ${t} VALUES (?, ?, ?, ?, CONVERT_TZ(?, '+00:00', @@session.time_zone), ?, ?, ?, ?, ?, 'café crème')`, [
        v[0],
        v[1],
        v[2],
        v[3],
        tz,
        v[5],
        v[6],
        v[7] === null ? null : v[7] ? 1 : 0,
        v[8],
        v[9],
      ]);
    }
    const columns = ['amount', 'qty', 'at', 'at_tz', 'born', 'name', 'active', 'ratio', 'note', 'legacy'];
    const same = await runReconciliation(spec(t, columns), { secrets });
    expect(same.error).toBe('');
    expect(JSON.stringify(same.details.changedColumns)).toBe('[]');
    expect({ missing: same.missing, extra: same.extra, changed: same.changed }).toEqual({ missing: 0, extra: 0, changed: 0 });

    // a case change under a case-insensitive collation is still a change; so is a cent
    await db.my.query(`UPDATE ${t} SET name = 'alice' WHERE id = 2`);
    await db.my.query(`UPDATE ${t} SET amount = 10.51 WHERE id = 1`);
    const diff = await runReconciliation(spec(t, columns), { secrets });
    expect(diff.sampleChanged).toEqual(['1', '2']);
    expect(diff.details.changedColumns).toEqual([
      { key: '1', columns: [{ column: 'amount', left: '10.50000', right: '10.51000' }] },
      { key: '2', columns: [{ column: 'name', left: 'Alice', right: 'alice' }] },
    ]);
  });

  it('keeps going while the replica is written to, and sets aside keys that changed during the run', async () => {
    const t = names.busy;
    await db.pg.query(`CREATE TABLE ${t} (id bigint PRIMARY KEY, v text)`);
    await db.pg.query(`INSERT INTO ${t} SELECT g, md5(g::text) FROM generate_series(1, 20000) g`);
    await db.my.query(`CREATE TABLE ${t} (id bigint PRIMARY KEY, v varchar(40))`);
    await db.my.query(`INSERT INTO ${t} SELECT seq, MD5(seq) FROM seq_1_to_20000`);
    await db.my.query(`UPDATE ${t} SET v = 'planted' WHERE id IN (100, 5000, 15000)`);

    const writer = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: 'test' });
    let writing = true;
    let writes = 0;
    const churn = (async () => {
      while (writing) {
        const id = 20001 + writes;
        await writer.query(`INSERT INTO ${t} VALUES (?, 'new')`, [id]);
        await writer.query(`UPDATE ${t} SET v = 'busy' WHERE id = ?`, [18000 + (writes % 50)]);
        writes++;
      }
    })();
    let fixedDuringRun = false;
    const run = await runReconciliation(spec(t, ['v']), {
      secrets,
      onProgress: async (p) => {
        if (p.phase === 'bisect' && p.level === 0 && !fixedDuringRun) {
          // after the snapshots were taken: key 5000 is repaired in the replica
          fixedDuringRun = true;
          await db.my.query(`UPDATE ${t} SET v = MD5(5000) WHERE id = 5000`);
        }
      },
    });
    writing = false;
    await churn;
    await writer.end();

    expect(run.status).toBe('ok');
    expect(writes).toBeGreaterThan(0);
    expect(run.changedDuringRun).toBeGreaterThanOrEqual(1);
    expect(run.sampleChanged).toContain('100');
    expect(run.sampleChanged).toContain('15000');
    expect(run.sampleChanged).not.toContain('5000');
    const explained = (k: string) => ['100', '15000'].includes(k) || (Number(k) >= 18000 && Number(k) < 18050) || Number(k) > 20000;
    expect([...run.sampleMissing, ...run.sampleExtra, ...run.sampleChanged].every(explained)).toBe(true);
  });

  it('records a run that names a missing table or column instead of throwing', async () => {
    const noTable = await runReconciliation(spec('weft_no_such_table', ['v']), { secrets });
    expect(noTable).toMatchObject({ status: 'error' });
    expect(noTable.error).toMatch(/weft_no_such_table does not exist/);
    const noColumn = await runReconciliation(spec(names.gaps, ['mail']), { secrets });
    expect(noColumn.error).toMatch(/has no column "mail"/);
  });
});
