import type { Store } from './store.ts';

const MiB = 1024 * 1024;

/**
 * Server settings of the embedded engine, given when it opens its data directory (they cannot be
 * changed later). With the table settings below they bound its memory beside the collector
 * (docs/scaling.md, "Memory of the embedded store"): merges run two at a time (the pool has two
 * threads on two cores; four merges ran at once before, each holding its blocks), and the caches that
 * grow with what queries read are capped (5 GiB each by default, sized for a server; after 1.5M spans
 * and a few queries over spans and rollups they held under 1 MiB each).
 */
export const EMBEDDED_ENGINE_ARGS: readonly string[] = [
  '--background_merges_mutations_concurrency_ratio=1',
  `--mark_cache_size=${128 * MiB}`,
  `--index_mark_cache_size=${64 * MiB}`,
  `--primary_index_cache_size=${64 * MiB}`,
  `--compiled_expression_cache_size=${32 * MiB}`,
  `--query_condition_cache_size=${32 * MiB}`,
];

/**
 * Table settings of the embedded store. otel_traces, the widest table (two attribute maps, events,
 * links: about 40 column files a part), is written with 64 KiB compression blocks instead of 1 MiB:
 * the buffers of one segment's insert take 129 MiB instead of 245 MiB (49,152 spans), for ~3 % more
 * bytes on disk; and it is merged column by column whatever the size of the parts (below 131,072 rows
 * ClickHouse merges all columns at once: ~90 MiB a merge against 15–30 MiB).
 */
export const EMBEDDED_TABLE_SETTINGS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  otel_traces: { max_compress_block_size: 64 * 1024, vertical_merge_algorithm_min_rows_to_activate: 1 },
};

/**
 * Gives the embedded store's tables `EMBEDDED_TABLE_SETTINGS` (`ALTER TABLE … MODIFY SETTING`), where a
 * table does not have them yet; nothing for a server or a table that does not exist. Returns the
 * tables changed. Throws what the store throws.
 */
export async function applyEmbeddedTableSettings(store: Store): Promise<string[]> {
  if (store.kind !== 'embedded') return [];
  const names = Object.keys(EMBEDDED_TABLE_SETTINGS);
  const rows = await store.client
    .query({
      query: 'SELECT name, create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name IN {names:Array(String)}',
      query_params: { names },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ name: string; q: string }>());
  const changed: string[] = [];
  for (const { name, q } of rows) {
    // eslint-disable-next-line no-restricted-syntax -- built from Weft's own table settings, read against the store's own statements
    const missing = Object.entries(EMBEDDED_TABLE_SETTINGS[name]).filter(([k, v]) => !new RegExp(`\\b${k} = ${v}\\b`).test(q));
    if (missing.length === 0) continue;
    await store.client.command({ query: `ALTER TABLE \`${name}\` MODIFY SETTING ${missing.map(([k, v]) => `${k} = ${v}`).join(', ')}` });
    changed.push(name);
  }
  return changed;
}
