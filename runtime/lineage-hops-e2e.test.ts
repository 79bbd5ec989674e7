import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, parseArgs } from '../core/config/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { browserAvailable, chromiumLaunch } from '../test/services.ts';
import { startWeft, type RunningWeft } from './start-weft.ts';
import { seedWeftStore } from '../test/migrated-store.ts';
import { runUuid } from '../test/run-id.ts';
import { startedForFile } from '../test/started-for-file.ts';

// Three jobs carry orders from the ERP's database to the mart, reporting through OpenLineage over a
// real socket (the JSON the spec's examples show: no OpenLineage client installs here). The second
// job writes fewer rows than it read.
const base = Date.now();
const at = (minutesAgo: number) => new Date(base - minutesAgo * 60_000).toISOString();
const producer = 'https://github.com/OpenLineage/OpenLineage/tree/1.24.2/client/python';
const schemaURL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
const erp = { namespace: 'postgres://erp-db.internal:5432', name: 'erp.public.orders' };
const lake = { namespace: 's3://acme-lake', name: 'raw/orders' };
const warehouse = { namespace: 'snowflake://acme-analytics', name: 'analytics.public.orders' };
const mart = { namespace: 's3://acme-mart', name: 'orders/dt=2026-11-29' };
const fields = (cols: Array<[string, string]>) => ({ schema: { _producer: producer, _schemaURL: 's', fields: cols.map(([name, type]) => ({ name, type })) } });

function run(job: string, runId: string, minutesAgo: number, input: object, read: number, output: object, written: number, schema?: object) {
  const common = {
    run: { runId: runUuid(runId), facets: { nominalTime: { _producer: producer, _schemaURL: 's', nominalStartTime: at(minutesAgo + 1) } } },
    job: { namespace: 'etl', name: job },
    producer,
    schemaURL,
  };
  return [
    { ...common, eventType: 'START', eventTime: at(minutesAgo + 0.5), inputs: [input], outputs: [output] },
    {
      ...common,
      eventType: 'COMPLETE',
      eventTime: at(minutesAgo),
      inputs: [{ ...input, inputFacets: { inputStatistics: { _producer: producer, _schemaURL: 's', rowCount: read } } }],
      outputs: [
        { ...output, ...(schema ? { facets: schema } : {}), outputFacets: { outputStatistics: { _producer: producer, _schemaURL: 's', rowCount: written } } },
      ],
    },
  ];
}

const dir = mkdtempSync(join(tmpdir(), 'lineage-hops-'));
let weft: RunningWeft;
const weftOfFile = startedForFile<RunningWeft>();

beforeAll(async () => {
  const catalog = join(dir, 'estate.yaml');
  writeFileSync(
    catalog,
    `systems:
  - { id: erp, kind: erp, match: { databases: ["postgresql://erp-db.internal/erp"] } }
  - { id: lake, kind: storage, match: { urlPrefixes: ["s3://acme-lake/raw"] } }
  - { id: warehouse, kind: warehouse, match: { databases: [{ system: snowflake, namespace: analytics }] } }
  - { id: mart, kind: storage, match: { hosts: [acme-mart] } }
domains:
  - { id: order, systemOfRecord: erp, replicas: [mart], drift: { toleranceAbsolute: 0, tolerancePercent: 0.5 } }
flows:
  - { id: orders-extract, source: erp, target: lake, domain: order, schedule: { every: 10m }, runtime: { flow: etl/orders_extract } }
  - { id: orders-load, source: lake, target: warehouse, domain: order, schedule: { every: 10m }, runtime: { flow: etl/orders_load } }
  - { id: orders-publish, source: warehouse, target: mart, domain: order, schedule: { every: 3m }, runtime: { flow: etl/orders_publish } }
  - { id: orders-archive, source: erp, target: mart, domain: order, schedule: { every: 10m }, runtime: { flow: etl/orders_archive } }
probes:
  - { id: erp-orders, kind: http, system: erp, domain: order, url: "http://127.0.0.1:9/orders/count", count: $.count, every: 24h }
`,
  );
  const args = parseArgs(['--data', join(dir, 'weft'), '--port', '0', '--otlp-port', '0', '--catalog', catalog, '--window', '1h']);
  const config = buildConfig(args, {}, dir);
  // A store already migrated: what this file looks at is the hops, not a first start (test/migrated-store.ts).
  await seedWeftStore(config);
  weft = await weftOfFile.open(() => startWeft(config, silentLogger()));
});

afterAll(async () => {
  await weftOfFile.stop();
  rmSync(dir, { recursive: true, force: true });
});

