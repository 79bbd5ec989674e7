import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RetentionConfig } from '../core/config/index.ts';
import { ERR_MIGRATION } from '../core/errors/index.ts';
import { clusterize, mergeTreeTables } from './cluster.ts';
import { applyEmbeddedTableSettings } from './embedded-memory.ts';
import { applyRetention } from './retention.ts';
import { supersededViews } from './superseded-views.ts';
import type { Store } from './store.ts';

export interface Migration {
  version: number;
  name: string;
  file: string;
  sql: string;
}

export interface MigrateOptions {
  retention: RetentionConfig;
  /** Folder of numbered `NNN_name.sql` files; Weft's own by default. */
  dir?: string;
}

export interface MigrateResult {
  applied: string[];
  skipped: string[];
  /** Tables whose TTL was changed to match the configured retention. */
  retention?: string[];
  /** Tables of the embedded store given its memory-bounding settings (embedded-memory.ts). */
  tuned?: string[];
}

const here = dirname(fileURLToPath(import.meta.url));
export const migrationsDir = join(here, 'migrations');

/** Numbered SQL files, in order. `001_otel_traces.sql` → version 1. */
export function listMigrations(dir: string = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3,}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, file.indexOf('_'))),
      name: file.replace(/\.sql$/, ''),
      file: join(dir, file),
      sql: readFileSync(join(dir, file), 'utf8'),
    }));
}

/** Fills `{{RAW_TTL_DAYS}}`, `{{ROLLUP_TTL_DAYS}}`, `{{RECORD_TTL_DAYS}}` and splits into statements. */
export function renderMigration(sql: string, retention: RetentionConfig): string[] {
  const vars: Record<string, string> = {
    RAW_TTL_DAYS: String(retention.rawDays),
    ROLLUP_TTL_DAYS: String(retention.rollupDays),
    RECORD_TTL_DAYS: String(retention.recordDays),
  };
  const filled = sql.replace(/\{\{(\w+)\}\}/g, (m, name: string) => {
    if (!(name in vars)) throw new Error(`unknown template variable ${m}`);
    return vars[name];
  });
  return (
    filled
      .split(/;\s*$/m)
      // Our own migration files, not a client's input: the blank lines before a comment go with it, as they always have.
      // eslint-disable-next-line regexp/no-super-linear-move
      .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
      .filter((s) => s.length > 0)
  );
}

const checksum = (sql: string) => createHash('sha256').update(sql).digest('hex').slice(0, 16);

/**
 * Applies the migrations not yet recorded in `weft_migrations`, in order. Running it twice
 * changes nothing: applied versions are skipped and every statement is itself idempotent.
 */
export async function migrate(store: Store, options: MigrateOptions): Promise<MigrateResult> {
  const { client } = store;
  const ledger = `CREATE TABLE IF NOT EXISTS weft_migrations (
      version UInt32, name String, checksum String, applied_at DateTime64(3) DEFAULT now64(3)
    ) ENGINE = ReplacingMergeTree ORDER BY version`;
  // With --cluster, every statement is rewritten for the cluster (see cluster.ts).
  const cluster = store.cluster ? { cluster: store.cluster, database: store.database } : undefined;
  const known = new Set<string>();
  const forStore = (statements: string[]) => {
    const out = cluster ? clusterize(statements, cluster, known) : statements;
    for (const t of mergeTreeTables(statements)) known.add(t);
    return out;
  };
  for (const query of forStore([ledger])) await client.command({ query });
  const done = await client.query({ query: 'SELECT version FROM weft_migrations FINAL', format: 'JSONEachRow' }).then((r) => r.json<{ version: number }>());
  const applied = new Set(done.map((r) => Number(r.version)));
  const result: MigrateResult = { applied: [], skipped: [] };
  // Every migration's statements in the store's form, in order (forStore learns the tables as it goes).
  const pending: { m: Migration; statements: string[]; first: number }[] = [];
  const run: string[] = [];
  const every: string[] = [];
  for (const m of listMigrations(options.dir)) {
    const statements = forStore(renderMigration(m.sql, options.retention));
    every.push(...statements);
    if (applied.has(m.version)) {
      result.skipped.push(m.name);
      continue;
    }
    pending.push({ m, statements, first: run.length });
    run.push(...statements);
  }
  // A view a later migration of this run drops and makes again is made once, as it ends (superseded-views.ts).
  const superseded = supersededViews(run, every);
  // When a migration fails, the views its predecessors (recorded as applied) left to it are made as they stated them:
  // the store then is what those migrations made, as if the run had sent every statement.
  const restoreSkipped = async (end: number) => {
    const within = supersededViews(run.slice(0, end), every);
    for (let i = 0; i < end; i++) if (superseded.has(i) && !within.has(i)) await client.command({ query: run[i] }).catch(() => undefined);
  };
  for (const { m, statements, first } of pending) {
    for (const [i, statement] of statements.entries()) {
      if (superseded.has(first + i)) continue;
      try {
        await client.command({ query: statement });
      } catch (err) {
        await restoreSkipped(first);
        throw ERR_MIGRATION(m.name, (err as Error).message);
      }
    }
    await client.insert({
      table: 'weft_migrations',
      values: [{ version: m.version, name: m.name, checksum: checksum(m.sql) }],
      format: 'JSONEachRow',
    });
    result.applied.push(m.name);
  }
  // Tables created under other retention settings get the configured TTL.
  result.retention = await applyRetention(store, listMigrations(options.dir), options.retention);
  result.tuned = await applyEmbeddedTableSettings(store);
  return result;
}
