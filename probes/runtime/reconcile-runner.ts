import type { Catalog } from '../../core/catalog/index.ts';
import { ERR_NOT_FOUND } from '../../core/errors/index.ts';
import type { Logger } from '../../core/log/logger.ts';
import type { Clock } from '../../core/time/index.ts';
import { runReconciliation, type ReconcileProgress, type ReconciliationRun } from '../reconcile/index.ts';
import type { Secrets } from '../secrets.ts';
import { jobId } from './jobs.ts';
import type { ProbeRecords } from './probe-records.ts';
import type { SingleFlight } from './single-flight.ts';

export interface ReconcileRunnerDeps {
  /** The catalog as it is now (it changes on reload). */
  catalog: () => Catalog;
  secrets: Secrets;
  clock: Clock;
  records: ProbeRecords;
  flights: SingleFlight;
  logger: Logger;
}

/**
 * Runs the catalog's reconciliations and records each run. A reconciliation asked for while it
 * runs joins that run. Throws ERR_NOT_FOUND (404) for an id the catalog does not declare; a run
 * that fails is a recorded run with status `error`, not an exception.
 */
export function reconcileRunner(deps: ReconcileRunnerDeps) {
  const { secrets, clock, records, flights, logger } = deps;
  return async function reconcile(id: string, onProgress?: (p: ReconcileProgress) => void | Promise<void>): Promise<ReconciliationRun> {
    const catalog = deps.catalog();
    const spec = catalog.reconciliations.find((r) => r.id === id);
    if (!spec) {
      const known = catalog.reconciliations.map((r) => r.id).join(', ') || 'none';
      throw ERR_NOT_FOUND(`No reconciliation "${id}" in the catalog (reconciliations: ${known}).`);
    }
    const run = await flights.run(jobId({ kind: 'reconcile', id }), () => runReconciliation(spec, { secrets, clock, onProgress }));
    await records.writeRun(run);
    if (run.status === 'error') logger.warn({ reconciliation: id, error: run.error }, 'reconciliation failed');
    return run;
  };
}
