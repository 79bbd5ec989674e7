import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../collector/test/harness.ts';
import type { Finding } from '../core/contracts/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { startAnalyzer, type Analyzer } from './index.ts';
import { baseCatalogYaml, catalogFrom, fixedCatalogYaml, sendCustomerSync, sendEstateTraffic } from './test/estate-fixture.ts';
import { keptWatching } from './test/kept-watching.ts';

const MIN = 60_000;

describe('analyzer (spans from the real OpenTelemetry SDK through the collector)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  let now = Date.now();
  const t0 = now - 10 * MIN;
  const open = async () => (await analyzer.findings.list({ status: ['open'] })).map((f: Finding) => `${f.kind} ${f.key}`).sort();

  beforeAll(async () => {
    h = await startHarness();
    await sendEstateTraffic(h.collector.url, t0);
    await h.collector.flush();
    analyzer = startAnalyzer({
      store: h.store,
      catalog: catalogFrom(baseCatalogYaml),
      logger: silentLogger(),
      config: { intervalMs: 3_600_000, windowMs: 86_400_000, lateMs: MIN, completeGraceMs: 0 },
      clock: { now: () => new Date(now) },
      schedule: false,
    });
    now = t0 + 5 * MIN;
    const first = await analyzer.runNow();
    expect(first.errors).toEqual([]);
  });
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it('pairs reads and writes per trace into flows, both hops of a topic, with stats', async () => {
    const graph = await analyzer.graph();
    const edges = graph.edges
      .filter((e) => e.observed)
      .map((e) => `${e.source} -> ${e.target} ${e.mark}`)
      .sort();
    expect(edges).toEqual([
      'crm -> erp documented',
      'crm -> legacy-ftp deprecated',
      'crm -> unknown:api.unknown-saas.com undocumented',
      'erp -> crm undocumented',
      'erp -> orders-topic documented',
      'orders-topic -> billing documented',
    ]);
    const sync = graph.edges.find((e) => e.flowId === 'customer-sync')!;
    // 10: the failed run's two writes failed and moved nothing (their 5 + 5 counted while no span's records were kept).
    expect(sync).toMatchObject({ traces: 2, records: 10, errorRate: 0.5, integrations: ['customer-sync'] });
    expect(sync.p95Ms).toBeGreaterThanOrEqual(250);
    expect(graph.nodes.some((n) => n.id.includes('batch'))).toBe(false);
    expect(graph.sprawl.connectionsPerSystem.crm).toBe(4); // erp, legacy-ftp, the unknown SaaS, and billing through the documented (unseen) ghost-flow
    expect(graph.sprawl.hubs[0]).toEqual({ id: 'crm', connections: 4 });
  });

  it('opens a finding of each kind the estate breaks', async () => {
    expect(await open()).toEqual([
      'deprecated-in-use flow:old-export',
      'deprecated-in-use system:legacy-ftp',
      'error-rate customer-sync',
      'latency-slo-breach customer-sync',
      'owner-missing system:billing',
      'regulated-data-exposure customer:crm->unknown:api.unknown-saas.com@shadow-sync',
      'regulated-data-exposure customer:erp->crm@erp-writeback',
      'sor-violation customer:erp->crm',
      'undocumented-flow crm->unknown:api.unknown-saas.com@shadow-sync',
      'undocumented-flow erp->crm@erp-writeback',
      'unknown-system unknown:api.unknown-saas.com',
    ]);
    const [unknown] = await analyzer.findings.list({ kind: ['unknown-system'] });
    expect(unknown.evidence).toMatchObject({ endpoint: 'api.unknown-saas.com', integrations: ['shadow-sync'], directions: ['write'] });
    expect((unknown.evidence.sampleTraceIds as string[])[0]).toMatch(/^[0-9a-f]{32}$/);
    // Regression: the latency finding's sample was the highest trace id, often a fast run; it is the slowest run now.
    const [latency] = await analyzer.findings.list({ kind: ['latency-slo-breach'] });
    const [slowest] = await h.rows<{ id: string }>(
      "SELECT TraceId AS id FROM otel_traces WHERE ServiceName = 'customer-sync' AND ParentSpanId = '' ORDER BY Duration DESC LIMIT 1",
    );
    expect(latency.evidence.sampleTraceIds).toEqual([slowest.id]);
  });

  it('opens stale-flow when a scheduled flow goes silent, and resolves it when it runs again', async () => {
    // Weft ran all along (its pairing runs in between): the silence is the flow's, not Weft's downtime.
    await keptWatching(h.store, t0 + 5 * MIN, t0 + 30 * MIN);
    now = t0 + 30 * MIN;
    await analyzer.runNow();
    expect(await open()).toContain('stale-flow customer-sync');
    // Not at the first run: Weft had only just started receiving (coverage is arrival time, not span time).
    expect(await open()).toContain('flow-never-observed ghost-flow');
    await sendCustomerSync(h.collector.url, t0 + 29 * MIN);
    await h.collector.flush();
    now = t0 + 32 * MIN;
    await analyzer.runNow();
    expect(await open()).not.toContain('stale-flow customer-sync');
    expect((await analyzer.findings.list({ kind: ['stale-flow'] }))[0].status).toBe('resolved');
  });

  it('re-attributes past data when the catalog changes, and resolves what the change fixes', async () => {
    const result = await analyzer.reloadCatalog(catalogFrom(fixedCatalogYaml));
    expect(result.findings?.resolved).toBeGreaterThan(0);
    expect(await open()).toEqual([]);
    const graph = await analyzer.graph();
    const shadow = graph.edges.find((e) => e.flowId === 'shadow');
    expect(shadow).toMatchObject({ source: 'crm', target: 'saas-crm', mark: 'documented', observed: true });
    const inventory = await analyzer.inventory();
    expect(inventory.systems.find((s) => s.id === 'saas-crm')).toMatchObject({ documented: true, integrations: ['shadow-sync'], spans: 1 });
    expect(inventory.flows.every((f) => f.documented)).toBe(true);
  });
});

