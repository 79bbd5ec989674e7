/**
 * The embedded engine's allocator (jemalloc, in libchdb) keeps pages freed by inserts and merges for 10 s by default
 * before it returns them to the system: under a steady stream of 49,152-span segments that held 50–60 MiB of the
 * collector's resident memory (bench:ingest's first phase on 2 cores, 2026-12-03: peak RSS 676–724 MiB in four runs with
the default, 625–668 MiB in five with 1 s, at the same rate and CPU a span within the machine's noise).
 * The library reads this setting once, when it is loaded, from `JE_MALLOC_CONF` (jemalloc's `MALLOC_CONF` under
 * ClickHouse's prefix): this module sets it, unless the environment already does, and must be imported before
 * `chdb` (clickhouse/store.ts imports it first). A server is not affected.
 */
export const EMBEDDED_ALLOCATOR_CONF = 'dirty_decay_ms:1000,muzzy_decay_ms:0';

if (process.env.JE_MALLOC_CONF === undefined) process.env.JE_MALLOC_CONF = EMBEDDED_ALLOCATOR_CONF;
