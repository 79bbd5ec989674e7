import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listMigrations, migrate, openStore } from './index.ts';
import { supersededViews } from './superseded-views.ts';

const retention = { rawDays: 30, rollupDays: 400, recordDays: 730 };

describe('supersededViews', () => {
  const mv = (name: string, from = 'otel_traces') => `CREATE MATERIALIZED VIEW IF NOT EXISTS ${name} TO t AS SELECT a FROM ${from}`;
  const drop = (name: string) => `DROP VIEW IF EXISTS ${name}`;

  it('leaves out a view that a later statement drops, and keeps the last one', () => {
    expect(supersededViews([mv('v'), 'ALTER TABLE t ADD COLUMN b UInt8', drop('v'), mv('v'), drop('v'), mv('v')])).toEqual(new Set([0, 3]));
    // Backquoted, any case, DROP TABLE of a view, a plain view.
    expect(supersededViews(['create materialized view `v` TO t AS SELECT 1', 'drop table if exists v', 'CREATE VIEW w AS SELECT 1', 'DROP VIEW w'])).toEqual(
      new Set([0, 2]),
    );
  });

  it('keeps a view that something between names, or that an insert between would have passed rows through', () => {
    expect(supersededViews([mv('v'), 'ALTER TABLE v MODIFY QUERY SELECT 2', drop('v'), mv('v')])).toEqual(new Set());
    expect(supersededViews([mv('v'), 'INSERT INTO otel_traces SELECT * FROM x', drop('v'), mv('v')])).toEqual(new Set());
    // An insert into a table the view does not read is no reason, unless another view reads it (and may pass its rows
    // on), whether it is made in this run or was before it, or reads the table's cluster twin.
    expect(supersededViews([mv('v'), 'INSERT INTO weft_endpoints SELECT * FROM x', drop('v'), mv('v')])).toEqual(new Set([0]));
    expect(supersededViews([mv('v', 'mid'), 'INSERT INTO otel_traces SELECT * FROM x', drop('v'), mv('v', 'mid')], [mv('relay_mv')])).toEqual(new Set());
    expect(
      supersededViews([mv('v', 'mid'), 'INSERT INTO otel_traces SELECT * FROM x', drop('v'), mv('v', 'mid')], [mv('relay_mv', 'otel_traces_local')]),
    ).toEqual(new Set());
    // A statement of another kind stops the search; a view named only as a prefix of another name does not.
    expect(supersededViews([mv('v'), 'OPTIMIZE TABLE t FINAL', drop('v'), mv('v')])).toEqual(new Set());
    expect(supersededViews([mv('v'), 'ALTER TABLE v_other ADD COLUMN c UInt8', drop('v'), mv('v')])).toEqual(new Set([0]));
    // Dropping another object of the same name, or a view never dropped again.
    expect(supersededViews([mv('v'), 'DROP FUNCTION IF EXISTS v', mv('v')])).toEqual(new Set());
    expect(supersededViews([mv('v'), drop('w'), mv('w')])).toEqual(new Set());
  });
});

