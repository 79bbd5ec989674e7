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
import { type AlertingRuntime } from './index.ts';
import { alertingForTest } from './testing/fixtures.ts';

/**
 * Regression: alerting read a receiver's `env:NAME` references under the default policy only, so the
 * operator's deny-list (WEFT_CATALOG_ENV_DENY=CORP_*) held for probes but not for a webhook header: a
 * catalog author could have a denied secret sent to a URL of their choosing. A catalog that got past
 * validation (loaded before the policy was tightened) meets the rule when the receiver is notified.
 * Real chDB and a real HTTP receiver.
 */
describe("alerting reads receiver secrets under the operator's env policy", () => {
  const dir = mkdtempSync(join(tmpdir(), 'alerting-env-'));
  const clock = { t: Date.parse('2026-11-03T09:00:00.000Z'), now: () => new Date(clock.t) };
  let store: Store;
  let findings: FindingStore;
  let http: Server;
  let alerting: AlertingRuntime;
  const requests: string[] = [];
  const read: string[] = [];

  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 3650, rollupDays: 3650, recordDays: 3650 });
    findings = createFindingStore(store, clock);
    http = createServer((req, res) => {
      requests.push(`${req.url} ${req.headers.authorization ?? ''} ${req.headers['x-own'] ?? ''}`);
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const { catalog, problems } = parseCatalog([
      {
        file: 'estate.yaml',
        text: `
owners:
  - { id: supply, receiver: denied-hook }
systems:
  - { id: erp, owner: supply }
receivers:
  - { id: denied-hook, type: webhook, url: "${base}/denied", headers: { authorization: "Bearer env:CORP_SECRET" } }
  - { id: allowed-hook, type: webhook, url: "${base}/allowed", headers: { authorization: "Bearer env:HOOK_TOKEN" } }
  - { id: query-hook, type: webhook, url: "${base}/query?token=env:HOOK_TOKEN" }
routes:
  - { receiver: denied-hook, groupWait: 0s, continue: true }
  - { receiver: query-hook, groupWait: 0s, continue: true }
  - { receiver: allowed-hook, groupWait: 0s }
`,
      },
    ]);
    if (problems.length) throw new Error(JSON.stringify(problems));
    alerting = alertingForTest({
      store,
      catalog: (): Catalog => catalog,
      findings,
      env: (name) => (read.push(name), name === 'CORP_SECRET' ? 'corp-secret-value' : 'hook&token #value'),
      envPolicy: { allow: [], deny: ['CORP_*'] },
      clock,
      retryBaseMs: 10,
      random: () => 0,
    });
  }, 60_000);

  afterAll(async () => {
    await alerting?.stop();
    await new Promise((r) => http?.close(() => r(undefined)));
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never reads or sends a denied variable, records why, and still notifies the receivers that are allowed', async () => {
    await findings.sync(
      ['probe-failing'],
      [
        {
          kind: 'probe-failing',
          key: 'erp-count',
          severity: 'high',
          title: 'Probe erp-count fails',
          subject: { systems: ['erp'], flows: [], domains: [] },
          evidence: {},
          hint: '',
        },
      ],
      clock.now(),
    );
    const report = await alerting.evaluateNow();
    expect(report.notifications.map((n) => n.receiver).sort()).toEqual(['allowed-hook', 'denied-hook', 'query-hook']);
    await alerting.idle();
    // A reference inside a URL (`?token=env:HOOK_TOKEN`) is resolved as in an http probe's query, not sent as text,
    // and encoded as a query value (regression: "&" split it into a second parameter, "#" cut it).
    expect(requests.sort()).toEqual(['/allowed Bearer hook&token #value ', '/query?token=hook%26token+%23value  ']);
    expect(read).not.toContain('CORP_SECRET');
    const deliveries = await alerting.alertStore.deliveries();
    const denied = deliveries.filter((d) => d.receiver === 'denied-hook');
    expect(denied.length).toBeGreaterThan(0);
    expect(denied.every((d) => !d.ok)).toBe(true);
    expect(JSON.stringify(denied)).toMatch(/env:CORP_SECRET matches \\"CORP_\*\\" in the deny-list/);
    expect(JSON.stringify(deliveries)).not.toMatch(/corp-secret-value|hook&token|hook%26token/);
  });
});
