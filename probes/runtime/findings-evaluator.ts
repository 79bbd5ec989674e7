import type { Catalog } from '../../core/catalog/index.ts';
import type { FindingSink } from '../../core/contracts/index.ts';
import type { Logger } from '../../core/log/logger.ts';
import type { Clock } from '../../core/time/index.ts';
import { evaluateFindings, type DatasetResolver, type Evaluation } from '../evaluate.ts';
import type { ProbeRecords } from './probe-records.ts';

/** How long scheduled runs wait to coalesce their evaluations: at most one a second, whatever the number of probes. */
const COALESCE_MS = 1000;

export interface FindingsEvaluatorDeps {
  /** The catalog as it is now (it changes on reload). */
  catalog: () => Catalog;
  records: ProbeRecords;
  /** Where findings go; without it the evaluation only computes drift. */
  findings?: FindingSink;
  clock: Clock;
  logger: Logger;
  /** Scrubs secrets from an error message before it is logged. */
  redact: (text: string) => string;
  /** Resolves OpenLineage datasets to catalog systems (for reported schemas). */
  resolveDataset?: DatasetResolver;
}

/**
 * Turns what the probes recorded into findings (record-count drift, schema drift, failing probes,
 * key drift, each synced for its own kind). One evaluation at a time: a call while one runs gets it.
 * Without a store there is nothing to evaluate (an empty evaluation).
 */
export function findingsEvaluator(deps: FindingsEvaluatorDeps) {
  const { records, clock, logger } = deps;
  let evaluating: Promise<Evaluation> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const evaluate = (): Promise<Evaluation> => {
    if (!records.samples || !records.runs) return Promise.resolve({ drift: [], synced: {} });
    evaluating ??= evaluateFindings(deps.catalog(), records.samples, records.runs, deps.findings, clock.now(), deps.resolveDataset).finally(() => {
      evaluating = undefined;
    });
    return evaluating;
  };

  return {
    evaluate,
    /** After a scheduled run: evaluates within a second, once for all the runs of that second; never throws. */
    soon(): void {
      timer ??= setTimeout(() => {
        timer = undefined;
        evaluate().catch((err) => logger.error({ err: deps.redact(String((err as Error)?.message ?? err)) }, 'evaluation failed'));
      }, COALESCE_MS);
    },
    /** Cancels a pending evaluation and waits for a running one. */
    async stop(): Promise<void> {
      clearTimeout(timer);
      timer = undefined;
      await Promise.allSettled([evaluating]);
    },
  };
}

export type FindingsEvaluator = ReturnType<typeof findingsEvaluator>;
