import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnalyzer, type Analyzer } from '../../analyzer/index.ts';
import { baseCatalogYaml, fixedCatalogYaml, sendEstateTraffic } from '../../analyzer/test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { loadCatalog } from '../../core/catalog/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import type { ApiApp } from '../app.ts';
import { buildApiApp } from '../index.ts';

describe('analyzer routes', () => {
  let h: Harness;
  let analyzer: Analyzer;
  let app: ApiApp;
  let catalogFile: string;
  const get = async (url: string) => {
    const r = await app.inject({ method: 'GET', url });
    return { status: r.statusCode, body: r.json() };
  };

  beforeAll(async () => {
    h = await startHarness();
    catalogFile = join(h.dir, 'estate.yaml');
    writeFileSync(catalogFile, baseCatalogYaml);
    await sendEstateTraffic(h.collector.url, Date.now() - 2 * 60_000);
    await h.collector.flush();
    analyzer = startAnalyzer({
      store: h.store,
      catalog: loadCatalog([catalogFile]),
      loadCatalog: () => loadCatalog([catalogFile]),
      logger: silentLogger(),
      config: { intervalMs: 3_600_000, windowMs: 86_400_000, lateMs: 0 },
      schedule: false,
    });
    await analyzer.runNow();
    app = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, logger: silentLogger(), services: { store: h.store, analyzer } });
  });
  afterAll(async () => {
    await app?.close();
    await analyzer?.stop();
    await h?.close();
  });

  it('serves the inventory with observed stats', async () => {
    const { status, body } = await get('/api/v1/inventory/flows?since=1h');
    expect(status).toBe(200);
    const sync = body.flows.find((f: { id: string }) => f.id === 'customer-sync');
    expect(sync).toMatchObject({
      documented: true,
      owner: 'icoe',
      integrations: ['customer-sync'],
      stats: { traces: 2, records: 20, failedTraces: 1 },
      throughputPerHour: 2,
    });
    expect(body.flows.find((f: { id: string }) => f.id === 'observed:erp->crm@erp-writeback')).toMatchObject({ documented: false });
    const systems = (await get('/api/v1/inventory/systems')).body.systems;
    expect(systems.find((s: { id: string }) => s.id === 'unknown:api.unknown-saas.com')).toMatchObject({ documented: false, integrations: ['shadow-sync'] });
    const [owner] = (await get('/api/v1/inventory/owners')).body.owners;
    expect(owner).toMatchObject({ id: 'icoe', systems: ['crm', 'erp', 'orders-topic', 'legacy-ftp'], traces: 5 });
    expect(owner.lastSeen).toBe(sync.lastSeen);
    expect((await get('/api/v1/inventory/flows?since=1m')).body.flows.find((f: { id: string }) => f.id === 'customer-sync')).toMatchObject({
      stats: null,
      lastSeen: sync.lastSeen,
    });
    expect((await get('/api/v1/inventory/domains')).body.domains.find((d: { id: string }) => d.id === 'customer')).toMatchObject({
      systemOfRecord: 'crm',
      regulated: ['pii'],
    });
  });

  it('serves the graph and a flow time series', async () => {
    const graph = (await get('/api/v1/graph')).body;
    expect(graph.edges.find((e: { flowId: string }) => e.flowId === 'order-events')).toMatchObject({
      source: 'erp',
      target: 'orders-topic',
      mark: 'documented',
      observed: true,
    });
    const series = await get('/api/v1/flows/customer-sync/series?since=1h&step=1m');
    expect(series.status).toBe(200);
    expect(series.body.points.reduce((n: number, p: { traces: number }) => n + p.traces, 0)).toBe(2);
    expect((await get('/api/v1/flows/nope/series')).body.message).toBe('No flow "nope" in the catalog or among observed flows.');
  });

  it('filters findings, and records acknowledge and reopen with who and when (regression: the actor was a free-text x-weft-user header)', async () => {
    const { body } = await get('/api/v1/findings?kind=sor-violation&severity=high');
    expect(body.findings).toHaveLength(1);
    const id = body.findings[0].id;
    // No-token loopback mode: who acts is "local", whatever name a header claims.
    const ack = await app.inject({ method: 'POST', url: `/api/v1/findings/${id}/ack`, headers: { 'x-weft-user': 'ana' }, payload: { note: 'MDM migration' } });
    expect(ack.json().finding).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'local', note: 'MDM migration' });
    const again = await app.inject({ method: 'POST', url: `/api/v1/findings/${id}/ack`, payload: {} });
    expect(again.statusCode).toBe(409);
    await app.inject({ method: 'POST', url: `/api/v1/findings/${id}/reopen`, headers: { 'x-weft-user': 'bob' }, payload: {} });
    const one = (await get(`/api/v1/findings/${id}`)).body;
    expect(one.history.map((e: { action: string; actor: string }) => `${e.action}:${e.actor}`)).toEqual([
      'opened:weft',
      'acknowledged:local',
      'reopened:local',
    ]);
    expect((await get('/api/v1/findings?subject=legacy-ftp')).body.findings.map((f: { kind: string }) => f.kind).sort()).toEqual([
      'deprecated-in-use',
      'deprecated-in-use',
    ]);
  });

  it('answers bad queries with 400 and a message', async () => {
    expect(await get('/api/v1/findings?kind=nonsense')).toEqual({
      status: 400,
      body: expect.objectContaining({
        message: expect.stringMatching(/^Invalid querystring field "kind": unknown "nonsense"; expected one or more of undocumented-flow/),
      }),
    });
    expect((await get('/api/v1/findings?severity=urgent')).status).toBe(400);
    expect((await get('/api/v1/graph?since=yesterday')).body.message).toMatch(/^Invalid querystring field "since"/);
    expect((await get('/api/v1/findings?limit=0')).status).toBe(400);
    // regression: a parameter the route does not take was dropped, and the answer covered everything
    for (const [url, key] of [
      ['/api/v1/hops?domain[]=customer', 'domain[]'],
      ['/api/v1/findings?sevrity=high', 'sevrity'],
      ['/api/v1/graph?since=1h&domian=customer', 'domian'],
      ['/api/v1/findings?__proto__=x', '__proto__'],
      ['/api/v1/findings?constructor=x', 'constructor'],
    ]) {
      const r = await get(url);
      expect(r.status, url).toBe(400);
      expect(r.body.message, url).toContain(`Unknown query parameter "${key}"`);
    }
    expect((await get('/api/v1/hops?domain[]=customer')).body.message).toMatch(/it takes since, domain, flow\.$/);
    expect((await get('/api/v1/graph?since=1h')).status).toBe(200);
  });

  it('reloads the catalog from its files: a bad file is a 400 listing its problems, a fixed one clears findings', async () => {
    writeFileSync(catalogFile, 'systems:\n  - id: crm\n    owner: ghost\n');
    const json = { 'content-type': 'application/json' };
    expect((await app.inject({ method: 'POST', url: '/api/v1/catalog/reload' })).statusCode).toBe(415);
    const bad = await app.inject({ method: 'POST', url: '/api/v1/catalog/reload', headers: json });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain(`${catalogFile}:3:12: systems[0].owner: unknown owner "ghost"`);
    writeFileSync(catalogFile, fixedCatalogYaml);
    const ok = await app.inject({ method: 'POST', url: '/api/v1/catalog/reload', headers: json });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().counts).toMatchObject({ systems: 6, flows: 6 });
    expect((await get('/api/v1/findings')).body.findings).toEqual([]);
  });

  it('describes every route in the OpenAPI document', async () => {
    const doc = (await get('/api/v1/openapi.json')).body;
    for (const path of [
      '/api/v1/inventory/systems',
      '/api/v1/graph',
      '/api/v1/flows/{id}/series',
      '/api/v1/findings',
      '/api/v1/findings/{id}/ack',
      '/api/v1/catalog/reload',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
  });
});
