import { findingKinds } from '../../core/contracts/index.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInventory, queryFlowSummaries, throughputPerHour, selectFlow, startAnalyzer, takeSnapshot, type Analyzer } from '../../analyzer/index.ts';
import { baseCatalogYaml, catalogFrom, fixedCatalogYaml, sendEstateTraffic } from '../../analyzer/test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { loadCatalog, loadCatalogWithWarnings } from '../../core/catalog/index.ts';
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
    // Five seconds into a minute two minutes ago: the traffic's runs (a second apart) fall in one minute, as the
    // per-minute tests below expect (started at xx:59.5 they fell in two, and those tests failed one time in sixty).
    await sendEstateTraffic(h.collector.url, Math.floor((Date.now() - 2 * 60_000) / 60_000) * 60_000 + 5_000);
    await h.collector.flush();
    analyzer = startAnalyzer({
      store: h.store,
      catalog: loadCatalog([catalogFile]),
      loadCatalog: () => loadCatalogWithWarnings([catalogFile]),
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
      // 10: the failed run's writes failed and moved nothing.
      stats: { traces: 2, records: 10, failedTraces: 1 },
    });
    // Regression: the rate was over the whole hour though Weft had observed only its last minutes (2/h, not 2 per minutes observed).
    expect(Date.parse(body.pairing.observingSince)).toBeGreaterThan(Date.parse(body.since));
    // The runs are stamped two minutes before they were sent: the rate is from the first of them (the earlier).
    expect(sync.throughputPerHour).toBe(throughputPerHour(2, body.since, body.until, body.pairing.observingSince, sync.stats.firstSeen));
    expect(sync.throughputPerHour).toBeGreaterThan(2);
    expect(body.flows.find((f: { id: string }) => f.id === 'observed:erp->crm@erp-writeback')).toMatchObject({ documented: false });
    const systems = (await get('/api/v1/inventory/systems')).body.systems;
    expect(systems.find((s: { id: string }) => s.id === 'unknown:api.unknown-saas.com')).toMatchObject({ documented: false, integrations: ['shadow-sync'] });
    // Regression: an unknown system and an undocumented flow said "lifecycle active", which only the catalog can say;
    // they have none (null), and a catalog system keeps its own.
    expect(systems.find((s: { id: string }) => s.id === 'unknown:api.unknown-saas.com').lifecycle).toBeNull();
    expect(systems.find((s: { id: string }) => s.id === 'crm').lifecycle).toBe('active');
    expect(systems.find((s: { id: string }) => s.id === 'legacy-ftp').lifecycle).toBe('deprecated');
    expect(body.flows.find((f: { id: string }) => f.id === 'observed:erp->crm@erp-writeback').lifecycle).toBeNull();
    expect(sync.lifecycle).toBe('active');
    const nodes = (await get('/api/v1/graph')).body.nodes as { id: string; lifecycle: string | null }[];
    expect(nodes.find((n) => n.id === 'unknown:api.unknown-saas.com')?.lifecycle).toBeNull();
    expect(nodes.find((n) => n.id === 'crm')?.lifecycle).toBe('active');
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
    // Each edge says when its first counted run started (the UI's rates are from it when earlier than observingSince).
    const sync = graph.edges.find((e: { flowId: string }) => e.flowId === 'customer-sync');
    const inventory = (await get('/api/v1/inventory/flows')).body.flows.find((f: { id: string }) => f.id === 'customer-sync');
    expect(sync.firstSeen).toBe(inventory.stats.firstSeen);
    expect(Date.parse(sync.firstSeen)).toBeLessThan(Date.parse(graph.pairing.observingSince));
    const series = await get('/api/v1/flows/customer-sync/series?since=1h&step=1m');
    expect(series.status).toBe(200);
    expect(series.body.points.reduce((n: number, p: { traces: number }) => n + p.traces, 0)).toBe(2);
    expect((await get('/api/v1/flows/nope/series')).body.message).toBe('No flow "nope" in the catalog or among observed flows.');
  });

  describe("one flow's summary over a window (GET /flows/{id}/summary)", () => {
    type Stats = { traces: number; failedTraces: number; records: number; p50Ms: number | null; p95Ms: number | null; firstSeen: string; lastSeen: string };
    type Row = { id: string; stats: Stats | null; lastSeen: string | null; integrations: string[]; throughputPerHour: number };
    const inventoryRow = async (id: string): Promise<Row> => (await get('/api/v1/inventory/flows?since=1h')).body.flows.find((f: Row) => f.id === id);
    const seriesTotals = async (id: string, range: string) => {
      const points = (await get(`/api/v1/flows/${encodeURIComponent(id)}/series?${range}`)).body.points as Array<
        Record<'traces' | 'failedTraces' | 'records', number>
      >;
      return {
        traces: points.reduce((n, p) => n + p.traces, 0),
        failedTraces: points.reduce((n, p) => n + p.failedTraces, 0),
        records: points.reduce((n, p) => n + p.records, 0),
      };
    };

    it('counts a preset window as the inventory and the series do, and states the window', async () => {
      const inv = await inventoryRow('customer-sync');
      const { status, body } = await get('/api/v1/flows/customer-sync/summary?since=1h');
      expect(status).toBe(200);
      // The last 60 whole minutes (the rollups' grain), the current one included: the window stated is the one covered.
      expect(Date.parse(body.until) - Date.parse(body.since)).toBe(3_600_000);
      expect(Date.parse(body.since) % 60_000).toBe(0);
      expect(body.keptSince).toBeNull();
      expect(body.flow).toMatchObject({
        id: 'customer-sync',
        documented: true,
        owner: 'icoe',
        domain: 'customer',
        integrations: inv.integrations,
        lastSeen: inv.lastSeen,
      });
      // Over the part of the hour observed (Weft started within it), not the whole hour.
      expect(body.flow.throughputPerHour).toBeGreaterThan(2);
      // One edge: the inventory's latency (the largest of its edges') is the flow's.
      expect(body.flow.stats).toEqual(inv.stats);
      expect(body.flow.stats).toMatchObject({ traces: 2, failedTraces: 1, errorRate: 0.5, records: 10 });
      expect(body.flow.stats.p95Ms).toBeGreaterThan(0);
      expect(await seriesTotals('customer-sync', 'since=1h')).toEqual({ traces: 2, failedTraces: 1, records: 10 });
    });

    it('counts an absolute window (from, to) exactly: the minutes it holds, nothing before or after', async () => {
      const inv = await inventoryRow('customer-sync');
      const first = Date.parse(inv.stats!.firstSeen);
      const range = `from=${new Date(first - 10 * 60_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;
      const around = (await get(`/api/v1/flows/customer-sync/summary?${range}`)).body;
      expect(around.since).toBe(new Date(Math.floor((first - 10 * 60_000) / 60_000) * 60_000).toISOString());
      expect(around.flow.stats).toMatchObject({ traces: 2, failedTraces: 1, records: 10, firstSeen: inv.stats!.firstSeen, lastSeen: inv.stats!.lastSeen });
      expect(await seriesTotals('customer-sync', range)).toMatchObject({ traces: 2, failedTraces: 1, records: 10 });
      // The window before the traffic, and the one from the minute after it: no trace, so no figures at all (never zeros).
      for (const [from, to] of [
        [first - 3 * 3_600_000, first - 3_600_000],
        [Math.floor(Date.parse(inv.stats!.lastSeen) / 60_000) * 60_000 + 60_000, Date.now() + 60_000],
      ]) {
        const q = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;
        const empty = (await get(`/api/v1/flows/customer-sync/summary?${q}`)).body;
        expect(empty.flow, q).toMatchObject({ id: 'customer-sync', stats: null, integrations: [], throughputPerHour: 0, lastSeen: inv.lastSeen });
        expect((await seriesTotals('customer-sync', q)).traces, q).toBe(0);
      }
    });

    it('regression: a range shorter than a minute, or not on minutes, states the whole minutes its figures cover (a 30 s range counted its whole minute, past its end)', async () => {
      // A minute the flow's traffic is counted in (its rollup bucket: where a trace started).
      const points = (await get('/api/v1/flows/customer-sync/series?since=1h&step=1m')).body.points as Array<{ t: string; traces: number }>;
      const minute = Date.parse(points.find((p) => p.traces > 0)!.t);
      for (const [from, to] of [
        [minute, minute + 30_000],
        [minute + 10_000, minute + 20_000],
        [minute - 45_000, minute + 15_000],
      ]) {
        const q = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;
        const body = (await get(`/api/v1/flows/customer-sync/summary?${q}`)).body;
        expect(Date.parse(body.since) % 60_000, q).toBe(0);
        expect(Date.parse(body.until) % 60_000, q).toBe(0);
        expect(Date.parse(body.since), q).toBeLessThanOrEqual(from);
        expect(Date.parse(body.until), q).toBeGreaterThanOrEqual(to);
        // The figures are those of the whole minutes stated: the traffic of that minute, all of it.
        expect(body.flow.stats, q).not.toBeNull();
        expect(body.flow.stats.traces, q).toBe((await seriesTotals('customer-sync', `from=${body.since}&to=${body.until}`)).traces);
        expect(Date.parse(body.flow.stats.firstSeen), q).toBeGreaterThanOrEqual(Date.parse(body.since));
      }
    });

    // Regression: a range ending on a minute (11:15:00) counted that minute's traffic (up to 11:15:59), so a
    // range and the period before it both counted the minute between them.
    it('counts nothing of the minute that starts where a range ends, so a range and the period before it share no minute', async () => {
      const points = (await get('/api/v1/flows/customer-sync/series?since=1h&step=1m')).body.points as Array<{ t: string; traces: number }>;
      const minute = Date.parse(points.find((p) => p.traces > 0)!.t);
      const q = (a: number, b: number) => `from=${new Date(a).toISOString()}&to=${new Date(b).toISOString()}`;
      const before = q(minute - 10 * 60_000, minute);
      const after = q(minute, minute + 10 * 60_000);
      expect((await get(`/api/v1/flows/customer-sync/summary?${before}`)).body.flow.stats, before).toBeNull();
      expect((await seriesTotals('customer-sync', before)).traces, before).toBe(0);
      expect((await get(`/api/v1/flows/customer-sync/summary?${after}`)).body.flow.stats, after).toMatchObject({ traces: 2 });
      expect((await seriesTotals('customer-sync', after)).traces, after).toBe(2);
      // A range ending within the minute counts it.
      expect((await seriesTotals('customer-sync', q(minute - 10 * 60_000, minute + 1000))).traces).toBe(2);
    });

    // Regression: buckets were laid from the epoch, so a 5m bucket began up to 4 minutes before `from`,
    // and the period before a range of 13 minutes, shifted onto it, fell between its buckets.
    it("lays the series' buckets from the start of the range's first minute, so the period before lines up with it", async () => {
      const points = (await get('/api/v1/flows/customer-sync/series?since=1h&step=1m')).body.points as Array<{ t: string; traces: number }>;
      const minute = Date.parse(points.find((p) => p.traces > 0)!.t);
      // A first minute off the 5-minute marks, with seconds: the first bucket is that minute, not the 5-minute mark before it.
      const first = (minute - 3 * 60_000) % 300_000 === 0 ? minute - 2 * 60_000 : minute - 3 * 60_000;
      const from = first + 20_000;
      const to = from + 13 * 60_000;
      const buckets = (await get(`/api/v1/flows/customer-sync/series?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&step=5m`)).body
        .points as Array<{ t: string; traces: number }>;
      const ts = buckets.map((p) => Date.parse(p.t));
      for (const t of ts) expect((t - first) % 300_000, new Date(t).toISOString()).toBe(0);
      expect(Math.min(...ts)).toBeGreaterThanOrEqual(first);
      // The traffic's minute is in the bucket laid from the first minute, and all of it.
      expect(buckets.find((p) => p.traces > 0)?.t).toBe(new Date(first + Math.floor((minute - first) / 300_000) * 300_000).toISOString());
      expect(buckets.reduce((n, p) => n + p.traces, 0)).toBe(2);
      // So, as the period before the range of the same length after it, shifted by 13 minutes its buckets
      // are that range's (laid from first + 13 minutes), not 2 minutes off them as from the epoch.
    });

    // Regression: for 10:44:07 – 10:46:33 the series stated its range to the second while the summary read
    // 10:44 – 10:47; the period before taken from the series (10:41:41 – 10:44:07) counted the 10:44 minute,
    // which is inside the range, and its buckets fell 26 s past this range's.
    it('states the whole-minute window the summary states, for presets and ranges with seconds', async () => {
      const points = (await get('/api/v1/flows/customer-sync/series?since=1h&step=1m')).body.points as Array<{ t: string; traces: number }>;
      const minute = Date.parse(points.find((p) => p.traces > 0)!.t);
      const q = (a: number, b: number) => `from=${new Date(a).toISOString()}&to=${new Date(b).toISOString()}`;
      for (const range of ['since=1h', q(minute + 7_000, minute + 2 * 60_000 + 33_000), q(minute - 2 * 60_000 + 41_000, minute + 7_000)]) {
        // A preset ends now: the two calls are compared when they fell in one minute (asked again when a minute began between them).
        let series: { since: string; until: string };
        let summary: { since: string; until: string };
        for (;;) {
          const startMinute = Math.floor(Date.now() / 60_000);
          series = (await get(`/api/v1/flows/customer-sync/series?${range}`)).body;
          summary = (await get(`/api/v1/flows/customer-sync/summary?${range}`)).body;
          if (range.startsWith('from=') || Math.floor(Date.now() / 60_000) === startMinute) break;
        }
        expect({ since: series.since, until: series.until }, range).toEqual({ since: summary.since, until: summary.until });
        expect(Date.parse(series.since) % 60_000, range).toBe(0);
        expect(Date.parse(series.until) % 60_000, range).toBe(0);
      }
      // The range starting 7 s into the traffic's minute counts it; the period before it, read from the series' window, does not.
      const series = (await get(`/api/v1/flows/customer-sync/series?${q(minute + 7_000, minute + 2 * 60_000 + 33_000)}`)).body;
      expect(series.since).toBe(new Date(minute).toISOString());
      expect(series.points.reduce((n: number, p: { traces: number }) => n + p.traces, 0)).toBe(2);
      const length = Date.parse(series.until) - Date.parse(series.since);
      const before = q(minute - length, minute);
      expect((await seriesTotals('customer-sync', before)).traces, before).toBe(0);
    });

    // Regression: the inventory (and the graph) counted the whole minute holding `since` but stated `since` to the
    // millisecond, so a trace before the stated start was counted and the inventory disagreed with the summary.
    it('regression: the inventory and the graph state the whole-minute window they count, the one the summary states', async () => {
      const first = Date.parse((await get('/api/v1/flows/customer-sync/summary?since=1h')).body.flow.stats.firstSeen);
      for (const after of [1, 5, 20, 40]) {
        let inv: { since: string; until: string; flows: Row[] };
        let graph: { since: string; until: string };
        let summary: { since: string; until: string; flow: Row };
        let range: string;
        for (;;) {
          const startMinute = Math.floor(Date.now() / 60_000);
          // A look-back starting `after` s past the flow's first trace: in its minute when that minute has that long left.
          range = `since=${Math.max(1, Math.floor((Date.now() - first) / 1000) - after)}s`;
          inv = (await get(`/api/v1/inventory/flows?${range}`)).body;
          graph = (await get(`/api/v1/graph?${range}`)).body;
          summary = (await get(`/api/v1/flows/customer-sync/summary?${range}`)).body;
          if (Math.floor(Date.now() / 60_000) === startMinute) break;
        }
        expect(Date.parse(inv.since) % 60_000, range).toBe(0);
        expect([inv.since, inv.until], range).toEqual([summary.since, summary.until]);
        expect([graph.since, graph.until], range).toEqual([summary.since, summary.until]);
        for (const f of inv.flows.filter((row) => row.stats)) {
          expect(Date.parse(f.stats!.firstSeen), `${range} ${f.id}`).toBeGreaterThanOrEqual(Date.parse(inv.since));
          expect(Date.parse(f.stats!.lastSeen), `${range} ${f.id}`).toBeLessThanOrEqual(Date.parse(inv.until));
        }
        expect(
          inv.flows.find((f) => f.id === 'customer-sync'),
          range,
        ).toEqual(summary.flow);
      }
    });

    it("gives an observed flow the inventory's row, and an observed id a catalog flow claims no traffic (the series neither)", async () => {
      const id = 'observed:erp->crm@erp-writeback';
      const inv = await inventoryRow(id);
      const { flow } = (await get(`/api/v1/flows/${encodeURIComponent(id)}/summary?since=1h`)).body;
      expect(flow).toEqual({ ...inv, throughputPerHour: flow.throughputPerHour });
      expect(flow).toMatchObject({ documented: false, name: 'erp → crm', stats: { traces: 1 } });
      // regression: the series of an observed id read every edge of its integration, a catalog flow's included
      const claimed = 'observed:crm->erp@customer-sync';
      expect((await get(`/api/v1/flows/${encodeURIComponent(claimed)}/summary?since=1h`)).body.flow).toMatchObject({ stats: null, documented: false });
      expect((await seriesTotals(claimed, 'since=1h')).traces).toBe(0);
      expect((await get('/api/v1/flows/nope/summary')).body.message).toBe('No flow "nope" in the catalog or among observed flows.');
    });

    it('counts every flow of the inventory the same way, whichever catalog flow claims an edge first', async () => {
      // A flow with no runtime claims every crm → erp edge the flows listed before it do not.
      const any = '  - { id: crm-erp-any, source: crm, target: erp, owner: icoe }\n';
      const after = catalogFrom(`${baseCatalogYaml}${any}`);
      const before = catalogFrom(baseCatalogYaml.replace('  - { id: customer-sync,', `${any}  - { id: customer-sync,`));
      const until = new Date(Date.now() + 60_000);
      const since = new Date(until.getTime() - 3_600_000);
      for (const catalog of [after, before]) {
        const inventory = buildInventory(await takeSnapshot(h.store, catalog, since, until));
        for (const row of inventory.flows) {
          const [summary] = await queryFlowSummaries(h.store, catalog, selectFlow(catalog, row.id), [{ since, until }]);
          const { stats, ...facts } = row;
          expect(summary, row.id).toMatchObject(facts);
          expect(summary.stats && { ...summary.stats, p50Ms: null, p95Ms: null, p99Ms: null }, row.id).toEqual(
            stats && { ...stats, p50Ms: null, p95Ms: null, p99Ms: null },
          );
        }
        const traces = (id: string) => inventory.flows.find((f) => f.id === id)!.stats?.traces ?? 0;
        expect([traces('customer-sync'), traces('crm-erp-any')]).toEqual(catalog === after ? [2, 0] : [0, 2]);
      }
    });

    it('reads only what Weft keeps of a window that starts before its rollup retention, and says from when', async () => {
      const kept = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, logger: silentLogger(), services: { store: h.store, analyzer, rollupDays: 1 } });
      try {
        const day = 86_400_000;
        const ask = async (from: number, to: number) =>
          (
            await kept.inject({
              method: 'GET',
              url: `/api/v1/flows/customer-sync/summary?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`,
            })
          ).json();
        const now = Date.now();
        const partly = await ask(now - 3 * day, now + 60_000);
        expect(Date.parse(partly.keptSince)).toBeGreaterThanOrEqual(now - day);
        expect(Date.parse(partly.keptSince)).toBeLessThan(Date.now() - day + 1);
        expect(partly.since).toBe(new Date(Math.floor((now - 3 * day) / 60_000) * 60_000).toISOString());
        expect(partly.flow.stats).toMatchObject({ traces: 2 });
        const gone = await ask(now - 5 * day, now - 3 * day);
        expect(gone.keptSince).not.toBeNull();
        expect(gone.flow).toMatchObject({ stats: null, throughputPerHour: 0 });
        expect(gone.flow.lastSeen).not.toBeNull();
        expect((await ask(now - 12 * 3_600_000, now)).keptSince).toBeNull();
      } finally {
        await kept.close();
      }
    });

    it('refuses a range it cannot read with the same 400 and message as the series', async () => {
      const now = Date.now();
      const iso = (t: number) => new Date(t).toISOString();
      for (const [q, message] of [
        [`from=${iso(now - 3_600_000)}&to=${iso(now - 7_200_000)}`, /^from must be before to, got from=.* and to=/],
        [`from=${iso(now - 401 * 86_400_000)}&to=${iso(now)}`, /^The range may cover at most 400 days, got 401 days/],
        [`since=1h&from=${iso(now - 3_600_000)}`, /^Give either since, or from and to, not both\.$/],
        [`to=${iso(now)}`, /^to needs from/],
        [
          'from=yesterday-at-noon',
          /^from must be a date and time that exists, with its UTC offset \(RFC 3339\), such as 2026-11-29T08:00:00Z or 2026-11-29T09:00:00\+01:00; got "yesterday-at-noon"\.$/,
        ],
        ['from=%2B010000-01-01T00:00:00Z&to=%2B010000-01-02T00:00:00Z', /^from must be a date and time that exists, with its UTC offset/],
        // Read by Date.parse before: 2 March, the server's zone, an HTTP date — each a window other than the one asked for.
        [`from=2026-02-30T00:00:00Z&to=2026-03-03T00:00:00Z`, /^from must be a date and time that exists/],
        [`from=${iso(now - 3_600_000).slice(0, 19)}`, /^from must be a date and time that exists, with its UTC offset/],
        [`from=${encodeURIComponent(new Date(now - 3_600_000).toUTCString())}`, /^from must be a date and time that exists/],
        [`from=1800-01-01T00:00:00Z&to=1800-01-02T00:00:00Z`, /^from must lie between the years 1900 and 2299/],
        ['since=401d', /^Invalid querystring field "since": at most 400d/],
        ['since=1h&step=1m', /^Unknown query parameter "step" for GET \/api\/v1\/flows\/:id\/summary; it takes since, from, to\.$/],
        [`form=${iso(now)}`, /^Unknown query parameter "form"/],
      ] as const) {
        const summary = await get(`/api/v1/flows/customer-sync/summary?${q}`);
        expect(summary.status, q).toBe(400);
        expect(summary.body.message, q).toMatch(message);
        if (q.includes('step')) continue;
        // The series and the records per hop take the same range, and refuse it the same way.
        for (const route of ['/api/v1/flows/customer-sync/series', '/api/v1/hops']) {
          const other = await get(`${route}?${q}`);
          expect(other, `${route}?${q}`).toEqual({
            status: 400,
            body: expect.objectContaining({ message: q.includes('form=') ? expect.any(String) : summary.body.message }),
          });
        }
      }
    });
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

  // Regression: the records per hop compared a handoff's writes over a settled part of the window it did not name.
  it('says which part of the window a handoff through a topic or queue counts the writes of (GET /hops)', async () => {
    const settledAt = (t: number) => Math.floor((t - 600_000 - 60_000) / 60_000) * 60_000;
    const before = Date.now();
    const hour = (await get('/api/v1/hops?since=1h')).body;
    const after = Date.now();
    expect(hour.settleMs).toBe(600_000);
    // Regression: the window is stated to the end of the minute in progress, but its settled part is measured
    // from the moment it is read: up to 59 s of records still in flight were counted as settled.
    expect([settledAt(before), settledAt(after)]).toContain(Date.parse(hour.settledUntil));
    expect(Date.parse(hour.settledUntil)).toBeLessThanOrEqual(before - 600_000);
    const until = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
    const range = (await get(`/api/v1/hops?from=${new Date(until - 30 * 60_000).toISOString()}&to=${new Date(until).toISOString()}`)).body;
    expect([range.until, range.settledUntil]).toEqual([new Date(until).toISOString(), new Date(until - 11 * 60_000).toISOString()]);
    // Shorter than the settle time and the minute in progress: no part of it is settled.
    const short = (await get(`/api/v1/hops?from=${new Date(until - 10 * 60_000).toISOString()}&to=${new Date(until).toISOString()}`)).body;
    expect(short).toMatchObject({ settleMs: 600_000, settledUntil: null });
  });

  // Regression: for 11:51:15 – 11:54:29 a flow's summary and charts read 11:51 – 11:55, while its records
  // per hop said "Counted over 11:51:15 – 11:54:29".
  it("counts records per hop over the whole minutes a flow's summary states (GET /hops)", async () => {
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;
    const iso = (t: number) => new Date(t).toISOString();
    const seconds = `from=${iso(minute + 15_000)}&to=${iso(minute + 3 * 60_000 + 29_000)}`;
    const whole = `from=${iso(minute)}&to=${iso(minute + 4 * 60_000)}`;
    for (const range of [seconds, whole]) {
      const hops = (await get(`/api/v1/hops?flow=customer-sync&${range}`)).body;
      const summary = (await get(`/api/v1/flows/customer-sync/summary?${range}`)).body;
      expect([hops.since, hops.until], range).toEqual([summary.since, summary.until]);
      expect([hops.since, hops.until], range).toEqual([iso(minute), iso(minute + 4 * 60_000)]);
    }
    // A preset too: its length in whole minutes, ending on a minute (the end of the one in progress).
    const hour = (await get('/api/v1/hops?flow=customer-sync&since=1h')).body;
    // Regression: a flow id that names no flow answered "no hops", as if the flow carried nothing.
    expect(await get('/api/v1/hops?flow=customer-snyc')).toEqual({
      status: 404,
      body: expect.objectContaining({ message: 'No flow "customer-snyc" in the catalog or among observed flows.' }),
    });
    expect(Date.parse(hour.until) % 60_000).toBe(0);
    expect(Date.parse(hour.until) - Date.parse(hour.since)).toBe(3_600_000);
  });

  // Regression: the flow page's records (the summary's: each paired run once) and its records per hop (a traced hop's:
  // the records of every span received, paired or not) were both called records with nothing saying they differ;
  // while runs were being paired the hop showed more ("124 records" beside "135 written, 124/124 counted").
  it("says what a hop's read and written count, and that a flow summary's records count paired runs (GET /hops)", async () => {
    const hops = (await get('/api/v1/hops?flow=customer-sync&since=1h')).body;
    const summary = (await get('/api/v1/flows/customer-sync/summary?since=1h')).body;
    const hop = hops.chains.flatMap((c: { hops: Array<Record<string, unknown>> }) => c.hops).find((x: { flowId: string }) => x.flowId === 'customer-sync');
    expect(hop).toMatchObject({ via: 'trace', recordsFrom: 'spans', units: summary.flow.stats.traces });
    const spec = (await get('/api/v1/openapi.json')).body;
    const text = JSON.stringify(spec);
    expect(text).toContain('of every span received in the window, its trace paired or not');
    expect(text).toContain('records the runs moved, each run (paired trace or completed OpenLineage run) once');
  });

  it('answers bad queries with 400 and a message', async () => {
    expect(await get('/api/v1/findings?kind=nonsense')).toEqual({
      status: 400,
      body: expect.objectContaining({
        message: expect.stringMatching(/^Invalid querystring field "kind": unknown "nonsense"; expected one or more of undocumented-flow/),
      }),
    });
    expect((await get('/api/v1/findings?severity=urgent')).status).toBe(400);
    // Regression: `?status=` and `?status=,,` were read as no filter (resolved findings included), `?kind=` too.
    for (const [query, problem] of [
      ['status=', 'it is empty'],
      ['status=,,,', 'it has an empty item (",,,")'],
      ['status=open,', 'it has an empty item ("open,")'],
      ['kind=', 'it is empty'],
    ])
      expect((await get(`/api/v1/findings?${query}`)).body.message, query).toBe(
        `Invalid querystring field "${query.split('=')[0]}": ${problem}; expected one or more of ${query.startsWith('status') ? 'open, acknowledged, resolved' : findingKinds.join(', ')}, separated by commas.`,
      );
    expect((await get('/api/v1/findings?status=opne')).body.message).toMatch(/^Invalid querystring field "status": unknown "opne" \(did you mean "open"\?\); /);
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
    expect((await get('/api/v1/hops?domain[]=customer')).body.message).toMatch(/it takes since, from, to, domain, flow\.$/);
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
    expect(ok.json().warnings).toEqual([]);
    expect((await get('/api/v1/findings')).body.findings).toEqual([]);
  });

  it('returns the warnings of a reloaded catalog, as weft catalog validate prints them (it returned only counts)', async () => {
    const json = { 'content-type': 'application/json' };
    try {
      writeFileSync(catalogFile, 'owners:\n  - id: team-a\nsystems:\n  - id: crm\n    owner: team-a\n    match: {}\n');
      const r = await app.inject({ method: 'POST', url: '/api/v1/catalog/reload', headers: json });
      expect(r.statusCode).toBe(200);
      expect(r.json().warnings).toEqual([
        {
          file: catalogFile,
          line: 6,
          column: 12,
          path: 'systems[0].match',
          message: expect.stringContaining('system "crm" has no match rules'),
          text: expect.stringMatching(
            new RegExp(`^${catalogFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6:12: systems\\[0\\]\\.match: system "crm" has no match rules`),
          ),
        },
      ]);
    } finally {
      writeFileSync(catalogFile, fixedCatalogYaml);
      await app.inject({ method: 'POST', url: '/api/v1/catalog/reload', headers: json });
    }
  });

  it('describes every route in the OpenAPI document', async () => {
    const doc = (await get('/api/v1/openapi.json')).body;
    for (const path of [
      '/api/v1/inventory/systems',
      '/api/v1/graph',
      '/api/v1/flows/{id}/series',
      '/api/v1/flows/{id}/summary',
      '/api/v1/findings',
      '/api/v1/findings/{id}/ack',
      '/api/v1/catalog/reload',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    // The flow's two routes take the same range.
    const names = (path: string) => doc.paths[path].get.parameters.filter((p: { in: string }) => p.in === 'query').map((p: { name: string }) => p.name);
    expect(names('/api/v1/flows/{id}/summary')).toEqual(['since', 'from', 'to']);
    expect(names('/api/v1/flows/{id}/series')).toEqual(['since', 'from', 'to', 'step']);
    expect(doc.paths['/api/v1/flows/{id}/summary'].get.responses['200'].content['application/json'].schema.properties.keptSince).toBeDefined();
    expect(
      doc.paths['/api/v1/catalog/reload'].post.responses['200'].content['application/json'].schema.properties.warnings.items.properties.text,
    ).toBeDefined();
  });
});
