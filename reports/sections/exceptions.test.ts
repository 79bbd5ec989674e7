import { describe, expect, it } from 'vitest';
import type { AlertRow, ReportData } from '../source/report-data.ts';
import { exceptionsSection } from './exceptions.ts';

const period = { since: '2026-11-10T10:00:00.000Z', until: '2026-11-10T11:00:00.000Z' };
const alert = (over: Partial<AlertRow>): AlertRow => ({
  id: 'a1',
  rule: 'error-rate',
  severity: 'high',
  title: 'errors on crm -> erp',
  subject: 'crm-erp',
  flows: ['crm-erp'],
  openedAt: '2026-11-10T10:10:00.000Z',
  acknowledgedBy: null,
  acknowledgedAt: null,
  note: '',
  resolvedAt: null,
  ...over,
});
const section = (alerts: AlertRow[]) =>
  exceptionsSection({
    period,
    findings: [],
    findingEvents: [],
    alerts: { recorded: true, rows: alerts },
    remediations: { recorded: true, rows: [] },
  } as unknown as ReportData);
const timeline = (alerts: AlertRow[]) =>
  section(alerts)
    .tables.find((t) => t.id === 'timeline')!
    .rows.map((r) => r[1]);

// regression: an event at the period's exact end (its until, which the next period starts with) was in the timeline of
// both reports that meet there; and an alert resolved after the period counted as resolved in it
describe('exceptions: the period is [since, until)', () => {
  it('puts an event at the end of the period in the next one only', () => {
    expect(timeline([alert({ acknowledgedBy: 'ana', acknowledgedAt: period.until, resolvedAt: period.until })])).toEqual(['alert opened']);
    expect(timeline([alert({ openedAt: period.since })])).toEqual(['alert opened']);
  });

  it('counts an acknowledgement or resolution after the period as neither, and shows the status at its end', () => {
    const s = section([alert({ acknowledgedBy: 'ana', acknowledgedAt: '2026-11-10T11:05:00.000Z', resolvedAt: '2026-11-10T11:30:00.000Z' })]);
    expect(s.figures.filter((f) => f.label === 'acknowledged' || f.label === 'resolved').map((f) => f.value)).toEqual([0, 0]);
    const population = s.tables.find((t) => t.id === 'population')!;
    expect(population.rows[0][population.columns.findIndex((c) => c.key === 'status')]).toBe('open');
  });
});
