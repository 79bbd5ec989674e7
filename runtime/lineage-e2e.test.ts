import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, parseArgs } from '../core/config/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { startWeft, type RunningWeft } from './start-weft.ts';
import { seedWeftStore } from '../test/migrated-store.ts';
import { startedForFile } from '../test/started-for-file.ts';

// No OpenLineage client installs here (no PyPI for openlineage-python, no JavaScript client in the
// npm registry list), so the producer is the spec's own example JSON, posted over a real socket.
// https://openlineage.io/docs/spec/object-model and https://openlineage.io/getting-started
const specStart = {
  eventType: 'START',
  eventTime: '2020-12-28T19:52:00.001+10:00',
  run: { runId: '0176a8c2-fe01-7439-87e6-56a1a1b4029f' },
  job: { namespace: 'my-namespace', name: 'myjob.mytask' },
  inputs: [{ namespace: 'my-namespace', name: 'my-input' }],
  producer: 'https://github.com/OpenLineage/OpenLineage/blob/v1-0-0/client',
  schemaURL: 'https://openlineage.io/spec/1-0-5/OpenLineage.json#/definitions/RunEvent',
};
const specComplete = {
  eventType: 'COMPLETE',
  eventTime: '2020-12-28T20:52:00.001+10:00',
  run: { runId: '0176a8c2-fe01-7439-87e6-56a1a1b4029f' },
  job: { namespace: 'my-namespace', name: 'myjob.mytask' },
  outputs: [
    {
      namespace: 'my-namespace',
      name: 'my-output',
      facets: {
        schema: {
          _producer: 'https://github.com/OpenLineage/OpenLineage/blob/v1-0-0/client',
          _schemaURL: 'https://github.com/OpenLineage/OpenLineage/blob/v1-0-0/spec/OpenLineage.json#/definitions/SchemaDatasetFacet',
          fields: [
            { name: 'a', type: 'VARCHAR' },
            { name: 'b', type: 'VARCHAR' },
          ],
        },
      },
    },
  ],
  producer: 'https://github.com/OpenLineage/OpenLineage/blob/v1-0-0/client',
  schemaURL: 'https://openlineage.io/spec/1-0-5/OpenLineage.json#/definitions/RunEvent',
};

/** The same events as an Airflow task reports them, with datasets named by the naming conventions. */
const base = Date.now();
const airflow = (eventType: string, minutesAgo: number, extra: Record<string, unknown>) => ({
  eventType,
  eventTime: new Date(base - minutesAgo * 60_000).toISOString(),
  run: {
    runId: '01934b7e-1111-7000-8000-0000000e0001',
    facets: {
      parent: {
        _producer: 'p',
        _schemaURL: 's',
        run: { runId: '01934b7e-0000-7000-8000-0000000e0000' },
        job: { namespace: 'airflow-prod', name: 'nightly_orders' },
      },
      nominalTime: { _producer: 'p', _schemaURL: 's', nominalStartTime: new Date(base - 60 * 60_000).toISOString() },
      airflow: { _producer: 'p', _schemaURL: 's', dag: { dag_id: 'nightly_orders' }, task: { task_id: 'load' } },
    },
  },
  job: {
    namespace: 'airflow-prod',
    name: 'nightly_orders.load',
    facets: { jobType: { _producer: 'p', _schemaURL: 's', processingType: 'BATCH', integration: 'AIRFLOW', jobType: 'TASK' } },
  },
  producer: 'https://github.com/apache/airflow/tree/providers-openlineage/2.20.3',
  schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
  ...extra,
});

const dir = mkdtempSync(join(tmpdir(), 'lineage-e2e-'));
let weft: RunningWeft;
const weftOfFile = startedForFile<RunningWeft>();

beforeAll(async () => {
  const catalog = join(dir, 'estate.yaml');
  writeFileSync(
    catalog,
    `systems:
  - { id: orders-db, kind: database, match: { databases: ["postgresql://orders-db.internal/orders"] } }
  - { id: lake, kind: storage, match: { urlPrefixes: ["s3://acme-lake/warehouse"] } }
flows:
  - { id: nightly-orders, source: orders-db, target: lake, schedule: { every: 1d }, runtime: { flow: airflow-prod/nightly_orders.load } }
`,
  );
  const args = parseArgs(['--data', join(dir, 'weft'), '--port', '0', '--otlp-port', '0', '--catalog', catalog]);
  const config = buildConfig(args, {}, dir);
  // A store already migrated: what this file looks at is the lineage, not a first start (test/migrated-store.ts).
  await seedWeftStore(config);
  weft = await weftOfFile.open(() => startWeft(config, silentLogger()));
});

