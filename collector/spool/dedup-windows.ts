import type { Store } from '../../clickhouse/index.ts';
import type { Logger } from '../../core/log/logger.ts';

const WINDOW = 1000;

/**
 * A replayed spool segment is deduplicated by its token in the target table and, with
 * `deduplicate_blocks_in_dependent_materialized_views`, in the tables that materialized views
 * fill from it. Non-replicated MergeTree tables only remember tokens with a deduplication
 * window: this gives one to every table a view fills from an otel_* table (rollups added by any
 * part), so that a replay after a crash counts nothing twice there either.
 */
export async function ensureDedupWindows(store: Store, logger: Logger): Promise<void> {
  if (store.cluster) return; // Replicated tables deduplicate by default.
  const rows = await store.client
    .query({
      query: `SELECT name, engine, create_table_query AS q FROM system.tables WHERE database = currentDatabase()`,
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ name: string; engine: string; q: string }>());
  const byName = new Map(rows.map((r) => [r.name, r]));
  for (const view of rows.filter((r) => r.engine === 'MaterializedView' && /\botel_\w+/.test(r.q.split(/\bAS\s+SELECT\b/i)[1] ?? ''))) {
    const to = /\bTO\s+(?:`?[\w]+`?\.)?`?(\w+)`?/i.exec(view.q)?.[1];
    const target = to ? byName.get(to) : undefined;
    if (!target || !/MergeTree$/.test(target.engine) || target.engine.startsWith('Replicated')) continue;
    if (/non_replicated_deduplication_window\s*=\s*[1-9]/.test(target.q)) continue;
    await store.client.command({ query: `ALTER TABLE \`${target.name}\` MODIFY SETTING non_replicated_deduplication_window = ${WINDOW}` });
    logger.info({ table: target.name }, 'deduplication window set for spool replays');
  }
}
