import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterize, mergeTreeTables } from './cluster.ts';
import { listMigrations, migrate, renderMigration } from './migrate.ts';
import { openStore, type Store } from './store.ts';

const retention = { rawDays: 30, rollupDays: 400, recordDays: 730 };

interface Rendered {
  migration: string;
  statement: string;
}

/** Every statement of every migration, as migrate() sends it: single node, or rewritten for `--cluster`. */
function schema(cluster: boolean): Rendered[] {
  const known = new Set<string>();
  const out: Rendered[] = [];
  for (const m of listMigrations()) {
    const statements = renderMigration(m.sql, retention);
    const sent = cluster ? clusterize(statements, { cluster: 'weft', database: 'observability' }, known) : statements;
    for (const t of mergeTreeTables(statements)) known.add(t);
    for (const statement of sent) out.push({ migration: m.name, statement });
  }
  return out;
}

/**
 * The engine's own parser is the judge of the DDL Weft generates: each statement goes through
 * `formatQuery()` in embedded chDB (parse only, nothing is created), so a syntax error in a
 * migration or in the cluster rewrite fails here rather than on a customer's cluster.
 */
describe('generated DDL parses in ClickHouse', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scale-parse-'));
    store = await openStore({ kind: 'embedded', path: join(dir, 'data') });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Returns the parser's error for each statement that does not parse (empty when all do). */
  async function unparsable(statements: Rendered[]): Promise<string[]> {
    const errors: string[] = [];
    for (const { migration, statement } of statements) {
      try {
        const rows = await store.client
          .query({ query: 'SELECT formatQuery({q:String}) AS f', query_params: { q: statement }, format: 'JSONEachRow' })
          .then((r) => r.json<{ f: string }>());
        if (!rows[0]?.f) errors.push(`${migration}: empty formatQuery result for ${statement.slice(0, 80)}`);
      } catch (err) {
        errors.push(`${migration}: ${(err as Error).message.split('\n')[0]}\n  in: ${statement.slice(0, 300)}`);
      }
    }
    return errors;
  }

  it('parses every single-node statement', async () => {
    const statements = schema(false);
    expect(statements.length).toBeGreaterThan(20);
    expect(await unparsable(statements)).toEqual([]);
  });

  it('parses every --cluster statement (Replicated engines, Distributed tables, ON CLUSTER)', async () => {
    const statements = schema(true);
    expect(statements.filter((s) => /ENGINE = Distributed\(/.test(s.statement)).length).toBeGreaterThan(5);
    expect(await unparsable(statements)).toEqual([]);
  });

  it('evaluates every Distributed sharding key on the columns of its table, as an integer (the single-node schema stands in)', async () => {
    await migrate(store, { retention });
    // Tables a later migration drops are not there to evaluate against.
    const dropped = new Set(schema(true).flatMap(({ statement }) => /^DROP TABLE (?:IF EXISTS )?(\w+) ON CLUSTER/.exec(statement)?.[1] ?? []));
    const keys = schema(true)
      .map(({ statement }) => /ENGINE = Distributed\('[^']*', '[^']*', (\w+)_local, (.+)\)$/s.exec(statement))
      .filter((m): m is RegExpExecArray => m !== null && !dropped.has(m[1]));
    expect(keys.length).toBeGreaterThan(5);
    const problems: string[] = [];
    for (const [, table, key] of keys) {
      try {
        // DESCRIBE types the expression against the table without reading a row.
        const [col] = await store.client
          .query({ query: `DESCRIBE (SELECT ${key} AS k FROM ${table})`, format: 'JSONEachRow' })
          .then((r) => r.json<{ name: string; type: string }>());
        if (!/^U?Int\d+$/.test(col?.type ?? '')) problems.push(`${table}: ${key} is ${col?.type}`);
      } catch (err) {
        problems.push(`${table}: ${key}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('rejects a statement with a syntax error (the check can fail)', async () => {
    expect(await unparsable([{ migration: 'broken', statement: 'CREATE TABLE t ON CLUSTER (x UInt8) ENGINE = MergeTree ORDER BY' }])).toHaveLength(1);
  });
});
