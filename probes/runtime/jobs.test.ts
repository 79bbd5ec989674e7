import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../core/catalog/index.ts';
import { jobId, parseJobId, scheduledJobs } from './jobs.ts';

describe('probes jobs', () => {
  it('names a probe by its id and a reconciliation as reconcile:<id>, and reads both back', () => {
    expect(jobId({ kind: 'probe', id: 'crm-customers' })).toBe('crm-customers');
    expect(jobId({ kind: 'reconcile', id: 'customers-crm-erp' })).toBe('reconcile:customers-crm-erp');
    expect(parseJobId('reconcile:customers-crm-erp')).toEqual({ kind: 'reconcile', id: 'customers-crm-erp' });
    expect(parseJobId('crm-customers')).toEqual({ kind: 'probe', id: 'crm-customers' });
  });

  it('schedules every probe and only the reconciliations that have a schedule', () => {
    const { catalog, problems } = parseCatalog([
      {
        file: 'c.yaml',
        text: `systems: [{ id: crm }, { id: erp }]
probes:
  - { id: crm-count, kind: http, system: crm, url: "http://crm/count", count: $.n, every: 1m, jitter: 5s }
reconciliations:
  - { id: nightly, key: id, updatedAt: updated_at, cron: "0 3 * * *",
      left: { system: crm, dsn: env:A, table: t }, right: { system: erp, dsn: env:B, table: t } }
  - { id: on-demand, key: id, updatedAt: updated_at,
      left: { system: crm, dsn: env:A, table: t }, right: { system: erp, dsn: env:B, table: t } }
`,
      },
    ]);
    expect(problems).toEqual([]);
    expect(scheduledJobs(catalog)).toEqual([
      { id: 'crm-count', every: '1m', cron: undefined, jitter: '5s' },
      { id: 'reconcile:nightly', every: undefined, cron: '0 3 * * *' },
    ]);
  });
});
