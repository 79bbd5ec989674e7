/**
 * npm run bench:reconcile [ROWS] [string|integer] — key-level reconciliation of two ROWS-row tables
 * (default 1,000,000), one in the machine's PostgreSQL and one in its MariaDB, with differences
 * planted (missing, extra, changed) — 1,000 of them with string keys ("SO-000000123" order numbers
 * under MariaDB's case-insensitive, PAD SPACE utf8mb4_general_ci), 100 with integer keys with gaps —
 * against a full download of both tables in the same run.
 *
 * The tables are generated inside each database (generate_series, seq_1_to_N) and kept between runs:
 * a table whose comment says it holds this run's rows is reused (10M rows take minutes to load).
 */
import { loadavg, cpus } from 'node:os';
import mysqlCore from 'mysql2';
import type { ReconcileSpec } from '../core/catalog/index.ts';
import { openSqlSource, Secrets, sqlTarget, type SqlSource } from '../probes/index.ts';
import { runReconciliation, type ReconciliationRun } from '../probes/reconcile/index.ts';
import { rowHashExpr } from '../probes/reconcile/canonical.ts';
import { planKey, planPart, rowTextExpr } from '../probes/reconcile/row-text.ts';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const KEYS = (process.argv[3] ?? 'string') as 'string' | 'integer';
if (!Number.isInteger(ROWS) || ROWS < 1000 || !['string', 'integer'].includes(KEYS)) {
  console.error('usage: npm run bench:reconcile [ROWS ≥ 1000] [string|integer]');
  process.exit(2);
}
const STRING = KEYS === 'string';
const TABLE = STRING ? 'weft_bench_orders' : 'weft_bench_customers';
const DIFFS = STRING ? 1000 : 100;
const MARK = `weft bench ${KEYS} rows=${ROWS} diffs=${DIFFS} v2`;
const secrets = new Secrets(() => undefined);
const pgUrl = 'postgres://postgres@127.0.0.1:5432/test';
const myUrl = 'mysql://root@127.0.0.1:3306/test';
const pg = openSqlSource(sqlTarget({ url: pgUrl }, secrets, 'bench'), 1);
const my = openSqlSource(sqlTarget({ url: myUrl }, secrets, 'bench'), 1);
const pgAdmin = new (await import('pg')).default.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
const myAdmin = await (
  await import('mysql2/promise')
).default.createConnection({ host: '127.0.0.1', user: 'root', database: 'test', multipleStatements: true });
await pgAdmin.connect();
await myAdmin.query('SET SESSION max_statement_time = 0');

const third = Math.ceil(DIFFS / 3);
// The differences, spread over the generated sequence numbers g (1…ROWS).
const spots = Array.from({ length: DIFFS }, (_, i) => 1 + Math.floor(((i + 0.5) * ROWS) / DIFFS) - (i % 7) * 13);
const idOf = (g: number): string | number => (STRING ? `SO-${String(g).padStart(9, '0')}` : g * 3);
const missingG = spots.slice(0, third);
const extraG = spots.slice(third, 2 * third);
const changedG = spots.slice(2 * third);
const missing = missingG.map(idOf);
// An extra key that PostgreSQL does not have: a suffix (string keys), or an odd multiple (integer keys, which are multiples of 3).
const extra = extraG.map((g) => (STRING ? `${idOf(g)}-X` : g * 3 + 1));
const changed = changedG.map(idOf);
const sqlList = (keys: Array<string | number>) => keys.map((k) => (typeof k === 'number' ? String(k) : `'${k}'`)).join(',');

async function prepared(): Promise<boolean> {
  const { rows } = await pgAdmin.query<{ c: string | null }>(`SELECT obj_description(to_regclass($1), 'pg_class') AS c`, [TABLE]);
  const [my1] = (await myAdmin.query(`SELECT TABLE_COMMENT AS c FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`, [
    TABLE,
  ])) as unknown as [Array<{ c: string }>];
  return rows[0]?.c === MARK && my1[0]?.c === MARK;
}

