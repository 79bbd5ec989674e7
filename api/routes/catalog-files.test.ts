import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credentials, routeAccessOf, type Role } from '../../access/index.ts';
import { startAnalyzer, type Analyzer } from '../../analyzer/index.ts';
import { baseCatalogYaml } from '../../analyzer/test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { catalogFileNames, loadCatalogWithWarnings } from '../../core/catalog/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { buildApiApp, type ApiApp } from '../app.ts';

const readers: Role[] = ['viewer', 'sre', 'auditor', 'icoe', 'admin'];
const tokenOf = (role: Role) => `files-${role}-token-0123456789`;

describe('catalog file paths in API answers', () => {
  let h: Harness;
  let analyzer: Analyzer;
  let app: ApiApp;
  let files: string[];
  let reportsDir: string;

  beforeAll(async () => {
    h = await startHarness();
    const dir = join(h.dir, 'srv-estate', 'catalog');
    mkdirSync(join(dir, 'teams'), { recursive: true });
    reportsDir = join(h.dir, 'srv-reports', 'weekly');
    files = [join(dir, 'estate.yaml'), join(dir, 'teams', 'reports.yaml')];
    writeFileSync(files[0], baseCatalogYaml);
    writeFileSync(files[1], `reports:\n  - id: weekly\n    cron: "0 6 * * 1"\n    period: 7d\n    directory: ${reportsDir}\n`);
    const { catalog } = loadCatalogWithWarnings(files);
    analyzer = startAnalyzer({
      store: h.store,
      catalog,
      loadCatalog: () => loadCatalogWithWarnings(files),
      logger: silentLogger(),
      config: { intervalMs: 3_600_000, windowMs: 86_400_000, lateMs: 0 },
      schedule: false,
    });
    const credentials = await Credentials.create({
      configured: readers.map((role) => ({ token: tokenOf(role), role, name: `files-${role}`, source: 'WEFT_API_TOKENS' as const })),
    });
    app = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, credentials, logger: silentLogger(), services: { store: h.store, analyzer } });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await analyzer?.stop();
    await h?.close();
  });

  const get = async (role: Role, url: string) => {
    const r = await app.inject({ url, headers: { authorization: `Bearer ${tokenOf(role)}` } });
    expect(r.statusCode, `${role} ${url}`).toBe(200);
    return r.body;
  };

  it('names files relative to the directory that holds them', () => {
    expect(catalogFileNames(['/srv/estate/catalog/a.yaml', '/srv/estate/catalog/teams/b.yaml'])).toEqual(['a.yaml', 'teams/b.yaml']);
    expect(catalogFileNames(['/srv/a/x.yaml', '/srv/b/y.yaml'])).toEqual(['a/x.yaml', 'b/y.yaml']);
    expect(catalogFileNames(['/srv/estate/one.yaml'])).toEqual(['one.yaml']);
    expect(catalogFileNames([])).toEqual([]);
  });

  it("regression: viewers, sres and auditors are not shown where the catalog's files (or a report's directory) are on the server; icoe and admin are (GET /catalog and GET /audit gave every reader the absolute paths)", async () => {
    const leaked: string[] = [];
    for (const role of readers) {
      for (const url of ['/api/v1/catalog', '/api/v1/audit?since=1h']) {
        const body = await get(role, url);
        const shows = body.includes(h.dir);
        if (shows !== (role === 'icoe' || role === 'admin')) leaked.push(`${role} ${url}: ${shows ? 'shows' : 'hides'} ${h.dir}`);
      }
    }
    expect(leaked).toEqual([]);
    const asViewer = JSON.parse(await get('viewer', '/api/v1/catalog'));
    expect(asViewer.counts.sources).toEqual(['estate.yaml', 'teams/reports.yaml']);
    expect(asViewer.catalog.sources).toEqual(['estate.yaml', 'teams/reports.yaml']);
    expect(asViewer.catalog.reports).toEqual([expect.objectContaining({ id: 'weekly' })]);
    expect(asViewer.catalog.reports[0]).not.toHaveProperty('directory');
    expect(JSON.parse(await get('viewer', '/api/v1/audit?since=1h')).catalog.files).toEqual(['estate.yaml', 'teams/reports.yaml']);
    const asIcoe = JSON.parse(await get('icoe', '/api/v1/catalog'));
    expect(asIcoe.catalog.sources).toEqual(files);
    expect(asIcoe.catalog.reports[0].directory).toBe(reportsDir);
  });

  it('no GET route a viewer may call answers with a path on the server under the catalog, reports or data directories', async () => {
    await analyzer.runNow();
    const leaked: string[] = [];
    for (const route of routeAccessOf(app)) {
      if (route.method !== 'GET' || route.access !== 'read') continue;
      const url = route.url.replace(/:\w+/g, 'weekly');
      const r = await app.inject({ url, headers: { authorization: `Bearer ${tokenOf('viewer')}` } });
      if (r.body.includes(h.dir)) leaked.push(`${url}: ${r.statusCode}`);
    }
    expect(leaked).toEqual([]);
  });
});
