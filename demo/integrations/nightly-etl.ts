/**
 * The estate's nightly ETL, which reports through OpenLineage instead of traces: a DAG
 * (`demo-etl/nightly_orders`) whose `extract` task copies the ERP's sales orders into the data lake
 * and whose `load` task loads the lake's partition into the analytics warehouse. Each task run sends
 * START when it begins and COMPLETE once its work is done (a second or a few at the `npm start` pace), with its inputs and outputs, their `schema` facets and row counts
 * (`inputStatistics` / `outputStatistics`), the DAG run as `parent` and the schedule's `nominalTime`.
 * "Nightly" is compressed to a run every minute at the `npm start` pace (the catalog says so).
 * With the `lossy-etl` fault, `load` silently writes about 3% fewer rows than it read.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DemoContext } from '../estate/demo-context.ts';
import type { LineageReporter } from '../telemetry/lineage-reporter.ts';

/** The DAG's period at the `npm start` pace (the catalog's schedule of both flows). */
export const NIGHTLY_ETL_EVERY_MS = 60_000;
export const ETL_NAMESPACE = 'demo-etl';

/**
 * How long a task of the DAG works on `rows` rows at the `npm start` pace, in ms: 1.2 s and 1 ms a
 * row, at most 6 s (a whole run stays well inside the DAG's period). Scaled by the demo's time scale.
 */
export function etlTaskMs(rows: number): number {
  return Math.min(6_000, 1_200 + Math.max(0, rows));
}
const producer = 'https://github.com/OpenLineage/OpenLineage/tree/1.24.2/client/python';
const schemaURL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
const facet = { _producer: producer, _schemaURL: 'https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet' };
const stats = (kind: 'Input' | 'Output') => ({
  _producer: producer,
  _schemaURL: `https://openlineage.io/spec/facets/1-0-2/${kind}StatisticsInputDatasetFacet.json`,
});

const orderColumns = [
  { name: 'id', type: 'VARCHAR(20)' },
  { name: 'customer_id', type: 'VARCHAR(20)' },
  { name: 'status', type: 'VARCHAR(16)' },
  { name: 'total', type: 'DECIMAL(12,2)' },
  { name: 'ordered_at', type: 'TIMESTAMP' },
];
const dataset = (namespace: string, name: string) => ({ namespace, name, facets: { schema: { ...facet, fields: orderColumns } } });

interface TaskRun {
  task: string;
  input: ReturnType<typeof dataset>;
  read: number;
  output: ReturnType<typeof dataset>;
  written: number;
}

/** Installs the DAG on the estate's scheduler (first run at once); its events go through `reporter`. */
export function installNightlyEtl(ctx: DemoContext, reporter: LineageReporter): void {
  const period = ctx.every(NIGHTLY_ETL_EVERY_MS);
  const orders = ctx.stores.erp.collection('sales-orders');
  /**
   * One task run: START when it begins, then its work (`workMs` at the `npm start` pace, scaled), then
   * COMPLETE with the row counts, so the two events' times bracket the run as a real task's do.
   */
  const runTask = async (dagRun: string, nominal: Date, t: TaskRun) => {
    const run = {
      runId: randomUUID(),
      facets: {
        parent: { _producer: producer, _schemaURL: 's', run: { runId: dagRun }, job: { namespace: ETL_NAMESPACE, name: 'nightly_orders' } },
        nominalTime: {
          _producer: producer,
          _schemaURL: 's',
          nominalStartTime: new Date(nominal.getTime() - period).toISOString(),
          nominalEndTime: nominal.toISOString(),
        },
      },
    };
    const job = {
      namespace: ETL_NAMESPACE,
      name: `nightly_orders.${t.task}`,
      facets: { jobType: { _producer: producer, _schemaURL: 's', processingType: 'BATCH', integration: 'AIRFLOW', jobType: 'TASK' } },
    };
    reporter.emit({ eventType: 'START', eventTime: new Date().toISOString(), run, job, inputs: [t.input], outputs: [t.output], producer, schemaURL });
    await sleep(ctx.every(etlTaskMs(t.read)));
    reporter.emit({
      eventType: 'COMPLETE',
      eventTime: new Date().toISOString(),
      run,
      job,
      inputs: [{ ...t.input, inputFacets: { inputStatistics: { ...stats('Input'), rowCount: t.read } } }],
      outputs: [{ ...t.output, outputFacets: { outputStatistics: { ...stats('Output'), rowCount: t.written } } }],
      producer,
      schemaURL,
    });
  };
  ctx.scheduler.add(
    {
      name: 'nightly-orders-etl',
      everyMs: period,
      run: async () => {
        const nominal = new Date();
        const dagRun = randomUUID();
        const day = nominal.toISOString().slice(0, 10);
        const lake = dataset('s3://demo-lake', `raw/sales_orders/dt=${day}`);
        // A full extract of the ERP's sales orders into the night's lake partition.
        const rows = orders.count();
        await runTask(dagRun, nominal, {
          task: 'extract',
          input: dataset('postgres://erp-db.demo.local:5432', 'erp.public.sales_orders'),
          read: rows,
          output: lake,
          written: rows,
        });
        const dropped = ctx.faults.isOn('lossy-etl') && rows > 0 ? Math.max(1, Math.round(rows * 0.03)) : 0;
        await runTask(dagRun, nominal, {
          task: 'load',
          input: lake,
          read: rows,
          output: dataset('postgres://warehouse.demo.local:5432', 'analytics.public.sales_orders'),
          written: rows - dropped,
        });
      },
    },
    { runNow: true },
  );
}
