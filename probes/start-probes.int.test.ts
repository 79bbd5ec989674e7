import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFindingStore, type FindingStore } from '../findings/index.ts';
import { buildApiApp } from '../api/index.ts';
import type { Store } from '../clickhouse/index.ts';
import { openMigratedStore } from '../test/migrated-store.ts';
import type { FindingKind } from '../core/contracts/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { serviceAvailable } from '../test/services.ts';
import { probeAuditCandidates, startProbes, type ProbesRuntime } from './index.ts';
import { catalogOf, closedPort, SYSTEMS_YAML, uniqueName } from './testing/fixtures.ts';

const up = (await serviceAvailable('PostgreSQL', 5432)) && (await serviceAvailable('MariaDB', 3306));
const SECRET = 'pw-c0ffee-4d1e-secret';
const table = uniqueName('weft_rt');
const dir = mkdtempSync(join(tmpdir(), 'weft-probes-'));
let now = new Date('2026-03-02T09:00:00.000Z');
const clock = { now: () => now };
const advance = (ms: number) => (now = new Date(now.getTime() + ms));
const MIN = 60_000;

let store: Store;
let findings: FindingStore;
let probes: ProbesRuntime;
let pgc: pg.Client;
let myc: mysql.Connection;
let http: Server;
let shape: Record<string, unknown> = { data: { items: [1, 2] }, page: 1 };

const open = async (kind: FindingKind) => (await findings.list({ kind: [kind], status: ['open'] })).filter((f) => f.kind === kind);

beforeAll(async () => {
  if (!up) return;
  store = await openMigratedStore(join(dir, 'data'), { rawDays: 3650, rollupDays: 3650, recordDays: 3650 });
  findings = createFindingStore(store, clock);
  pgc = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
  await pgc.connect();
  myc = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: 'test' });
  await pgc.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, name text)`);
  await pgc.query(`INSERT INTO ${table} SELECT g, 'c' || g FROM generate_series(1, 10) g`);
  await myc.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, name varchar(40))`);
  await myc.query(`INSERT INTO ${table} SELECT seq, CONCAT('c', seq) FROM seq_1_to_10`);
  http = createServer((_req, res) => res.end(JSON.stringify(shape)));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as { port: number }).port;
  const down = await closedPort();
  const catalog = catalogOf(`${SYSTEMS_YAML}probes:
  - { id: crm-customers, kind: sql, system: crm, domain: customer, every: 1h, dsn: env:CRM_DSN, query: "select count(*) from ${table}" }
  - { id: erp-customers, kind: sql, system: erp, domain: customer, every: 1h, url: "mysql://root@127.0.0.1:3306/test", query: "SELECT COUNT(*) FROM ${table}" }
  - { id: web-api, kind: http, system: web, every: 1h, url: "http://127.0.0.1:${port}/customers", count: $.data.items }
  - { id: erp-locked, kind: sql, system: erp, every: 1h, url: "mysql://root@127.0.0.1:3306/test", password: env:ERP_PASSWORD, query: "SELECT 1" }
  - { id: crm-gone, kind: sql, system: crm, every: 1h, timeout: 2s, url: "postgres://postgres@127.0.0.1:${down}/test", query: "select 1" }
reconciliations:
  - id: customers
    domain: customer
    key: id
    columns: [name]
    left: { system: crm, dsn: env:CRM_DSN, table: ${table} }
    right: { system: erp, url: "mysql://root@127.0.0.1:3306/test", table: ${table} }
`);
  const env: Record<string, string> = { CRM_DSN: 'postgres://postgres@127.0.0.1:5432/test', ERP_PASSWORD: SECRET };
  probes = startProbes({ store, catalog, logger: silentLogger(), findings, clock, env: (n) => env[n], scheduled: false });
});

