import type { Store } from '../clickhouse/index.ts';
import type { Catalog, EnvPolicy, ProbeSpec } from '../core/catalog/index.ts';
import type { FindingSink } from '../core/contracts/index.ts';
import { ERR_NOT_FOUND } from '../core/errors/index.ts';
import type { Logger } from '../core/log/logger.ts';
import { systemClock, type Clock } from '../core/time/index.ts';
import type { DriftState } from './drift/index.ts';
import { driftStates, type DatasetResolver, type Evaluation } from './evaluate.ts';
import type { ReconcileProgress, ReconciliationRun, ReconciliationRunStore } from './reconcile/index.ts';
import { findingsEvaluator } from './runtime/findings-evaluator.ts';
import { jobId, parseJobId, scheduledJobs } from './runtime/jobs.ts';
import { probeRecords } from './runtime/probe-records.ts';
import { probeRunner, type ProbeRunResult } from './runtime/probe-runner.ts';
import { reconcileRunner } from './runtime/reconcile-runner.ts';
import { singleFlight } from './runtime/single-flight.ts';
import type { ProbeSample } from './sample.ts';
import type { SampleStore } from './sample-store.ts';
import { schedule, type ScheduleHandle } from './scheduler.ts';
import { Secrets, type EnvLookup } from './secrets.ts';

export type { ProbeRunResult } from './runtime/probe-runner.ts';

export interface StartProbesOptions {
  /** Where samples, shapes and runs are kept; null runs probes without recording (the CLI when the store is busy). */
  store: Store | null;
  catalog: Catalog;
  logger: Logger;
  /** Where findings go (record-count-drift, key-drift, schema-drift, probe-failing). */
  findings?: FindingSink;
  clock?: Clock;
  /** Resolves `env:NAME` references when a probe runs. */
  env?: EnvLookup;
  /** Which variables those references may name (never WEFT_*; default: all others). */
  envPolicy?: EnvPolicy;
  /** Run the catalog's schedules (default true); false: only on demand. */
  scheduled?: boolean;
  /** Resolves OpenLineage datasets to catalog systems, for the schemas producers report (schema drift). */
  resolveDataset?: DatasetResolver;
}

export interface ProbesRuntime {
  readonly catalog: Catalog;
  runProbe(id: string): Promise<ProbeRunResult>;
  runReconciliation(id: string, onProgress?: (p: ReconcileProgress) => void | Promise<void>): Promise<ReconciliationRun>;
  /** Every probe once: failures are results too; `errors` lists the failed ones. */
  runAll(): Promise<{ results: ProbeSample[]; errors: Array<{ probeId: string; error: string }> }>;
  /** Drift, schema drift, failing probes and key drift → findings. */
  evaluate(): Promise<Evaluation>;
  /** Evaluates within a second (coalesced with other requests); for new data from outside the probes, such as a reported schema. Never throws. */
  evaluateSoon(): void;
  /** Record-count drift as of now (no findings written). */
  drift(): Promise<DriftState[]>;
  readonly samples: SampleStore | null;
  readonly runs: ReconciliationRunStore | null;
  reloadCatalog(catalog: Catalog): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The probes part at run time: composes the probe runner, the reconciliation runner, the findings
 * evaluator and the schedule (probes/runtime/), and swaps them over on a catalog reload. Scheduled
 * work never throws out of its loop: it logs (secrets scrubbed) and the next tick runs again.
 */
export function startProbes(options: StartProbesOptions): ProbesRuntime {
  const clock = options.clock ?? systemClock;
  const logger = options.logger.child({ part: 'probes' });
  const secrets = new Secrets(options.env ?? (() => undefined), options.envPolicy);
  const records = probeRecords(options.store);
  const flights = singleFlight();
  let catalog = options.catalog;
  const currentCatalog = () => catalog;
  const probes = probeRunner({ secrets, clock, records, logger });
  const reconcile = reconcileRunner({ catalog: currentCatalog, secrets, clock, records, flights, logger });
  const evaluator = findingsEvaluator({
    catalog: currentCatalog,
    records,
    findings: options.findings,
    clock,
    logger,
    redact: (text) => secrets.redact(text),
    resolveDataset: options.resolveDataset,
  });
  let handle: ScheduleHandle | undefined;

  const specOf = (id: string): ProbeSpec => {
    const spec = catalog.probes.find((p) => p.id === id);
    if (!spec) throw ERR_NOT_FOUND(`No probe "${id}" in the catalog (probes: ${catalog.probes.map((p) => p.id).join(', ') || 'none'}).`);
    return spec;
  };
  const runProbe = (spec: ProbeSpec) => flights.run(jobId({ kind: 'probe', id: spec.id }), () => probes.run(spec));

  /** Scheduled work: records its errors, never throws out of the loop. */
  const tick = async (id: string) => {
    try {
      const job = parseJobId(id);
      if (job.kind === 'reconcile') await reconcile(job.id);
      else await runProbe(specOf(job.id));
      evaluator.soon();
    } catch (err) {
      logger.error({ err: secrets.redact(String((err as Error)?.message ?? err)), id }, 'scheduled run could not be recorded');
    }
  };
  const start = () => {
    if (options.scheduled === false) return;
    handle = schedule(scheduledJobs(catalog), tick, (id) => logger.warn({ id }, 'previous run still going: tick skipped'));
    logger.info({ probes: catalog.probes.length, reconciliations: catalog.reconciliations.length }, 'probes scheduled');
  };
  const closeAll = async () => {
    handle?.stop();
    await flights.settled();
    // After the runs: an evaluation a finishing run asked for is cancelled too.
    await evaluator.stop();
    await probes.close();
  };
  start();

  return {
    get catalog() {
      return catalog;
    },
    samples: records.samples,
    runs: records.runs,
    async runProbe(id) {
      const result = await runProbe(specOf(id));
      await evaluator.evaluate();
      return result;
    },
    async runReconciliation(id, onProgress) {
      const run = await reconcile(id, onProgress);
      await evaluator.evaluate();
      return run;
    },
    async runAll() {
      const results: ProbeSample[] = [];
      const errors: Array<{ probeId: string; error: string }> = [];
      for (const spec of catalog.probes) {
        const { sample } = await runProbe(spec);
        results.push(sample);
        if (!sample.ok) errors.push({ probeId: spec.id, error: sample.error });
      }
      await evaluator.evaluate();
      return { results, errors };
    },
    evaluate: evaluator.evaluate,
    evaluateSoon: () => evaluator.soon(),
    drift: async () => (records.samples ? driftStates(catalog, records.samples, clock.now()) : []),
    async reloadCatalog(next) {
      await closeAll();
      catalog = next;
      records.forgetShapes();
      start();
    },
    stop: closeAll,
  };
}
