import { ReconciliationRunStore, runReconciliation, type ReconcileProgress, type ReconciliationRun } from './reconcile/index.ts';
import type { Store } from '../clickhouse/index.ts';
import type { Catalog, EnvPolicy, ProbeSpec } from '../core/catalog/index.ts';
import type { FindingSink } from '../core/contracts/index.ts';
import { ERR_NOT_FOUND } from '../core/errors/index.ts';
import type { Logger } from '../core/log/logger.ts';
import { systemClock, type Clock } from '../core/time/index.ts';
import type { DriftState } from './drift/index.ts';
import { driftStates, evaluateFindings, type Evaluation } from './evaluate.ts';
import { createProbe } from './kinds/index.ts';
import type { ProbeInstance } from './kinds/probe-kind.ts';
import { runProbeOnce } from './run-probe.ts';
import type { ProbeSample } from './sample.ts';
import { SampleStore } from './sample-store.ts';
import { schedule, type ScheduleHandle } from './scheduler.ts';
import { Secrets, type EnvLookup } from './secrets.ts';

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
}

export interface ProbeRunResult {
  sample: ProbeSample;
  /** Set when the shape read differs from the previous run's. */
  shapeChanged: boolean;
}

export interface ProbesRuntime {
  readonly catalog: Catalog;
  runProbe(id: string): Promise<ProbeRunResult>;
  runReconciliation(id: string, onProgress?: (p: ReconcileProgress) => void | Promise<void>): Promise<ReconciliationRun>;
  /** Every probe once: failures are results too; `errors` lists the failed ones. */
  runAll(): Promise<{ results: ProbeSample[]; errors: Array<{ probeId: string; error: string }> }>;
  /** Drift, schema drift, failing probes and key drift → findings. */
  evaluate(): Promise<Evaluation>;
  /** Record-count drift as of now (no findings written). */
  drift(): Promise<DriftState[]>;
  readonly samples: SampleStore | null;
  readonly runs: ReconciliationRunStore | null;
  reloadCatalog(catalog: Catalog): Promise<void>;
  stop(): Promise<void>;
}

