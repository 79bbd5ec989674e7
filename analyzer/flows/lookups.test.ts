import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { testAnalyzer, openFindingTitles, observedEdges } from '../test/test-analyzer.ts';
import { catalogFrom } from '../test/estate-fixture.ts';
import { queryFlowSummaries } from '../inventory/flow-summary.ts';
import { selectFlow } from './flow-edges.ts';
import { buildApiApp } from '../../api/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import type { FlowDependency } from './flow-dependencies.ts';

const { CLIENT, INTERNAL } = api.SpanKind;
const MIN = 60_000;

const systems = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }
  - { id: mdm, owner: icoe, match: { hosts: [mdm.internal], databases: ["postgresql://mdm-db.internal/mdm"] } }
  - { id: ecommerce, owner: icoe, match: { hosts: [shop.internal] } }
  - { id: warehouse, owner: icoe, match: { hosts: [wms.internal] } }
  - { id: sync-state, owner: icoe, kind: database, match: { databases: ["postgresql://sync-db.internal/sync"] } }
  - { id: locks, owner: icoe, kind: cache, match: { hosts: [redis.internal] } }
domains:
  - { id: customer, systemOfRecord: crm, replicas: [erp], owner: icoe }
  - { id: country, systemOfRecord: mdm, replicas: [warehouse], owner: icoe }
  - { id: order, systemOfRecord: ecommerce, replicas: [erp], owner: icoe }
`;

/** The catalog without any lookup or state store declared: what Weft reported before. */
const bare = `${systems}
flows:
  - { id: crm-to-erp, source: crm, target: erp, domain: customer, owner: icoe, runtime: { service: customer-sync } }
  - { id: orders-to-erp, source: ecommerce, target: erp, domain: order, owner: icoe, runtime: { service: order-sync } }
  - { id: countries-to-wms, source: mdm, target: warehouse, domain: country, owner: icoe, runtime: { service: country-sync } }
`;

const http = (method: string, url: string, status = 200): SpanSpec => ({
  name: method,
  kind: CLIENT,
  attributes: { 'http.request.method': method, 'url.full': url, 'server.address': new URL(url).hostname, 'http.response.status_code': status },
});
const sql = (host: string, db: string, text: string): SpanSpec => ({
  name: text.split(' ')[0],
  kind: CLIENT,
  attributes: { 'db.system': 'postgresql', 'db.namespace': db, 'server.address': host, 'db.query.text': text },
});
const redis = (text: string): SpanSpec => ({
  name: text.split(' ')[0],
  kind: CLIENT,
  attributes: { 'db.system': 'redis', 'server.address': 'redis.internal', 'server.port': 6379, 'db.query.text': text },
});

async function sendEstate(h: Harness, t0: number): Promise<void> {
  // customer-sync: takes its lock, reads its watermark, reads customers from the CRM and the countries from the MDM (by
  // its API), writes the customers to the ERP, moves its watermark and lets the lock go.
  await sendSpans({ url: h.collector.url, serviceName: 'customer-sync', resource: { 'integration.domain': 'customer' } }, [
    {
      name: 'sync customers',
      kind: INTERNAL,
      start: t0,
      children: [
        redis('SET lock:customer-sync ? NX PX 30000'),
        sql('sync-db.internal', 'sync', 'SELECT last_synced_at FROM sync_state WHERE job=$1'),
        http('GET', 'http://crm.internal/api/customers?since=2026-12-01'),
        http('GET', 'https://mdm.internal/api/countries'),
        http('POST', 'http://erp.internal/api/customers', 201),
        sql('sync-db.internal', 'sync', 'UPDATE sync_state SET last_synced_at=$1 WHERE job=$2'),
        redis('DEL lock:customer-sync'),
      ],
    },
  ]);
  // order-sync: reads orders from the shop, looks products and countries up on the MDM's database, writes the ERP.
  await sendSpans({ url: h.collector.url, serviceName: 'order-sync', resource: { 'integration.domain': 'order' } }, [
    {
      name: 'sync orders',
      kind: INTERNAL,
      start: t0 + 1000,
      children: [
        http('GET', 'http://shop.internal/api/orders'),
        sql('mdm-db.internal', 'mdm', 'SELECT code,name FROM countries'),
        http('POST', 'http://erp.internal/api/orders', 201),
        // It also registers the products it found new with the MDM: a write of its own, whatever it looks up there.
        http('POST', 'https://mdm.internal/api/products', 201),
      ],
    },
  ]);
  // country-sync: the MDM really is the source of the countries it copies into the warehouse.
  await sendSpans({ url: h.collector.url, serviceName: 'country-sync', resource: { 'integration.domain': 'country' } }, [
    {
      name: 'sync countries',
      kind: INTERNAL,
      start: t0 + 2000,
      children: [http('GET', 'https://mdm.internal/api/countries'), http('PUT', 'http://wms.internal/api/countries', 200)],
    },
  ]);
  // customer-sync again: a run that found no customer changed (no CRM read made it into the trace) looks the countries up
  // and writes the ERP; and a run that could not take its lock (someone else holds it) and stopped.
  await sendSpans({ url: h.collector.url, serviceName: 'customer-sync', resource: { 'integration.domain': 'customer' } }, [
    {
      name: 'sync customers',
      kind: INTERNAL,
      start: t0 + 3000,
      children: [http('GET', 'https://mdm.internal/api/countries'), http('PATCH', 'http://erp.internal/api/customers/7', 200)],
    },
    { name: 'sync customers', kind: INTERNAL, start: t0 + 4000, children: [redis('SET lock:customer-sync ? NX PX 30000')] },
  ]);
  await h.collector.flush();
}

const declared = `${systems}
flows:
  - id: crm-to-erp
    source: crm
    target: erp
    domain: customer
    owner: icoe
    runtime: { service: customer-sync }
    lookups: [mdm]
    stateStores: [sync-state, locks]
  - { id: orders-to-erp, source: ecommerce, target: erp, domain: order, owner: icoe, runtime: { service: order-sync }, lookups: [mdm] }
  - { id: countries-to-wms, source: mdm, target: warehouse, domain: country, owner: icoe, runtime: { service: country-sync } }