afterAll(async () => {
  if (!up) return;
  await probes.stop();
  await pgc.query(`DROP TABLE IF EXISTS ${table}`);
  await myc.query(`DROP TABLE IF EXISTS ${table}`);
  await pgc.end();
  await myc.end();
  http.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const counts = async () => {
  await probes.runProbe('crm-customers');
  await probes.runProbe('erp-customers');
};

describe.skipIf(!up)('record-count drift', () => {
  it('opens only after the divergence outlasts the settle time, then resolves by itself', async () => {
    await counts();
    expect(await open('record-count-drift')).toEqual([]);

    advance(MIN);
    await myc.query(`DELETE FROM ${table} WHERE id > 5`);
    await counts();
    const early = (await probes.drift()).find((d) => d.replica === 'erp')!;
    expect(early).toMatchObject({ sorCount: 10, replicaCount: 5, difference: -5, diverging: true, drift: false });
    expect(await open('record-count-drift')).toEqual([]);

    advance(3 * MIN);
    await myc.query(`DELETE FROM ${table} WHERE id > 4`);
    await counts();
    expect(await open('record-count-drift')).toEqual([]);

    advance(3 * MIN);
    await counts();
    const [finding] = await open('record-count-drift');
    expect(finding).toMatchObject({ key: 'customer:erp', subject: { systems: ['crm', 'erp'], domains: ['customer'] } });
    expect(finding.evidence).toMatchObject({
      sorCount: 10,
      replicaCount: 4,
      difference: -6,
      tolerance: 2,
      trend: 'growing',
      divergingSince: '2026-03-02T09:01:00.000Z',
      settle: '5m',
    });

    advance(MIN);
    await myc.query(`INSERT INTO ${table} SELECT seq, CONCAT('c', seq) FROM seq_5_to_10`);
    await counts();
    expect(await open('record-count-drift')).toEqual([]);
    const resolved = await findings.get(finding.id);
    expect(resolved?.status).toBe('resolved');
  });
});

describe.skipIf(!up)('schema drift', () => {
  it('opens when a probed table gains a column and resolves when it is dropped again', async () => {
    await probes.runProbe('crm-customers');
    expect(await open('schema-drift')).toEqual([]);
    await pgc.query(`ALTER TABLE ${table} ADD COLUMN vip boolean`);
    advance(MIN);
    expect((await probes.runProbe('crm-customers')).shapeChanged).toBe(true);
    const [finding] = await open('schema-drift');
    expect(finding.key).toBe('crm-customers');
    expect(finding.evidence.added).toEqual([`${table}.vip: boolean`]);
    expect(JSON.stringify(finding.evidence.before)).not.toContain('vip');
    expect(JSON.stringify(finding.evidence.after)).toContain('vip');

    await pgc.query(`ALTER TABLE ${table} DROP COLUMN vip`);
    advance(MIN);
    await probes.runProbe('crm-customers');
    expect(await open('schema-drift')).toEqual([]);
  });

  it('opens when an API response changes shape and resolves when it changes back', async () => {
    await probes.runProbe('web-api');
    shape = { data: { items: [1, 2] }, page: '1', next: null };
    advance(MIN);
    await probes.runProbe('web-api');
    const [finding] = await open('schema-drift');
    expect(finding.key).toBe('web-api');
    expect(finding.evidence.changed).toEqual([{ path: '$.page', before: 'number', after: 'string' }]);
    expect(finding.evidence.added).toEqual(['$.next: null']);
    shape = { data: { items: [1, 2] }, page: 1 };
    advance(MIN);
    await probes.runProbe('web-api');
    expect(await open('schema-drift')).toEqual([]);
  });
});

describe.skipIf(!up)('failing probes', () => {
  it('open a probe-failing finding after two failed runs, and keep credentials out of ClickHouse and the API', async () => {
    await probes.runProbe('erp-locked');
    await probes.runProbe('crm-gone');
    expect(await open('probe-failing')).toEqual([]);
    advance(MIN);
    await probes.runProbe('erp-locked');
    await probes.runProbe('crm-gone');
    const failing = await open('probe-failing');
    expect(failing.map((f) => f.key).sort()).toEqual(['crm-gone', 'erp-locked']);
    expect(failing.find((f) => f.key === 'erp-locked')?.evidence).toMatchObject({ errorCode: 'auth', consecutiveFailures: 2 });

    const tables = await store.client.query({ query: 'SELECT * FROM probe_samples', format: 'JSONEachRow' }).then((r) => r.text());
    const findingRows = await store.client.query({ query: 'SELECT * FROM weft_findings', format: 'JSONEachRow' }).then((r) => r.text());
    expect(tables).toContain('erp-locked');
    expect(tables + findingRows).not.toContain(SECRET);

    const app = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, logger: silentLogger(), services: { store, probes } });
    const res = await app.inject({ method: 'GET', url: '/api/v1/probes' });
    await app.close();
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(SECRET);
    const erp = res.json().probes.find((p: { id: string }) => p.id === 'erp-locked');
    expect(erp).toMatchObject({ healthy: false, consecutiveFailures: 2, latest: { errorCode: 'auth' } });
  });
});

