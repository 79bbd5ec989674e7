import { describe, expect, it } from 'vitest';
import { alertSeverityText } from '../model/alert.ts';
import { slackMessage } from '../notify/receivers/slack.ts';
import { rulesFor } from '../rules/derive-rules.ts';
import { observations, testCatalog } from '../testing/fixtures.ts';
import { conditionsFor } from './conditions.ts';
import { evaluateAlerts } from './evaluate.ts';
import type { OpenFinding } from './observations.ts';

const now = new Date('2026-11-02T10:00:00.000Z');

const finding = (kind: string, severity: OpenFinding['severity'], over: Partial<OpenFinding> = {}): OpenFinding => ({
  id: `${kind}-1`,
  kind,
  key: `${kind}:k`,
  title: `${kind} finding`,
  severity,
  subject: { systems: ['erp'], flows: [], domains: [] },
  traceIds: [],
  ...over,
});

/**
 * Regression: the demo's billing drift was `medium` on the Findings page and `/metrics` and `high` on the Alerts page
 * and in `weft alerts list`, and its deprecated flow `medium` as a finding and `low` as an alert, with nothing saying
 * why. An alert's severity is its rule's (it routes and pages it, alerting/README.md); the finding's own, as the
 * finding store holds it, now travels with the alert (annotation `finding_severity`) and is shown beside it.
 */
describe('an alert about a finding carries the finding severity beside its own', () => {
  const catalog = testCatalog();
  const rules = rulesFor(catalog);
  const obs = {
    ...observations(now, { stats: { 'erp-wms-pick': { p95Ms: 2500, traces: 20 } } }),
    findings: [
      finding('record-count-drift', 'medium'),
      finding('deprecated-in-use', 'medium', { subject: { systems: ['cpq', 'erp'], flows: ['cpq-erp-quote'], domains: [] } }),
      finding('latency-slo-breach', 'medium', { id: 'lat-1', subject: { systems: ['erp', 'wms'], flows: ['erp-wms-pick'], domains: [] } }),
    ],
  };
  const { alerts } = evaluateAlerts(new Map(), conditionsFor(rules, catalog, obs), rules, [], now);
  const byRule = (id: string) => [...alerts.values()].find((a) => a.rule === id)!;

  it('a drift finding held at medium: the alert is high (its rule) and says the finding is medium', () => {
    const a = byRule('record-count-drift');
    expect(a.severity).toBe('high');
    expect(a.annotations.finding_severity).toBe('medium');
    expect(alertSeverityText(a)).toBe('high (finding: medium)');
  });

  it('a deprecated flow in use: a low alert about a medium finding', () => {
    const a = byRule('deprecated-in-use');
    expect([a.severity, a.annotations.finding_severity, alertSeverityText(a)]).toEqual(['low', 'medium', 'low (finding: medium)']);
  });

  it('a flow alert linking its open finding of the same severity says one severity', () => {
    const a = byRule('flow-latency-p95');
    expect([a.finding, a.severity, a.annotations.finding_severity, alertSeverityText(a)]).toEqual(['lat-1', 'medium', 'medium', 'medium']);
  });

  it('a receiver shows both', () => {
    const a = byRule('record-count-drift');
    const msg = JSON.stringify(
      slackMessage(
        {
          groupKey: 'k',
          receiver: 'r',
          groupLabels: {},
          status: 'firing',
          alerts: [{ alert: a, status: 'firing' }],
          reason: 'first',
          after: { key: 'k', receiver: 'r', labels: {}, createdAt: '', lastSentAt: null, sent: {} },
        },
        'http://weft',
      ),
    );
    expect(msg).toContain('high (finding: medium)');
  });
});