`;

describe("a flow's lookups and state stores (catalog), over the same spans before and after they are declared", () => {
  let h: Harness;
  let analyzer: Analyzer | undefined;
  const kinds = ['undocumented-flow', 'unknown-system', 'sor-violation', 'flow-never-observed'] as const;
  beforeAll(async () => {
    h = await startHarness();
    await sendEstate(h, Date.now() - 5 * MIN);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  // What Weft reported on these runs before: every read of the trace crossed with every write of it.
  it('without a declaration, pairs every read with every write (as before: nothing is guessed)', async () => {
    analyzer = testAnalyzer(h.store, bare, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
    const titles = await openFindingTitles(analyzer, [...kinds]);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Replica erp gets customer data from mdm, not from the system of record crm',
        'Replica erp gets customer data from sync-state, not from the system of record crm',
        'Replica erp gets order data from mdm, not from the system of record ecommerce',
        'Undocumented flow mdm → erp (customer-sync)',
        'Undocumented flow mdm → erp (order-sync)',
        'Undocumented flow crm → sync-state (customer-sync)',
        'Undocumented flow sync-state → erp (customer-sync)',
        'Undocumented flow crm → locks (customer-sync)',
      ]),
    );
    await analyzer.stop();
    analyzer = undefined;
  });

  // Regression: `Replica erp gets customer data from mdm` (high) and `Undocumented flow mdm → erp` for a sync that looked
  // the countries up; `Undocumented flow crm → sync-state`, `sync-state → erp`, `crm → locks` for its watermark and lock.
  it('once declared, the same past runs are their flows only: no sor-violation, no undocumented flow from a lookup or a state store', async () => {
    analyzer = testAnalyzer(h.store, declared, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
    // order-sync's write to the MDM (new products) is a write of its own: it still counts.
    expect(await openFindingTitles(analyzer, [...kinds])).toEqual(['Undocumented flow ecommerce → mdm (order-sync)']);
    expect(await observedEdges(analyzer, (e) => `${e.source} -> ${e.target} ${e.flowId ?? ''} ${e.traces}`)).toEqual([
      'crm -> erp crm-to-erp 1',
      'ecommerce -> erp orders-to-erp 1',
      'ecommerce -> mdm  1',
      // The run that read no customer and wrote the ERP: the integration's own write, a half of crm-to-erp.
      'integration:customer-sync -> erp  1',
      // The MDM as the real source of another runtime's flow is still observed.
      'mdm -> warehouse countries-to-wms 1',
    ]);
  });

  it('shows the lookups and state stores as dependencies of their flows, and their systems as used', async () => {
    const graph = await analyzer!.graph();
    expect(graph.dependencies.map((d) => `${d.id} ${d.target ?? '-'} ${d.integrations.join(',')} ${d.spans}`)).toEqual([
      'lookup:crm-to-erp:mdm erp customer-sync 2',
      'state:crm-to-erp:sync-state - customer-sync 2',
      'state:crm-to-erp:locks - customer-sync 3',
      'lookup:orders-to-erp:mdm erp order-sync 1',
    ]);
    expect(graph.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['mdm', 'sync-state', 'locks']));
    // No lookup or state store makes an edge of the graph or its sprawl.
    expect(graph.edges.filter((e) => ['sync-state', 'locks'].includes(e.source) || ['sync-state', 'locks'].includes(e.target))).toEqual([]);
  });

  // The flow page reads the rollups with the same rule: an undocumented flow from a lookup or a state store has no run.
  it("reads a flow's summary with its lookups and state stores left out", async () => {
    const catalog = catalogFrom(declared);
    const window = [{ since: new Date(Date.now() - 60 * MIN), until: new Date(Date.now() + MIN) }];
    const traces = async (id: string) => (await queryFlowSummaries(h.store, catalog, selectFlow(catalog, id), window))[0]?.stats?.traces ?? 0;
    expect(await traces('crm-to-erp')).toBe(1);
    expect(await traces('observed:mdm->erp@customer-sync')).toBe(0);
    expect(await traces('observed:sync-state->erp@customer-sync')).toBe(0);
    expect(await traces('observed:crm->locks@customer-sync')).toBe(0);
    expect(await traces('observed:ecommerce->mdm@order-sync')).toBe(1);
  });
});

/** The same estate, with a lookup customer-sync never makes (the warehouse): declared, not touched. */
const withUntouched = declared.replace('    lookups: [mdm]\n', '    lookups: [mdm, warehouse]\n');

describe("a flow's lookups and state stores in the API's flow rows (inventory and flow summary)", () => {
  let h: Harness;
  let analyzer: Analyzer;
  let app: Awaited<ReturnType<typeof buildApiApp>>;
  let t0: number;
  const get = async (url: string) => {
    const r = await app.inject({ method: 'GET', url });
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  };
  type Row = { id: string; dependencies: FlowDependency[] };
  const shape = (d: FlowDependency) => `${d.role} ${d.system} ${d.spans} ${d.errors} ${d.lastSeen === null ? 'never' : 'seen'}`;
  beforeAll(async () => {
    h = await startHarness();
    t0 = Date.now() - 5 * MIN;
    await sendEstate(h, t0);
    analyzer = testAnalyzer(h.store, withUntouched, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
    app = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, logger: silentLogger(), services: { store: h.store, analyzer } });
  }, 240_000);
  afterAll(async () => {
    await app?.close();
    await analyzer?.stop();
    await h?.close();
  });

  it("lists each declared lookup and state store with its runtime's touches in the window, and one never touched as such", async () => {
    const { flows } = (await get('/api/v1/inventory/flows?since=1h')) as { flows: Row[] };
    const of = (id: string) => flows.find((f) => f.id === id)!.dependencies.map(shape);
    expect(of('crm-to-erp')).toEqual([
      // Read twice (the two runs that looked the countries up); the warehouse never: declared, not a finding.
      'lookup mdm 2 0 seen',
      'lookup warehouse 0 0 never',
      'state sync-state 2 0 seen',
      'state locks 3 0 seen',
    ]);
    // order-sync's read of the MDM is its lookup; its write of new products to the MDM is no lookup.
    expect(of('orders-to-erp')).toEqual(['lookup mdm 1 0 seen']);
    expect(of('countries-to-wms')).toEqual([]);
    expect(flows.filter((f) => f.id.startsWith('observed:')).flatMap((f) => f.dependencies)).toEqual([]);
    expect(await openFindingTitles(analyzer, ['flow-never-observed', 'undocumented-flow', 'unknown-system'])).toEqual([
      'Undocumented flow ecommerce → mdm (order-sync)',
    ]);
    // The graph's dependencies are the touched ones, with the same counts and times.
    const graph = (await get('/api/v1/graph?since=1h')) as { dependencies: Array<{ id: string; spans: number; lastSeen: string }> };
    const row = flows.find((f) => f.id === 'crm-to-erp')!.dependencies;
    for (const d of row.filter((x) => x.spans > 0)) {
      const g = graph.dependencies.find((x) => x.id === `${d.role}:crm-to-erp:${d.system}`);
      expect(g, d.system).toMatchObject({ spans: d.spans, lastSeen: d.lastSeen });
      expect(Date.parse(d.lastSeen!)).toBeGreaterThanOrEqual(t0);
      expect(Date.parse(d.lastSeen!)).toBeLessThanOrEqual(Date.now());
    }
  });

  it('gives the flow summary the same dependencies over its window, untouched in a window without runs, and none for an observed flow', async () => {
    const inventory = ((await get('/api/v1/inventory/flows?since=1h')) as { flows: Row[] }).flows.find((f) => f.id === 'crm-to-erp')!.dependencies;
    const summary = (await get('/api/v1/flows/crm-to-erp/summary?since=1h')) as { flow: Row };
    expect(summary.flow.dependencies).toEqual(inventory);
    const quiet = Date.now() - 5 * 3_600_000;
    const before = (await get(`/api/v1/flows/crm-to-erp/summary?from=${new Date(quiet).toISOString()}&to=${new Date(quiet + 3_600_000).toISOString()}`)) as {
      flow: Row;
    };
    expect(before.flow.dependencies.map(shape)).toEqual([
      'lookup mdm 0 0 never',
      'lookup warehouse 0 0 never',
      'state sync-state 0 0 never',
      'state locks 0 0 never',
    ]);
    const observed = (await get(`/api/v1/flows/${encodeURIComponent('observed:ecommerce->mdm@order-sync')}/summary?since=1h`)) as { flow: Row };
    expect(observed.flow.dependencies).toEqual([]);
    // The schema says so in the OpenAPI document.
    const openapi = (await get('/api/v1/openapi.json')) as { components?: unknown; paths: Record<string, unknown> };
    expect(JSON.stringify(openapi.paths['/api/v1/inventory/flows'])).toContain('"dependencies"');
  });
});