describe.skipIf(!up)('key drift', () => {
  it('stores each run, opens a key-drift finding with sample keys, and resolves it once the tables agree', async () => {
    await myc.query(`UPDATE ${table} SET name = 'renamed' WHERE id = 3`);
    await myc.query(`DELETE FROM ${table} WHERE id = 7`);
    const run = await probes.runReconciliation('customers');
    expect(run).toMatchObject({ status: 'ok', missing: 1, extra: 0, changed: 1, sampleMissing: ['7'], sampleChanged: ['3'] });
    const [finding] = await open('key-drift');
    expect(finding).toMatchObject({ key: 'customers', subject: { systems: ['crm', 'erp'], domains: ['customer'] } });
    expect(finding.evidence).toMatchObject({ missing: 1, changed: 1, sampleMissing: ['7'], sampleChanged: ['3'] });
    const forAudit = await probeAuditCandidates(store, probes.catalog, now);
    expect(forAudit.candidates.filter((c) => c.kind === 'key-drift').map((c) => c.key)).toEqual(['customers']);

    await myc.query(`UPDATE ${table} SET name = 'c3' WHERE id = 3`);
    await myc.query(`INSERT INTO ${table} VALUES (7, 'c7')`);
    advance(MIN);
    await probes.runReconciliation('customers');
    expect(await open('key-drift')).toEqual([]);
    expect((await probes.runs!.list('customers')).map((r) => r.missing + r.changed)).toEqual([0, 2]);
  });
});

describe.skipIf(!up)('probe API', () => {
  it('serves drift, reconciliations and a probe run, and says which probe is unknown', async () => {
    const app = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, logger: silentLogger(), services: { store, probes } });
    try {
      const drift = await app.inject({ method: 'GET', url: '/api/v1/drift?domain=customer' });
      expect(drift.statusCode).toBe(200);
      expect(drift.json().drift[0]).toMatchObject({ domain: 'customer', systemOfRecord: 'crm', replica: 'erp', sorCount: 10, replicaCount: 10, drift: false });
      // Regression: a domain the catalog lacks answered "no drift", as if its replicas agreed.
      const noDomain = await app.inject({ method: 'GET', url: '/api/v1/drift?domain=custmer' });
      expect([noDomain.statusCode, noDomain.json().message]).toEqual([
        404,
        'No domain "custmer" in the catalog (did you mean "customer"?) (domains: customer).',
      ]);
      const recs = await app.inject({ method: 'GET', url: '/api/v1/reconciliations' });
      expect(recs.json().reconciliations[0]).toMatchObject({ id: 'customers', left: { system: 'crm', table }, latest: { status: 'ok', missing: 0 } });
      const runs = await app.inject({ method: 'GET', url: '/api/v1/reconciliations/customers/runs' });
      expect(runs.json().runs).toHaveLength(2);
      const ran = await app.inject({ method: 'POST', url: '/api/v1/probes/crm-customers/run', payload: {} });
      expect(ran.json()).toMatchObject({ probe: 'crm-customers', sample: { ok: true, value: 10 } });
      const samples = await app.inject({ method: 'GET', url: '/api/v1/probes/crm-customers/samples?since=700d' });
      expect(samples.json().samples.length).toBeGreaterThan(5);
      const unknown = await app.inject({ method: 'POST', url: '/api/v1/probes/nope/run', payload: {} });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().message).toMatch(/No probe "nope"/);
      const noProbes = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, logger: silentLogger(), services: { store } });
      const off = await noProbes.inject({ method: 'GET', url: '/api/v1/drift' });
      await noProbes.close();
      expect(off.statusCode).toBe(503);
    } finally {
      await app.close();
    }
  });
});
