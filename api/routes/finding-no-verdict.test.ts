import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../core/contracts/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { findingId, type FindingStore } from '../../findings/index.ts';
import { buildApiApp, type ApiApp } from '../app.ts';

const held: Finding = {
  id: findingId('error-rate', 'customer-sync'),
  kind: 'error-rate',
  key: 'customer-sync',
  severity: 'high',
  title: 'Flow customer-sync fails 20.0% of runs (class gold allows 10.0%)',
  subject: { systems: ['crm', 'erp'], flows: ['customer-sync'], domains: [] },
  evidence: { traces: 5, failedTraces: 1 },
  hint: 'Open the sample failed trace.',
  status: 'open',
  firstSeen: '2026-01-01T00:00:00.000Z',
  lastSeen: '2026-01-01T00:05:00.000Z',
  resolvedAt: null,
  acknowledgedBy: null,
  acknowledgedAt: null,
  note: '',
  noVerdict: { reason: '2 runs in the window, fewer than the 5 its error rate is judged on' },
};

// The findings API's response schema names each field it sends: a field it does not name is dropped on the way out,
// and the UI could not say why an open finding is not renewed.
describe('GET /findings of a finding kept open without a verdict', () => {
  let app: ApiApp;
  beforeAll(async () => {
    const findings = { list: async () => [held], get: async () => held, history: async () => [] } as unknown as FindingStore;
    app = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, logger: silentLogger(), services: { store: undefined as never, findings } });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('says why, in the list and in the finding', async () => {
    const list = await app.inject({ method: 'GET', url: '/api/v1/findings' });
    expect(list.json().findings[0].noVerdict).toEqual(held.noVerdict);
    const one = await app.inject({ method: 'GET', url: `/api/v1/findings/${held.id}` });
    expect(one.json().finding.noVerdict).toEqual(held.noVerdict);
  });
});
