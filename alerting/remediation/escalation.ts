/**
 * Escalations: when every attempt of a remediation run failed, the alert `remediation-failed` fires. It is an alert
 * like the others — its own label set and fingerprint, in the alert store, stepped by the lifecycle, routed, grouped,
 * delivered with retries, kept alive in Alertmanager, silenced and inhibited — whose condition is read from the
 * remediation runs Weft recorded: it holds while the failed alert fires and the latest run of the action on that
 * alert's episode ended `escalated` or `escalation-failed`. It resolves when the failed alert resolves (or leaves
 * firing) or a later run of the action on the episode succeeds.
 */
import type { Catalog, RemediationSpec } from '../../core/catalog/index.ts';
import { count } from '../../core/text/index.ts';
import { ESCALATION_RULE_ID, type Alert, type AlertRule, type Condition, type Labels } from '../model/alert.ts';
import { fingerprint } from '../model/fingerprint.ts';
import { receiverRoute, routeAlert, type ResolvedRoute } from '../notify/route.ts';
import { idempotencyKey } from './run-action.ts';

export { ESCALATION_RULE_ID };

/**
 * The rule escalations are evaluated with: firing at once, resolved at once, critical. It is not one of the
 * catalog's rules (`rulesFor`) and no measure reads it: its conditions come from `escalationConditions`. Its
 * `measure` only has to be neither a flow measure (held during a telemetry gap) nor `telemetry-gap`.
 */
export const escalationRule: AlertRule = {
  id: ESCALATION_RULE_ID,
  origin: 'derived',
  measure: 'pairing-lag',
  op: '>',
  threshold: NaN,
  windowMs: 0,
  forMs: 0,
  keepFiringForMs: 0,
  severity: 'critical',
  flows: [],
  labels: {},
  annotations: {},
};

/** How a remediation run ended (its last recorded attempt), read back from weft_remediation_attempts. */
export interface RunEnd {
  action: string;
  /** The fingerprint of the alert the run was for. */
  fingerprint: string;
  /** The run's idempotency key: one per action and alert episode (`idempotencyKey`). */
  idempotencyKey: string;
  outcome: 'succeeded' | 'escalated' | 'escalation-failed';
  /** Attempts the run made. */
  attempts: number;
  /** The last attempt's error (secrets redacted). */
  error: string;
}

/**
 * An escalation's labels: `alertname="remediation-failed"`, `severity="critical"`, `action`, and the failed alert's
 * `flow` (with `source` and `target` when it names both) and `owner`. Its fingerprint is that of these labels.
 */
export function escalationLabels(alert: Alert, actionId: string): Labels {
  return {
    alertname: ESCALATION_RULE_ID,
    severity: 'critical',
    action: actionId,
    ...(alert.flow ? { flow: alert.flow } : {}),
    ...(alert.flow && alert.labels.source && alert.labels.target ? { source: alert.labels.source, target: alert.labels.target } : {}),
    ...(alert.labels.owner ? { owner: alert.labels.owner } : {}),
  };
}

/**
 * The keys of the runs that decide the escalations (pure): one per action attached to each firing alert (the
 * key of its current episode). An escalation is never itself remediated.
 */
export function escalationKeys(firing: Alert[], actionsOf: (a: Alert) => RemediationSpec[]): Array<{ alert: Alert; action: RemediationSpec; key: string }> {
  return firing
    .filter((a) => a.state === 'firing' && a.rule !== ESCALATION_RULE_ID)
    .flatMap((alert) => actionsOf(alert).map((action) => ({ alert, action, key: idempotencyKey(action.id, alert) })));
}

/**
 * The escalation conditions (pure): one per escalation label set whose failed alert's latest run of the action, on
 * the alert's current episode, ended escalated or escalation-failed. Each holds only while one of those alerts still
 * fires in the same evaluation (`whileFiring`); alerts whose escalations share a label set (two systems' alerts
 * without a flow, same action and owner) make one escalation, firing while either does. An escalation with no
 * condition any more (a later run succeeded) is stepped as false and resolves.
 */
export function escalationConditions(keys: ReturnType<typeof escalationKeys>, ends: RunEnd[]): Condition[] {
  const byKey = new Map(ends.map((e) => [`${e.action}\u0000${e.fingerprint}\u0000${e.idempotencyKey}`, e]));
  const out = new Map<string, Condition>();
  for (const { alert, action, key } of keys) {
    // Runs are recorded under the alert's fingerprint at the time: a relabelled alert's earlier ones under a former one.
    const end = [alert.fingerprint, ...(alert.formerFingerprints ?? [])]
      .map((fp) => byKey.get(`${action.id}\u0000${fp}\u0000${key}`))
      .find((e) => e !== undefined);
    if (!end || end.outcome === 'succeeded') continue;
    const labels = escalationLabels(alert, action.id);
    const fp = fingerprint(labels);
    const known = out.get(fp);
    if (known) {
      known.whileFiring!.push(alert.fingerprint);
      continue;
    }
    out.set(fp, {
      rule: escalationRule,
      labels,
      value: NaN,
      threshold: NaN,
      active: true,
      summary: `Remediation ${action.id} failed after ${count(end.attempts, 'attempt')} for ${alert.annotations.summary ?? alert.rule}: ${end.error}`,
      flow: alert.flow ?? undefined,
      systems: alert.systems,
      finding: alert.finding ?? undefined,
      traceIds: alert.traceIds,
      whileFiring: [alert.fingerprint],
    });
  }
  return [...out.values()];
}

/**
 * The routes of an alert (pure): its labels' routes (`routeAlert`), except for an escalation whose action names
 * an `escalate` receiver: that receiver alone, paced by the first of its labels' routes that sends to it, else by
 * the receiver type's defaults. Empty when that receiver is not in the catalog (any more).
 */
export function alertRoutes(catalog: Catalog, alert: Pick<Alert, 'rule' | 'labels'>): ResolvedRoute[] {
  const routes = routeAlert(catalog, alert.labels);
  if (alert.rule !== ESCALATION_RULE_ID) return routes;
  const action = catalog.remediations.find((x) => x.id === alert.labels.action);
  if (!action?.escalate) return routes;
  const own = routes.find((r) => r.receiver === action.escalate) ?? receiverRoute(catalog, action.escalate);
  return own ? [own] : [];
}
