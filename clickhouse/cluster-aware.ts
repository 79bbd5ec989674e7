import { quote } from './cluster.ts';
import type { Store } from './store.ts';

// Statements whose form depends on whether the store is one node or a cluster (`store.cluster`, the schema of
// cluster.ts), for what runs after the migrations: emptying scratch tables, reading system tables.

/** A table name Weft's own code passes (never client input): lowercase letters, digits and underscores. */
const TABLE_NAME = /^[a-z][a-z0-9_]*$/;

/** `name` quoted as a ClickHouse identifier (backticks; a backtick or backslash in it escaped). */
const identifier = (name: string) => `\`${name.replace(/[`\\]/g, (c) => `\\${c}`)}\``;

/**
 * The statement that empties `table`, a table the analyzer fills and reads again within one run (a scratch table:
 * weft_pairing_*, weft_staged_*), on `store`:
 * - embedded or a single server: `TRUNCATE TABLE IF EXISTS <table>`;
 * - a cluster (`store.cluster`, the schema of cluster.ts): the plain name is a Distributed table, and TRUNCATE on a
 *   Distributed table empties only its queue of rows not yet sent, never the shards' tables (ClickHouse issues #2963,
 *   closed as intended, and #50447): each run would have read every earlier run's rows again (a trace paired twice, a
 *   staged run published again under a new token). There the `_local` tables are emptied on every node, waiting for
 *   each: `TRUNCATE TABLE IF EXISTS <database>.<table>_local ON CLUSTER <cluster> SYNC` (the database named: an
 *   `ON CLUSTER` statement on replicated tables must name it).
 * Throws when `table` is not a plain lowercase table name.
 */
export function emptyTableStatement(store: Pick<Store, 'cluster' | 'database'>, table: string): string {
  if (!TABLE_NAME.test(table)) throw new Error(`not a scratch table name: ${JSON.stringify(table)}`);
  if (!store.cluster) return `TRUNCATE TABLE IF EXISTS ${table}`;
  return `TRUNCATE TABLE IF EXISTS ${identifier(store.database)}.${identifier(`${table}_local`)} ON CLUSTER ${identifier(store.cluster)} SYNC`;
}

/** Empties the scratch table `table` (`emptyTableStatement`). Rejects with the engine's error. */
export async function emptyTable(store: Store, table: string): Promise<void> {
  await store.client.command({ query: emptyTableStatement(store, table) });
}

/**
 * The system table `table` (`system.processes`, …) as a FROM clause that reads it on every node of `store`: the table
 * itself on the embedded engine or a single server; on a cluster, `clusterAllReplicas('<cluster>', <table>)`, since a
 * system table holds only the node's own rows (an insert a collector sends through another node runs there, and the
 * pairing job's wait for inserts still running would not see it). Throws when `table` is not `system.<name>`.
 */
export function onEveryNode(store: Pick<Store, 'cluster'>, table: string): string {
  if (!/^system\.[a-z_]+$/.test(table)) throw new Error(`not a system table: ${JSON.stringify(table)}`);
  return store.cluster ? `clusterAllReplicas(${quote(store.cluster)}, ${table})` : table;
}
