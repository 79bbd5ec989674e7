import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnalyzer, type Analyzer } from '../../analyzer/index.ts';
import { resolveEndpoint } from '../../analyzer/flows/endpoint-match.ts';
import { Credentials } from '../../access/index.ts';
import type { Store } from '../../clickhouse/index.ts';
import { openMigratedStore } from '../../test/migrated-store.ts';
import { loadCatalog } from '../../core/catalog/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { datasetEndpoint } from '../../lineage/index.ts';
import type { ApiApp } from '../app.ts';
import { buildApiApp } from '../index.ts';
import { runUuid } from '../../test/run-id.ts';

const catalogYaml = `
systems:
  - { id: orders-db, kind: database, match: { databases: ["postgresql://orders-db.internal/orders"] } }
  - { id: crm-db, kind: database, match: { databases: [{ system: mysql, host: crm-db.internal, namespace: crm }] } }
  - { id: events, kind: topic, match: { destinations: [{ name: "orders.*", system: kafka }] } }
  - { id: lake, kind: storage, match: { urlPrefixes: ["s3://acme-lake/warehouse/orders"] } }
  - { id: archive, kind: storage, match: { hosts: [acme-archive] } }
domains:
  - { id: order, systemOfRecord: orders-db }
flows:
  - { id: crm-export, source: crm-db, target: archive, schedule: { every: 5m }, runtime: { flow: airflow/crm.export } }
`;

const now = Date.now();
const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
const event = (over: Record<string, unknown>) => ({
  eventType: 'COMPLETE',
  eventTime: at(5),
  run: { runId: runUuid('lineage-run-1') },
  job: { namespace: 'airflow', name: 'nightly.load' },
  producer: 'https://github.com/OpenLineage/OpenLineage/tree/1.24.2/client/python',
  schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
  ...over,
});

describe('dataset → catalog system', () => {
  const catalog = (() => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-cat-'));
    writeFileSync(join(dir, 'c.yaml'), catalogYaml);
    const c = loadCatalog([join(dir, 'c.yaml')]);
    rmSync(dir, { recursive: true, force: true });
    return c;
  })();
  const system = (ns: string, name: string) => resolveEndpoint(catalog, datasetEndpoint(ns, name));

  it('resolves OpenLineage names through databases, destinations, urlPrefixes and hosts rules', () => {
    expect(system('postgres://orders-db.internal:5432', 'orders.public.order_lines')).toBe('orders-db');
    expect(system('mysql://CRM-DB.internal:3306', 'crm.customers')).toBe('crm-db');
    expect(system('kafka://broker-1:9092', 'orders.created')).toBe('events');
    expect(system('s3://acme-lake', 'warehouse/orders/dt=2026-11-29/part-0000.parquet')).toBe('lake');
    expect(system('s3://acme-archive', 'anything/at/all')).toBe('archive');
  });

  it('leaves what no rule matches unknown, by host', () => {
    expect(system('postgres://other-db:5432', 'orders.public.t')).toBe('unknown:postgresql://other-db/orders');
    expect(system('s3://somewhere-else', 'x/y')).toBe('unknown:somewhere-else');
  });
});

