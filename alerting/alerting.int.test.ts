import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog, type AuditLog } from '../access/index.ts';
import type { Store } from '../clickhouse/index.ts';
import { openMigratedStore } from '../test/migrated-store.ts';
import { parseCatalog, type Catalog } from '../core/catalog/index.ts';
import { renderMetrics } from './metrics/prometheus.ts';
import { silentLogger } from '../core/log/logger.ts';
import { createFindingStore, type FindingStore } from '../findings/index.ts';
import { alertmanagerPath, startAlertmanager, toolAvailable, type RunningAlertmanager } from '../test/alertmanager.ts';
import { createLease, startAlerting, type AlertingOptions, type AlertingRuntime, type WebhookPayload } from './index.ts';
import { fingerprint } from './model/fingerprint.ts';
import { probeFailing } from './testing/fixtures.ts';

/** Local HTTP stand-ins: the webhook and Slack receivers and the remediation targets, recording what they get. */
interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const hasAm = toolAvailable(alertmanagerPath, 'prometheus-alertmanager');
const dir = mkdtempSync(join(tmpdir(), 'alerting-int-'));
let store: Store;
let findings: FindingStore;
let auditLog: AuditLog;
let http: Server;
let base = '';
const received: Received[] = [];
/** Per path: statuses to answer in order (then 200). */
const script = new Map<string, number[]>();
let smtp: SMTPServer;
let smtpPort = 0;
const mails: string[] = [];
let am: RunningAlertmanager;
const clock = { t: Date.parse('2026-11-03T09:00:00.000Z'), now: () => new Date(clock.t) };

const body = (path: string) => received.filter((r) => r.path === path).map((r) => JSON.parse(r.body));

function catalogText(): string {
  return `
owners:
  - { id: supply, receiver: supply-hook }
systems:
  - { id: erp, owner: supply }
  - { id: wms, owner: supply }
  - { id: crm, owner: supply }
receivers:
  - { id: supply-hook, type: webhook, url: "${base}/hook", headers: { authorization: "Bearer env:HOOK_TOKEN" } }
  - { id: slack, type: slack, url: "env:SLACK_URL" }
  - { id: mail, type: email, to: [oncall@example.test], from: weft@example.test, smtp: { host: 127.0.0.1, port: ${smtpPort}, user: weft, password: "env:SMTP_PASSWORD" } }
  - { id: am, type: alertmanager, url: "${am?.url ?? 'http://127.0.0.1:1'}" }
# About delivery, not flapping: probe-failing resolves with its finding (its derived rule keeps firing 5m).
alerts:
  - { id: probe-failing, measure: probe-failing, threshold: 0, keepFiringFor: 0s, severity: high }
routes:
  - { match: { alertname: probe-failing }, groupWait: 0s, groupInterval: 1s, continue: true }
  - { receiver: slack, groupWait: 0s, groupInterval: 1s, continue: true }
  - { receiver: mail, groupWait: 0s, groupInterval: 1s, continue: true }
  - { receiver: am, repeatInterval: 4h }
remediations:
  - { id: restart-probe-target, mode: auto, rules: [probe-failing], request: { method: POST, url: "${base}/remediate", headers: { authorization: "Bearer env:PLATFORM_TOKEN" },
      body: '{"system":"{{labels.system}}","key":"{{idempotencyKey}}"}' }, attempts: 3, backoff: 10ms, maxBackoff: 50ms }
  - { id: always-fails, mode: manual, rules: [probe-failing], request: { url: "${base}/broken" }, attempts: 2, backoff: 10ms, escalate: supply-hook }
`;
}

function catalog(): Catalog {
  const { catalog: c, problems } = parseCatalog([{ file: 'estate.yaml', text: catalogText() }]);
  if (problems.length) throw new Error(JSON.stringify(problems));
  return c;
}

const env: Record<string, string> = { HOOK_TOKEN: 'hook-secret-123', SLACK_URL: '', SMTP_PASSWORD: 'smtp-secret', PLATFORM_TOKEN: 'platform-secret' };
const runtime = (options: Partial<AlertingOptions> = {}) =>
  startAlerting({
    store,
    catalog,
    findings,
    logger: silentLogger(),
    env: (n) => env[n],
    clock,
    intervalMs: 10_000,
    externalUrl: 'http://weft.test',
    auditLog,
    schedule: false,
    holder: 'test-a',
    leaseTtlMs: 60_000,
    retryBaseMs: 10,
    random: () => 0,
    ...options,
  });