describe("stale-flow by Weft's clock (writers whose clocks are off)", () => {
  let h: Harness;
  let analyzer: Analyzer;
  // Weft's clock when the runs are sent, taken once the harness has started (arrival is stamped by the store's clock): taken
  // when the file loaded, it was minutes behind the arrivals on a loaded machine, and the silences measured from them
  // were minutes shorter than the test's clock said (ahead-sync not yet stale at "15 minutes").
  let now = Date.now();
  let real = now;
  const open = async () => (await analyzer.findings.list({ status: ['open'] })).map((f: Finding) => `${f.kind} ${f.key}`).sort();
  const catalogYaml = `
owners: [{ id: icoe, email: icoe@example.com }]
systems:
  - { id: crm, kind: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, kind: erp, owner: icoe, match: { databases: ["postgresql://erp-db/erp"] } }
domains:
  - { id: customer, systemOfRecord: crm, replicas: [erp], owner: icoe }
classes:
  - { id: gold, staleAfter: 10m }
flows:
  - { id: behind-sync, source: crm, target: erp, domain: customer, owner: icoe, class: gold, schedule: { every: 5m }, runtime: { service: behind-sync } }
  - { id: ahead-sync, source: crm, target: erp, domain: customer, owner: icoe, class: gold, schedule: { every: 5m }, runtime: { service: ahead-sync } }
  - { id: true-sync, source: crm, target: erp, domain: customer, owner: icoe, class: gold, schedule: { every: 5m }, runtime: { service: true-sync } }
`;

  beforeAll(async () => {
    h = await startHarness();
    real = now = Date.now();
    // One run each, now: by a clock 25 minutes behind Weft's, 25 minutes ahead, and right.
    await sendCustomerSync(h.collector.url, real - 25 * MIN, 'behind-sync');
    await sendCustomerSync(h.collector.url, real + 25 * MIN, 'ahead-sync');
    await sendCustomerSync(h.collector.url, real, 'true-sync');
    await h.collector.flush();
    analyzer = startAnalyzer({
      store: h.store,
      catalog: catalogFrom(catalogYaml),
      logger: silentLogger(),
      config: { intervalMs: 3_600_000, windowMs: 20 * MIN, lateMs: MIN, completeGraceMs: 0 },
      clock: { now: () => new Date(now) },
      schedule: false,
    });
  });
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it('does not call a flow stale that ran a minute ago by a clock 25 minutes behind', async () => {
    now = real + 2 * MIN;
    expect((await analyzer.runNow()).errors).toEqual([]);
    // Was: stale-flow behind-sync, "has not run for 26m" (its run's end by its own clock, 25 minutes behind).
    expect(await open()).toEqual([]);
    const graph = await analyzer.graph();
    expect(
      graph.edges
        .filter((e) => e.observed && e.source === 'crm')
        .map((e) => e.flowId)
        .sort(),
    ).toEqual(['ahead-sync', 'true-sync']);
  });

  it('opens stale-flow for each once Weft has received nothing from it for longer than allowed', async () => {
    await keptWatching(h.store, real + 2 * MIN, real + 15 * MIN);
    now = real + 15 * MIN;
    await analyzer.runNow();
    // Not flow-never-observed behind-sync: its run's own clock puts it before the window, and Weft received it inside.
    // ahead-sync's run, by a clock 25 minutes ahead, counts from the pairing's clock when it was paired (now + 2 minutes).
    expect(await open()).toEqual(['stale-flow ahead-sync', 'stale-flow behind-sync', 'stale-flow true-sync']);
    const evidence = (await analyzer.findings.list({ kind: ['stale-flow'] })).find((f) => f.key === 'behind-sync')!;
    // Counted from the arrival (Weft's clock): about 14 minutes, not the 39 its own clock says.
    expect(evidence.evidence.silentForMs as number).toBeLessThan(15 * MIN);
    expect(evidence.evidence.silentForMs as number).toBeGreaterThan(10 * MIN);
    expect(Date.parse(evidence.evidence.lastArrived as string) - Date.parse(evidence.evidence.lastSeen as string)).toBeGreaterThan(24 * MIN);
    expect(evidence.hint).toContain('its clock may be behind');
    const right = (await analyzer.findings.list({ kind: ['stale-flow'] })).find((f) => f.key === 'true-sync')!;
    expect(right.hint).not.toContain('clock');
  });
});
