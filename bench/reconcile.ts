/**
 * npm run bench:reconcile — key-level reconciliation of two 1,000,000-row customer tables, one in
 * the machine's PostgreSQL and one in its MariaDB, with 100 scattered differences (missing, extra,
 * changed) and gaps in the keys; against a naive full download of both tables in the same run.
 */
import { runReconciliation, type ReconciliationRun } from '../probes/reconcile/index.ts';
import type { ReconcileSpec } from '../core/catalog/index.ts';
import { openSqlSource, Secrets, sqlTarget, type SqlSource } from '../probes/index.ts';
import { loadavg } from 'node:os';
import { planColumn, rowHashExpr, rowTextExpr } from '../probes/reconcile/canonical.ts';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const TABLE = 'weft_bench_customers';
const secrets = new Secrets(() => undefined);
const pgUrl = 'postgres://postgres@127.0.0.1:5432/test';
const myUrl = 'mysql://root@127.0.0.1:3306/test';
const pg = openSqlSource(sqlTarget({ url: pgUrl }, secrets, 'bench'), 1);
const my = openSqlSource(sqlTarget({ url: myUrl }, secrets, 'bench'), 1);
const pgAdmin = new (await import('pg')).default.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
const myAdmin = await (await import('mysql2/promise')).default.createConnection({ host: '127.0.0.1', user: 'root', database: 'test', multipleStatements: true });
await pgAdmin.connect();

const keyOf = (g: number) => g * 3; // keys 3, 6, 9…: gaps everywhere
// 100 differences, spread over the key space: 34 missing in MariaDB, 33 extra there, 33 changed.
const spots = Array.from({ length: 100 }, (_, i) => 1 + Math.floor(((i + 0.5) * ROWS) / 100) - (i % 7) * 13);
const missing = spots.slice(0, 34).map(keyOf);
const extra = spots.slice(34, 67).map((g) => keyOf(g) + 1);
const changed = spots.slice(67).map(keyOf);

async function prepare() {
  const t = performance.now();
  await pgAdmin.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await pgAdmin.query(`CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, name text COLLATE "C", email text, balance numeric(12,2), updated_at timestamp(3))`);
  await pgAdmin.query(
    `INSERT INTO ${TABLE} SELECT g * 3, 'Customer ' || g, 'c' || g || '@example.com', (g % 100000) / 100.0, timestamp '2024-01-01' + g * interval '1.5 second' FROM generate_series(1, ${ROWS}) g`,
  );
  await pgAdmin.query(`VACUUM ANALYZE ${TABLE}`);
  await myAdmin.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await myAdmin.query(
    `CREATE TABLE ${TABLE} (id int PRIMARY KEY, name varchar(100) COLLATE utf8mb4_general_ci, email varchar(200), balance decimal(14,4), updated_at datetime(3)) ENGINE=InnoDB`,
  );
  await myAdmin.query(
    `INSERT INTO ${TABLE} SELECT seq * 3, CONCAT('Customer ', seq), CONCAT('c', seq, '@example.com'), (seq % 100000) / 100.0, TIMESTAMP('2024-01-01') + INTERVAL (seq * 1500000) MICROSECOND FROM seq_1_to_${ROWS}`,
  );
  await myAdmin.query(`DELETE FROM ${TABLE} WHERE id IN (${missing.join(',')})`);
  await myAdmin.query(`INSERT INTO ${TABLE} VALUES ${extra.map((k) => `(${k}, 'Stray ${k}', 'stray${k}@example.com', 1.00, '2024-02-02 00:00:00')`).join(',')}`);
  await myAdmin.query(`UPDATE ${TABLE} SET email = CONCAT('changed.', email) WHERE id IN (${changed.join(',')})`);
  await myAdmin.query(`ANALYZE TABLE ${TABLE}`);
  return performance.now() - t;
}

const cols = ['name', 'email', 'balance', 'updated_at'];
const pgTypes = ['text', 'text', 'numeric(12,2)', 'timestamp without time zone(3)'];
const myTypes = ['varchar(100)', 'varchar(200)', 'decimal(14,4)', 'datetime(3)'];
const info = (column: string, type: string, charset?: string) => ({ table: TABLE, column, type, nullable: true, charset });
const plans = cols.map((c, i) => planColumn({ dialect: 'postgres', column: info(c, pgTypes[i]) }, { dialect: 'mysql', column: info(c, myTypes[i], 'utf8mb4') }));

/** The floor of any checksum comparison: both databases hashing every row once, in parallel, nothing grouped or sent. */
async function floor(): Promise<number> {
  const t = performance.now();
  const pass = (s: SqlSource, side: number) => s.query(`SELECT SUM(${rowHashExpr(s.dialect, rowTextExpr(s.dialect, plans.map((p) => p[side])))}) AS s FROM ${TABLE}`, [], 600_000);
  await Promise.all([pass(pg, 0), pass(my, 1)]);
  return performance.now() - t;
}