const post = (body: unknown) =>
  fetch(`${weft.api!.url}/api/v1/lineage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as { accepted: number; runsEnded: number; schemasChanged: number },
  }));
const get = <T>(path: string) => fetch(`${weft.api!.url}${path}`).then((r) => r.json() as Promise<T>);
interface Finding {
  kind: string;
  key: string;
  title: string;
  subject: { systems: string[]; flows: string[] };
  evidence: Record<string, any>;
}

describe('records per hop, through the receiver and the store', () => {
  it('names the second of three hops, where the rows were lost, with its runs', async () => {
    const cols: Array<[string, string]> = [
      ['id', 'BIGINT'],
      ['total', 'DECIMAL(12,2)'],
    ];
    const events = [
      ...run('orders_extract', 'run-x1', 20, erp, 500, lake, 500),
      ...run('orders_load', 'run-l1', 18, lake, 500, warehouse, 480, fields(cols)),
      ...run('orders_publish', 'run-p1', 16, warehouse, 480, mart, 480),
      ...run('orders_extract', 'run-x2', 10, erp, 300, lake, 300),
      ...run('orders_load', 'run-l2', 8, lake, 300, warehouse, 300, fields(cols)),
      ...run('orders_publish', 'run-p2', 6, warehouse, 300, mart, 300),
    ];
    // Each run's events one request at a time, as the clients send them; repeats change nothing.
    for (const e of [...events, events[3]]) expect((await post(e)).status).toBe(200);

    // The ERP's order count as its probe read it: shown beside the system on the chain.
    await weft.store.client.insert({
      table: 'probe_samples',
      format: 'JSONEachRow',
      values: [
        {
          ts: at(3).replace('T', ' ').replace('Z', ''),
          probe_id: 'erp-orders',
          kind: 'http',
          system: 'erp',
          domain: 'order',
          ok: 1,
          value: 812,
          metrics: {},
          latency_ms: 5,
          error_code: '',
          error: '',
        },
      ],
    });
    await weft.analyzer!.runNow();
    const { chains } = await get<{
      chains: Array<{ end: string; hops: Array<Record<string, any>>; counts: Array<Record<string, any>>; firstDivergence: Record<string, any> | null }>;
    }>('/api/v1/hops?domain=order');
    const chain = chains.find((c) => c.hops.length === 3)!;
    expect(chain.hops.map((h) => [h.source, h.target, h.via, h.read, h.written, h.difference, h.lost])).toEqual([
      ['erp', 'lake', 'openlineage', 800, 800, 0, false],
      ['lake', 'warehouse', 'openlineage', 800, 780, 20, true],
      ['warehouse', 'mart', 'openlineage', 780, 780, 0, false],
    ]);
    expect(chain.counts.map((c) => [c.system, c.records])).toEqual([
      ['erp', 812],
      ['lake', null],
      ['warehouse', null],
      ['mart', null],
    ]);
    expect(chain.firstDivergence).toMatchObject({ hop: 1, at: 'hop', source: 'lake', target: 'warehouse', integration: 'etl/orders_load', lost: 20 });

    const { findings } = await get<{ findings: Finding[] }>('/api/v1/findings?kind=hop-record-loss');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ subject: { systems: ['lake', 'warehouse'], flows: ['orders-load'] }, evidence: { lost: 20, read: 800, written: 780 } });
    expect(findings[0].title).toBe('20 order records lost at hop lake → warehouse (job etl/orders_load): read 800, wrote 780 over 2 runs');
    expect(findings[0].evidence.runs).toEqual([expect.objectContaining({ runId: runUuid('run-l1'), read: 500, written: 480 })]);
    // The flow's page asks by flow id; the other flows of the chain find it too.
    expect((await get<{ chains: unknown[] }>('/api/v1/hops?flow=orders-publish')).chains).toHaveLength(1);
  });

  it("counts the records per hop over an absolute range (the flow page's custom range) as over a look-back", async () => {
    type Chains = { since: string; until: string; chains: Array<{ hops: Array<Record<string, any>> }> };
    const extract = (r: Chains) => r.chains.flatMap((c) => c.hops).find((h) => h.flowId === 'orders-extract');
    // The second round of runs alone (10 minutes ago), then both rounds (20 and 10 minutes ago).
    const recent = await get<Chains>(`/api/v1/hops?flow=orders-extract&from=${at(12)}&to=${at(0)}`);
    // Stated over the whole minutes it touches, as the flow's summary and series state it.
    const minute = (t: string, round: (x: number) => number) => new Date(round(Date.parse(t) / 60_000) * 60_000).toISOString();
    expect([recent.since, recent.until]).toEqual([minute(at(12), Math.floor), minute(at(0), Math.ceil)]);
    expect(extract(recent)).toMatchObject({ read: 300, written: 300, lost: false });
    expect(extract(await get<Chains>(`/api/v1/hops?flow=orders-extract&from=${at(25)}`))).toMatchObject({ read: 800, written: 800 });
    expect(extract(await get<Chains>('/api/v1/hops?flow=orders-extract&since=25m'))).toMatchObject({ read: 800, written: 800 });
    expect((await get<Chains>(`/api/v1/hops?flow=orders-extract&from=${at(60)}&to=${at(30)}`)).chains.flatMap((c) => c.hops)).not.toContainEqual(
      expect.objectContaining({ flowId: 'orders-extract', read: 800 }),
    );
  });

  it.skipIf(!browserAvailable())("shows the chain on the lossy flow's page, in a real browser, naming the hop", { timeout: 60_000 }, async () => {
    const browser = await chromium.launch(chromiumLaunch);
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(`${weft.api!.url}/flows/orders-load`);
      const chain = page.getByTestId('hop-chain').first();
      await expect.poll(() => chain.innerText(), { timeout: 30_000, interval: 250 }).toMatch(/first diverges at hop 2 \(lake → warehouse\): 20 lost/);
      expect(await chain.innerText()).toMatch(/records lost/);
    } finally {
      await browser.close();
    }
  });

  it('does not call a hop lossy when one side of it was not counted', async () => {
    // orders_archive reports the rows it read but not those it wrote: nothing to compare.
    const [start, complete] = run('orders_archive', 'run-a1', 5, erp, 300, mart, 0);
    const unCounted = { ...complete, outputs: [mart] };
    await post(start);
    await post(unCounted);
    await weft.analyzer!.runNow();
    const { chains } = await get<{ chains: Array<{ hops: Array<Record<string, any>> }> }>('/api/v1/hops?flow=orders-archive');
    expect(chains[0].hops[0]).toMatchObject({
      integration: 'etl/orders_archive',
      read: null,
      written: null,
      judged: false,
      lost: false,
      units: 1,
      countedUnits: 0,
    });
    const { findings } = await get<{ findings: Finding[] }>('/api/v1/findings?kind=hop-record-loss');
    expect(findings.map((f) => f.subject.flows)).toEqual([['orders-load']]);
  });

  it("feeds a dataset's reported schema into schema drift, naming the run that changed it", async () => {
    const changed = run('orders_load', 'run-l3', 2, lake, 10, warehouse, 10, fields([['id', 'VARCHAR']]));
    expect((await post(changed[1])).body.schemasChanged).toBe(1);
    await weft.probes!.evaluate();
    const { findings } = await get<{ findings: Finding[] }>('/api/v1/findings?kind=schema-drift');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      key: 'lineage:snowflake://acme-analytics/analytics.public.orders',
      subject: { systems: ['warehouse'] },
      evidence: {
        source: 'openlineage',
        job: 'etl/orders_load',
        runId: runUuid('run-l3'),
        baselineRunId: runUuid('run-l1'),
        removed: ['analytics.public.orders.total: DECIMAL(12,2)'],
      },
    });
    expect(findings[0].evidence.changed).toEqual([{ path: 'analytics.public.orders.id', before: 'BIGINT', after: 'VARCHAR' }]);
  });

  it('calls a job stale when its runs were due and none completed: failed runs are errors, not runs', async () => {
    const failing = { namespace: 'etl', name: 'orders_publish' };
    // Later runs of orders_publish fail; the last completed one (nominal time 17 minutes ago, see above: 6 + 1) ages past 2 × 3m.
    for (const [id, ago] of [['run-p3', 4] as const, ['run-p4', 1] as const]) {
      await post({
        eventType: 'FAIL',
        eventTime: at(ago),
        run: { runId: runUuid(id) },
        job: failing,
        inputs: [warehouse],
        outputs: [mart],
        producer,
        schemaURL,
      });
    }
    await weft.analyzer!.runNow();
    const { findings } = await get<{ findings: Finding[] }>('/api/v1/findings?kind=stale-flow');
    const stale = findings.find((f) => f.key === 'orders-publish')!;
    expect(stale.evidence).toMatchObject({ via: 'openlineage', lastCompletedRun: runUuid('run-p2'), failedRuns: 2, lastFailedRun: runUuid('run-p4') });
    expect(Date.parse(stale.evidence.lastSeen)).toBe(Date.parse(at(7)));
    // The other jobs' last completed runs are recent: not stale.
    expect(findings.map((f) => f.key).sort()).toEqual(['orders-publish']);
  });
});
