import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnalyzer, type Analyzer } from '../../analyzer/index.ts';
import { baseCatalogYaml } from '../../analyzer/test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { loadCatalog } from '../../core/catalog/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { startProbes, type ProbesRuntime } from '../../probes/index.ts';
import type { ApiApp } from '../app.ts';
import { buildApiApp } from '../index.ts';

/** Regression (issue 15, item 8): an overflowing since or a huge step was a 500 on every read route. */
describe('time bounds on read routes, over a real socket', () => {
  let h: Harness;
  let analyzer: Analyzer;
  let probes: ProbesRuntime;
  let app: ApiApp;
  let base: string;
  const get = async (path: string) => {
    const r = await fetch(`${base}${path}`);
    return { status: r.status, body: (await r.json()) as { message?: string; code?: string } };
  };

  beforeAll(async () => {
    h = await startHarness();
    const file = join(h.dir, 'estate.yaml');
    writeFileSync(file, `${baseCatalogYaml}\nprobes:\n  - { id: crm-up, kind: http, system: crm, every: 1h, url: "http://127.0.0.1:9/x" }\n`);
    const catalog = loadCatalog([file]);
    analyzer = startAnalyzer({
      store: h.store,
      catalog,
      loadCatalog: () => ({ catalog: loadCatalog([file]), warnings: [] }),
      logger: silentLogger(),
      config: { intervalMs: 3_600_000, windowMs: 86_400_000, lateMs: 0 },
      schedule: false,
    });
    probes = startProbes({ store: h.store, catalog, logger: silentLogger(), scheduled: false });
    app = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, logger: silentLogger(), services: { store: h.store, analyzer, probes } });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await probes?.stop();
    await analyzer?.stop();
    await h?.close();
  });

  // Regression: `?since=-5m` answered 'must match pattern "^(\\d+(\\.\\d+)?(ms|s|m|h|d|w))+$"' and `?from=garbage` 'must NOT have fewer than 10 characters'.
  it('answers a value of the wrong shape with what the field takes and the value given, not the schema rule', async () => {
    const since = await get('/api/v1/graph?since=-5m');
    expect(since.status).toBe(400);
    expect(since.body.message).toMatch(/^Invalid querystring field "since": expected look-back window, e\.g\. 1h, 24h, 7d .*, got "-5m"\.$/);
    const from = await get('/api/v1/flows/customer-sync/series?from=garbage&to=2026-11-30T00:00:00Z');
    expect(from.body.message).toMatch(
      /^Invalid querystring field "from": expected absolute range start, an RFC 3339 date-time with its offset \(e\.g\. 2026-11-29T08:00:00Z or 2026-11-29T09:00:00\+01:00; years 1900–2299\).*, got "garbage"\.$/,
    );
    expect(JSON.stringify([since.body, from.body])).not.toMatch(/must match pattern|must NOT have/);
  });

  const huge = '99999999999999999999999d';
  const routes = [
    '/api/v1/graph',
    '/api/v1/inventory/flows',
    '/api/v1/inventory/systems',
    '/api/v1/audit',
    '/api/v1/probes/crm-up/samples',
    '/api/v1/flows/customer-sync/series',
    '/api/v1/flows/customer-sync/summary',
  ];

  it.each(routes)('%s: an overflowing since is a 400 that says what to send', async (route) => {
    const r = await get(`${route}?since=${huge}`);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/since/);
  });

  it.each(routes)('%s: since beyond what is kept, zero, or 10,000 characters long is a 400', async (route) => {
    for (const since of [route.includes('samples') ? '731d' : '401d', '0s', `${'1'.repeat(10_000)}s`]) {
      const r = await get(`${route}?since=${since}`);
      expect(r.status, `since=${since.slice(0, 12)}`).toBe(400);
    }
  });

  it('the series route bounds step: at least 1m, at most since, at most 10,000 points', async () => {
    const series = '/api/v1/flows/customer-sync/series';
    for (const [q, why] of [
      [`since=1h&step=${huge}`, /step/],
      ['since=1h&step=99999999999999999999w', /step/],
      ['since=1h&step=2h', /at most the window/],
      ['since=1h&step=10s', /at least 1m/],
      ['since=0s&step=0s', /since/],
      ['since=400d&step=1m', /more than 10000/],
    ] as const) {
      const r = await get(`${series}?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.message, q).toMatch(why);
    }
    expect((await get(`${series}?since=2h&step=10m`)).status).toBe(200);
    // Regression (break test): step=90s was taken and laid buckets of one minute and of two by turns (30, 60, 30…
    // traces of an even flow), and since=7d&step=1m was told to "use a step of at least 1m", the step it gave.
    for (const [q, message] of [
      ['since=1h&step=90s', 'Invalid querystring field "step": whole minutes (the rollups are per minute), got "90s"; use 1m or 2m.'],
      ['since=1h&step=1m30s', 'Invalid querystring field "step": whole minutes (the rollups are per minute), got "1m30s"; use 1m or 2m.'],
      ['since=7d&step=1m', 'Invalid querystring field "step": since / step would be 10080 points, more than 10000; use a step of at least 2m.'],
    ] as const) {
      const r = await get(`${series}?${q}`);
      expect([r.status, r.body.message], q).toEqual([400, message]);
    }
    expect((await get(`${series}?since=7d&step=2m`)).status).toBe(200);
  });

  it('ordinary windows still answer', async () => {
    for (const route of routes) expect((await get(`${route}?since=1h`)).status, route).toBe(200);
  });
});
