import { dateFromChTime, toChTime, type Store } from '../../clickhouse/index.ts';
import type { ReconciliationRun } from './reconciliation-run.ts';

interface RunRow {
  run_id: string;
  reconcile_id: string;
  domain: string;
  left_system: string;
  right_system: string;
  started_at: string;
  finished_at: string;
  status: string;
  error: string;
  left_rows: string | number;
  right_rows: string | number;
  missing: string | number;
  extra: string | number;
  changed: string | number;
  changed_during_run: string | number;
  sample_missing: string[];
  sample_extra: string[];
  sample_changed: string[];
  queries: number;
  rows_downloaded: string | number;
  checksum_rows: string | number;
  details: string;
}

const toRun = (r: RunRow): ReconciliationRun => ({
  runId: r.run_id,
  reconcileId: r.reconcile_id,
  domain: r.domain,
  leftSystem: r.left_system,
  rightSystem: r.right_system,
  startedAt: dateFromChTime(r.started_at),
  finishedAt: dateFromChTime(r.finished_at),
  status: r.status === 'error' ? 'error' : 'ok',
  error: r.error,
  leftRows: Number(r.left_rows),
  rightRows: Number(r.right_rows),
  missing: Number(r.missing),
  extra: Number(r.extra),
  changed: Number(r.changed),
  changedDuringRun: Number(r.changed_during_run),
  sampleMissing: r.sample_missing,
  sampleExtra: r.sample_extra,
  sampleChanged: r.sample_changed,
  queries: Number(r.queries),
  rowsDownloaded: Number(r.rows_downloaded),
  checksumRows: Number(r.checksum_rows),
  details: JSON.parse(r.details || '{}') as ReconciliationRun['details'],
});

/** Reconciliation runs in ClickHouse (`reconciliation_runs`). */
export class ReconciliationRunStore {
  constructor(private readonly store: Store) {}

  async write(run: ReconciliationRun): Promise<void> {
    await this.store.client.insert({
      table: 'reconciliation_runs',
      format: 'JSONEachRow',
      values: [
        {
          run_id: run.runId,
          reconcile_id: run.reconcileId,
          domain: run.domain,
          left_system: run.leftSystem,
          right_system: run.rightSystem,
          started_at: toChTime(run.startedAt),
          finished_at: toChTime(run.finishedAt),
          status: run.status,
          error: run.error,
          left_rows: run.leftRows,
          right_rows: run.rightRows,
          missing: run.missing,
          extra: run.extra,
          changed: run.changed,
          changed_during_run: run.changedDuringRun,
          sample_missing: run.sampleMissing,
          sample_extra: run.sampleExtra,
          sample_changed: run.sampleChanged,
          queries: run.queries,
          rows_downloaded: run.rowsDownloaded,
          checksum_rows: run.checksumRows,
          details: JSON.stringify(run.details),
        },
      ],
    });
  }

  /** The latest run of each reconciliation. */
  async latest(ids: string[]): Promise<ReconciliationRun[]> {
    if (ids.length === 0) return [];
    const r = await this.store.client.query({
      query: 'SELECT * FROM reconciliation_runs WHERE reconcile_id IN {ids:Array(String)} ORDER BY reconcile_id, started_at DESC LIMIT 1 BY reconcile_id',
      query_params: { ids },
      format: 'JSONEachRow',
    });
    return (await r.json<RunRow>()).map(toRun);
  }

  /** Runs of one reconciliation, newest first. */
  async list(id: string, limit = 50): Promise<ReconciliationRun[]> {
    const r = await this.store.client.query({
      query: 'SELECT * FROM reconciliation_runs WHERE reconcile_id = {id:String} ORDER BY started_at DESC LIMIT {limit:UInt32}',
      query_params: { id, limit },
      format: 'JSONEachRow',
    });
    return (await r.json<RunRow>()).map(toRun);
  }
}
