import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../clickhouse/index.ts';
import { parseCatalog, type Catalog } from '../core/catalog/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { createFindingStore, type FindingStore } from '../findings/index.ts';
import { openMigratedStore } from '../test/migrated-store.ts';
import { alertmanagerPath, startAlertmanager, toolAvailable, type RunningAlertmanager } from '../test/alertmanager.ts';
import { startAlerting, type AlertingOptions, type AlertingRuntime, type WebhookPayload } from './index.ts';
import { probeFailing } from './testing/fixtures.ts';

// Regression: an escalation (every attempt of a remediation failed) was one notification sent outside the alert store
// and the groups: Alertmanager resolved it when its first endsAt passed although the remediation had failed and the
// alert still fired, a webhook was never told it resolved, a delivery that failed was never tried again, and a
// restart forgot it. It is now an alert like the others.

const hasAm = toolAvailable(alertmanagerPath, 'prometheus-alertmanager');
const dir = mkdtempSync(join(tmpdir(), 'escalation-int-'));
/** Alertmanager's endsAt for firing alerts in this test (real ms): Weft's keep-alive must outrun it. */
const ALIVE_MS = 2_000;
let store: Store;
let findings: FindingStore;
let http: Server;
let base = '';
let am: RunningAlertmanager;
const received: Array<{ path: string; body: WebhookPayload }> = [];
/** Per path: statuses to answer in order (then 200). */
const script = new Map<string, number[]>();
// An hour behind real time, so resolved alerts' endsAt (the alerting clock) are in the past for Alertmanager.
const clock = { t: Date.now() - 3_600_000, now: () => new Date(clock.t) };

function catalog(): Catalog {
  const { catalog: c, problems } = parseCatalog([
    {
      file: 'estate.yaml',
      text: `
owners:
  - { id: supply, receiver: hook }
systems:
  - { id: erp, owner: supply }
  - { id: wms, owner: supply }
receivers:
  - { id: hook, type: webhook, url: "${base}/hook" }
  - { id: pager, type: webhook, url: "${base}/pager" }
  - { id: am, type: alertmanager, url: "${am?.url ?? 'http://127.0.0.1:1'}" }
alerts:
  - { id: probe-failing, measure: probe-failing, threshold: 0, keepFiringFor: 0s, severity: high }
routes:
  - { receiver: am, continue: true }
  - { receiver: hook, groupWait: 0s, groupInterval: 1s }
remediations:
  - { id: restart, mode: manual, rules: [probe-failing], request: { url: "${base}/restart" }, attempts: 2, backoff: 10ms }
  - { id: page-on-failure, mode: manual, rules: [probe-failing], request: { url: "${base}/rerun" }, attempts: 2, backoff: 10ms, escalate: pager }
`,
    },
  ]);
  if (problems.length) throw new Error(JSON.stringify(problems));
  return c;
}

const runtime = (options: Partial<AlertingOptions> = {}) =>
  startAlerting({
    store,
    catalog,
    findings,
    logger: silentLogger(),
    env: () => undefined,
    clock,
    intervalMs: 10_000,
    externalUrl: 'http://weft.test',
    schedule: false,
    retryBaseMs: 10,
    random: () => 0,
    alertmanagerAliveMs: ALIVE_MS,
    ...options,
  });
/** What a receiver was told of escalations: `status:alert status` per message that holds one. */
const escalations = (path: string) =>
  received
    .filter((r) => r.path === path)
    .flatMap((r) => r.body.alerts.filter((a) => a.labels.alertname === 'remediation-failed').map((a) => `${r.body.status}:${a.status}`));