describe('POST /api/v1/lineage', () => {
  let dir: string;
  let store: Store;
  let analyzer: Analyzer;
  let app: ApiApp;
  const post = async (payload: unknown, headers: Record<string, string> = {}) => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/lineage',
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      headers: { 'content-type': 'application/json', ...headers },
    });
    return { status: r.statusCode, body: r.json() };
  };
  const rows = <T>(query: string) => store.client.query({ query, format: 'JSONEachRow' }).then((r) => r.json<T>());

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lineage-route-'));
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 30, rollupDays: 400, recordDays: 730 });
    writeFileSync(join(dir, 'estate.yaml'), catalogYaml);
    const load = () => loadCatalog([join(dir, 'estate.yaml')]);
    analyzer = startAnalyzer({
      store,
      catalog: load(),
      loadCatalog: () => ({ catalog: load(), warnings: [] }),
      logger: silentLogger(),
      config: { intervalMs: 3_600_000, windowMs: 86_400_000, lateMs: 0 },
      schedule: false,
    });
    app = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, logger: silentLogger(), services: { store, analyzer } });
  });
  afterAll(async () => {
    await app?.close();
    await analyzer?.stop();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('bad input', () => {
    /** A request text whose run facet nests `levels` deep (built as text: stringifying it would overflow the stack). */
    const deep = (levels: number) =>
      JSON.stringify(event({ run: { runId: runUuid('r-deep'), facets: { deep: 'DEEP' } } })).replace(
        '"DEEP"',
        `${'{"x":'.repeat(levels)}{}${'}'.repeat(levels)}`,
      );
    const cases: Array<[string, unknown, number, RegExp]> = [
      ['not JSON', '{"eventType": ', 400, /JSON/],
      ['an empty array', [], 400, /empty array/],
      ['a number', 7, 400, /JSON object/],
      ['no run.runId', event({ run: {} }), 400, /field "run\.runId".*missing/],
      // The spec's runId is a UUID: a job name or a counter as the run id would pair unrelated runs.
      ['a runId that is not a UUID', event({ run: { runId: 'nightly-42' } }), 400, /field "run\.runId": .*UUID/],
      ['a runId with a stray character', event({ run: { runId: `${runUuid('x')}0` } }), 400, /field "run\.runId"/],
      [
        'a parent runId that is not a UUID',
        event({ run: { runId: runUuid('child'), facets: { parent: { run: { runId: 'dag-run-1' }, job: { namespace: 'airflow', name: 'dag' } } } } }),
        400,
        /field "run\.facets\.parent\.run\.runId"/,
      ],
      // regression: the nil UUID was accepted as a run id (RFC 9562's Nil and Max UUIDs are sentinels that identify nothing)
      ...(
        [
          ['the nil UUID', '00000000-0000-0000-0000-000000000000', 'nil'],
          ['the max UUID', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'max'],
          ['the max UUID in upper case', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', 'max'],
        ] as const
      ).flatMap(([what, id, kind]): Array<[string, unknown, number, RegExp]> => [
        [
          `a runId that is ${what}`,
          event({ run: { runId: id } }),
          400,
          new RegExp(`field "run\\.runId": ${id} is the ${kind} UUID, which identifies no run; the producer must send a real run id`),
        ],
        [
          `a parent runId that is ${what}`,
          event({ run: { runId: runUuid('child'), facets: { parent: { run: { runId: id }, job: { namespace: 'airflow', name: 'dag' } } } } }),
          400,
          new RegExp(`field "run\\.facets\\.parent\\.run\\.runId": ${id} is the ${kind} UUID, which identifies no run; the producer must send a real run id`),
        ],
      ]),
      ['an empty job.name', event({ job: { namespace: 'airflow', name: '' } }), 400, /field "job\.name"/],
      ['an eventTime without zone', event({ eventTime: '2026-11-29 02:00:00' }), 400, /field "eventTime"/],
      ['an impossible eventTime', event({ eventTime: '2026-13-45T99:00:00Z' }), 400, /field "eventTime"/],
      // regression: Date.parse read a day the calendar lacks as the next month's, so the run was stored on 2 March
      ['an eventTime on 30 February', event({ eventTime: '2026-02-30T02:00:00Z' }), 400, /field "eventTime": "2026-02-30T02:00:00Z" is not a real date-time/],
      ['an eventTime on 29 February 2025', event({ eventTime: '2025-02-29T02:00:00Z' }), 400, /field "eventTime": .* is not a real date-time/],
      // regression: Date.parse read 24:00 as the next day's midnight; a leap second or a 60th minute no Date holds
      ...['2026-11-29T24:00:00Z', '2026-11-29T24:00Z', '2026-11-29T10:60:00Z', '2016-12-31T23:59:60Z', '2026-11-29T10:00:00+24:00'].map(
        (t): [string, unknown, number, RegExp] => [
          `an eventTime of ${t}`,
          event({ eventTime: t }),
          400,
          new RegExp(`field "eventTime": "${t.replace(/\+/g, '\\+')}" is not a real date-time`),
        ],
      ),
      [
        'a nominal end on 31 April',
        event({ run: { runId: runUuid('r-april'), facets: { nominalTime: { nominalStartTime: at(0), nominalEndTime: '2026-04-31T00:00:00Z' } } } }),
        400,
        /field "run\.facets\.nominalTime\.nominalEndTime": .* is not a real date-time/,
      ],
      ['an unknown eventType', event({ eventType: 'DONE' }), 400, /field "eventType": must be one of START, RUNNING, COMPLETE/],
      ['a dataset without namespace', event({ inputs: [{ name: 'x' }] }), 400, /field "inputs\.0\.namespace"/],
      [
        'a negative rowCount',
        event({ outputs: [{ namespace: 's3://b', name: 'x', outputFacets: { outputStatistics: { rowCount: -3 } } }] }),
        400,
        /outputs\.0\.outputFacets\.outputStatistics\.rowCount/,
      ],
      // regression: each of these was 200 (a 9999 run hid a stopped flow for good) or 500
      ['an eventTime in 9999', event({ eventTime: '9999-12-31T23:59:59.000Z' }), 400, /field "eventTime": .* more than a day ahead/],
      ['an eventTime in 1970', event({ eventTime: '1970-01-01T00:00:00.000Z' }), 400, /field "eventTime": .* before 2000-01-01/],
      [
        'a nominal start in 9999',
        event({ run: { runId: runUuid('r-nominal'), facets: { nominalTime: { nominalStartTime: '9999-01-01T00:00:00Z' } } } }),
        400,
        /nominalStartTime.*more than a day ahead/,
      ],
      ...[1e21, 1e300, 2 ** 64].map((n): [string, unknown, number, RegExp] => [
        `a rowCount of ${n}`,
        event({ inputs: [{ namespace: 's3://b', name: 'x', inputFacets: { inputStatistics: { rowCount: n } } }] }),
        400,
        /inputs\.0\.inputFacets\.inputStatistics\.rowCount/,
      ]),
      ['a facet nested 5,000 deep', deep(5000), 400, /deeper than 64 levels/],
      ['over 1,000 inputs', event({ inputs: Array.from({ length: 1001 }, (_, i) => ({ namespace: 's3://b', name: `t${i}` })) }), 400, /field "inputs"/],
      ['a DatasetEvent', { eventTime: at(1), dataset: { namespace: 's3://b', name: 'x' }, producer: 'p', schemaURL: 's' }, 400, /RunEvents/],
    ];
    for (const [what, payload, status, message] of cases) {
      it(`answers ${status} for ${what}, saying what to change`, async () => {
        const r = await post(payload);
        expect(r.status).toBe(status);
        expect(r.body.message).toMatch(message);
      });
    }

    it('answers 415 for a body that is not JSON by content type', async () => {
      const r = await app.inject({ method: 'POST', url: '/api/v1/lineage', payload: 'x', headers: { 'content-type': 'text/plain' } });
      expect(r.statusCode).toBe(415);
      expect(r.json()).toMatchObject({ code: 'WEFT_ERR_MEDIA_TYPE', message: expect.stringMatching(/Content-Type: application\/json/) });
    });

    it('answers 413 with the limit for a body over it', async () => {
      const big = event({ run: { runId: runUuid('big'), facets: { blob: { data: 'x'.repeat(9 * 1024 * 1024) } } } });
      const r = await post(big);
      expect(r.status).toBe(413);
      expect(r.body).toMatchObject({ code: 'WEFT_ERR_LINEAGE_TOO_LARGE', message: expect.stringMatching(/larger than 8388608 bytes/) });
    });

    it('reads gzip bodies and refuses broken gzip and other encodings', async () => {
      const zipped = gzipSync(JSON.stringify(event({ eventType: 'START', run: { runId: runUuid('lineage-gzip') } })));
      const send = (payload: Buffer, encoding: string) =>
        app.inject({ method: 'POST', url: '/api/v1/lineage', payload, headers: { 'content-type': 'application/json', 'content-encoding': encoding } });
      expect((await send(zipped, 'gzip')).json()).toEqual({ accepted: 1, rejected: [], runsEnded: 0, schemasChanged: 0 });
      const broken = await send(Buffer.from('not gzip at all'), 'gzip');
      expect(broken.statusCode).toBe(400);
      expect(broken.json().message).toMatch(/not valid gzip/);
      expect((await send(zipped, 'br')).json()).toMatchObject({ statusCode: 415, code: 'WEFT_ERR_LINEAGE_ENCODING' });
      const bomb = await send(gzipSync(Buffer.alloc(9 * 1024 * 1024, 32)), 'gzip');
      expect(bomb.json()).toMatchObject({ statusCode: 413, code: 'WEFT_ERR_LINEAGE_TOO_LARGE' });
    });

    // Regression: 8 KiB of gzip holding one event and 2.7 million `{}` (8 MiB inflated) took 33 s, took the process from
    // 455 MiB to 2.8 GiB, and was answered with 250 MB naming each rejected `{}`. Siblings: an array of empty arrays, and
    // a batch of valid events past the count.
    it('refuses a body of millions of objects before parsing it, and a batch of more than 1,000 events', async () => {
      const send = (text: string) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/lineage',
          payload: gzipSync(text),
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        });
      const one = JSON.stringify(event({ eventType: 'START', run: { runId: runUuid('lineage-flood') } }));
      for (const text of [`[${one},${'{},'.repeat(2_700_000)}{}]`, `[${'[],'.repeat(2_700_000)}[]]`]) {
        const r = await send(text);
        expect(r.statusCode).toBe(413);
        expect(r.json()).toMatchObject({
          code: 'WEFT_ERR_TOO_LARGE',
          message: 'The JSON body holds more than 524288 objects and arrays (its size limit / 16): send less in one request.',
        });
      }
      const many = await send(`[${Array.from({ length: 1001 }, () => one).join(',')}]`);
      expect(many.statusCode).toBe(413);
      expect(many.json()).toMatchObject({
        code: 'WEFT_ERR_LINEAGE_TOO_MANY_EVENTS',
        message: expect.stringMatching(/^The lineage request holds 1001 events, more than 1000; send at most 1000/),
      });
      expect(await rows(`SELECT run_id FROM weft_lineage_events FINAL WHERE run_id = '${runUuid('lineage-flood')}'`)).toEqual([]);
      // A batch of 1,000 is taken.
      expect((await send(`[${Array.from({ length: 1000 }, () => one).join(',')}]`)).json()).toMatchObject({ accepted: 1000, rejected: [] });
    });

    it('keeps the good events of a batch and names the bad ones by index', async () => {
      const good = event({ runId: undefined, run: { runId: runUuid('lineage-batch-good') }, eventType: 'START' });
      const r = await post([good, event({ run: { runId: runUuid('lineage-batch-bad') }, eventTime: 'yesterday' }), good]);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ accepted: 2, rejected: [{ index: 1, message: expect.stringMatching(/eventTime/) }] });
      expect(
        await rows(`SELECT run_id FROM weft_lineage_events FINAL WHERE run_id IN ('${runUuid('lineage-batch-good')}', '${runUuid('lineage-batch-bad')}')`),
      ).toEqual([{ run_id: runUuid('lineage-batch-good') }]);
    });
  });

  // One reader for an event's times, as for every other time a client sends (RFC 3339): a time without seconds
  // (Java's LocalTime.toString when they are zero), a lowercase t and z, a compact offset; stored as that instant.
  it('reads an eventTime as RFC 3339, also without seconds, and stores that instant', async () => {
    const minute = new Date(Math.floor(now / 60_000) * 60_000 - 10 * 60_000);
    const iso = minute.toISOString();
    const plusOne = new Date(minute.getTime() + 3_600_000).toISOString();
    const forms: Array<[string, string]> = [
      ['no-seconds', `${iso.slice(0, 16)}Z`],
      ['lowercase', `${iso.slice(0, 10)}t${iso.slice(11, 19)}z`],
      ['compact-offset', `${plusOne.slice(0, 19)}+0100`],
      ['no-seconds-offset', `${plusOne.slice(0, 16)}+01:00`],
    ];
    for (const [name, eventTime] of forms) {
      const r = await post(event({ eventType: 'START', eventTime, run: { runId: runUuid(`lineage-time-${name}`) } }));
      expect(r, eventTime).toMatchObject({ status: 200, body: { accepted: 1, rejected: [] } });
    }
    const ids = forms.map(([name]) => `'${runUuid(`lineage-time-${name}`)}'`).join(', ');
    const stored = await rows<{ t: string }>(`SELECT DISTINCT toString(event_time) AS t FROM weft_lineage_events WHERE run_id IN (${ids})`);
    expect(stored.map((r) => r.t)).toEqual([iso.slice(0, 19).replace('T', ' ') + '.000']);
  });

  it('accepts facets it does not read and keeps them in the raw event', async () => {
    const r = await post(
      event({
        eventType: 'START',
        run: {
          runId: runUuid('lineage-facets'),
          facets: { spark_version: { _producer: 'p', _schemaURL: 's', 'spark-version': '3.5.1' }, processing_engine: { name: 'spark' } },
        },
        job: { namespace: 'spark', name: 'etl', facets: { sourceCode: { language: 'python', sourceCode: 'print(1)' }, jobType: { processingType: 'BATCH' } } },
        inputs: [
          {
            namespace: 's3://acme-lake',
            name: 'warehouse/orders',
            facets: { columnLineage: { fields: {} }, somethingNew: [1, 2] },
            inputFacets: { dataQualityMetrics: { rowCount: 9 } },
          },
        ],
      }),
    );
    expect(r).toMatchObject({ status: 200, body: { accepted: 1, rejected: [], runsEnded: 0 } });
    const [stored] = await rows<{ raw: string }>(`SELECT raw FROM weft_lineage_events WHERE run_id = '${runUuid('lineage-facets')}'`);
    expect(JSON.parse(stored.raw).inputs[0].facets.somethingNew).toEqual([1, 2]);
  });

  it("counts a repeated event once and writes a run's flows once", async () => {
    const complete = event({
      run: { runId: runUuid('lineage-repeat') },
      job: { namespace: 'airflow', name: 'repeat.load' },
      inputs: [{ namespace: 'postgres://orders-db.internal:5432', name: 'orders.public.orders', inputFacets: { inputStatistics: { rowCount: 100 } } }],
      outputs: [{ namespace: 's3://acme-lake', name: 'warehouse/orders/dt=2026-11-29', outputFacets: { outputStatistics: { rowCount: 98 } } }],
    });
    expect((await post(complete)).body.runsEnded).toBe(1);
    expect((await post(complete)).body.runsEnded).toBe(0);
    expect((await post([complete, complete])).body).toMatchObject({ accepted: 2, runsEnded: 0 });
    // regression: the same run id in upper case was a second run (UUIDs compare without regard to case)
    const upper = { ...complete, run: { runId: runUuid('lineage-repeat').toUpperCase() } };
    expect((await post(upper)).body).toMatchObject({ accepted: 1, runsEnded: 0 });
    expect(await rows(`SELECT toInt32(count()) AS n FROM weft_lineage_events FINAL WHERE run_id = '${runUuid('lineage-repeat')}'`)).toEqual([{ n: 1 }]);
    const edges = await rows(
      "SELECT toInt32(sum(traces)) AS traces, toInt32(sum(records)) AS records FROM weft_flow_edges_1m WHERE integration = 'airflow/repeat.load'",
    );
    expect(edges).toEqual([{ traces: 1, records: 98 }]);
    expect(
      await rows(
        `SELECT src_dataset, tgt_dataset, toInt32(rows_read) AS rows_read, toInt32(rows_written) AS rows_written FROM weft_lineage_flows WHERE run_id = '${runUuid('lineage-repeat')}'`,
      ),
    ).toEqual([
      {
        src_dataset: 'postgres://orders-db.internal:5432/orders.public.orders',
        tgt_dataset: 's3://acme-lake/warehouse/orders',
        rows_read: 100,
        rows_written: 98,
      },
    ]);
  });

  it('takes events out of order: a COMPLETE before its START, a START that never came, a FAIL as an error', async () => {
    const job = { namespace: 'airflow', name: 'order.task' };
    const inputs = [{ namespace: 'mysql://crm-db.internal:3306', name: 'crm.customers' }];
    const outputs = [{ namespace: 'kafka://broker-1:9092', name: 'orders.customers' }];
    // Run A: COMPLETE arrives first, START (with the datasets) after it.
    expect((await post(event({ run: { runId: runUuid('lineage-ooo-a') }, job, eventTime: at(10), inputs, outputs }))).body.runsEnded).toBe(1);
    expect((await post(event({ eventType: 'START', run: { runId: runUuid('lineage-ooo-a') }, job, eventTime: at(12), inputs, outputs }))).body.runsEnded).toBe(
      0,
    );
    // Run B: START names the datasets, COMPLETE names none (as Airflow often does); its flows come from the START.
    await post(event({ eventType: 'START', run: { runId: runUuid('lineage-ooo-b') }, job, eventTime: at(9), inputs, outputs }));
    await post(event({ run: { runId: runUuid('lineage-ooo-b') }, job, eventTime: at(8) }));
    // Run C: only a FAIL ever came.
    await post(event({ eventType: 'FAIL', run: { runId: runUuid('lineage-ooo-c') }, job, eventTime: at(7), inputs, outputs }));
    const flows = await rows<{ run_id: string; has_start: number; status: string }>(
      "SELECT run_id, has_start, status FROM weft_lineage_flows WHERE job = 'airflow/order.task' ORDER BY run_id",
    );
    expect(flows).toEqual(
      [
        { run_id: runUuid('lineage-ooo-a'), has_start: 0, status: 'COMPLETE' },
        { run_id: runUuid('lineage-ooo-b'), has_start: 1, status: 'COMPLETE' },
        { run_id: runUuid('lineage-ooo-c'), has_start: 0, status: 'FAIL' },
      ].sort((x, y) => (x.run_id < y.run_id ? -1 : 1)),
    );
    expect(
      await rows("SELECT toInt32(sum(traces)) AS t, toInt32(sum(failed_traces)) AS f FROM weft_flow_edges_1m WHERE integration = 'airflow/order.task'"),
    ).toEqual([{ t: 3, f: 1 }]);
  });

  it("shows the job's flows in the graph, inventory and findings (undocumented, stale, SoR violation) like traced ones", async () => {
    // A documented job that last ran 30 minutes ago on a 5-minute schedule, and a job writing into the system of record.
    const crm = [{ namespace: 'mysql://crm-db.internal:3306', name: 'crm.customers' }];
    await post(
      event({
        run: { runId: runUuid('lineage-stale') },
        job: { namespace: 'airflow', name: 'crm.export' },
        eventTime: at(30),
        inputs: crm,
        outputs: [{ namespace: 's3://acme-archive', name: 'crm/x' }],
      }),
    );
    await post(
      event({
        run: { runId: runUuid('lineage-sor') },
        job: { namespace: 'airflow', name: 'crm.backfill', facets: { tags: { tags: [{ key: 'domain', value: 'order', source: 'USER' }] } } },
        inputs: crm,
        outputs: [{ namespace: 'postgres://orders-db.internal:5432', name: 'orders.public.customers' }],
      }),
    );
    await analyzer.runNow();
    const findings = (await app.inject({ method: 'GET', url: '/api/v1/findings' })).json().findings as Array<{ kind: string; key: string; title: string }>;
    const kinds = findings.map((f) => `${f.kind} ${f.title}`).join('\n');
    expect(kinds).toMatch(/undocumented-flow .*orders-db.*lake/);
    expect(kinds).toMatch(/stale-flow Flow crm-export has not run/);
    expect(kinds).toMatch(/sor-violation .*orders-db/);
    // regression: a dataset no catalog rule matches is an unknown system, as an unknown host of a span is
    await post(
      event({
        run: { runId: runUuid('lineage-unknown') },
        job: { namespace: 'airflow', name: 'shadow.copy' },
        inputs: crm,
        outputs: [{ namespace: 's3://someones-bucket', name: 'dump/customers' }],
      }),
    );
    await analyzer.runNow();
    const unknown = (await app.inject({ method: 'GET', url: '/api/v1/findings?kind=unknown-system' })).json().findings as Array<{ title: string }>;
    expect(unknown.map((f) => f.title).join('\n')).toMatch(/Unknown system .*someones-bucket.* is used by airflow\/shadow\.copy/);
    const graph = (await app.inject({ method: 'GET', url: '/api/v1/graph?since=1h' })).json();
    const edge = (s: string, t: string) => graph.edges.find((e: { source: string; target: string }) => e.source === s && e.target === t);
    expect(edge('orders-db', 'lake')).toMatchObject({ integrations: ['airflow/repeat.load'], mark: 'undocumented', observed: true, traces: 1, records: 98 });
    expect(edge('crm-db', 'events')).toMatchObject({ integrations: ['airflow/order.task'], traces: 3 });
    const flows = (await app.inject({ method: 'GET', url: '/api/v1/inventory/flows?since=1h' })).json().flows;
    expect(flows.find((f: { id: string }) => f.id === 'observed:crm-db->events@airflow/order.task')).toMatchObject({
      documented: false,
      stats: { traces: 3, failedTraces: 1 },
    });
    // One flow's summary: a job whose runs carry no duration (no START reached Weft) has no latency, not 0 ms.
    const summary = async (id: string) => (await app.inject({ method: 'GET', url: `/api/v1/flows/${encodeURIComponent(id)}/summary?since=1h` })).json().flow;
    expect(await summary('crm-export')).toMatchObject({
      documented: true,
      integrations: ['airflow/crm.export'],
      stats: { traces: 1, p50Ms: null, p95Ms: null, p99Ms: null },
    });
    expect(await summary('observed:orders-db->lake@airflow/repeat.load')).toMatchObject({
      documented: false,
      stats: { traces: 1, records: 98, p50Ms: null, p95Ms: null, p99Ms: null },
    });
  });

  // Regression: a run whose START and COMPLETE carry the same eventTime (a producer stamping both when it
  // reports, as the demo's ETL did) counted as a measured 0 ms run in the flow's p50/p95.
  it('takes no latency from a run whose START and end share an instant, nor from one without START: only measured runs make p50/p95', async () => {
    const job = { namespace: 'airflow', name: 'instant.copy' };
    const inputs = [{ namespace: 'postgres://orders-db.internal:5432', name: 'orders.public.invoices' }];
    const outputs = [{ namespace: 's3://acme-archive', name: 'invoices/x' }];
    const run = (id: string, type: string, eventTime: string) => post(event({ eventType: type, run: { runId: runUuid(id) }, job, eventTime, inputs, outputs }));
    await run('lineage-instant-same', 'START', at(20));
    await run('lineage-instant-same', 'COMPLETE', at(20));
    await run('lineage-instant-measured', 'START', at(16));
    await run('lineage-instant-measured', 'COMPLETE', at(15));
    await run('lineage-instant-no-start', 'COMPLETE', at(14));
    await analyzer.runNow();
    const summary = (
      await app.inject({ method: 'GET', url: `/api/v1/flows/${encodeURIComponent('observed:orders-db->archive@airflow/instant.copy')}/summary?since=1h` })
    ).json().flow;
    expect(summary.stats).toMatchObject({ traces: 3, p50Ms: 60_000, p95Ms: 60_000, p99Ms: 60_000 });
  });

  it('takes a job with only outputs as a flow from the job itself, and one with no datasets as no flow', async () => {
    await post(
      event({
        run: { runId: runUuid('lineage-only-out') },
        job: { namespace: 'dbt', name: 'seed' },
        outputs: [{ namespace: 's3://acme-archive', name: 'seeds/x.csv' }],
      }),
    );
    await post(event({ run: { runId: runUuid('lineage-nothing') }, job: { namespace: 'dbt', name: 'noop' } }));
    expect(await rows("SELECT job, src_kind, tgt_host FROM weft_lineage_flows WHERE job LIKE 'dbt/%'")).toEqual([
      { job: 'dbt/seed', src_kind: '', tgt_host: 'acme-archive' },
    ]);
  });
});

describe('POST /api/v1/lineage with tokens', () => {
  it('takes ingest and admin tokens and refuses a viewer', async () => {
    const configured = [
      { token: 'lineage-ingest-token-0000000001', role: 'ingest' as const, name: 'lineage-ingest', source: 'WEFT_INGEST_TOKENS' as const },
      { token: 'lineage-viewer-token-0000000001', role: 'viewer' as const, name: 'lineage-viewer', source: 'WEFT_API_TOKENS' as const },
    ];
    const app = await buildApiApp({
      config: { host: '127.0.0.1', port: 0 },
      credentials: await Credentials.create({ configured }),
      logger: silentLogger(),
      services: { store: undefined as never },
    });
    const send = (token?: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/lineage',
        payload: [],
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      });
    expect((await send()).statusCode).toBe(401);
    expect((await send('lineage-viewer-token-0000000001')).statusCode).toBe(403);
    // The ingest token (the collector's WEFT_INGEST_TOKENS) passes; the empty array is then answered as bad input.
    expect((await send('lineage-ingest-token-0000000001')).statusCode).toBe(400);
    await app.close();
  });
});