afterAll(async () => {
  await weftOfFile.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('OpenLineage into a running Weft', () => {
  const post = (body: unknown) =>
    fetch(`${weft.api!.url}/api/v1/lineage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(
      async (r) => ({ status: r.status, body: await r.json() }),
    );

  it("takes the spec's example events, unknown facets and all", async () => {
    expect(await post(specStart)).toEqual({ status: 200, body: { accepted: 1, rejected: [], runsEnded: 0, schemasChanged: 0 } });
    expect(await post(specComplete)).toEqual({ status: 200, body: { accepted: 1, rejected: [], runsEnded: 1, schemasChanged: 1 } });
  });

  it("shows an Airflow task's run as the documented flow beside traced ones", async () => {
    const inputs = [
      {
        namespace: 'postgres://orders-db.internal:5432',
        name: 'orders.public.orders',
        inputFacets: { inputStatistics: { _producer: 'p', _schemaURL: 's', rowCount: 1200 } },
      },
    ];
    const outputs = [
      {
        namespace: 's3://acme-lake',
        name: 'warehouse/orders/dt=2026-11-29',
        outputFacets: { outputStatistics: { _producer: 'p', _schemaURL: 's', rowCount: 1200, size: 52_000 } },
      },
    ];
    expect((await post(airflow('START', 6, { inputs, outputs }))).status).toBe(200);
    expect((await post(airflow('COMPLETE', 2, { inputs, outputs }))).body).toEqual({ accepted: 1, rejected: [], runsEnded: 1, schemasChanged: 0 });

    await weft.analyzer!.runNow();
    const graph = (await fetch(`${weft.api!.url}/api/v1/graph?since=1h`).then((r) => r.json())) as { edges: Array<{ source: string; target: string }> };
    expect(graph.edges.find((e: { source: string; target: string }) => e.source === 'orders-db' && e.target === 'lake')).toMatchObject({
      flowId: 'nightly-orders',
      mark: 'documented',
      observed: true,
      integrations: ['airflow-prod/nightly_orders.load'],
      traces: 1,
      records: 1200,
      // START 6 minutes before COMPLETE's 2: the run's duration is the flow's latency.
      p95Ms: 240_000,
    });
    const flows = (await fetch(`${weft.api!.url}/api/v1/inventory/flows?since=1h`).then((r) => r.json())) as { flows: Array<{ id: string }> };
    expect(flows.flows.find((f: { id: string }) => f.id === 'nightly-orders')).toMatchObject({
      documented: true,
      stats: { traces: 1, records: 1200, failedTraces: 0 },
    });
  });

  // Regression: a run was one "trace" per input × output row, so a run reading two tables of one database and
  // writing two datasets of one lake counted as four runs of orders-db → lake.
  it('counts a run that reads and writes several datasets of the two systems once, with the rows written to each', async () => {
    const runId = '01934b7e-1111-7000-8000-0000000e0002';
    const table = (name: string, rowCount: number) => ({
      namespace: 'postgres://orders-db.internal:5432',
      name,
      inputFacets: { inputStatistics: { _producer: 'p', _schemaURL: 's', rowCount } },
    });
    const dataset = (name: string, rowCount: number) => ({
      namespace: 's3://acme-lake',
      name,
      outputFacets: { outputStatistics: { _producer: 'p', _schemaURL: 's', rowCount } },
    });
    const inputs = [table('orders.public.orders', 700), table('orders.public.order_lines', 2100)];
    const outputs = [dataset('warehouse/orders/dt=2026-11-30', 700), dataset('warehouse/lines/dt=2026-11-30', 2100)];
    const event = (type: string, minutesAgo: number) => {
      const e = airflow(type, minutesAgo, { inputs, outputs });
      return { ...e, run: { ...e.run, runId } };
    };
    expect((await post(event('START', 5))).status).toBe(200);
    expect((await post(event('COMPLETE', 3))).body).toMatchObject({ accepted: 1, runsEnded: 1 });
    await weft.analyzer!.runNow();
    const flows = (await fetch(`${weft.api!.url}/api/v1/inventory/flows?since=1h`).then((r) => r.json())) as { flows: Array<{ id: string }> };
    // This run and the one before: two runs, 1200 + 700 + 2100 rows written.
    expect(flows.flows.find((f: { id: string }) => f.id === 'nightly-orders')).toMatchObject({ stats: { traces: 2, records: 4000, failedTraces: 0 } });
    const summary = (await fetch(`${weft.api!.url}/api/v1/flows/nightly-orders/summary?since=1h`).then((r) => r.json())) as { flow: { stats: unknown } };
    expect(summary.flow.stats).toMatchObject({ traces: 2, records: 4000 });
    const series = (await fetch(`${weft.api!.url}/api/v1/flows/nightly-orders/series?since=1h&step=1h`).then((r) => r.json())) as {
      points: Array<{ traces: number; records: number }>;
    };
    expect(series.points.reduce((n, p) => n + p.traces, 0)).toBe(2);
    expect(series.points.reduce((n, p) => n + p.records, 0)).toBe(4000);
  });
});