export function startProbes(options: StartProbesOptions): ProbesRuntime {
  const clock = options.clock ?? systemClock;
  const logger = options.logger.child({ part: 'probes' });
  const secrets = new Secrets(options.env ?? (() => undefined), options.envPolicy);
  const samples = options.store ? new SampleStore(options.store) : null;
  const runs = options.store ? new ReconciliationRunStore(options.store) : null;
  let catalog = options.catalog;
  let instances = new Map<string, ProbeInstance>();
  const inFlight = new Map<string, Promise<unknown>>();
  const lastShape = new Map<string, string>();
  let handle: ScheduleHandle | undefined;
  let evaluating: Promise<Evaluation> | undefined;
  let evaluationTimer: NodeJS.Timeout | undefined;

  const specOf = (id: string): ProbeSpec => {
    const spec = catalog.probes.find((p) => p.id === id);
    if (!spec) throw ERR_NOT_FOUND(`No probe "${id}" in the catalog (probes: ${catalog.probes.map((p) => p.id).join(', ') || 'none'}).`);
    return spec;
  };
  const once = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const running = inFlight.get(key);
    if (running) return running as Promise<T>;
    const p = work().finally(() => inFlight.delete(key));
    inFlight.set(key, p);
    return p;
  };

  async function probeRun(spec: ProbeSpec): Promise<ProbeRunResult> {
    let probe = instances.get(spec.id);
    if (!probe) instances.set(spec.id, (probe = createProbe(spec, secrets)));
    const { sample, shape } = await runProbeOnce(spec, probe, secrets, clock);
    let shapeChanged = false;
    if (samples) {
      await samples.write([sample]);
      if (shape) {
        if (!lastShape.has(spec.id)) {
          const [state] = await samples.schemaStates([spec.id]);
          if (state) lastShape.set(spec.id, state.current.fingerprint);
        }
        const previous = lastShape.get(spec.id);
        if (previous !== shape.fingerprint) {
          shapeChanged = previous !== undefined;
          await samples.writeSchema({ ts: sample.ts, probeId: spec.id, system: spec.system, domain: spec.domain ?? '', ...shape });
          lastShape.set(spec.id, shape.fingerprint);
        }
      }
    }
    if (!sample.ok) logger.warn({ probe: spec.id, code: sample.errorCode, error: sample.error }, 'probe failed');
    return { sample, shapeChanged };
  }

  async function reconcile(id: string, onProgress?: (p: ReconcileProgress) => void | Promise<void>): Promise<ReconciliationRun> {
    const spec = catalog.reconciliations.find((r) => r.id === id);
    if (!spec) throw ERR_NOT_FOUND(`No reconciliation "${id}" in the catalog (reconciliations: ${catalog.reconciliations.map((r) => r.id).join(', ') || 'none'}).`);
    const run = await once(`reconcile:${id}`, () => runReconciliation(spec, { secrets, clock, onProgress }));
    if (runs) await runs.write(run);
    if (run.status === 'error') logger.warn({ reconciliation: id, error: run.error }, 'reconciliation failed');
    return run;
  }

  const evaluate = (): Promise<Evaluation> => {
    if (!samples || !runs) return Promise.resolve({ drift: [], synced: {} });
    evaluating ??= evaluateFindings(catalog, samples, runs, options.findings, clock.now()).finally(() => {
      evaluating = undefined;
    });
    return evaluating;
  };
  /** Scheduled runs coalesce their evaluations: at most one a second, whatever the number of probes. */
  const evaluateSoon = () => {
    evaluationTimer ??= setTimeout(() => {
      evaluationTimer = undefined;
      evaluate().catch((err) => logger.error({ err: secrets.redact(String((err as Error)?.message ?? err)) }, 'evaluation failed'));
    }, 1000);
  };
  /** Scheduled work: records its errors, never throws out of the loop. */
  const tick = async (id: string) => {
    try {
      if (id.startsWith('reconcile:')) await reconcile(id.slice('reconcile:'.length));
      else await once(id, () => probeRun(specOf(id)));
      evaluateSoon();
    } catch (err) {
      logger.error({ err: secrets.redact(String((err as Error)?.message ?? err)), id }, 'scheduled run could not be recorded');
    }
  };
  const start = () => {
    if (options.scheduled === false) return;
    const entries = [
      ...catalog.probes.map((p) => ({ id: p.id, every: p.every, cron: p.cron, jitter: p.jitter })),
      ...catalog.reconciliations.filter((r) => r.every || r.cron).map((r) => ({ id: `reconcile:${r.id}`, every: r.every, cron: r.cron })),
    ];
    handle = schedule(entries, tick, (id) => logger.warn({ id }, 'previous run still going: tick skipped'));
    logger.info({ probes: catalog.probes.length, reconciliations: catalog.reconciliations.length }, 'probes scheduled');
  };
  const closeAll = async () => {
    handle?.stop();
    clearTimeout(evaluationTimer);
    evaluationTimer = undefined;
    await Promise.allSettled([...inFlight.values(), evaluating]);
    const old = instances;
    instances = new Map();
    await Promise.all([...old.values()].map((p) => p.close().catch(() => undefined)));
  };
  start();

  return {
    get catalog() {
      return catalog;
    },
    samples,
    runs,
    async runProbe(id) {
      const spec = specOf(id);
      const result = await once(id, () => probeRun(spec));
      await evaluate();
      return result;
    },
    async runReconciliation(id, onProgress) {
      const run = await reconcile(id, onProgress);
      await evaluate();
      return run;
    },
    async runAll() {
      const results: ProbeSample[] = [];
      const errors: Array<{ probeId: string; error: string }> = [];
      for (const spec of catalog.probes) {
        const { sample } = await once(spec.id, () => probeRun(spec));
        results.push(sample);
        if (!sample.ok) errors.push({ probeId: spec.id, error: sample.error });
      }
      await evaluate();
      return { results, errors };
    },
    evaluate,
    drift: async () => (samples ? driftStates(catalog, samples, clock.now()) : []),
    async reloadCatalog(next) {
      await closeAll();
      catalog = next;
      lastShape.clear();
      start();
    },
    stop: closeAll,
  };
}
