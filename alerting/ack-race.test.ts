import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../clickhouse/index.ts';
import { openMigratedStore } from '../test/migrated-store.ts';
import { createFindingStore, type FindingStore } from '../findings/index.ts';
import type { AlertingRuntime } from './index.ts';
import { alertingForTest, probeFailing, testCatalog } from './testing/fixtures.ts';

/** An acknowledgement made while an evaluation runs (real chDB, an injected clock). */
describe('an acknowledgement made while the rules are evaluated', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alerting-ack-'));
  const clock = { t: Date.parse('2026-11-03T09:00:00.000Z'), now: () => new Date(clock.t) };
  let store: Store;
  let findings: FindingStore;
  let alerting: AlertingRuntime;

  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 3650, rollupDays: 3650, recordDays: 3650 });
    findings = createFindingStore(store, clock);
    const catalog = testCatalog();
    alerting = alertingForTest({ store, catalog: () => catalog, findings, clock });
  }, 60_000);

  afterAll(async () => {
    await alerting?.stop();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('regression: is kept (an evaluation that read the alert before it saved it again without the acknowledgement)', async () => {
    await findings.sync(['probe-failing'], [probeFailing('wms')], clock.now());
    const first = await alerting.evaluateNow();
    const fp = first.changes.find((c) => c.rule === 'probe-failing')!.fingerprint;
    // A minute on: the next evaluation saves the firing alert with its latest value.
    clock.t += 61_000;
    const ack = alerting.acknowledge(fp, 'sre-anna', 'looking');
    const evaluation = alerting.evaluateNow();
    await Promise.all([ack, evaluation]);
    expect((await alerting.alertStore.getAlert(fp))?.acknowledgedBy).toBe('sre-anna');
  }, 60_000);
});
