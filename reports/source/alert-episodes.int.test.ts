import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../clickhouse/index.ts';
import { openMigratedStore } from '../../test/migrated-store.ts';
import { flowMinutes, resolvePeriod } from '../period.ts';
import { readAlerts } from './optional-tables.ts';

// Regression: the report built one row per alert from the events inside the period only, so an alert firing
// all through the period was left out, one that resolved and fired again was shown resolved, and one opened
// before the period was shown opened at the period's start.
describe('alerts in a report: every episode open at any time in the period', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-alerts-'));
  let store: Store;
  const ev = (at: string, fingerprint: string, event: string, actor = '', note = '') => ({
    at: at.replace('T', ' ').replace('Z', ''),
    fingerprint,
    rule: 'flow-stale',
    event,
    actor,
    value: 0,
    note,
    labels: { flow: `${fingerprint}-flow`, severity: 'high' },
  });
  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 30, rollupDays: 400, recordDays: 730 });
    await store.client.insert({
      table: 'weft_alert_events',
      format: 'JSONEachRow',
      values: [
        ev('2026-11-30T09:00:00.000Z', 'throughout', 'firing'),
        ev('2026-11-30T09:30:00.000Z', 'before', 'firing'),
        ev('2026-11-30T09:45:00.000Z', 'before', 'resolved'),
        ev('2026-11-30T10:05:00.000Z', 'refired', 'firing'),
        ev('2026-11-30T10:10:00.000Z', 'refired', 'acknowledged', 'ana', 'looking'),
        ev('2026-11-30T10:15:00.000Z', 'refired', 'resolved'),
        ev('2026-11-30T10:40:00.000Z', 'refired', 'firing'),
        ev('2026-11-30T09:50:00.000Z', 'across', 'firing'),
        ev('2026-11-30T10:20:00.000Z', 'across', 'resolved'),
        // At the period's end exactly: the next period's.
        ev('2026-11-30T11:00:00.000Z', 'next', 'firing'),
      ],
    });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads episodes, with the times they really opened and resolved', async () => {
    const period = resolvePeriod({ since: '2026-11-30T10:00:00Z', until: '2026-11-30T11:00:00Z' }, new Date('2026-12-01T00:00:00Z'));
    const alerts = await readAlerts(store, period);
    expect(alerts.recorded).toBe(true);
    const rows = alerts.recorded ? alerts.rows.map((a) => [a.id, a.openedAt, a.resolvedAt, a.acknowledgedBy]) : [];
    expect(rows).toEqual([
      ['throughout', '2026-11-30T09:00:00.000Z', null, null],
      ['across', '2026-11-30T09:50:00.000Z', '2026-11-30T10:20:00.000Z', null],
      ['refired', '2026-11-30T10:05:00.000Z', '2026-11-30T10:15:00.000Z', 'ana'],
      ['refired', '2026-11-30T10:40:00.000Z', null, null],
    ]);
  });

  it('counts flows over the whole minutes of the period, both ends rounded down, so two reports that meet share none', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const a = resolvePeriod({ since: '2026-11-30T10:00:30.500Z', until: '2026-11-30T10:52:55.657Z' }, now);
    const b = resolvePeriod({ since: '2026-11-30T10:52:55.657Z', until: '2026-11-30T11:00:00Z' }, now);
    expect(a).toEqual({ since: '2026-11-30T10:00:30.500Z', until: '2026-11-30T10:52:55.657Z' });
    expect(flowMinutes(a)).toEqual({ since: new Date('2026-11-30T10:00:00Z'), until: new Date('2026-11-30T10:52:00Z') });
    expect(flowMinutes(b)).toEqual({ since: new Date('2026-11-30T10:52:00Z'), until: new Date('2026-11-30T11:00:00Z') });
  });
  // Regression: an alert without a \`flow\` label (a drift alert on a system, a domain's, one raised for a finding)
  // had an empty Subject in the report. It is named by its system, domain or finding as the API and UI do.
  it('names what each alert is about by its flow, system, domain or finding label', async () => {
    const at = '2026-11-29 10:10:00.000';
    const alert = (fingerprint: string, labels: Record<string, string>) => ({
      at,
      fingerprint,
      rule: 'probe-drift',
      event: 'firing',
      actor: '',
      value: 1,
      note: '',
      labels,
    });
    await store.client.insert({
      table: 'weft_alert_events',
      format: 'JSONEachRow',
      values: [
        alert('on-flow', { flow: 'customer-sync', system: 'erp', severity: 'high' }),
        alert('on-system', { system: 'erp', finding: 'drift:erp:customer', severity: 'high' }),
        alert('on-domain', { domain: 'customer', severity: 'high' }),
        alert('on-finding', { finding: 'drift:erp:customer', severity: 'high' }),
        alert('estate', { severity: 'high' }),
      ],
    });
    const alerts = await readAlerts(store, resolvePeriod({ since: '2026-11-29T10:00:00Z', until: '2026-11-29T11:00:00Z' }, new Date('2026-12-01T00:00:00Z')));
    const rows = alerts.recorded ? alerts.rows.map((a) => [a.id, a.subject, a.title]) : [];
    expect(rows.sort((a, b) => a[0].localeCompare(b[0]))).toEqual([
      ['estate', '', 'probe-drift'],
      ['on-domain', 'customer', 'probe-drift on customer'],
      ['on-finding', 'finding drift:erp:customer', 'probe-drift on finding drift:erp:customer'],
      ['on-flow', 'customer-sync', 'probe-drift on customer-sync'],
      ['on-system', 'erp', 'probe-drift on erp'],
    ]);
  });
});
