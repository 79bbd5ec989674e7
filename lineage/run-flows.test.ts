import { describe, expect, it } from 'vitest';
import { MAX_FLOWS_PER_RUN, runFlows, toEventRow, type EventRow } from './run-flows.ts';
import type { RunEvent } from './schema.ts';

const ev = (type: string, minute: number, over: Partial<RunEvent> = {}): EventRow =>
  toEventRow(
    {
      eventType: type as RunEvent['eventType'],
      eventTime: `2026-11-29T02:${String(minute).padStart(2, '0')}:00Z`,
      run: { runId: 'r1' },
      job: { namespace: 'airflow', name: 'dag.task' },
      ...over,
    },
    0,
  );
const pg = { namespace: 'postgres://db:5432', name: 'orders.public.orders' };
const s3 = (p: string, rows?: number) => ({
  namespace: 's3://lake',
  name: p,
  ...(rows === undefined ? {} : { outputFacets: { outputStatistics: { rowCount: rows } } }),
});

describe('runFlows', () => {
  it('crosses inputs and outputs and attributes them to the job and its parent', () => {
    const parent = { parent: { run: { runId: 'p1' }, job: { namespace: 'airflow', name: 'dag' } } };
    const start = ev('START', 0, { run: { runId: 'r1', facets: parent }, inputs: [pg, { namespace: 'kafka://k:9092', name: 'orders' }] });
    const done = ev('COMPLETE', 5, { outputs: [s3('a', 10)] });
    const flows = runFlows([start, done], done);
    expect(flows.map((f) => [f.srcDataset, f.tgtDataset, f.job, f.parentJob, f.hasStart, f.ended - f.started, f.rowsWritten])).toEqual([
      ['postgres://db:5432/orders.public.orders', 's3://lake/a', 'airflow/dag.task', 'airflow/dag', true, 300_000, 10],
      ['kafka://k:9092/orders', 's3://lake/a', 'airflow/dag.task', 'airflow/dag', true, 300_000, 10],
    ]);
  });

  it('adds up the rows of partitions of one output', () => {
    const done = ev('COMPLETE', 5, { inputs: [pg], outputs: [s3('t/dt=1', 4), s3('t/dt=2', 6)] });
    expect(runFlows([done], done).map((f) => [f.tgtDataset, f.rowsWritten])).toEqual([['s3://lake/t', 10]]);
  });

  it('has no duration without a START before the end, and no flow without datasets', () => {
    const done = ev('FAIL', 5, { inputs: [pg] });
    const late = ev('START', 9, { inputs: [pg] });
    expect(runFlows([late, done], done)).toMatchObject([{ hasStart: false, status: 'FAIL', tgtDataset: '', tgt: { kind: '' } }]);
    const bare = ev('COMPLETE', 5);
    expect(runFlows([bare], bare)).toEqual([]);
  });

  // Regression: a START at the end's own instant made a 0 ms duration, taken for a measured latency.
  it('has no duration when START and the end share an instant', () => {
    const start = ev('START', 5, { inputs: [pg] });
    const done = ev('COMPLETE', 5, { outputs: [s3('a', 10)] });
    expect(runFlows([start, done], done)).toMatchObject([{ hasStart: false, status: 'COMPLETE', rowsWritten: 10 }]);
  });

  it('bounds the cross product of a run with very many datasets', () => {
    const many = (n: number, p: string) => Array.from({ length: n }, (_, i) => s3(`${p}${i}`));
    const done = ev('COMPLETE', 5, { inputs: many(1000, 'in'), outputs: many(1000, 'out') });
    expect(runFlows([done], done)).toHaveLength(MAX_FLOWS_PER_RUN);
  });
});
