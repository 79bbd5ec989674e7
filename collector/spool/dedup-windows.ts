import type { Store } from '../../clickhouse/index.ts';
import type { Logger } from '../../core/log/logger.ts';

const WINDOW = 1000;
const SOURCES = ['otel_traces', 'otel_logs', 'otel_metrics_sum', 'otel_metrics_gauge', 'otel_metrics_histogram'];

interface TableRow {
  name: string;
  engine: string;
  q: string;
}

/** Tables a materialized view fills, directly or through other views, from the collector's tables. */
export function viewTargets(tables: TableRow[]): string[] {
  const views = tables
    .filter((t) => t.engine === 'MaterializedView')
    .map((t) => ({
      target: /\bTO\s+(?:`?\w+`?\.)?`?(\w+)`?/i.exec(t.q)?.[1],
      select: t.q
        .split(/\bAS\s+SELECT\b/i)
        .slice(1)
        .join(' '),
    }))
    .filter((v): v is { target: string; select: string } => Boolean(v.target));
  const reached = new Set(SOURCES);
  for (let changed = true; changed;) {
    changed = false;
    for (const v of views) {
      if (reached.has(v.target)) continue;
      // eslint-disable-next-line no-restricted-syntax -- built from the store's own table names (word characters), not a client's text
      if ([...reached].some((name) => new RegExp(`(?<![\\w.])\`?(?:\\w+\\.)?${name}\`?(?!\\w)`).test(v.select))) {
        reached.add(v.target);
        changed = true;
      }
    }
  }
  return [...reached].filter((t) => !SOURCES.includes(t));
}

/**
 * A replayed spool segment is deduplicated by its token in the target table and, with
 * `deduplicate_blocks_in_dependent_materialized_views`, in the tables that materialized views
 * fill from it. Non-replicated MergeTree tables only remember tokens with a deduplication
 * window: this gives one to every table views fill from the collector's tables (directly or
 * through other views; rollups added by any part), so that a replay after a crash counts
 * nothing twice there either.
 */
export async function ensureDedupWindows(store: Store, logger: Logger): Promise<void> {
  if (store.cluster) return; // Replicated tables deduplicate by default.
  const tables = await store.client
    .query({ query: `SELECT name, engine, create_table_query AS q FROM system.tables WHERE database = currentDatabase()`, format: 'JSONEachRow' })
    .then((r) => r.json<TableRow>());
  const byName = new Map(tables.map((t) => [t.name, t]));
  const set: string[] = [];
  for (const name of viewTargets(tables)) {
    const target = byName.get(name);
    if (!target || !/MergeTree$/.test(target.engine) || target.engine.startsWith('Replicated')) continue;
    if (/non_replicated_deduplication_window\s*=\s*[1-9]/.test(target.q)) continue;
    await store.client.command({ query: `ALTER TABLE \`${target.name}\` MODIFY SETTING non_replicated_deduplication_window = ${WINDOW}` });
    set.push(target.name);
  }
  if (set.length > 0) logger.info({ tables: set }, `deduplication window set for spool replays on ${set.length} table${set.length === 1 ? '' : 's'}`);
}
