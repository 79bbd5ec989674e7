import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseCatalogYaml, catalogFrom } from '../../analyzer/test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { createAuditLog } from '../../access/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { verifyBundle } from '../bundle/verify.ts';
import { createReportService } from '../service.ts';
import { startReportSchedules } from './scheduled-reports.ts';

/** The zip attached to a raw MIME message (base64 part named *.zip). */
function attachment(raw: string): Uint8Array {
  const m = /Content-Type: application\/zip[\s\S]*?\r?\n\r?\n([A-Za-z0-9+/=\r\n]+)/.exec(raw);
  if (!m) throw new Error('no zip attachment');
  return new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

describe('scheduled reports (real chDB, real SMTP server)', () => {
  let h: Harness;
  let smtp: SMTPServer;
  let port = 0;
  const received: Array<{ to: string[]; raw: string }> = [];

  beforeAll(async () => {
    h = await startHarness();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (!address.address.startsWith('nobody')) return callback();
        callback(Object.assign(new Error(`<${address.address}>: no such user`), { responseCode: 550 }));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    port = (smtp.server.address() as { port: number }).port;
  }, 60_000);
  afterAll(async () => {
    await new Promise<void>((resolve) => smtp?.close(() => resolve()));
    await h?.close();
  });

  it('writes the bundle to the directory, e-mails it, and records the run; a missing SMTP setting is recorded, not thrown', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'reports-sched-'));
    const outDir = join(dataDir, 'out');
    const catalog = catalogFrom(`${baseCatalogYaml}reports:
  - { id: weekly, cron: "0 6 * * 1", period: 7d, directory: ${outDir}, email: { to: [audit@example.com], from: weft@example.com, smtp: env:REPORTS_TEST_SMTP } }
  - { id: nightly, cron: "0 2 * * *", email: { to: [audit@example.com], smtp: env:REPORTS_TEST_UNSET } }
`);
    const service = createReportService({ store: h.store, dataDir, logger: silentLogger(), currentCatalog: () => catalog });
    const env = new Map([['REPORTS_TEST_SMTP', `smtp://127.0.0.1:${port}`]]);
    const auditLog = createAuditLog(h.store);
    const schedules = startReportSchedules(catalog, { service, dataDir, logger: silentLogger(), env: (n) => env.get(n), auditLog });
    try {
      const run = await schedules.runNow('weekly');
      expect(run).toMatchObject({ status: 'done', trigger: 'schedule', scheduleId: 'weekly', emailedTo: ['audit@example.com'], error: '' });
      expect(Date.parse(run!.until) - Date.parse(run!.since)).toBe(7 * 86_400_000);
      expect(readdirSync(outDir)).toEqual([expect.stringMatching(/^weft-report-weekly-\d{8}T\d{6}Z\.zip$/)]);
      expect(received).toHaveLength(1);
      expect(received[0].to).toEqual(['audit@example.com']);
      expect(verifyBundle(attachment(received[0].raw)).ok).toBe(true);
      expect(await service.get(run!.id)).toMatchObject({ emailedTo: ['audit@example.com'] });
      // Regression: an e-mailed bundle left Weft with no audit-log row saying to whom
      const emailed = (await auditLog.list()).filter((e) => e.action === 'report.email');
      expect(emailed.map((e) => [e.actor, e.role, e.subject, JSON.parse(e.detail)])).toEqual([
        [
          'weft',
          'system',
          run!.id,
          {
            since: run!.since,
            until: run!.until,
            schedule: 'weekly',
            format: 'bundle',
            to: ['audit@example.com'],
            manifestSha256: run!.manifestSha256,
            bytes: run!.bytes,
          },
        ],
      ]);
      expect((await auditLog.verify()).ok).toBe(true);

      const nightly = await schedules.runNow('nightly');
      expect(nightly).toMatchObject({
        status: 'done',
        emailedTo: [],
        error: 'written, but not e-mailed: env:REPORTS_TEST_UNSET is not set in the environment',
      });
      expect((await service.get(nightly!.id)).error).toMatch(/not e-mailed/);
      expect(nightly!.file.startsWith(join(dataDir, 'reports', 'scheduled'))).toBe(true);
    } finally {
      await schedules.stop();
    }
  }, 120_000);

  // Regression: a scheduled period ended when the timer fired (09:44:00.006Z, then 09:45:00.059Z), so consecutive
  // reports overlapped or left gaps. It now ends at the tick the schedule was due, exactly.
  it("ends each run's period at the cron tick it was due, so consecutive runs meet", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'reports-sched-'));
    const catalog = catalogFrom(`${baseCatalogYaml}reports:
  - { id: minutely, cron: "* * * * *", period: 1m }
  - { id: quarter, cron: "*/15 * * * *", period: 15m }
`);
    const service = createReportService({ store: h.store, dataDir, logger: silentLogger(), currentCatalog: () => catalog });
    let now = new Date('2026-03-02T09:44:00.006Z');
    const schedules = startReportSchedules(catalog, { service, dataDir, logger: silentLogger(), env: () => undefined, clock: { now: () => now } });
    try {
      const first = await schedules.runNow('minutely');
      expect(first).toMatchObject({ since: '2026-03-02T09:43:00.000Z', until: '2026-03-02T09:44:00.000Z' });
      expect(first!.file).toMatch(/weft-report-minutely-20260302T094400Z\.zip$/);
      now = new Date('2026-03-02T09:45:00.059Z');
      expect(await schedules.runNow('minutely')).toMatchObject({ since: '2026-03-02T09:44:00.000Z', until: '2026-03-02T09:45:00.000Z' });
      expect(await schedules.runNow('quarter')).toMatchObject({ since: '2026-03-02T09:30:00.000Z', until: '2026-03-02T09:45:00.000Z' });
    } finally {
      await schedules.stop();
    }
  }, 120_000);

  // Regression: a tick missed while Weft was down (daily at 06:00, restarted at 06:00) left no report and no
  // record. On start, the most recent missed tick runs, late, and its record says so; earlier ones are named.
  it('runs the most recent tick missed while Weft was down, late, saying so; never a tick that has a run', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'reports-sched-'));
    const catalog = catalogFrom(`${baseCatalogYaml}reports:
  - { id: daily-catchup, cron: "0 6 * * *", period: 24h }
  - { id: never-ran, cron: "0 6 * * *", period: 24h }
`);
    const service = createReportService({ store: h.store, dataDir, logger: silentLogger(), currentCatalog: () => catalog });
    const auditLog = createAuditLog(h.store);
    const startAt = async (iso: string) => {
      const schedules = startReportSchedules(catalog, {
        service,
        dataDir,
        logger: silentLogger(),
        env: () => undefined,
        clock: { now: () => new Date(iso) },
        auditLog,
      });
      await schedules.caughtUp;
      return schedules;
    };
    const runsOf = async (id: string) => (await service.list(500)).filter((r) => r.scheduleId === id).sort((a, b) => a.until.localeCompare(b.until));

    const first = await startAt('2026-03-01T06:00:00.020Z');
    await first.runNow('daily-catchup');
    await first.stop();
    expect(await runsOf('daily-catchup')).toHaveLength(1);

    // Restarted at 06:00: the 06:00 tick never fired.
    await (await startAt('2026-03-02T06:00:00.500Z')).stop();
    const afterRestart = await runsOf('daily-catchup');
    expect(afterRestart).toHaveLength(2);
    expect(afterRestart[1]).toMatchObject({
      status: 'done',
      since: '2026-03-01T06:00:00.000Z',
      until: '2026-03-02T06:00:00.000Z',
      error: 'run late: due at 2026-03-02T06:00:00.000Z, when Weft was not running',
    });

    // Started again: that tick has its run now, so nothing runs twice.
    await (await startAt('2026-03-02T09:00:00.000Z')).stop();
    expect(await runsOf('daily-catchup')).toHaveLength(2);

    // Down for three days: the last tick runs, and its record names the ones missed before it.
    await (await startAt('2026-03-05T07:30:00.000Z')).stop();
    const afterOutage = await runsOf('daily-catchup');
    expect(afterOutage).toHaveLength(3);
    expect(afterOutage[2]).toMatchObject({
      since: '2026-03-04T06:00:00.000Z',
      until: '2026-03-05T06:00:00.000Z',
      error:
        'run late: due at 2026-03-05T06:00:00.000Z, when Weft was not running; earlier ticks since the previous run (period ending 2026-03-02T06:00:00.000Z) were missed and not run',
    });

    // A schedule that never ran has missed nothing.
    expect(await runsOf('never-ran')).toEqual([]);

    // Regression: scheduled reports were in the report runs only, not in the audit log beside those people export. Each
    // run is there, by Weft, with its period, and the late one says so; the chain still verifies.
    const audited = (await auditLog.list()).filter(
      (e) => e.action === 'report.create' && (JSON.parse(e.detail) as { schedule?: string }).schedule === 'daily-catchup',
    );
    expect(audited.map((e) => [e.actor, e.subject, JSON.parse(e.detail)])).toEqual(
      afterOutage.map((r, i) => ['weft', r.id, { since: r.since, until: r.until, schedule: 'daily-catchup', ...(i > 0 ? { late: true } : {}) }]),
    );
    expect((await auditLog.verify()).ok).toBe(true);
  }, 120_000);

  // Regression: a scheduled run that failed (its directory could not be written) was recorded as failed among the report
  // runs but was missing from the audit log, where the API records each report it starts, whatever its outcome.
  it('records a scheduled run in the audit log when it starts, so a run that fails is there too', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'reports-sched-'));
    const notADirectory = join(dataDir, 'a-file');
    writeFileSync(notADirectory, '');
    const catalog = catalogFrom(`${baseCatalogYaml}reports:
  - { id: unwritable, cron: "0 6 * * *", period: 24h, directory: ${join(notADirectory, 'out')} }
`);
    const service = createReportService({ store: h.store, dataDir, logger: silentLogger(), currentCatalog: () => catalog });
    const auditLog = createAuditLog(h.store);
    const schedules = startReportSchedules(catalog, { service, dataDir, logger: silentLogger(), env: () => undefined, auditLog });
    try {
      expect(await schedules.runNow('unwritable')).toBeNull();
      const runs = (await service.list(500)).filter((r) => r.scheduleId === 'unwritable');
      expect(runs).toEqual([expect.objectContaining({ status: 'failed', error: expect.stringContaining('ENOTDIR') })]);
      const audited = (await auditLog.list()).filter((e) => e.action === 'report.create' && e.subject === runs[0].id);
      expect(audited.map((e) => [e.actor, JSON.parse(e.detail)])).toEqual([['weft', { since: runs[0].since, until: runs[0].until, schedule: 'unwritable' }]]);
      expect((await auditLog.verify()).ok).toBe(true);
    } finally {
      await schedules.stop();
    }
  }, 120_000);

  // Regression: a recipient the SMTP server refused (550) was recorded as e-mailed, since the catalog's `to`
  // was recorded rather than what the server accepted. The run now names who got it and who was refused, why.
  it('records only the recipients the server accepted, and names each refused one with its answer', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'reports-sched-'));
    const catalog = catalogFrom(`${baseCatalogYaml}reports:
  - { id: some, cron: "0 6 * * 1", period: 1h, email: { to: [audit@example.com, nobody@example.com], smtp: "smtp://127.0.0.1:${port}" } }
  - { id: none, cron: "0 6 * * 1", period: 1h, email: { to: [nobody@example.com, nobody2@example.com], smtp: "smtp://127.0.0.1:${port}" } }
`);
    const service = createReportService({ store: h.store, dataDir, logger: silentLogger(), currentCatalog: () => catalog });
    const schedules = startReportSchedules(catalog, { service, dataDir, logger: silentLogger(), env: () => undefined });
    const before = received.length;
    try {
      const some = await schedules.runNow('some');
      const error = 'e-mailed to audit@example.com; refused by the server: nobody@example.com (550 <nobody@example.com>: no such user)';
      expect(some).toMatchObject({ status: 'done', emailedTo: ['audit@example.com'], error });
      expect(await service.get(some!.id)).toMatchObject({ emailedTo: ['audit@example.com'], error });
      expect(received.slice(before).map((r) => r.to)).toEqual([['audit@example.com']]);

      const none = await schedules.runNow('none');
      expect(none).toMatchObject({
        status: 'done',
        emailedTo: [],
        error:
          'written, but not e-mailed: refused by the server: nobody@example.com (550 <nobody@example.com>: no such user); nobody2@example.com (550 <nobody2@example.com>: no such user)',
      });
      expect(received.length).toBe(before + 1);
    } finally {
      await schedules.stop();
    }
  }, 120_000);

  // Regression: a report's `smtp: env:NAME` was read whatever the name: WEFT_* (Weft's own tokens and passwords)
  // and the operator's deny-list were refused for probes only. A catalog that got past validation (an older
  // Weft's) meets the same rule when the report is sent: nothing is read, nothing is sent, the run says why.
  it("refuses an SMTP reference to Weft's own settings or a denied variable when sending, naming it, never reading it", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'reports-sched-'));
    const valid = catalogFrom(baseCatalogYaml);
    const catalog = {
      ...valid,
      reports: [
        { id: 'own', cron: '0 6 * * 1', period: '1h', email: { to: ['audit@example.com'], smtp: 'env:WEFT_API_TOKENS' } },
        { id: 'denied', cron: '0 6 * * 1', period: '1h', email: { to: ['audit@example.com'], smtp: 'env:REPORTS_TEST_SMTP' } },
      ],
    };
    const service = createReportService({ store: h.store, dataDir, logger: silentLogger(), currentCatalog: () => catalog });
    const read: string[] = [];
    const env = (n: string) => (read.push(n), n === 'WEFT_API_TOKENS' ? 'a-token-that-must-not-move:admin' : `smtp://127.0.0.1:${port}`);
    const schedules = startReportSchedules(catalog, { service, dataDir, logger: silentLogger(), env, envPolicy: { allow: [], deny: ['REPORTS_TEST_*'] } });
    const before = received.length;
    try {
      expect(await schedules.runNow('own')).toMatchObject({
        status: 'done',
        emailedTo: [],
        error: expect.stringMatching(/^written, but not e-mailed: reports own email\.smtp: env:WEFT_API_TOKENS names one of Weft's own settings \(WEFT_\*\)/),
      });
      expect(await schedules.runNow('denied')).toMatchObject({
        emailedTo: [],
        error:
          'written, but not e-mailed: reports denied email.smtp: env:REPORTS_TEST_SMTP matches "REPORTS_TEST_*" in the deny-list of variables a catalog may not read (WEFT_CATALOG_ENV_DENY)',
      });
      expect(read).toEqual([]);
      expect(received.length).toBe(before);
    } finally {
      await schedules.stop();
    }
  }, 120_000);
});
