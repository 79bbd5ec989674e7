import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../collector/test/harness.ts';
import { silentLogger } from '../core/log/logger.ts';
import { buildGraph } from './graph/build-graph.ts';
import { startAnalyzer, type Analyzer } from './index.ts';
import { buildInventory } from './inventory/build-inventory.ts';
import type { Snapshot } from './model/snapshot.ts';
import { baseCatalogYaml, catalogFrom, fixedCatalogYaml, sendEstateTraffic } from './test/estate-fixture.ts';

const MIN = 60_000;
/** Marks the statement that reads a window's edges (analyzer/flows/observed.ts), one per snapshot. */
const EDGES_READ = 'quantilesTDigestMerge(0.5, 0.95, 0.99)(lat) AS q';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

describe('analyzer snapshots read while the same read is under way', () => {
  let h: Harness;
  let analyzer: Analyzer;
  let edgeReads = 0;
  const now = Date.now();

  beforeAll(async () => {
    h = await startHarness();
    await sendEstateTraffic(h.collector.url, now - 10 * MIN);
    await h.collector.flush();
    const query = h.store.client.query.bind(h.store.client);
    h.store.client.query = ((params: { query: string }) => {
      if (params.query.includes(EDGES_READ)) edgeReads++;
      return query(params as Parameters<typeof query>[0]);
    }) as typeof h.store.client.query;
    analyzer = startAnalyzer({
      store: h.store,
      catalog: catalogFrom(baseCatalogYaml),
      logger: silentLogger(),
      config: { intervalMs: 3_600_000, windowMs: 86_400_000, lateMs: 0, completeGraceMs: 0 },
      schedule: false,
    });
    await analyzer.runNow();
  });
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it('reads a window once for the views asked for at the same time, and again for a later request', async () => {
    edgeReads = 0;
    const [graph, inventory, snap] = await Promise.all([analyzer.graph(), analyzer.inventory(), analyzer.snapshot()]);
    expect(edgeReads).toBe(1);
    expect(graph.edges.filter((e) => e.observed).length).toBeGreaterThan(0);
    expect(inventory.flows.map((f) => f.id)).toContain('customer-sync');
    expect(buildGraph(snap)).toEqual(graph);
    // Nothing is kept once a read has ended: the next request reads again.
    await analyzer.graph();
    expect(edgeReads).toBe(2);
    // Another window is another read.
    await Promise.all([analyzer.graph(), analyzer.graph(30 * MIN)]);
    expect(edgeReads).toBe(4);
  });

  it('reads again, with the new catalog, when the catalog is reloaded while a read is under way', async () => {
    const old = analyzer.catalog();
    const next = catalogFrom(fixedCatalogYaml);
    const before = analyzer.snapshot();
    const reload = analyzer.reloadCatalog(next);
    const during = analyzer.snapshot();
    expect((await before).catalog).toBe(old);
    expect((await during).catalog).toBe(next);
    await reload;
  });

  it('builds the graph and the inventory without changing the snapshot they share', async () => {
    const snap: Snapshot = deepFreeze(await analyzer.snapshot());
    expect(() => buildGraph(snap)).not.toThrow();
    expect(() => buildInventory(snap)).not.toThrow();
  });
});
