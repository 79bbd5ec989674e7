import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseCatalogYaml, catalogFrom } from '../../analyzer/test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { clickhouseReportSource, createReportService, startReports, verifyBundle, type ReportSource, type ReportsRuntime } from '../../reports/index.ts';
import { Credentials, createAuditLog, type AuditLog } from '../../access/index.ts';
import { buildApiApp } from '../index.ts';
import type { ApiApp } from '../app.ts';

describe('/api/v1/reports', () => {
  let h: Harness;
  let reports: ReportsRuntime;
  let app: ApiApp;
  let auditLog: AuditLog;
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
    auditLog = createAuditLog(h.store);
    app = await buildApiApp({
      config: { host: '127.0.0.1', port: 0 },
      credentials: await Credentials.create({ configured }),
      logger: silentLogger(),
      services: { store: h.store, reports, auditLog },
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

  // regression: the route streamed whatever file was at the path the run recorded, so a bundle replaced since (or a
  // path `weft report --clickhouse` recorded on another host) was served as the report's evidence
  it("sends a run's file only while it is the bundle the run wrote", async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: as(tokens.auditor), payload: { since: '1h' } });
    const { id } = res.json<{ report: { id: string } }>().report;
    await reports.idle();
    const run = await reports.get(id);
    const other = await reports.generate({ period: { since: run.since, until: run.until }, actor: 'someone else', trigger: 'cli' });
    for (const [bytes, why] of [
      [Buffer.from('SECRET=1\n'), 'not a readable zip'],
      [Buffer.from(other.zip), 'its manifest.json is not the one recorded for the report'],
    ] as const) {
      chmodSync(run.file, 0o600);
      writeFileSync(run.file, bytes);
      const served = await app.inject({ url: `/api/v1/reports/${id}/bundle`, headers: as(tokens.auditor) });
      expect(served.statusCode).toBe(409);
      expect(served.json()).toMatchObject({ code: 'WEFT_ERR_REPORT_BUNDLE_CHANGED', message: expect.stringContaining(`(${why})`) });
      expect(served.body).not.toContain('SECRET');
    }
  });

  // regression: a bundle download left no trace in the audit log (only starting a report did), so who took which
  // evidence out, and when, was not on record
  it('records each bundle download in the audit log (who, which report and period, what format, when); the chain stays whole', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: as(tokens.auditor), payload: { since: '3h' } });
    const { id } = res.json<{ report: { id: string } }>().report;
    await reports.idle();
    const run = await reports.get(id);
    const before = new Date();
    for (const role of ['auditor', 'admin', 'auditor'] as const) {
      const got = await app.inject({ url: `/api/v1/reports/${id}/bundle`, headers: as(tokens[role]) });
      expect(got.statusCode).toBe(200);
    }
    // A refused download (not the caller's level, no such report) is no export
    expect((await app.inject({ url: `/api/v1/reports/${id}/bundle`, headers: as(tokens.viewer) })).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/v1/reports/00000000-0000-0000-0000-000000000000/bundle', headers: as(tokens.auditor) })).statusCode).toBe(404);
    const downloads = (await auditLog.list()).filter((e) => e.action === 'report.download' && e.subject === id);
    expect(downloads.map((e) => [e.actor, e.role, e.subject])).toEqual([
      ['reports-auditor', 'auditor', id],
      ['reports-admin', 'admin', id],
      ['reports-auditor', 'auditor', id],
    ]);
    for (const e of downloads) {
      expect(JSON.parse(e.detail)).toEqual({
        since: run.since,
        until: run.until,
        format: 'bundle',
        files: ['report.pdf', 'report.json', 'csv'],
        manifestSha256: run.manifestSha256,
        bytes: run.bytes,
      });
      expect(new Date(e.at).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    }
    expect((await auditLog.list()).filter((e) => e.action === 'report.create' && e.subject === id).map((e) => e.actor)).toEqual(['reports-auditor']);
    expect((await auditLog.verify()).ok).toBe(true);
  });

  it('refuses a download the audit log cannot record, sending none of the bundle', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: as(tokens.auditor), payload: { since: '1h' } });
    const { id } = res.json<{ report: { id: string } }>().report;
    await reports.idle();
    const failing: AuditLog = { ...auditLog, append: () => Promise.reject(new Error('audit store unreachable')) };
    const blind = await buildApiApp({
      config: { host: '127.0.0.1', port: 0 },
      credentials: await Credentials.create({ configured: [{ token: tokens.auditor, role: 'auditor', name: 'reports-auditor', source: 'WEFT_API_TOKENS' }] }),
      logger: silentLogger(),
      services: { store: h.store, reports, auditLog: failing },
    });
    try {
      const got = await blind.inject({ url: `/api/v1/reports/${id}/bundle`, headers: as(tokens.auditor) });
      expect(got.statusCode).toBe(500);
      expect(got.headers['content-type']).not.toBe('application/zip');
      expect(got.rawPayload.subarray(0, 2).toString()).not.toBe('PK');
    } finally {
      await blind.close();
    }
  });

  it('answers bad input with what to change', async () => {
    const bad = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: as(tokens.auditor), payload: { since: 'last tuesday' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/duration back from now \(24h, 7d\) or an RFC 3339 time/);
    const missing = await app.inject({ url: '/api/v1/reports/00000000-0000-0000-0000-000000000000', headers: as(tokens.auditor) });
    expect(missing.statusCode).toBe(404);
    expect((await app.inject({ url: '/api/v1/reports/__proto__', headers: as(tokens.auditor) })).statusCode).toBe(400);
  });

  it('queues exports up to the bound and answers beyond it 429 with Retry-After and what to do', async () => {
    // One export at a time and one waiting; the store read of each report is held until released.
    const held: Array<() => void> = [];
    const good = clickhouseReportSource(h.store);
    const source: ReportSource = { ...good, estate: (c, p) => new Promise<void>((r) => held.push(r)).then(() => good.estate(c, p)) };
    const catalog = catalogFrom(baseCatalogYaml);
    const service = createReportService({
      store: h.store,
      dataDir: mkdtempSync(join(tmpdir(), 'reports-busy-')),
      logger: silentLogger(),
      source,
      currentCatalog: () => catalog,
      exports: { concurrency: 1, queue: 1 },
    });
    const busyApp = await buildApiApp({
      config: { host: '127.0.0.1', port: 0 },
      credentials: await Credentials.create({ configured: [{ token: tokens.auditor, role: 'auditor', name: 'reports-auditor', source: 'WEFT_API_TOKENS' }] }),
      logger: silentLogger(),
      services: { store: h.store, reports: { ...service, schedules: null, reloadSchedules: () => undefined, stop: () => service.idle() } },
    });
    try {
      const post = () => busyApp.inject({ method: 'POST', url: '/api/v1/reports', headers: as(tokens.auditor), payload: { since: '1h' } });
      const before = (await service.list(1000)).length;
      const [first, second] = [await post(), await post()];
      expect([first.statusCode, second.statusCode]).toEqual([202, 202]);
      const refused = await post();
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      expect(refused.json()).toMatchObject({
        code: 'WEFT_ERR_REPORTS_BUSY',
        message: expect.stringMatching(/^Weft is assembling 1 report and has 1 waiting, as many as it takes at once: try again in \d+ s \(Retry-After\)/),
      });
      // A refused request records no run; the two taken finish in turn, and then a request is taken again.
      const ids = (await service.list(1000)).map((r) => r.id);
      expect(ids).toEqual(expect.arrayContaining([first.json().report.id, second.json().report.id]));
      expect(ids).toHaveLength(before + 2);
      while (held.length < 1) await new Promise((r) => setTimeout(r, 20));
      held.shift()!();
      while (held.length < 1) await new Promise((r) => setTimeout(r, 20));
      held.shift()!();
      await service.idle();
      expect((await service.get(second.json().report.id)).status).toBe('done');
      const again = await post();
      expect(again.statusCode).toBe(202);
      while (held.length < 1) await new Promise((r) => setTimeout(r, 20));
      held.shift()!();
      await service.idle();
    } finally {
      await busyApp.close();
    }
  }, 180_000);
});