interface AmAlert {
  fingerprint: string;
  labels: Record<string, string>;
  endsAt: string;
  status: { state: string };
}
const amEscalation = async () =>
  ((await fetch(`${am.url}/api/v2/alerts`).then((r) => r.json())) as AmAlert[]).find((a) => a.labels.alertname === 'remediation-failed');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!hasAm)('escalation: remediation-failed is an alert (real Alertmanager, webhook stand-ins)', () => {
  let alerting: AlertingRuntime;
  const step = async (ms: number) => {
    clock.t += ms;
    const report = await alerting.evaluateNow();
    await alerting.idle();
    expect(report.errors).toEqual([]);
    return report;
  };

  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 3650, rollupDays: 3650, recordDays: 3650 });
    findings = createFindingStore(store, clock);
    http = createServer((req, res) => {
      let text = '';
      req.on('data', (d) => (text += d));
      req.on('end', () => {
        const path = req.url ?? '';
        if (path === '/hook' || path === '/pager') received.push({ path, body: JSON.parse(text) as WebhookPayload });
        const statuses = script.get(path) ?? [];
        res.statusCode = statuses.length ? statuses.shift()! : path === '/restart' || path === '/rerun' ? 500 : 200;
        res.end('{}');
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    am = await startAlertmanager(
      `route: { receiver: hook, group_wait: 1s, group_interval: 1s, repeat_interval: 1h }
receivers: [{ name: hook, webhook_configs: [{ url: "${base}/am-hook" }] }]
`,
      20_300,
    );
    alerting = runtime();
  }, 60_000);

  afterAll(async () => {
    await alerting?.stop();
    await am?.stop();
    await new Promise((r) => http?.close(() => r(undefined)));
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a failed remediation firing in Alertmanager past its first endsAt, and resolves it there and at the webhook when the alert resolves', async () => {
    await findings.sync(['probe-failing'], [probeFailing('wms')], clock.now());
    await step(0);
    const [wms] = await alerting.alertStore.listAlerts(['firing']);
    const [run] = await alerting.remediate(wms.fingerprint, 'sre-alice', 'restart');
    expect(run).toMatchObject({ outcome: 'escalated', attempts: 2, lastStatus: 500 });
    await alerting.idle();
    await step(1_000);
    const first = (await amEscalation())!;
    expect(first.status.state).toBe('active');
    const firstEndsAt = Date.parse(first.endsAt);
    // Real time passes Alertmanager's first endsAt while the alerting clock passes the keep-alive minute.
    const deadline = Date.now() + 4 * ALIVE_MS;
    while (Date.now() < firstEndsAt + ALIVE_MS / 2 && Date.now() < deadline) {
      await sleep(300);
      await step(61_000);
    }
    expect(Date.now()).toBeGreaterThan(firstEndsAt);
    const later = await amEscalation();
    expect(later?.status.state).toBe('active');
    expect(Date.parse(later!.endsAt)).toBeGreaterThan(Date.now());
    expect(escalations('/hook')).toEqual(['firing:firing']);
    // One alert in the store, with its own fingerprint, firing.
    const stored = (await alerting.alertStore.listAlerts(['firing'])).find((a) => a.rule === 'remediation-failed');
    expect(stored).toMatchObject({ state: 'firing', labels: { alertname: 'remediation-failed', action: 'restart', owner: 'supply', severity: 'critical' } });
    expect(stored!.fingerprint).toBe(first.fingerprint);
    expect(stored!.fingerprint).not.toBe(wms.fingerprint);
    expect(stored!.annotations.summary).toMatch(/^Remediation restart failed after 2 attempts for .*HTTP 500/);

    // The alert resolves: so does its escalation, in Alertmanager and at the webhook.
    await findings.sync(['probe-failing'], [], clock.now());
    const resolved = await step(10_000);
    expect(resolved.changes.map((c) => `${c.rule}:${c.transition}`).sort()).toEqual(['probe-failing:resolved', 'remediation-failed:resolved']);
    await expect.poll(async () => (await amEscalation())?.status.state ?? 'gone', { timeout: 5_000 }).toBe('gone');
    expect(escalations('/hook')).toEqual(['firing:firing', 'resolved:resolved']);
  }, 30_000);

  it('tells its explicit escalate receiver, retries it while down, keeps it across a restart, and resolves it when a later run succeeds', async () => {
    await findings.sync(['probe-failing'], [probeFailing('erp')], clock.now());
    await step(10_000);
    const [erp] = (await alerting.alertStore.listAlerts(['firing'])).filter((a) => a.labels.system === 'erp');
    const hookBefore = escalations('/hook').length;
    script.set('/pager', [503, 503, 503]);
    const [run] = await alerting.remediate(erp.fingerprint, 'sre-alice', 'page-on-failure');
    expect(run).toMatchObject({ outcome: 'escalated', attempts: 2 });
    await alerting.idle();
    // Fires; its group's first message (after the webhook's groupWait, 5 s) fails 3 attempts; it tries again 30 s later.
    await step(1_000);
    expect(escalations('/pager')).toEqual([]);
    await step(5_000);
    expect(escalations('/pager')).toEqual(['firing:firing', 'firing:firing', 'firing:firing']);
    expect((await alerting.alertStore.deliveries()).filter((d) => d.receiver === 'pager').every((d) => !d.ok)).toBe(true);
    // A restart in between: the escalation is in the store, its group remembers the failed delivery.
    await alerting.stop();
    alerting = runtime();
    await step(31_000);
    expect(escalations('/pager')).toEqual(['firing:firing', 'firing:firing', 'firing:firing', 'firing:firing']);
    expect((await alerting.alertStore.deliveries(1))[0]).toMatchObject({ receiver: 'pager', ok: true, status: 'firing' });
    // Only the explicit receiver: the labels' routes (hook) are not told of it.
    expect(escalations('/hook').length).toBe(hookBefore);
    // Told once, not again at the next evaluations.
    await step(10_000);
    expect(escalations('/pager')).toHaveLength(4);
    // A later run of the same action succeeds: the escalation resolves while the alert still fires.
    script.set('/rerun', [200]);
    const [fixed] = await alerting.remediate(erp.fingerprint, 'sre-alice', 'page-on-failure');
    expect(fixed.outcome).toBe('succeeded');
    await alerting.idle();
    const report = await step(61_000);
    expect(report.changes.map((c) => `${c.rule}:${c.transition}`)).toEqual(['remediation-failed:resolved']);
    expect((await alerting.alertStore.getAlert(erp.fingerprint))!.state).toBe('firing');
    expect(escalations('/pager').at(-1)).toBe('resolved:resolved');
    expect(escalations('/pager')).toHaveLength(5);
  }, 30_000);
});
