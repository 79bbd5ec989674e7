import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../clickhouse/index.ts';
import { openMigratedStore } from '../test/migrated-store.ts';
import { createFindingStore, type FindingStore } from '../findings/index.ts';
import type { AlertingRuntime } from './index.ts';
import { alertingForTest, probeFailing, testCatalog } from './testing/fixtures.ts';

/**
 * Alerting at a slow analyzer's pace (an evaluation every 15 minutes at the latest) with a silence that ends while its
 * alert fires: the evaluation loop wakes up when a silence starts or ends. Real chDB, an injected clock.
 */
describe('a silence that ends while its alert fires', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alerting-silence-'));
  const clock = { t: Date.parse('2026-11-03T09:00:00.000Z'), now: () => new Date(clock.t) };
  let store: Store;
  let findings: FindingStore;
  let alerting: AlertingRuntime;

  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 3650, rollupDays: 3650, recordDays: 3650 });
    findings = createFindingStore(store, clock);
    const catalog = testCatalog();
    alerting = alertingForTest({ store, catalog: () => catalog, findings, clock, intervalMs: 900_000 });
  }, 60_000);

  afterAll(async () => {
    await alerting?.stop();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('regression: is planned for when the silence ends (it waited for the next interval, up to 15 minutes later)', async () => {
    const ends = clock.t + 120_000;
    await alerting.createSilence({
      matchers: [{ name: 'system', value: 'wms', isRegex: false, isEqual: true }],
      startsAt: clock.now().toISOString(),
      endsAt: new Date(ends).toISOString(),
      createdBy: 'sre-anna',
      comment: 'wms maintenance',
    });
    const starts = clock.t + 600_000;
    await alerting.createSilence({
      matchers: [{ name: 'system', value: 'erp', isRegex: false, isEqual: true }],
      startsAt: new Date(starts).toISOString(),
      endsAt: new Date(starts + 3_600_000).toISOString(),
      createdBy: 'sre-anna',
      comment: 'erp upgrade tonight',
    });
    await findings.sync(['probe-failing'], [probeFailing('wms')], clock.now());
    const first = await alerting.evaluateNow();
    expect(first.notifications).toEqual([]);
    expect(first.nextAt).toBe(ends);
    clock.t = ends;
    const second = await alerting.evaluateNow();
    // The silence ended: the alert's group speaks after its groupWait (5 s).
    expect(second.nextAt).toBe(ends + 5_000);
    clock.t = ends + 5_000;
    const third = await alerting.evaluateNow();
    expect(third.notifications.map((n) => [n.receiver, n.status])).toEqual([['supply-hook', 'firing']]);
    // Then the erp silence's start is the next thing due.
    expect(third.nextAt).toBe(starts);
  }, 60_000);
});
