/**
 * When each documented OpenLineage job last completed a run, by the run's nominal time: a job's flow
 * is fresh when a run that was due (the `nominalTime` run facet: `nominalEndTime`, else
 * `nominalStartTime`; without the facet, when the run ended) has COMPLETEd. A FAIL or ABORT does not
 * make it fresh (failed runs count as errors in the flow's error rate). Read from
 * weft_lineage_events over a bounded lookback, for the catalog's `runtime.flow` jobs only.
 */
import type { Store } from '../../clickhouse/index.ts';
import { fromChTime, toChTime } from '../../clickhouse/index.ts';

/** One job's runs over the lookback. Times are ISO 8601. */
export interface LineageJobRuns {
  /** The job as `namespace/name` (a flow's `runtime.flow`). */
  job: string;
  /** The nominal time of the latest completed run, or null when none completed in the lookback. */
  lastCompleteDue: string | null;
  lastCompleteRun: string;
  /** Runs in the lookback that ended with FAIL or ABORT, and the latest of them. */
  failedRuns: number;
  lastFailedRun: string;
  /** Where the lookback starts: with no completed run in it, the job has been silent at least since then. */
  lookbackSince: string;
}

const T = "DateTime64(3, 'UTC')";

export async function queryLineageJobRuns(store: Store, jobs: string[], since: Date): Promise<LineageJobRuns[]> {
  if (jobs.length === 0) return [];
  const terminal = "event_type IN ('COMPLETE', 'FAIL', 'ABORT')";
  const query = `
    SELECT job,
      maxIf(due, status = 'COMPLETE') AS last_due, countIf(status = 'COMPLETE') AS completed, argMaxIf(run_id, due, status = 'COMPLETE') AS last_run,
      countIf(status != 'COMPLETE') AS failed, argMaxIf(run_id, ended, status != 'COMPLETE') AS last_failed
    FROM (
      SELECT concat(job_namespace, '/', job_name) AS job, run_id,
        argMinIf(event_type, event_time, ${terminal}) AS status,
        minIf(event_time, ${terminal}) AS ended,
        coalesce(max(nominal_end), max(nominal_start), ended) AS due
      FROM weft_lineage_events
      WHERE event_time >= {since:${T}} AND concat(job_namespace, '/', job_name) IN {jobs:Array(String)}
      GROUP BY job, run_id
      HAVING countIf(${terminal}) > 0
    )
    GROUP BY job`;
  const rows = await store.client
    .query({ query, query_params: { since: toChTime(since), jobs }, format: 'JSONEachRow' })
    .then((r) => r.json<{ job: string; last_due: string; completed: string | number; last_run: string; failed: string | number; last_failed: string }>());
  return rows.map((r) => ({
    job: r.job,
    lastCompleteDue: Number(r.completed) > 0 ? fromChTime(r.last_due) : null,
    lastCompleteRun: Number(r.completed) > 0 ? r.last_run : '',
    failedRuns: Number(r.failed),
    lastFailedRun: Number(r.failed) > 0 ? r.last_failed : '',
    lookbackSince: since.toISOString(),
  }));
}
