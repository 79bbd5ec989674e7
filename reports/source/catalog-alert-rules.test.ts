import { describe, expect, it } from 'vitest';
import { catalogFrom } from '../../analyzer/test/estate-fixture.ts';
import { catalogAlertRules } from './report-source.ts';

// Regression (break test): the coverage section listed flow-latency-p95, -p99, flow-error-rate and flow-stale as alert
// rules of a flow with no class, no SLO and no schedule, which alerting never evaluates for it (no threshold): SOC 2
// evidence of monitoring that does not run.
describe('alert rules a report lists per flow', () => {
  it('lists a derived rule only for the flows it has a threshold for', () => {
    const catalog = catalogFrom(`
owners: [{ id: icoe, email: icoe@example.com }]
systems:
  - { id: crm, kind: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, kind: erp, owner: icoe, match: { hosts: [erp.internal] } }
classes:
  - { id: gold, latencyP95Ms: 100, latencyP99Ms: 200, errorRate: 0.1, staleAfter: 10m }
flows:
  - { id: bare, source: crm, target: erp, owner: icoe }
  - { id: classed, source: erp, target: crm, owner: icoe, class: gold, schedule: { every: 5m } }
`);
    const rules = catalogAlertRules(catalog);
    if (!rules.recorded) throw new Error('rules derived from a catalog are always recorded');
    const rulesOf = (flow: string) => rules.rows.filter((r) => r.flows.includes(flow)).map((r) => r.id);
    expect(rulesOf('bare')).toEqual(['flow-throughput-drop']);
    expect(rulesOf('classed')).toEqual(['flow-latency-p95', 'flow-latency-p99', 'flow-error-rate', 'flow-stale', 'flow-throughput-drop']);
  });
});
