import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnalyzer, type Analyzer } from '../../analyzer/index.ts';
import { baseCatalogYaml, sendEstateTraffic } from '../../analyzer/test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { loadCatalog, loadCatalogWithWarnings } from '../../core/catalog/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { startReports, type ReportsRuntime } from '../../reports/index.ts';
import type { ApiApp } from '../app.ts';
import { buildApiApp } from '../index.ts';

describe('catalog reload and lifecycles', () => {
  let h: Harness;
  let analyzer: Analyzer;
  let reports: ReportsRuntime;
  let app: ApiApp;
  let catalogFile: string;

  beforeAll(async () => {
    h = await startHarness();
    catalogFile = join(h.dir, 'estate.yaml');
    writeFileSync(catalogFile, baseCatalogYaml);
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
    reports = await startReports({
      store: h.store,
      dataDir: h.dir,
      logger: silentLogger(),
      catalog: () => analyzer.catalog(),
      env: () => undefined,
      schedule: false,
    });
    await analyzer.runNow();
    app = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, logger: silentLogger(), services: { store: h.store, analyzer, reports } });
  });
  afterAll(async () => {
    await app?.close();
    await reports?.stop();
    await analyzer?.stop();
    await h?.close();
  });

  it('does not report the runs before a reload retired a flow, not even in the reload evaluation', async () => {
    const deprecated = async () => (await analyzer.findings.list({ kind: ['deprecated-in-use'] })).map((f) => f.key);
    expect(await deprecated()).not.toContain('flow:customer-sync');
    writeFileSync(catalogFile, baseCatalogYaml.replace('runtime: { service: customer-sync } }', 'runtime: { service: customer-sync }, lifecycle: retired }'));
    expect(analyzer.catalog().flows.find((f) => f.id === 'customer-sync')?.lifecycle).toBe('active');
    const r = await app.inject({ method: 'POST', url: '/api/v1/catalog/reload', headers: { 'content-type': 'application/json' }, payload: {} });
    expect(r.statusCode).toBe(200);
    expect(analyzer.catalog().flows.find((f) => f.id === 'customer-sync')?.lifecycle).toBe('retired');
    // The reload's evaluation opened "Retired flow customer-sync still runs" (the version was stored after it), and
    // the next one resolved it.
    expect(await deprecated()).not.toContain('flow:customer-sync');
    await analyzer.runNow();
    expect(await deprecated()).not.toContain('flow:customer-sync');
  });
});