async function prepare(): Promise<number> {
  const t = performance.now();
  const pgKey = STRING ? `'SO-' || lpad(g::text, 9, '0')` : 'g * 3';
  const myKey = STRING ? `CONCAT('SO-', LPAD(seq, 9, '0'))` : 'seq * 3';
  await pgAdmin.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await pgAdmin.query(
    `CREATE TABLE ${TABLE} (id ${STRING ? 'text' : 'bigint'} PRIMARY KEY, name text COLLATE "C", email text, balance numeric(12,2), updated_at timestamp(3))`,
  );
  await pgAdmin.query(
    `INSERT INTO ${TABLE} SELECT ${pgKey}, 'Customer ' || g, 'c' || g || '@example.com', (g % 100000) / 100.0, timestamp '2024-01-01' + g * interval '1.5 second' FROM generate_series(1, ${ROWS}) g`,
  );
  await pgAdmin.query(`VACUUM ANALYZE ${TABLE}`);
  await myAdmin.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await myAdmin.query(
    `CREATE TABLE ${TABLE} (id ${STRING ? 'varchar(24) COLLATE utf8mb4_general_ci' : 'int'} PRIMARY KEY, name varchar(100) COLLATE utf8mb4_general_ci, email varchar(200), balance decimal(14,4), updated_at datetime(3)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  );
  // In key order, in chunks: appends to the primary key's B-tree, and no undo log of ten million rows.
  const step = 1_000_000;
  for (let from = 1; from <= ROWS; from += step) {
    const to = Math.min(ROWS, from + step - 1);
    await myAdmin.query(
      `INSERT INTO ${TABLE} SELECT ${myKey}, CONCAT('Customer ', seq), CONCAT('c', seq, '@example.com'), (seq % 100000) / 100.0, TIMESTAMP('2024-01-01') + INTERVAL (seq * 1500000) MICROSECOND FROM seq_${from}_to_${to}`,
    );
  }
  await myAdmin.query(`DELETE FROM ${TABLE} WHERE id IN (${sqlList(missing)})`);
  await myAdmin.query(
    `INSERT INTO ${TABLE} VALUES ${extra.map((k) => `(${sqlList([k])}, 'Stray ${k}', 'stray${k}@example.com', 1.00, '2024-02-02 00:00:00')`).join(',')}`,
  );
  await myAdmin.query(`UPDATE ${TABLE} SET email = CONCAT('changed.', email) WHERE id IN (${sqlList(changed)})`);
  await myAdmin.query(`ANALYZE TABLE ${TABLE}`);
  await pgAdmin.query(`COMMENT ON TABLE ${TABLE} IS '${MARK}'`);
  await myAdmin.query(`ALTER TABLE ${TABLE} COMMENT = '${MARK}'`);
  return performance.now() - t;
}

const cols = ['name', 'email', 'balance', 'updated_at'];
const pgTypes = ['text', 'text', 'numeric(12,2)', 'timestamp without time zone(3)'];
const myTypes = ['varchar(100)', 'varchar(200)', 'decimal(14,4)', 'datetime(3)'];
const info = (column: string, type: string, charset?: string, nullable = true) => ({ table: TABLE, column, type, nullable, charset });
// The key (a primary key: NOT NULL) as the run plans it
const key = planKey([
  [
    { dialect: 'postgres', column: info('id', STRING ? 'text' : 'bigint', undefined, false) },
    { dialect: 'mysql', column: info('id', STRING ? 'varchar(24)' : 'int', 'utf8mb4', false) },
  ],
]).exprs;
const plans = [
  [key[0][0], key[1][0]],
  ...cols.map((c, i) => planPart({ dialect: 'postgres', column: info(c, pgTypes[i]) }, { dialect: 'mysql', column: info(c, myTypes[i], 'utf8mb4') })),
];
const rowText = (s: SqlSource, side: number) =>
  rowTextExpr(
    s.dialect,
    plans.map((p) => p[side]),
  );

/** The floor of any checksum comparison: both databases hashing every row (key included) once, in parallel, nothing grouped or sent. */
async function floor(): Promise<number> {
  const t = performance.now();
  const pass = (s: SqlSource, side: number) => s.query(`SELECT SUM(${rowHashExpr(s.dialect, rowText(s, side))}) AS s FROM ${TABLE}`, [], 3_600_000);
  await Promise.all([pass(pg, 0), pass(my, 1)]);
  return performance.now() - t;
}

/**
 * The baseline: download every row of both tables (key and canonical text of the compared
 * columns), streamed. Up to 2M rows the sides are also compared in memory; beyond, holding 20M
 * keys in a JavaScript map is the naive method's real limit, so the transfer alone is measured.
 */
async function naive(): Promise<{ ms: number; rows: number; bytes: number; found: number | null }> {
  const t = performance.now();
  const compare = ROWS <= 2_000_000;
  const seen = [new Map<string, string>(), new Map<string, string>()];
  let rows = 0;
  let bytes = 0;
  const take = (side: number, k: unknown, text: unknown) => {
    rows++;
    bytes += String(k).length + String(text).length;
    if (compare) seen[side].set(String(k), String(text));
  };
  const readPg = async () => {
    await pgAdmin.query('BEGIN READ ONLY');
    await pgAdmin.query(`DECLARE weft_full NO SCROLL CURSOR FOR SELECT id AS k, ${rowText(pg, 0)} AS t FROM ${TABLE}`);
    for (;;) {
      const { rows: batch } = await pgAdmin.query<{ k: unknown; t: unknown }>('FETCH 50000 FROM weft_full');
      if (batch.length === 0) break;
      for (const r of batch) take(0, r.k, r.t);
    }
    await pgAdmin.query('COMMIT');
  };
  const readMy = async () => {
    const c = mysqlCore.createConnection({ host: '127.0.0.1', user: 'root', database: 'test', charset: 'utf8mb4', timezone: 'Z', dateStrings: true });
    c.query("SET SESSION time_zone = '+00:00'");
    for await (const r of c.query(`SELECT id AS k, ${rowText(my, 1)} AS t FROM ${TABLE}`).stream() as AsyncIterable<{ k: unknown; t: unknown }>)
      take(1, r.k, r.t);
    await c.promise().end();
  };
  await Promise.all([readPg(), readMy()]);
  let found: number | null = null;
  if (compare) {
    found = 0;
    for (const [k, v] of seen[0]) if (seen[1].get(k) !== v) found++;
    for (const k of seen[1].keys()) if (!seen[0].has(k)) found++;
  }
  return { ms: performance.now() - t, rows, bytes, found };
}

const spec: ReconcileSpec = {
  id: 'bench-customers',
  domain: 'customer',
  key: 'id',
  columns: cols,
  left: { system: 'crm', url: pgUrl, table: TABLE },
  right: { system: 'erp', url: myUrl, table: TABLE },
  timeout: '1h',
  sampleKeys: 1000,
};

console.log(`${KEYS} keys: ${ROWS.toLocaleString('en')} rows in PostgreSQL and in MariaDB, ${DIFFS} differences`);
if (await prepared()) console.log(`  tables ${TABLE} reused (their comment says "${MARK}")`);
else console.log(`  prepared in ${((await prepare()) / 1000).toFixed(1)} s`);
console.log(
  `  load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} cores (a shared machine: other work runs beside this)`,
);
const runs: ReconciliationRun[] = [];
const timelines: string[][] = [];
const repeat = ROWS >= 5_000_000 ? 1 : 3;
for (let i = 0; i < repeat; i++) {
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
if (best.status !== 'ok') console.log(`  run failed: ${best.error}`);
const floorMs = await floor();
const base = await naive();

const sorted = (keys: Array<string | number>) => [...keys].map(String).sort((a, b) => (STRING ? (a < b ? -1 : a > b ? 1 : 0) : Number(a) - Number(b)));
const same = (a: string[], b: string[]) => a.length === b.length && a.every((k, i) => k === b[i]);
const exactRun = (r: ReconciliationRun) =>
  r.status === 'ok' && same(r.sampleMissing, sorted(missing)) && same(r.sampleExtra, sorted(extra)) && same(r.sampleChanged, sorted(changed));
const exact = exactRun(best);
// Every run, not only the best one, must find exactly the planted differences.
const exactRuns = runs.filter(exactRun).length;
const totalRows = best.leftRows + best.rightRows;
const transferred = best.rowsDownloaded + best.checksumRows;
console.log('');
console.log(
  `checksum bisection, ${best.details.keyMode} keys (${runs.length === 1 ? 'one run' : `best of ${runs.length}: ${runs.map((r) => `${(r.details.durationMs / 1000).toFixed(2)} s`).join(', ')}`})`,
);
console.log(
  `  found          ${best.missing} missing, ${best.extra} extra, ${best.changed} changed (planted ${missing.length}/${extra.length}/${changed.length})`,
);
console.log(`  exact keys     ${exact ? 'yes (every reported key is a planted one, none left out)' : 'NO'}; exact runs ${exactRuns} of ${runs.length}`);
console.log(`  false          ${best.missing + best.extra + best.changed - DIFFS}`);
console.log(`  time           ${(best.details.durationMs / 1000).toFixed(2)} s`);
console.log(`  queries        ${best.queries}`);
console.log(`  levels         ${best.details.levels}`);
console.log(
  `  rows moved     ${best.rowsDownloaded.toLocaleString('en')} table rows (key + hash) = ${((100 * best.rowsDownloaded) / totalRows).toFixed(3)}% of ${totalRows.toLocaleString('en')}`,
);
console.log(
  `  checksum rows  ${best.checksumRows.toLocaleString('en')} segment sums; all rows sent: ${((100 * transferred) / totalRows).toFixed(3)}% of ${totalRows.toLocaleString('en')}`,
);
console.log(`  steps          ${timelines[bestIndex].join('\n                 ')}`);
console.log(
  `floor: both databases hashing every row once, in parallel (same run): ${(floorMs / 1000).toFixed(2)} s; bisection/floor ${(best.details.durationMs / floorMs).toFixed(2)}`,
);
console.log(`full download (baseline, same run, streamed)`);
console.log(`  found          ${base.found === null ? 'not compared: 20M keys do not fit a JavaScript map; transfer only' : `${base.found} differences`}`);
console.log(`  time           ${(base.ms / 1000).toFixed(2)} s`);
console.log(`  rows moved     ${base.rows.toLocaleString('en')} full rows (${(base.bytes / 1024 / 1024).toFixed(0)} MiB of key + row text)`);
console.log(
  `load average at the end ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(`ratios: ${(base.ms / best.details.durationMs).toFixed(1)}x faster, ${(base.rows / Math.max(1, transferred)).toFixed(0)}x fewer rows`);
await pgAdmin.end();
await myAdmin.end();
await pg.close();
await my.close();
