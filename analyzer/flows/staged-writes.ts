import { randomUUID } from 'node:crypto';
import type { Store } from '../../clickhouse/index.ts';
import { claimSettings, settingsClause } from '../../clickhouse/statement-settings.ts';
import { emptyTable } from '../../clickhouse/cluster-aware.ts';

/**
 * A pairing run's writes, staged then published (migration 124). A run writes ledgers (weft_transport_ledger: touches
 * taken back or moved to their transport's host; weft_pairing_ledger: what each unit added to the flow edges;
 * weft_pairing_runs: how far it paired) and the rollups they account for (weft_endpoint_rollup_1m and _1h,
 * weft_flow_edges_1m), in many statements and no transaction. A statement failing between two of them (an engine error,
 * a crash) left a ledger saying done what was not (a host move never applied: `Unknown system dynamodb:///Orders`, open
 * for good) or a rollup counting what no ledger said (edges written, their ledger rows not: the trace paired again,
 * traces = 2).
 *
 * Now a run writes each of those rows to the table's staged twin (`staged`, a scratch table of the run), its own row
 * last (`stageRun`: the run is then staged whole), and publishes: each staged table copied into its table with an insert
 * deduplication token naming the run and the table, and emptied (`publish`). The next run first publishes what is left
 * of a run staged whole and not published to the end (`finishStaged`), with the same tokens: a staged table emptied was
 * copied; one copied and not yet emptied is dropped as a duplicate (the tables' deduplication window, migration 124); one
 * not copied goes. The staged rows of a run not staged whole are dropped, and nothing of it was written: the run is done
 * again from the same ledgers. A retried run ends as one that never failed.
 * Within a run, what it staged is read with what was published (`transportLedger`).
 *
 * Not staged: weft_pairing_pieces (an index of the units a trace was paired in; a row of a unit not paired is harmless,
 * and a row written again replaces itself) and weft_endpoints (first and last seen, a minimum and a maximum: written
 * again, the same).
 */

/** The tables a run publishes to, in the order it publishes them: its own row (weft_pairing_runs) last. */
export const PUBLISHED = [
  'weft_transport_ledger',
  'weft_endpoint_rollup_1m',
  'weft_endpoint_rollup_1h',
  'weft_flow_edges_1m',
  'weft_pairing_ledger',
  'weft_pairing_runs',
] as const;
export type Published = (typeof PUBLISHED)[number];

/** The staged twin of `table` (migration 124): weft_staged_<name without weft_>. */
export const staged = (table: Published) => table.replace(/^weft_/, 'weft_staged_');

/** The columns a staged table's rows are copied into its table with (both tables have them). */
const COLUMNS: Record<Published, string> = {
  weft_transport_ledger: 'trace_id, span_id, integration, service, rows, at, reason, insert_key, touches, record_touches',
  weft_endpoint_rollup_1m:
    'minute, integration, service, direction, ep_kind, ep_sys, ep_host, ep_name, ep_peer, domain, spans, errors, records, latency, first_seen, last_seen, sample_trace, sample_error_trace',
  weft_endpoint_rollup_1h:
    'hour, integration, service, direction, ep_kind, ep_sys, ep_host, ep_name, ep_peer, domain, spans, errors, records, latency, first_seen, last_seen, sample_trace, sample_error_trace',
  weft_flow_edges_1m:
    'minute, integration, service, domain, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer, traces, failed_traces, error_spans, records, latency, first_seen, last_seen, sample_trace, sample_error_trace, sample_slow, shape, records_per_target, records_fallback, write_rank, last_arrived',
  weft_pairing_ledger:
    'unit, grp, active, digest, minute, integration, service, domain, reads, writes, failed, errors, records, start, end, traces, paired_at, version, failed_writes, shape, target_records, records_fallback, write_order',
  weft_pairing_runs:
    'at, settled_before, frontier, newest, units_paired, units_retracted, pending_traces, pending_spans, unplaced_traces, unplaced_spans, observing_since, late_ms, run_gap_ms',
};

/**
 * weft_transport_ledger as a run reads it: its rows and those the run staged so far (a later step reads what an earlier
 * one took back: span-copies.ts's copies, which transport-hosts.ts does not move). A subquery, with the ledger's columns.
 */
export const transportLedger = `(SELECT ${COLUMNS.weft_transport_ledger} FROM weft_transport_ledger
    UNION ALL SELECT ${COLUMNS.weft_transport_ledger} FROM ${staged('weft_transport_ledger')})`;

