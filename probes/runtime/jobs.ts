import type { Catalog } from '../../core/catalog/index.ts';
import type { Scheduled } from '../scheduler.ts';

/**
 * A scheduled or running job of the probes part: a probe run or a reconciliation run. Its id is
 * the probe's id, or `reconcile:<id>` (catalog ids cannot hold ":", so the two never collide); it
 * keys the scheduler's entries and the single-flight guard. Built and read only here.
 */
export type ProbesJob = { kind: 'probe'; id: string } | { kind: 'reconcile'; id: string };

const RECONCILE = 'reconcile:';

export function jobId(job: ProbesJob): string {
  return job.kind === 'reconcile' ? `${RECONCILE}${job.id}` : job.id;
}

export function parseJobId(id: string): ProbesJob {
  return id.startsWith(RECONCILE) ? { kind: 'reconcile', id: id.slice(RECONCILE.length) } : { kind: 'probe', id };
}

/** The catalog's schedules: every probe, and the reconciliations that have `every` or `cron`. */
export function scheduledJobs(catalog: Catalog): Scheduled[] {
  return [
    ...catalog.probes.map((p) => ({ id: jobId({ kind: 'probe', id: p.id }), every: p.every, cron: p.cron, jitter: p.jitter })),
    ...catalog.reconciliations.filter((r) => r.every || r.cron).map((r) => ({ id: jobId({ kind: 'reconcile', id: r.id }), every: r.every, cron: r.cron })),
  ];
}
