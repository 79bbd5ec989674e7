import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../clickhouse/index.ts';
import { emptyCatalog } from '../../core/catalog/index.ts';
import type { FindingCandidate, Severity } from '../../core/contracts/index.ts';
import { createFindingStore, findingId } from '../../findings/index.ts';
import { openMigratedStore } from '../../test/migrated-store.ts';
import { runAudit } from './run-audit.ts';

const MINUTE = 60_000;

const drift = (severity: Severity): FindingCandidate => ({
  kind: 'record-count-drift',
  key: 'customer:billing',
  severity,
  title: 'billing holds 2056 customer records, crm (system of record) 2076: -20 for 9m59s',
  subject: { systems: ['crm', 'billing'], flows: [], domains: ['customer'] },
  evidence: { difference: -20 },
  hint: 'reconcile',
});

/**
 * Regression: `weft audit` printed `LOW record-count-drift …` while the findings API, the Findings page and `/metrics`
 * said `medium` for the same finding at the same moment: the audit showed the detector's verdict of that instant, the
 * finding store held the higher severity for 10 minutes (README: a severity "falls only after 10 minutes"), so the
 * audit's summary disagreed with the UI's.
 */
describe('runAudit gives a finding the severity the finding store gives it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-audit-severity-'));
  let store: Store;
  const t0 = Date.UTC(2026, 1, 1, 10, 0);
  const at = (minutes: number) => new Date(t0 + minutes * MINUTE);
  const audit = (now: Date, findings: Parameters<typeof runAudit>[2]['findings'], severity: Severity) =>
    runAudit(store, emptyCatalog(), { sinceMs: 3_600_000, now, failOn: 'medium', more: [async () => ({ candidates: [drift(severity)], held: [] })], findings });

  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 3650, rollupDays: 3650, recordDays: 3650 });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a drift opened medium and now low stays medium in the audit, as in the store, until the low held 10 minutes', async () => {
    const running = createFindingStore(store);
    await running.sync(['record-count-drift'], [drift('medium')], at(0));
    await running.sync(['record-count-drift'], [drift('low')], at(1));
    const id = findingId('record-count-drift', 'customer:billing');
    expect((await running.get(id))!.severity).toBe('medium');

    // The running Weft (`weft audit --url`): its own finding store.
    const live = await audit(at(5), running, 'low');
    expect(live.findings.map((f) => [f.id, f.severity])).toEqual([[id, 'medium']]);
    expect(live.summary.findings.bySeverity).toMatchObject({ medium: 1, low: 0 });
    expect(live.failed).toBe(true);

    // A stopped Weft's store (`weft audit --data`): a new finding store, whose hold starts again, keeps the stored severity.
    expect((await audit(at(5), createFindingStore(store), 'low')).findings[0].severity).toBe('medium');

    // Once the low one held 10 minutes the store lowers it, and the audit says so at the same moment.
    const later = await audit(at(11), running, 'low');
    expect(later.findings[0].severity).toBe('low');
    await running.sync(['record-count-drift'], [drift('low')], at(11));
    expect((await running.get(id))!.severity).toBe('low');

    // Raising is immediate, in both.
    expect((await audit(at(12), running, 'high')).findings[0].severity).toBe('high');
  });

  it('a candidate without an open finding keeps its own severity', async () => {
    const other: FindingCandidate = { ...drift('low'), key: 'customer:shop' };
    const report = await runAudit(store, emptyCatalog(), {
      sinceMs: 3_600_000,
      now: at(30),
      failOn: null,
      more: [async () => ({ candidates: [other], held: [] })],
      findings: createFindingStore(store),
    });
    expect(report.findings.map((f) => f.severity)).toEqual(['low']);
  });
});