/** A run's name in its tokens: unique to the run (a clock set back names no run twice). */
export const newBatch = (): string => randomUUID();

/**
 * Stages the run's own row (weft_pairing_runs' columns, `batch` naming the run): the run is staged whole. Written last of
 * what a run stages. Rejects with the engine's error.
 */
export async function stageRun(store: Store, batch: string, row: Record<string, unknown>): Promise<void> {
  await store.client.insert({ table: staged('weft_pairing_runs'), values: [{ batch, ...row }], format: 'JSONEachRow' });
}

/** The run a staged run row names ('' when none is staged) and how many rows each staged table holds. */
async function stagedCounts(store: Store): Promise<{ batch: string; rows: Record<Published, number> }> {
  const counts = PUBLISHED.map((t) => `(SELECT count() FROM ${staged(t)}) AS ${t}`).join(', ');
  const [row] = await store.client
    .query({ query: `SELECT (SELECT any(batch) FROM ${staged('weft_pairing_runs')}) AS batch, ${counts}`, format: 'JSONEachRow' })
    .then((r) => r.json<Record<string, string | number>>());
  return { batch: String(row.batch), rows: Object.fromEntries(PUBLISHED.map((t) => [t, Number(row[t])])) as Record<Published, number> };
}

/**
 * The rows of `table`'s staged twin as one block: read into one row (`groupArray`) and spread out again. The engine
 * names each block an INSERT … SELECT reads with its token and the block's number: read as they are, the rows came in
 * a block per part of the staged table, and a copy made again after the parts were merged (or read by other threads)
 * had other blocks under the same names: some were dropped as duplicates, others counted twice.
 */
const stagedRows = (table: Published) => {
  const columns = COLUMNS[table].split(', ');
  return `SELECT ${columns.map((_, i) => `r.${i + 1}`).join(', ')} FROM (SELECT groupArray((${COLUMNS[table]})) AS rs FROM ${staged(table)}) ARRAY JOIN rs AS r`;
};

/**
 * Copies the staged rows of the run `batch` into their tables (those with rows in `rows`, weft_pairing_runs last), each
 * as one block (`stagedRows`) with the insert deduplication token `weft-pairing-<batch>-<table>`, emptying each staged
 * table once copied, then weft_staged_pairing_runs (the run is published). A copy made again with that token (a failure
 * between a copy and its emptying) is dropped as a duplicate (per partition of its table), in the views it feeds too.
 * Rejects with the engine's error.
 */
async function copyStaged(store: Store, batch: string, rows: Record<Published, number>): Promise<void> {
  for (const table of PUBLISHED) {
    if (rows[table] === 0) continue;
    const settings = settingsClause({ ...claimSettings(`weft-pairing-${batch}-${table}`), deduplicate_blocks_in_dependent_materialized_views: 1 });
    await store.client.command({ query: `INSERT INTO ${table} (${COLUMNS[table]})${settings} ${stagedRows(table)}` });
    // Copied: emptied at once, so that a publish failing later copies it no more. Its token covers only the moment
    // between the copy and this: the table's deduplication window (1,000 inserts, 124) may have moved on by the time a
    // failed publish is done again (the analyzer down for a while, the collector's inserts going on).
    if (table !== 'weft_pairing_runs') await emptyTable(store, staged(table));
  }
  await emptyTable(store, staged('weft_pairing_runs'));
}

/**
 * Publishes the run staged whole (`stageRun` written): its staged rows copied into their tables (`copyStaged`), each
 * staged table emptied once copied. Rejects with the engine's error; the next run publishes what is left of it.
 */
export async function publish(store: Store): Promise<void> {
  const { batch, rows } = await stagedCounts(store);
  if (rows.weft_pairing_runs > 0) await copyStaged(store, batch, rows);
}

/**
 * Before a run: publishes what is left of a run staged whole and not published to the end (`copyStaged`, with its
 * tokens: the staged tables it had not copied), and empties the staged tables that still hold rows (of a run that
 * stopped before it was staged whole: dropped). Rejects with the engine's error (the next run tries again).
 */
export async function finishStaged(store: Store): Promise<void> {
  const { batch, rows } = await stagedCounts(store);
  if (rows.weft_pairing_runs > 0) await copyStaged(store, batch, rows);
  for (const table of PUBLISHED) {
    if (table !== 'weft_pairing_runs' && rows[table] > 0) await emptyTable(store, staged(table));
  }
}