/** The baseline: download every row of both tables (canonical text of the compared columns) and compare in Weft. */
async function naive(): Promise<{ ms: number; rows: number; found: number }> {
  const t = performance.now();
  const read = async (s: SqlSource, side: number) => {
    const text = rowTextExpr(s.dialect, plans.map((p) => p[side]));
    const { rows } = await s.query(`SELECT id AS k, ${text} AS t FROM ${TABLE}`, [], 600_000);
    return new Map(rows.map((r) => [String(r.k), String(r.t)]));
  };
  const [l, r] = await Promise.all([read(pg, 0), read(my, 1)]);
  let found = 0;
  for (const [k, v] of l) if (r.get(k) !== v) found++;
  for (const k of r.keys()) if (!l.has(k)) found++;
  return { ms: performance.now() - t, rows: l.size + r.size, found };
}

const spec: ReconcileSpec = {
  id: 'bench-customers',
  domain: 'customer',
  key: 'id',
  columns: ['name', 'email', 'balance', 'updated_at'],
  left: { system: 'crm', url: pgUrl, table: TABLE },
  right: { system: 'erp', url: myUrl, table: TABLE },
};

console.log(`preparing ${ROWS.toLocaleString('en')} rows in PostgreSQL and MariaDB…`);
console.log(`  prepared in ${((await prepare()) / 1000).toFixed(1)} s`);
console.log(`  load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} cores`);
const runs: ReconciliationRun[] = [];
const timelines: string[][] = [];
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  let last = t0;
  const timeline: string[] = [];
  runs.push(
    await runReconciliation(spec, {
      secrets,
      onProgress: (p) => {
        const now = performance.now();
        timeline.push(`${((now - last) / 1000).toFixed(2)} s → ${p.message}`);
        last = now;
      },
    }),
  );
  timelines.push(timeline);
}
const bestIndex = runs.reduce((bi, r, i) => (r.details.durationMs < runs[bi].details.durationMs ? i : bi), 0);
const best = runs[bestIndex];
const floorMs = await floor();
const base = await naive();

const eq = (a: string[], b: number[]) => a.length === b.length && a.every((k, i) => Number(k) === b[i]);
const totalRows = best.leftRows + best.rightRows;
const transferred = best.rowsDownloaded + best.checksumRows;
const truth = { missing: missing.sort((a, b) => a - b), extra: extra.sort((a, b) => a - b), changed: changed.sort((a, b) => a - b) };
console.log('');
console.log(`checksum bisection (best of ${runs.length}: ${runs.map((r) => `${(r.details.durationMs / 1000).toFixed(2)} s`).join(', ')})`);
console.log(`  found          ${best.missing} missing, ${best.extra} extra, ${best.changed} changed (expected ${truth.missing.length}/${truth.extra.length}/${truth.changed.length})`);
console.log(`  exact keys     ${eq(best.sampleMissing, truth.missing.slice(0, 20)) && eq(best.sampleExtra, truth.extra.slice(0, 20)) && eq(best.sampleChanged, truth.changed.slice(0, 20)) ? 'yes (samples match the planted keys)' : 'NO'}`);
console.log(`  false          ${best.missing + best.extra + best.changed - 100}`);
console.log(`  time           ${(best.details.durationMs / 1000).toFixed(2)} s`);
console.log(`  queries        ${best.queries}`);
console.log(`  levels         ${best.details.levels}`);
console.log(`  rows down      ${best.rowsDownloaded.toLocaleString('en')} table rows (key + hash) = ${((100 * best.rowsDownloaded) / totalRows).toFixed(3)}% of ${totalRows.toLocaleString('en')}`);
console.log(`  checksum rows  ${best.checksumRows.toLocaleString('en')} segment sums; all rows sent: ${((100 * transferred) / totalRows).toFixed(3)}% of ${totalRows.toLocaleString('en')}`);
console.log(`  steps          ${timelines[bestIndex].join('\n                 ')}`);
console.log(`floor: both databases hashing every row once, in parallel (same run): ${(floorMs / 1000).toFixed(2)} s; bisection/floor ${(best.details.durationMs / floorMs).toFixed(2)}`);
console.log(`naive full download (baseline, same run)`);
console.log(`  found          ${base.found} differences`);
console.log(`  time           ${(base.ms / 1000).toFixed(2)} s`);
console.log(`  rows down      ${base.rows.toLocaleString('en')} full rows`);
console.log(`load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`ratios: ${(base.ms / best.details.durationMs).toFixed(1)}x faster, ${(base.rows / Math.max(1, transferred)).toFixed(0)}x fewer rows`);
await pgAdmin.end();
await myAdmin.end();
await pg.close();
await my.close();
