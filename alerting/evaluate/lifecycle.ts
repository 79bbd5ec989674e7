import type { Alert, Condition } from '../model/alert.ts';
import { fingerprint } from '../model/fingerprint.ts';

/** A change worth telling someone about (pending ↔ inactive is not notified). */
export type Transition = 'pending' | 'firing' | 'resolved' | 'cleared';

export interface StepResult {
  alert: Alert;
  transition: Transition | null;
}

const ms = (iso: string | null) => (iso ? Date.parse(iso) : NaN);

/** A fresh, inactive alert for a condition's label set. */
export function newAlert(c: Condition, now: Date): Alert {
  return {
    fingerprint: fingerprint(c.labels),
    rule: c.rule.id,
    labels: c.labels,
    annotations: {},
    state: 'inactive',
    severity: c.rule.severity,
    value: c.value,
    threshold: c.threshold,
    activeSince: null,
    firedAt: null,
    lastTrueAt: null,
    falseSince: null,
    resolvedAt: null,
    lastEvalAt: now.toISOString(),
    acknowledgedBy: null,
    acknowledgedAt: null,
    ackNote: '',
    inhibitedBy: null,
    silencedBy: [],
    flow: c.flow ?? null,
    systems: c.systems,
    finding: c.finding ?? null,
    traceIds: c.traceIds ?? [],
  };
}

/**
 * An alert that is over (resolved, or inactive) and whose condition is still false: the evaluation leaves it as it
 * was, its value, threshold and summary those it was resolved with (what its resolved notification said). The
 * condition's later values belong to no episode of it.
 */
export const stillOver = (prev: Alert | undefined, c: Condition): prev is Alert =>
  prev !== undefined && !c.active && (prev.state === 'resolved' || prev.state === 'inactive');

/**
 * One evaluation of one alert (pure; the clock is `now`). inactive → pending when the condition holds;
 * pending → firing once it has held for `for`; firing → resolved once it has been false for
 * `keepFiringFor` (while recovering it stays firing, so a flapping flow is one alert). A pending alert
 * whose condition drops falls back to inactive only after the same `keepFiringFor` (at once when 0),
 * so a threshold crossed every other evaluation still reaches firing. Resolved → pending starts a new episode; a
 * resolved alert whose condition stays false is returned unchanged (`stillOver`), its evaluation time included. A
 * condition without a verdict (`noVerdict`) leaves the alert as it was, but for one recovering, whose keepFiringFor runs on.
 */
export function step(prev: Alert | undefined, c: Condition, now: Date): StepResult {
  if (c.noVerdict) {
    // No verdict: the alert stays as it was; one recovering still resolves when its keepFiringFor runs out.
    if (!prev) return { alert: newAlert(c, now), transition: null };
    const recovering = prev.falseSince !== null && (prev.state === 'firing' || prev.state === 'pending');
    if (!recovering)
      return { alert: prev.state === 'resolved' || prev.state === 'inactive' ? { ...prev } : { ...prev, lastEvalAt: now.toISOString() }, transition: null };
    c = { ...c, noVerdict: false, active: false, value: prev.value };
  }
  if (stillOver(prev, c)) return { alert: { ...prev }, transition: null };
  const t = now.toISOString();
  const base = prev ?? newAlert(c, now);
  const a: Alert = {
    ...base,
    value: c.value,
    threshold: c.threshold,
    severity: c.rule.severity,
    lastEvalAt: t,
    flow: c.flow ?? base.flow,
    systems: c.systems,
    labels: c.labels,
    // Alerts stored before these fields existed have neither.
    finding: c.finding ?? base.finding ?? null,
    traceIds: c.traceIds?.length ? c.traceIds : (base.traceIds ?? []),
  };
  const { forMs, keepFiringForMs } = c.rule;
  const now_ = now.getTime();
  if (c.active) {
    a.lastTrueAt = t;
    a.falseSince = null;
    if (a.state === 'inactive' || a.state === 'resolved') {
      // A new episode: the fingerprints of the last one's labels are no longer its own.
      delete a.formerFingerprints;
      a.activeSince = t;
      a.firedAt = null;
      a.resolvedAt = null;
      a.acknowledgedBy = null;
      a.acknowledgedAt = null;
      a.ackNote = '';
      if (forMs <= 0) {
        a.state = 'firing';
        a.firedAt = t;
        return { alert: a, transition: 'firing' };
      }
      a.state = 'pending';
      return { alert: a, transition: 'pending' };
    }
    if (a.state === 'pending' && now_ - ms(a.activeSince) >= forMs) {
      a.state = 'firing';
      a.firedAt = t;
      return { alert: a, transition: 'firing' };
    }
    return { alert: a, transition: null };
  }
  // The condition is false (or there is no data); an alert that is over was left as it was (`stillOver`), a new one stays inactive.
  if (a.state === 'inactive' || a.state === 'resolved') return { alert: a, transition: null };
  a.falseSince ??= t;
  const recoveredFor = now_ - ms(a.falseSince);
  if (recoveredFor < keepFiringForMs) return { alert: a, transition: null };
  if (a.state === 'pending') {
    a.state = 'inactive';
    a.activeSince = null;
    return { alert: a, transition: 'cleared' };
  }
  a.state = 'resolved';
  a.resolvedAt = t;
  return { alert: a, transition: 'resolved' };
}

/** True while a firing alert's condition is false but keepFiringFor has not run out (Grafana's "Recovering"). */
export const isRecovering = (a: Alert) => a.state === 'firing' && a.falseSince !== null;

/**
 * When this alert's state would change on its own if its condition stays as it is (epoch ms; null: not
 * by time alone): a pending alert reaching `for`, a recovering one reaching `keepFiringFor`. The
 * evaluation loop wakes up then rather than up to an interval later.
 */
export function dueAt(a: Alert, rule: { forMs: number; keepFiringForMs: number } | undefined): number | null {
  if (!rule) return null;
  if (a.falseSince !== null && (a.state === 'firing' || a.state === 'pending')) return ms(a.falseSince) + rule.keepFiringForMs;
  if (a.state === 'pending' && a.activeSince) return ms(a.activeSince) + rule.forMs;
  return null;
}
