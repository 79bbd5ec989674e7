import { describe, expect, it } from 'vitest';
import { evaluateAlerts } from '../evaluate/evaluate.ts';
import type { Alert, AlertRule, Condition } from '../model/alert.ts';
import { parseMatcher } from '../silences/matchers.ts';
import { testCatalog } from '../testing/fixtures.ts';
import { alertRoutes, escalationConditions, escalationKeys, escalationRule, type RunEnd } from './escalation.ts';
import { actionsFor } from './run-action.ts';

const catalog = testCatalog(`remediations:
  - { id: rerun, rules: [flow-stale], request: { url: "http://127.0.0.1:9/run" }, escalate: supply-hook }
  - { id: resume, flows: [erp-cpq-sync], request: { url: "http://127.0.0.1:9/resume" } }
`);
const t0 = Date.parse('2026-11-02T10:00:00.000Z');
const at = (s: number) => new Date(t0 + s * 1000);
const staleRule: AlertRule = { ...escalationRule, id: 'flow-stale', measure: 'staleness', threshold: 60, severity: 'high' };
const stale = (active: boolean): Condition => ({
  rule: staleRule,
  labels: { alertname: 'flow-stale', flow: 'erp-cpq-sync', source: 'erp', target: 'cpq', owner: 'icoe', severity: 'high' },
  value: active ? 90 : 5,
  threshold: 60,
  active,
  summary: 'erp-cpq-sync has not run for 90 s',
  flow: 'erp-cpq-sync',
  systems: ['erp', 'cpq'],
});
const keysOf = (alerts: Alert[]) => escalationKeys(alerts, (a) => actionsFor(catalog.remediations, a));
const ended = (keys: ReturnType<typeof keysOf>, action: string, outcome: RunEnd['outcome']): RunEnd[] =>
  keys
    .filter((k) => k.action.id === action)
    .map((k) => ({ action, fingerprint: k.alert.fingerprint, idempotencyKey: k.key, outcome, attempts: 3, error: 'HTTP 502: bad gateway' }));

/** Evaluations one after another, each fed the alerts the last one left. */
function evaluations() {
  let prev = new Map<string, Alert>();
  return {
    alerts: () => [...prev.values()],
    run(s: number, conditions: Condition[]) {
      const r = evaluateAlerts(prev, conditions, [], [], at(s));
      prev = new Map(r.alerts.map((a) => [a.fingerprint, a]));
      return r.changes.map((c) => `${c.alert.rule}:${c.transition}`);
    },
  };
}

