import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
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
 * A webhook receiver that is down for longer than resolved alerts are kept in memory (an hour): it was told an alert
 * fires, then refuses every request while the alert resolves and for 90 minutes after. Real chDB, a real HTTP receiver,
 * an injected clock.
 */
describe('a receiver down for over an hour while its alert resolves (regression: the resolve was lost)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alerting-outage-'));
  const clock = { t: Date.parse('2026-11-03T09:00:00.000Z'), now: () => new Date(clock.t) };
  let store: Store;
  let findings: FindingStore;
  let http: Server;
  let alerting: AlertingRuntime;
  const bodies: WebhookPayload[] = [];
  let up = true;
  let refused = 0;

  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 3650, rollupDays: 3650, recordDays: 3650 });
    findings = createFindingStore(store, clock);
    http = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (!up) {
          refused++;
          res.statusCode = 503;
          res.end('{"error":"down"}');
          return;
        }
        bodies.push(JSON.parse(body) as WebhookPayload);
        res.end('{}');
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
  - { id: wms, owner: supply }
receivers:
  - { id: supply-hook, type: webhook, url: "${url}" }
alerts:
  - { id: probe-failing, measure: probe-failing, threshold: 0, keepFiringFor: 0s, severity: high }
routes:
  - { receiver: supply-hook, groupWait: 0s, groupInterval: 1m }
`,
      },
    ]);
    if (problems.length) throw new Error(JSON.stringify(problems));
    alerting = alertingForTest({ store, catalog: (): Catalog => catalog, findings, clock, retryBaseMs: 1, random: () => 0 });
  }, 60_000);

  afterAll(async () => {
    await alerting?.stop();
    await new Promise((r) => http?.close(() => r(undefined)));
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // What the webhook was told of the WMS probe (Weft's own weft-behind fires too here: no analyzer runs).
  const told = () =>
    bodies.flatMap((b) => {
      const wms = b.alerts.filter((a) => a.labels.system === 'wms');
      return wms.length ? [`${b.status}:${wms.map((a) => `wms:${a.status}`).join(',')}`] : [];
    });

  it('tells it resolved once it answers again (the resolve was forgotten after an hour), once', async () => {
    await findings.sync(['probe-failing'], [probeFailing('wms')], clock.now());
    await alerting.evaluateNow();
    await alerting.idle();
    expect(told()).toEqual(['firing:wms:firing']);

    up = false;
    clock.t += 60_000;
    await findings.sync(['probe-failing'], [], clock.now());
    await alerting.evaluateNow();
    await alerting.idle();
    // Down for 90 minutes: an evaluation every 5 minutes, each retrying the resolve.
    for (let i = 0; i < 18; i++) {
      clock.t += 300_000;
      await alerting.evaluateNow();
      await alerting.idle();
    }
    expect(refused).toBeGreaterThan(0);
    up = true;
    for (let i = 0; i < 3; i++) {
      clock.t += 300_000;
      await alerting.evaluateNow();
      await alerting.idle();
    }
    expect(told()).toEqual(['firing:wms:firing', 'resolved:wms:resolved']);
  }, 120_000);

  it('tells it of an alert that fired and resolved while it was down, once it answers again', async () => {
    bodies.length = 0;
    up = false;
    clock.t += 300_000;
    await findings.sync(['probe-failing'], [probeFailing('wms')], clock.now());
    await alerting.evaluateNow();
    await alerting.idle();
    clock.t += 60_000;
    await findings.sync(['probe-failing'], [], clock.now());
    for (let i = 0; i < 19; i++) {
      await alerting.evaluateNow();
      await alerting.idle();
      clock.t += 300_000;
    }
    up = true;
    for (let i = 0; i < 3; i++) {
      clock.t += 300_000;
      await alerting.evaluateNow();
      await alerting.idle();
    }
    expect(told()).toEqual(['firing:wms:firing', 'resolved:wms:resolved']);
  }, 120_000);
});
