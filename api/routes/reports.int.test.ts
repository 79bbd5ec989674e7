import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseCatalogYaml, catalogFrom } from '../../analyzer/test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { startReports, verifyBundle, type ReportsRuntime } from '../../reports/index.ts';
import { Credentials } from '../../access/index.ts';
import { buildApiApp } from '../index.ts';
import type { ApiApp } from '../app.ts';

describe('/api/v1/reports', () => {
  let h: Harness;
  let reports: ReportsRuntime;
  let app: ApiApp;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const tokens = {
    auditor: 'reports-auditor-token-0001',
    viewer: 'reports-viewer-token-00001',
    sre: 'reports-sre-token-000000001',
    admin: 'reports-admin-token-0000001',
  };

  beforeAll(async () => {
    h = await startHarness();
    const catalog = catalogFrom(baseCatalogYaml);
    reports = await startReports({
      store: h.store,
      dataDir: mkdtempSync(join(tmpdir(), 'reports-api-')),
      logger: silentLogger(),
      catalog: () => catalog,
      env: () => undefined,
      schedule: false,
    });
    const configured = (['auditor', 'viewer', 'sre', 'admin'] as const).map((role) => ({
      token: tokens[role],
      role,
      name: `reports-${role}`,
      source: 'WEFT_API_TOKENS' as const,
    }));
    app = await buildApiApp({
      config: { host: '127.0.0.1', port: 0 },
      credentials: await Credentials.create({ configured }),
      logger: silentLogger(),
      services: { store: h.store, reports },
    });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await reports?.stop();
    await h?.close();
  });

  it('lets auditors and admins only (access level report)', async () => {
    for (const token of [tokens.viewer, tokens.sre]) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: as(token), payload: { since: '1h' } });
      expect(res.statusCode, token).toBe(403);
      expect((await app.inject({ url: '/api/v1/reports', headers: as(token) })).statusCode).toBe(403);
    }
    expect((await app.inject({ url: '/api/v1/reports' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/reports', headers: as(tokens.admin) })).statusCode).toBe(200);
  });

  it('starts a report, reports its progress, and serves its signed bundle once done', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: as(tokens.auditor), payload: { since: '2h' } });
    expect(res.statusCode).toBe(202);
    const { report } = res.json<{ report: { id: string; status: string; actor: string } }>();
    expect(report).toMatchObject({ status: 'running' });
    await reports.idle();
    const done = (await app.inject({ url: `/api/v1/reports/${report.id}`, headers: as(tokens.auditor) })).json<{
      report: { status: string; bundle: string; manifestSha256: string };
    }>().report;
    expect(done).toMatchObject({ status: 'done', bundle: `/api/v1/reports/${report.id}/bundle` });
    const bundle = await app.inject({ url: done.bundle, headers: as(tokens.auditor) });
    expect(bundle.headers['content-type']).toBe('application/zip');
    expect(bundle.headers['content-disposition']).toMatch(/^attachment; filename="weft-report-/);
    expect(verifyBundle(new Uint8Array(bundle.rawPayload)).ok).toBe(true);
    const key = (await app.inject({ url: '/api/v1/reports/key', headers: as(tokens.auditor) })).json<{ fingerprint: string }>();
    expect(verifyBundle(new Uint8Array(bundle.rawPayload)).fingerprint).toBe(key.fingerprint);
  });

  it('answers bad input with what to change', async () => {
    const bad = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: as(tokens.auditor), payload: { since: 'last tuesday' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/duration back from now \(24h, 7d\) or an RFC 3339 time/);
    const missing = await app.inject({ url: '/api/v1/reports/00000000-0000-0000-0000-000000000000', headers: as(tokens.auditor) });
    expect(missing.statusCode).toBe(404);
    expect((await app.inject({ url: '/api/v1/reports/__proto__', headers: as(tokens.auditor) })).statusCode).toBe(400);
  });
});