describe.skipIf(!hasAm)('alerting against real receivers (Alertmanager, SMTP, HTTP stand-ins)', () => {
  let alerting: AlertingRuntime;

  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 3650, rollupDays: 3650, recordDays: 3650 });
    findings = createFindingStore(store, clock);
    auditLog = createAuditLog(store);
    http = createServer((req, res) => {
      let text = '';
      req.on('data', (d) => (text += d));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body: text });
        const statuses = script.get(req.url ?? '') ?? [];
        res.statusCode = statuses.length ? statuses.shift()! : 200;
        res.end('{}');
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    env.SLACK_URL = `${base}/slack/T000/B000/secret-path`;
    smtp = new SMTPServer({
      authOptional: false,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      onAuth: (auth, _s, cb) => (auth.username === 'weft' && auth.password === 'smtp-secret' ? cb(null, { user: 'weft' }) : cb(new Error('bad credentials'))),
      onData: (stream, _s, cb) => {
        let text = '';
        stream.on('data', (d: Buffer) => (text += d.toString()));
        stream.on('end', () => (mails.push(text), cb()));
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    smtpPort = (smtp.server.address() as AddressInfo).port;
    am = await startAlertmanager(`route: { receiver: hook, group_by: [alertname], group_wait: 1s, group_interval: 1s, repeat_interval: 1h }
receivers: [{ name: hook, webhook_configs: [{ url: "${base}/am-hook" }] }]
`);
    alerting = runtime();
  }, 60_000);

  afterAll(async () => {
    await alerting?.stop();
    await am?.stop();
    await new Promise((r) => smtp?.close(() => r(undefined)));
    await new Promise((r) => http?.close(() => r(undefined)));
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('notifies every receiver once when alerts start firing, grouped, and retries a failing webhook', async () => {
    script.set('/hook', [500]);
    await findings.sync(['probe-failing'], [probeFailing('wms'), probeFailing('erp')], clock.now());
    const report = await alerting.evaluateNow();
    expect(report.errors).toEqual([]);
    expect(report.leader).toBe(true);
    expect(report.changes.map((c) => c.transition)).toEqual(['firing', 'firing']);
    expect(report.notifications.map((n) => [n.receiver, n.status]).sort()).toEqual([
      ['am', 'firing'],
      ['mail', 'firing'],
      ['slack', 'firing'],
      ['supply-hook', 'firing'],
    ]);
    // Delivered off the evaluation path: idle() waits for the queue.
    await alerting.idle();
    const delivered = (await alerting.alertStore.deliveries()).filter((d) => d.ok).map((d) => d.receiver);
    expect([...new Set(delivered)].sort()).toEqual(['am', 'mail', 'slack', 'supply-hook']);
    // The webhook: Alertmanager's v4 payload, one message for the group, after one failed attempt.
    const [hook] = body('/hook') as WebhookPayload[];
    expect(received.filter((r) => r.path === '/hook')).toHaveLength(2);
    expect(received.find((r) => r.path === '/hook')!.headers.authorization).toBe('Bearer hook-secret-123');
    expect(hook).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'supply-hook',
      groupLabels: { alertname: 'probe-failing' },
      commonLabels: { alertname: 'probe-failing', owner: 'supply' },
      externalURL: 'http://weft.test',
    });
    expect(hook.alerts.map((a) => [a.status, a.labels.system, a.endsAt]).sort()).toEqual([
      ['firing', 'erp', '0001-01-01T00:00:00Z'],
      ['firing', 'wms', '0001-01-01T00:00:00Z'],
    ]);
    const deliveries = await alerting.alertStore.deliveries();
    expect(
      deliveries
        .filter((d) => d.receiver === 'supply-hook')
        .map((d) => [d.attempt, d.ok, d.httpStatus])
        .sort(),
    ).toEqual([
      [1, false, 500],
      [2, true, 200],
    ]);
    // Slack: readable blocks with a link into Weft.
    const [slack] = body('/slack/T000/B000/secret-path');
    expect(slack.text).toMatch(/^Firing: 2 alerts/);
    // Each alert opens its own finding (a probe-failing alert is made from one), not the alerts page.
    expect(JSON.stringify(slack.blocks).match(/<http:\/\/weft\.test\/findings\/[0-9a-f]{20}\|Open in Weft>/g)).toHaveLength(2);
    // E-mail: one message, plain text and HTML, authenticated with the env: password.
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatch(/Subject: \[FIRING:2\] probe-failing/);
    expect(mails[0]).toMatch(/text\/plain/);
    expect(mails[0]).toMatch(/text\/html/);
    // No secret in what Weft stored about its deliveries.
    expect(JSON.stringify(deliveries)).not.toMatch(/hook-secret|secret-path|smtp-secret/);
    // Regression: a receiver that was down showed only in the deliveries list; /metrics says so now. The webhook's
    // latest attempt succeeded: up. Its next one fails: down, its last success kept.
    const up = () => renderMetrics({ findings: [], alerts: [], catalog: catalog(), observations: null, receivers: health });
    let health = await alerting.alertStore.receiverHealth();
    expect(up()).toMatch(/^weft_alert_receiver_up\{receiver="supply-hook"\} 1$/m);
    const success = health.find((r) => r.receiver === 'supply-hook')!.lastSuccessAt!;
    await alerting.alertStore.recordDelivery({
      ...deliveries.find((d) => d.receiver === 'supply-hook')!,
      at: new Date(Date.parse(success) + 1000).toISOString(),
      attempt: 1,
      ok: false,
      httpStatus: 0,
      error: 'fetch failed (ECONNREFUSED)',
    });
    health = await alerting.alertStore.receiverHealth();
    expect(up()).toMatch(/^weft_alert_receiver_up\{receiver="supply-hook"\} 0$/m);
    expect(up()).toContain(`weft_alert_receiver_last_success_timestamp_seconds{receiver="supply-hook"} ${Date.parse(success) / 1000}`);
    // Receivers not in the catalog are not exported (labels stay bounded by the catalog).
    expect(
      renderMetrics({ findings: [], alerts: [], catalog: catalog(), observations: null, receivers: [{ receiver: 'x', ok: false, lastSuccessAt: null }] }),
    ).not.toMatch(/receiver="x"/);
  }, 30_000);

  it('Alertmanager receives the alerts with Weft fingerprints, groups them, and respects its own silence', async () => {
    const amAlerts = (await fetch(`${am.url}/api/v2/alerts`).then((r) => r.json())) as Array<{
      fingerprint: string;
      labels: Record<string, string>;
      status: { state: string };
    }>;
    const ours = await alerting.alertStore.listAlerts(['firing']);
    expect(amAlerts.map((a) => a.fingerprint).sort()).toEqual(ours.map((a) => a.fingerprint).sort());
    // Alertmanager groups them by alertname and sends its webhook the group. The alerts started before
    // group_wait (the test's clock is weeks back), so Alertmanager flushes the group as soon as its first
    // alert arrives: the first message may hold one alert or both, and the next one the rest.
    const amSystems = () => [...new Set((body('/am-hook') as WebhookPayload[]).flatMap((p) => p.alerts.map((a) => a.labels.system)))].sort();
    await expect.poll(amSystems, { timeout: 10_000 }).toEqual(['erp', 'wms']);
    for (const message of body('/am-hook') as WebhookPayload[]) expect(message.groupLabels).toEqual({ alertname: 'probe-failing' });
    // A silence made in Alertmanager applies to a new alert Weft posts there.
    const silence = await fetch(`${am.url}/api/v2/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: [{ name: 'system', value: 'crm', isRegex: false, isEqual: true }],
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3600_000).toISOString(),
        createdBy: 'sre',
        comment: 'crm maintenance',
      }),
    }).then((r) => r.json() as Promise<{ silenceID: string }>);
    clock.t += 10_000;
    await findings.sync(['probe-failing'], [probeFailing('wms'), probeFailing('erp'), probeFailing('crm')], clock.now());
    await alerting.evaluateNow();
    await alerting.idle();
    await expect
      .poll(
        async () =>
          (
            (await fetch(`${am.url}/api/v2/alerts`).then((r) => r.json())) as Array<{
              labels: Record<string, string>;
              status: { state: string; silencedBy: string[] };
            }>
          ).find((a) => a.labels.system === 'crm')?.status,
        { timeout: 10_000 },
      )
      .toEqual(expect.objectContaining({ state: 'suppressed', silencedBy: [silence.silenceID] }));
    await new Promise((r) => setTimeout(r, 2500));
    expect(body('/am-hook').flatMap((p: WebhookPayload) => p.alerts.map((a) => a.labels.system))).not.toContain('crm');
  }, 30_000);

  it('remediates automatically with retries, backoff and one idempotency key; escalates when every attempt fails', async () => {
    await alerting.idle();
    const calls = received.filter((r) => r.path === '/remediate');
    // wms, erp and (later) crm each got one run; each succeeded at once except where scripted.
    expect(calls.length).toBeGreaterThanOrEqual(2);
    // Regression: Weft's own remediations (a POST to another system) were not in the audit log; a person's were.
    const recorded = (await auditLog.list()).filter((e) => e.action === 'remediation.run');
    expect(recorded.length).toBe(calls.length);
    for (const e of recorded) {
      expect(e).toMatchObject({ actor: 'weft', role: 'system' });
      expect(JSON.parse(e.detail)).toEqual({ outcomes: ['restart-probe-target:succeeded'], auto: true });
    }
    expect(await auditLog.verify()).toMatchObject({ ok: true });
    script.set('/remediate', [503, 502]);
    const before = received.filter((r) => r.path === '/remediate').length;
    const [wms] = (await alerting.alertStore.listAlerts(['firing'])).filter((a) => a.labels.system === 'wms');
    const [outcome] = await alerting.remediate(wms.fingerprint, 'sre-alice', 'restart-probe-target');
    expect(outcome).toMatchObject({ outcome: 'succeeded', attempts: 3, lastStatus: 200 });
    const run = received.filter((r) => r.path === '/remediate').slice(before);
    expect(new Set(run.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(run[0].headers.authorization).toBe('Bearer platform-secret');
    expect(JSON.parse(run[0].body)).toEqual({ system: 'wms', key: run[0].headers['idempotency-key'] });
    const attempts = (await alerting.alertStore.attempts({ fingerprint: wms.fingerprint })).filter((a) => a.runId === outcome.runId);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.httpStatus]).reverse()).toEqual([
      [1, 'retrying', 503],
      [2, 'retrying', 502],
      [3, 'succeeded', 200],
    ]);
    expect(attempts.every((a) => a.actor === 'sre-alice')).toBe(true);

    script.set('/broken', [500, 500]);
    const hooksBefore = body('/hook').length;
    const [failed] = await alerting.remediate(wms.fingerprint, 'sre-alice', 'always-fails');
    expect(failed).toMatchObject({ outcome: 'escalated', attempts: 2, lastStatus: 500 });
    // The escalation is an alert: it fires at the next evaluation, and its receiver (escalate: supply-hook, a webhook)
    // is told after its groupWait (5 s), as of any alert.
    await alerting.idle();
    clock.t += 1_000;
    expect((await alerting.evaluateNow()).changes.map((c) => `${c.rule}:${c.transition}`)).toEqual(['remediation-failed:firing']);
    clock.t += 5_000;
    await alerting.evaluateNow();
    await alerting.idle();
    const escalation = body('/hook').slice(hooksBefore) as WebhookPayload[];
    expect(escalation.map((p) => p.alerts[0].labels.alertname)).toEqual(['remediation-failed']);
    expect(escalation[0].alerts[0].annotations.summary).toMatch(/Remediation always-fails failed after 2 attempts/);
    // Regression: the escalation carried the failed alert's fingerprint, so a consumer keyed on it took one for the other.
    expect(escalation[0].alerts[0].fingerprint).not.toBe(wms.fingerprint);
    expect(escalation[0].alerts[0].fingerprint).toBe(fingerprint(escalation[0].alerts[0].labels));
  }, 30_000);

  it('survives a restart with firing alerts: no repeated notification, and the resolved one is sent once', async () => {
    await alerting.stop();
    const hooks = body('/hook').length;
    const slackCount = body('/slack/T000/B000/secret-path').length;
    alerting = runtime();
    clock.t += 10_000;
    const again = await alerting.evaluateNow();
    await alerting.idle();
    expect(again.changes).toEqual([]);
    expect(again.notifications.filter((n) => n.receiver !== 'am')).toEqual([]);
    expect(body('/hook').length).toBe(hooks);
    // The probes recover: one resolved message per receiver.
    clock.t += 10_000;
    await findings.sync(['probe-failing'], [], clock.now());
    const resolved = await alerting.evaluateNow();
    await alerting.idle();
    // wms's escalation (its remediation always-fails failed) resolves with it.
    expect(resolved.changes.map((c) => `${c.rule}:${c.transition}`).sort()).toEqual([
      'probe-failing:resolved',
      'probe-failing:resolved',
      'probe-failing:resolved',
      'remediation-failed:resolved',
    ]);
    const told = () =>
      (body('/hook').slice(hooks) as WebhookPayload[]).map((p) => [
        p.status,
        p.alerts
          .map((a) => `${a.labels.system ?? a.labels.alertname}:${a.status}`)
          .sort()
          .join(','),
      ]);
    expect(told()).toEqual([['resolved', 'crm:resolved,erp:resolved,wms:resolved']]);
    expect(body('/slack/T000/B000/secret-path').length).toBe(slackCount + 1);
    // The escalation's group told its firing under a minute ago: its resolved message waits for its groupInterval.
    clock.t += 60_000;
    await alerting.evaluateNow();
    await alerting.idle();
    expect(told()).toEqual([
      ['resolved', 'crm:resolved,erp:resolved,wms:resolved'],
      ['resolved', 'remediation-failed:resolved'],
    ]);
    clock.t += 60_000;
    const quiet = await alerting.evaluateNow();
    expect(quiet.notifications).toEqual([]);
  }, 30_000);

  it('acknowledges with who and when, and keeps silences with matchers, creator and comment', async () => {
    clock.t += 10_000;
    await findings.sync(['probe-failing'], [probeFailing('erp')], clock.now());
    await alerting.evaluateNow();
    const [erp] = await alerting.alertStore.listAlerts(['firing']);
    const acked = await alerting.acknowledge(erp.fingerprint, 'sre-bob', 'looking at it');
    expect([acked.acknowledgedBy, acked.ackNote]).toEqual(['sre-bob', 'looking at it']);
    expect((await alerting.alertStore.events({ fingerprint: erp.fingerprint })).map((e) => [e.event, e.actor])).toContainEqual(['acknowledged', 'sre-bob']);
    const s = await alerting.createSilence({
      matchers: [{ name: 'system', value: 'erp|crm', isRegex: true, isEqual: true }],
      startsAt: clock.now().toISOString(),
      endsAt: new Date(clock.t + 3600_000).toISOString(),
      createdBy: 'sre-bob',
      comment: 'erp upgrade',
    });
    clock.t += 10_000;
    await alerting.evaluateNow();
    expect((await alerting.alertStore.getAlert(erp.fingerprint))!.silencedBy).toEqual([s.id]);
    const expired = await alerting.expireSilence(s.id, 'sre-bob');
    expect(Date.parse(expired.endsAt)).toBeLessThanOrEqual(clock.t);
  }, 30_000);

  it('regression: keeps an acknowledged, silenced alert alive in Alertmanager while Weft shows it firing (a 4h repeatInterval route)', async () => {
    await alerting.idle();
    const [erp] = (await alerting.alertStore.listAlerts(['firing'])).filter((a) => a.labels.system === 'erp');
    await alerting.createSilence({
      matchers: [{ name: 'system', value: 'erp', isRegex: false, isEqual: true }],
      startsAt: clock.now().toISOString(),
      endsAt: new Date(clock.t + 3600_000).toISOString(),
      createdBy: 'sre-bob',
      comment: 'erp upgrade, longer',
    });
    const inAm = async () =>
      ((await fetch(`${am.url}/api/v2/alerts`).then((r) => r.json())) as Array<{ fingerprint: string; endsAt: string; status: { state: string } }>).find(
        (a) => a.fingerprint === erp.fingerprint,
      );
    let endsAt = Date.parse((await inAm())!.endsAt);
    // Past Alertmanager's keep-alive minute, three times: each evaluation posts erp again, endsAt moves ahead.
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 20));
      clock.t += 61_000;
      await alerting.evaluateNow();
      await alerting.idle();
      const weft = (await alerting.alertStore.getAlert(erp.fingerprint))!;
      expect([weft.state, weft.acknowledgedBy, weft.silencedBy.length]).toEqual(['firing', 'sre-bob', 1]);
      const am1 = (await inAm())!;
      expect(am1.status.state).toBe('active');
      expect(Date.parse(am1.endsAt)).toBeGreaterThan(endsAt);
      expect(Date.parse(am1.endsAt)).toBeGreaterThan(Date.now() + 3 * 60_000);
      endsAt = Date.parse(am1.endsAt);
    }
  }, 30_000);

  it('lets exactly one of several processes evaluate (the lease), and another take over when it expires', async () => {
    const now = new Date(clock.t);
    const a = createLease(store, 'process-a', { ttlMs: 30_000, name: 'lease-test' });
    const b = createLease(store, 'process-b', { ttlMs: 30_000, name: 'lease-test' });
    const c = createLease(store, 'process-c', { ttlMs: 30_000, name: 'lease-test' });
    const first = await Promise.all([a.acquire(now), b.acquire(now), c.acquire(now)]);
    expect(first.filter(Boolean)).toHaveLength(1);
    const holder = [a, b, c][first.indexOf(true)];
    const others = [a, b, c].filter((l) => l !== holder);
    expect(await holder.acquire(new Date(clock.t + 10_000))).toBe(true);
    expect(await Promise.all(others.map((l) => l.acquire(new Date(clock.t + 10_000))))).toEqual([false, false]);
    // The holder stops renewing (it died): after the TTL one of the others takes over.
    const later = new Date(clock.t + 60_000);
    const second = await Promise.all(others.map((l) => l.acquire(later)));
    expect(second.filter(Boolean)).toHaveLength(1);
  }, 30_000);

  it('keeps one holder however late a claim reaches the engine (no timing decides the lease)', async () => {
    // Process "slow" reads the lease free, then its claim reaches the engine only after "fast" has
    // claimed, read back and started evaluating: the slow claim is for the version fast already
    // holds, so it is dropped and slow does not hold the lease too.
    let releaseSlow!: () => void;
    const slowInsert = new Promise<void>((r) => (releaseSlow = r));
    const slowStore = {
      ...store,
      client: new Proxy(store.client, {
        get(target, prop, receiver) {
          if (prop === 'command')
            return async (params: Parameters<typeof target.command>[0]) => {
              if (params.query.startsWith('INSERT')) await slowInsert;
              return target.command(params);
            };
          const v = Reflect.get(target, prop, receiver) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      }),
    } as typeof store;
    const now = new Date(clock.t);
    const fast = createLease(store, 'fast', { ttlMs: 30_000, name: 'lease-race' });
    const slow = createLease(slowStore, 'slow', { ttlMs: 30_000, name: 'lease-race' });
    const slowClaim = slow.acquire(now);
    await new Promise((r) => setTimeout(r, 50));
    expect(await fast.acquire(now)).toBe(true);
    releaseSlow();
    expect(await slowClaim).toBe(false);
    expect(await fast.acquire(new Date(clock.t + 10_000))).toBe(true);
    // A renewal racing a takeover of an expired lease: one of the two holds it, never both.
    const late = new Date(clock.t + 10_000 + 31_000);
    const race = await Promise.all([fast.acquire(late), createLease(store, 'other', { ttlMs: 30_000, name: 'lease-race' }).acquire(late)]);
    expect(race.filter(Boolean)).toHaveLength(1);
    // A released lease is free at once.
    const winner = race[0] ? fast : undefined;
    if (winner) {
      await winner.release();
      expect(await createLease(store, 'next', { ttlMs: 30_000, name: 'lease-race' }).acquire(late)).toBe(true);
    }
  }, 30_000);

  // Regression: on the embedded store a Weft restarted after a crash (a new process, so a new holder) found the lease
  // claimed by the dead one and evaluated nothing until the claim expired (30 s at least).
  it('evaluates at once on the embedded store, whatever lease a crashed process left, and claims none (one process holds the directory)', async () => {
    const count = async () =>
      Number(
        (
          await store.client
            .query({ query: "SELECT count() AS n FROM weft_alerting_lease WHERE name = 'alerting'", format: 'JSONEachRow' })
            .then((r) => r.json<{ n: string }>())
        )[0].n,
      );
    const dead = createLease(store, 'crashed-host:4242', { ttlMs: 30 * 60_000 });
    expect(await dead.acquire(new Date(clock.t))).toBe(true);
    const claims = await count();
    const restarted = runtime({ holder: 'restarted-host:4343' });
    try {
      expect((await restarted.evaluateNow()).leader).toBe(true);
      expect(await count()).toBe(claims);
    } finally {
      await restarted.stop();
      await dead.release();
    }
  }, 30_000);
});