describe('escalation (remediation-failed)', () => {
  it('fires while the alert it escalates fires, and resolves in the same evaluation as that alert', () => {
    const e = evaluations();
    expect(e.run(0, [stale(true)])).toEqual(['flow-stale:firing']);
    const keys = keysOf(e.alerts());
    const ends = ended(keys, 'rerun', 'escalated');
    expect(e.run(10, [stale(true), ...escalationConditions(keys, ends)])).toEqual(['remediation-failed:firing']);
    const escalation = e.alerts().find((a) => a.rule === 'remediation-failed')!;
    expect(escalation).toMatchObject({
      severity: 'critical',
      labels: { alertname: 'remediation-failed', severity: 'critical', action: 'rerun', flow: 'erp-cpq-sync', source: 'erp', target: 'cpq', owner: 'icoe' },
      annotations: {
        summary: 'Remediation rerun failed after 3 attempts for erp-cpq-sync has not run for 90 s: HTTP 502: bad gateway',
        value: '',
        threshold: '',
      },
    });
    expect(e.run(20, [stale(true), ...escalationConditions(keys, ends)])).toEqual([]);
    // The flow runs again: the run's record still says escalated, but the alert it escalates is over.
    expect(e.run(30, [stale(false), ...escalationConditions(keys, ends)]).sort()).toEqual(['flow-stale:resolved', 'remediation-failed:resolved']);
    // And when the flow goes stale again (a new episode, a new idempotency key), the old run does not fire it.
    expect(e.run(40, [stale(true), ...escalationConditions(keysOf(e.alerts()), ends)])).toEqual(['flow-stale:firing']);
  });

  // Regression: a catalog change of the failed alert's owner gave it and its escalation new labels (new fingerprints):
  // the escalation was resolved and fired again, and the runs recorded under the old fingerprint were lost to it.
  it("keeps an escalation firing, relabelled with its alert, when the failed alert's owner changes; it resolves with it", () => {
    const e = evaluations();
    const staleOf = (owner: string, active = true): Condition => ({ ...stale(active), labels: { ...stale(active).labels, owner } });
    e.run(0, [staleOf('icoe')]);
    const ends = ended(keysOf(e.alerts()), 'rerun', 'escalated');
    expect(e.run(10, [staleOf('icoe'), ...escalationConditions(keysOf(e.alerts()), ends)])).toEqual(['remediation-failed:firing']);
    expect(e.run(20, [staleOf('supply'), ...escalationConditions(keysOf(e.alerts()), ends)])).toEqual([]);
    expect(e.run(30, [staleOf('supply'), ...escalationConditions(keysOf(e.alerts()), ends)])).toEqual([]);
    expect(e.alerts().map((a) => [a.rule, a.state, a.labels.owner, a.firedAt])).toEqual([
      ['flow-stale', 'firing', 'supply', at(0).toISOString()],
      ['remediation-failed', 'firing', 'supply', at(10).toISOString()],
    ]);
    expect(e.run(40, [staleOf('supply', false), ...escalationConditions(keysOf(e.alerts()), ends)]).sort()).toEqual([
      'flow-stale:resolved',
      'remediation-failed:resolved',
    ]);
  });

  it('resolves when a later run of the action succeeds, while the alert still fires', () => {
    const e = evaluations();
    e.run(0, [stale(true)]);
    const keys = keysOf(e.alerts());
    expect(e.run(10, [stale(true), ...escalationConditions(keys, ended(keys, 'rerun', 'escalation-failed'))])).toEqual(['remediation-failed:firing']);
    expect(e.run(20, [stale(true), ...escalationConditions(keys, ended(keys, 'rerun', 'succeeded'))])).toEqual(['remediation-failed:resolved']);
    expect(e.alerts().find((a) => a.rule === 'flow-stale')!.state).toBe('firing');
  });

  it('is never itself remediated (an action attached to its flow would run on its own failure)', () => {
    const e = evaluations();
    e.run(0, [stale(true)]);
    const keys = keysOf(e.alerts());
    e.run(10, [stale(true), ...escalationConditions(keys, ended(keys, 'resume', 'escalated'))]);
    const escalation = e.alerts().find((a) => a.rule === 'remediation-failed')!;
    expect(
      actionsFor(
        catalog.remediations,
        e.alerts().find((a) => a.rule === 'flow-stale')!,
      ).map((x) => x.id),
    ).toEqual(['rerun', 'resume']);
    expect(actionsFor(catalog.remediations, escalation)).toEqual([]);
    expect(keysOf(e.alerts()).every((k) => k.alert.rule === 'flow-stale')).toBe(true);
  });

  it('is silenced by a silence on its labels, as any alert, and the alert it escalates is not', () => {
    const e = evaluations();
    e.run(0, [stale(true)]);
    const keys = keysOf(e.alerts());
    const silence = {
      id: 's1',
      matchers: [parseMatcher('alertname="remediation-failed"')],
      startsAt: at(0).toISOString(),
      endsAt: at(3600).toISOString(),
      createdBy: 'sre',
      comment: 'known',
      createdAt: at(0).toISOString(),
    };
    const r = evaluateAlerts(
      new Map(e.alerts().map((a) => [a.fingerprint, a])),
      [stale(true), ...escalationConditions(keys, ended(keys, 'rerun', 'escalated'))],
      [],
      [silence],
      at(10),
    );
    expect(r.alerts.map((a) => [a.rule, a.state, a.silencedBy]).sort()).toEqual([
      ['flow-stale', 'firing', []],
      ['remediation-failed', 'firing', ['s1']],
    ]);
  });

  it("goes to the action's escalate receiver alone, else where its own labels route", () => {
    const labels = (action: string) => ({ alertname: 'remediation-failed', severity: 'critical', action, flow: 'erp-cpq-sync', owner: 'icoe' });
    expect(alertRoutes(catalog, { rule: 'remediation-failed', labels: labels('rerun') }).map((r) => r.receiver)).toEqual(['supply-hook']);
    expect(alertRoutes(catalog, { rule: 'remediation-failed', labels: labels('resume') }).map((r) => r.receiver)).toEqual(['team-hook']);
    // Only escalations: another alert with an action label routes by its labels.
    expect(alertRoutes(catalog, { rule: 'flow-stale', labels: labels('rerun') }).map((r) => r.receiver)).toEqual(['team-hook']);
  });
});
