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
 * A catalog change of what an alert's labels say but not which alert it is (its system's owner, its rule's severity)
 * while it fires. Its fingerprint is over every label, as Alertmanager's; it was resolved and fired again as another
 * alert: the receiver got RESOLVED and FIRING for one failing probe. Real chDB, a real HTTP receiver, an injected clock.
 */
describe("a catalog change of a firing alert's owner and severity (regression: resolved, then fired as another alert)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'alerting-relabel-'));
  const clock = { t: Date.parse('2026-11-03T09:00:00.000Z'), now: () => new Date(clock.t) };
  let store: Store;
  let findings: FindingStore;
  let http: Server;
  let alerting: AlertingRuntime;
  let catalog: Catalog;
  let url = '';
  const bodies: WebhookPayload[] = [];

  const estate = (owner: string, severity: string) => {
    const parsed = parseCatalog([
      {
        file: 'estate.yaml',
        text: `
owners:
  - { id: supply, receiver: supply-hook }
  - { id: logistics, receiver: supply-hook }
systems:
  - { id: wms, owner: ${owner} }
receivers:
  - { id: supply-hook, type: webhook, url: "${url}" }
alerts:
  - { id: probe-failing, measure: probe-failing, threshold: 0, keepFiringFor: 0s, severity: ${severity} }
routes:
  - { receiver: supply-hook, groupWait: 0s, groupInterval: 1m, repeatInterval: 10m }
`,
      },
    ]);
    if (parsed.problems.length) throw new Error(JSON.stringify(parsed.problems));
    return parsed.catalog;
  };

  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 3650, rollupDays: 3650, recordDays: 3650 });
    findings = createFindingStore(store, clock);
    http = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        bodies.push(JSON.parse(body) as WebhookPayload);
        res.end('{}');
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`;
    catalog = estate('supply', 'high');
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
      return wms.map((a) => `${a.status}:${a.labels.owner}:${a.labels.severity}`);
    });
  const evaluateFor = async (ms: number) => {
    for (let t = 0; t < ms; t += 60_000) {
      await alerting.evaluateNow();
      await alerting.idle();
      clock.t += 60_000;
    }
  };

  it('goes on firing under its new labels, told again only at its repeat, and resolved once', async () => {
    await findings.sync(['probe-failing'], [probeFailing('wms')], clock.now());
    await evaluateFor(120_000);
    expect(told()).toEqual(['firing:supply:high']);
    const [before] = (await alerting.alertStore.listAlerts(['firing'])).filter((a) => a.labels.system === 'wms');

    catalog = estate('logistics', 'critical');
    await evaluateFor(5 * 60_000);
    // No resolved, no second "firing" as a new alert: nothing is sent before the repeat interval.
    expect(told()).toEqual(['firing:supply:high']);
    const firing = (await alerting.alertStore.listAlerts(['firing'])).filter((a) => a.labels.system === 'wms');
    expect(firing.map((a) => [a.labels.owner, a.labels.severity, a.severity, a.firedAt, a.formerFingerprints])).toEqual([
      ['logistics', 'critical', 'critical', before.firedAt, [before.fingerprint]],
    ]);
    expect((await alerting.alertStore.getAlert(before.fingerprint))?.state).toBe('inactive');
    const events = await alerting.alertStore.events({ fingerprint: firing[0].fingerprint });
    expect(events.map((e) => e.event)).toEqual(['relabeled']);
    expect(events[0].note).toBe(`labels changed (owner: supply → logistics, severity: high → critical): the alert was ${before.fingerprint}`);

    // The repeat (10 minutes after the first message) tells the new labels; the probe recovers: resolved, once.
    await evaluateFor(5 * 60_000);
    expect(told()).toEqual(['firing:supply:high', 'firing:logistics:critical']);
    await findings.sync(['probe-failing'], [], clock.now());
    await evaluateFor(3 * 60_000);
    expect(told()).toEqual(['firing:supply:high', 'firing:logistics:critical', 'resolved:logistics:critical']);
  }, 120_000);
});
