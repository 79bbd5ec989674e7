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

  // Regression: an editor saving the catalog file empty, then a reload, dropped the whole estate: on the demo, 35
  // findings opened (every observed flow undocumented, every system unknown) and 9 resolved, answered 200.
  it('keeps the catalog in use when the files now declare nothing (empty, comments only, empty sections), and takes them back once filled in', async () => {
    const reload = () => app.inject({ method: 'POST', url: '/api/v1/catalog/reload', headers: { 'content-type': 'application/json' }, payload: {} });
    const open = async () => (await analyzer.findings.list({ status: ['open'] })).map((f) => f.id).sort();
    const before = { flows: analyzer.catalog().flows.length, findings: await open() };
    expect(before.flows).toBeGreaterThan(0);
    for (const text of ['', '\n\n', '# being rewritten\n', 'systems: []\nflows: []\n', 'owners: []\n# the rest to follow\n']) {
      writeFileSync(catalogFile, text);
      const r = await reload();
      expect([r.statusCode, r.json().code], JSON.stringify(text)).toEqual([400, 'WEFT_ERR_CATALOG']);
      expect(r.json().message).toContain(
        `${catalogFile}: declares nothing now (every section of every catalog file is empty or absent): the catalog in use is kept`,
      );
      expect(analyzer.catalog().flows.length).toBe(before.flows);
      expect(await open()).toEqual(before.findings);
    }
    writeFileSync(catalogFile, baseCatalogYaml);
    expect((await reload()).statusCode).toBe(200);
    expect(await open()).toEqual(before.findings);
  });
});
