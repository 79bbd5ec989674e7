import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../clickhouse/index.ts';
import { openMigratedStore } from '../test/migrated-store.ts';
import { parseCatalog, type Catalog } from '../core/catalog/index.ts';
import { createFindingStore, type FindingStore } from '../findings/index.ts';
import { type AlertingRuntime, type WebhookPayload } from './index.ts';
import { alertingForTest, probeFailing } from './testing/fixtures.ts';

/**
 * A receiver that is down (it holds every request, then refuses one) while alerts keep changing: the
 * evaluations go on (alerts fire and resolve) with the delivery still waiting; once the receiver answers,
 * the delivery is retried, every attempt recorded, and the group then catches up with what changed.
 * Real chDB and a real HTTP receiver; no timing assertions (the receiver is released by the test).
 */
describe('a failing receiver does not hold up the evaluation loop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alerting-queue-'));
  const clock = { t: Date.parse('2026-11-03T09:00:00.000Z'), now: () => new Date(clock.t) };
  let store: Store;
  let findings: FindingStore;
  let http: Server;
  let alerting: AlertingRuntime;
  const held: Array<{ res: ServerResponse; body: string }> = [];
  const bodies: WebhookPayload[] = [];
  let answering = false;
  let arrived: () => void = () => undefined;

  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 3650, rollupDays: 3650, recordDays: 3650 });
    findings = createFindingStore(store, clock);
    http = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (answering) {
          bodies.push(JSON.parse(body) as WebhookPayload);
          res.end('{}');
        } else held.push({ res, body });
        arrived();
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`;
    const { catalog, problems } = parseCatalog([
      {
        file: 'estate.yaml',
        text: `
owners:
  - { id: supply, receiver: supply-hook }
systems:
  - { id: erp, owner: supply }
  - { id: wms, owner: supply }
receivers:
  - { id: supply-hook, type: webhook, url: "${url}" }
# About delivery, not flapping: probe-failing resolves with its finding (its derived rule keeps firing 5m).
alerts:
  - { id: probe-failing, measure: probe-failing, threshold: 0, keepFiringFor: 0s, severity: high }
routes:
  - { receiver: supply-hook, groupWait: 0s, groupInterval: 1s }
`,
      },
    ]);
    if (problems.length) throw new Error(JSON.stringify(problems));
    alerting = alertingForTest({
      store,
      catalog: (): Catalog => catalog,
      findings,
      clock,
      retryBaseMs: 10,
      // The receiver holds the first attempt for as long as the test takes: it must not time out meanwhile.
      deliveryTimeoutMs: 120_000,
      random: () => 0,
    });
  }, 60_000);

  afterAll(async () => {
    answering = true;
    for (const h of held.splice(0)) h.res.end('{}');
    await alerting?.stop();
    await new Promise((r) => http?.close(() => r(undefined)));
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps evaluating while a delivery waits, then retries it and catches up', async () => {
    const firstRequest = new Promise<void>((r) => (arrived = r));
    await findings.sync(['probe-failing'], [probeFailing('wms')], clock.now());
    const first = await alerting.evaluateNow();
    expect(first.changes.map((c) => c.transition)).toEqual(['firing']);
    expect(first.notifications.map((n) => [n.receiver, n.status])).toEqual([['supply-hook', 'firing']]);
    await firstRequest;
    expect(held).toHaveLength(1);

    // The receiver still has not answered: the rules are evaluated anyway, alerts fire and resolve.
    clock.t += 10_000;
    await findings.sync(['probe-failing'], [probeFailing('wms'), probeFailing('erp')], clock.now());
    const second = await alerting.evaluateNow();
    expect(second.changes.map((c) => [c.transition, c.fingerprint === first.changes[0].fingerprint ? 'wms' : 'erp'])).toEqual([['firing', 'erp']]);
    // The group is being delivered: nothing new is planned for it (no second message racing the first).
    expect(second.notifications).toEqual([]);
    clock.t += 10_000;
    await findings.sync(['probe-failing'], [], clock.now());
    const third = await alerting.evaluateNow();
    expect(third.changes.map((c) => c.transition)).toEqual(['resolved', 'resolved']);
    expect(held).toHaveLength(1);

    // The receiver comes back: the waiting attempt is refused (503), the retry gets through.
    answering = true;
    const { res } = held.shift()!;
    res.statusCode = 503;
    res.end('{"error":"down"}');
    await alerting.idle();
    const deliveries = (await alerting.alertStore.deliveries()).filter((d) => d.receiver === 'supply-hook');
    expect(deliveries.map((d) => [d.attempt, d.ok, d.httpStatus, d.status]).sort()).toEqual([
      [1, false, 503, 'firing'],
      [2, true, 200, 'firing'],
    ]);
    expect(bodies.map((b) => [b.status, b.alerts.map((a) => `${a.labels.system}:${a.status}`).join(',')])).toEqual([['firing', 'wms:firing']]);

    // The next evaluations tell the group what changed meanwhile, once each: erp fired (unseen) and wms
    // resolved; then, groupInterval later, erp resolved.
    const told = () =>
      bodies.slice(1).map((b) => [
        b.status,
        b.alerts
          .map((a) => `${a.labels.system}:${a.status}`)
          .sort()
          .join(','),
      ]);
    clock.t += 10_000;
    expect((await alerting.evaluateNow()).notifications.map((n) => [n.receiver, n.status])).toEqual([['supply-hook', 'firing']]);
    await alerting.idle();
    clock.t += 10_000;
    expect((await alerting.evaluateNow()).notifications.map((n) => [n.receiver, n.status])).toEqual([['supply-hook', 'resolved']]);
    await alerting.idle();
    expect(told()).toEqual([
      ['firing', 'erp:firing,wms:resolved'],
      ['resolved', 'erp:resolved'],
    ]);
    clock.t += 10_000;
    expect((await alerting.evaluateNow()).notifications).toEqual([]);
  }, 60_000);
});