describe('supersededViews: an insert between that reaches the view through another view (regression)', () => {
  const root = mkdtempSync(join(tmpdir(), 'weft-superseded-chain-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  // src --relay_mv--> mid --v--> out: a backfill into src passes through relay_mv into v, which names only mid.
  const migrations: Record<string, string> = {
    '001_tables.sql': `CREATE TABLE IF NOT EXISTS src (a UInt8) ENGINE = MergeTree ORDER BY a;
CREATE TABLE IF NOT EXISTS mid (a UInt8) ENGINE = Null;
CREATE TABLE IF NOT EXISTS out (a UInt8) ENGINE = MergeTree ORDER BY a;
CREATE MATERIALIZED VIEW IF NOT EXISTS relay_mv TO mid AS SELECT a FROM src;
CREATE MATERIALIZED VIEW IF NOT EXISTS v TO out AS SELECT a FROM mid;`,
    '002_backfill.sql': 'INSERT INTO src VALUES (1), (2);',
    '003_restate.sql': `DROP VIEW IF EXISTS v;
CREATE MATERIALIZED VIEW IF NOT EXISTS v TO out AS SELECT a + 0 AS a FROM mid;`,
  };
  const rowsOut = async (name: string, steps: string[][]) => {
    const dir = join(root, `dir-${name}`);
    mkdirSync(dir);
    const store = await openStore({ kind: 'embedded', path: join(root, name) });
    try {
      for (const files of steps) {
        for (const f of files) writeFileSync(join(dir, f), migrations[f]);
        await migrate(store, { retention, dir });
      }
      return await store.client.query({ query: 'SELECT a FROM out ORDER BY a', format: 'JSONEachRow' }).then((r) => r.json<{ a: number }>());
    } finally {
      await store.close();
    }
  };

  it('keeps a view when an insert between writes a table that another view relays into it', async () => {
    const files = Object.keys(migrations);
    expect(
      supersededViews([...migrations['001_tables.sql'].split(/;\n/), migrations['002_backfill.sql'], ...migrations['003_restate.sql'].split(/;\n/)]),
    ).toEqual(new Set());
    const oneByOne = await rowsOut(
      'one-by-one',
      files.map((f) => [f]),
    );
    expect(oneByOne).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await rowsOut('at-once', [files])).toEqual(oneByOne);
  });
});

describe('migrating at once what was released one migration at a time', () => {
  const root = mkdtempSync(join(tmpdir(), 'weft-superseded-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** Every table's and view's statement and every column, as the engine reports them. */
  const schemaOf = async (path: string, steps: string[][], sent: string[] = []) => {
    const store = await openStore({ kind: 'embedded', path });
    const command = store.client.command.bind(store.client);
    store.client.command = (params) => (sent.push(params.query), command(params));
    try {
      const dir = join(root, `dir-${steps.length}`);
      mkdirSync(dir);
      for (const files of steps) {
        for (const f of files) cpSync(f, join(dir, f.slice(f.lastIndexOf('/') + 1)));
        await migrate(store, { retention, dir });
      }
      const read = <T>(query: string) => store.client.query({ query, format: 'JSONEachRow' }).then((r) => r.json<T>());
      const tables = await read<{ name: string; engine: string; create_table_query: string }>(
        "SELECT name, engine, create_table_query FROM system.tables WHERE database = currentDatabase() AND name != 'weft_migrations' ORDER BY name",
      );
      const columns = await read<{ table: string; name: string; type: string; default_expression: string }>(
        'SELECT table, name, type, default_expression FROM system.columns WHERE database = currentDatabase() ORDER BY table, position',
      );
      // A table's settings in one order: those set after its creation (embedded-memory.ts) come last, whenever that was.
      const settingsSorted = (q: string) => q.replace(/ SETTINGS (.*)$/, (_m, list: string) => ` SETTINGS ${list.split(', ').sort().join(', ')}`);
      const rows = { tables: tables.map((t) => ({ ...t, create_table_query: settingsSorted(t.create_table_query) })), columns };
      return rows;
    } finally {
      await store.close();
    }
  };

  it('makes the same tables, views and columns as sending every statement of every migration', async () => {
    const files = listMigrations().map((m) => m.file);
    const sent: string[] = [];
    const atOnce = await schemaOf(join(root, 'at-once'), [files], sent);
    // weft_span_touches_mv, made by 11 migrations, is made once.
    expect(sent.filter((q) => /^CREATE MATERIALIZED VIEW IF NOT EXISTS weft_span_touches_mv\b/.test(q))).toHaveLength(1);
    // One migration per run: no statement is left out.
    const oneByOne = await schemaOf(
      join(root, 'one-by-one'),
      files.map((f) => [f]),
    );
    expect(atOnce.tables.length).toBeGreaterThan(50);
    expect(atOnce).toEqual(oneByOne);
    // Two new stores, one migrated a migration at a time: 20–40 s on a quiet machine, over a minute on a loaded one.
  }, 180_000);
});
