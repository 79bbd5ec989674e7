import { identityOf, type Alert, type AlertRule, type Condition, type Labels } from '../model/alert.ts';
import { fingerprint } from '../model/fingerprint.ts';
import { silencedBy, type Silence } from '../silences/matchers.ts';
import { isFlowMeasure } from '../rules/derive-rules.ts';
import { step, stillOver, type Transition } from './lifecycle.ts';

export interface AlertChange {
  alert: Alert;
  transition: Transition;
}

export interface EvaluationResult {
  /** Every alert Weft knows after this evaluation (inactive ones dropped). */
  alerts: Alert[];
  /** Lifecycle transitions this evaluation made. */
  changes: AlertChange[];
  /** True while no telemetry arrives at all: the rules measured on spans (flows', system-unreachable) are held, not evaluated. */
  telemetryGap: boolean;
  /**
   * Pending and firing alerts whose labels changed but not their identity (`identityOf`: a flow's owner, class or domain
   * changed in the catalog): `from` is the fingerprint they had, `alert` the same alert under its new labels and
   * fingerprint. Not a transition: the caller retires the old fingerprint's record, and no one is told resolved or firing.
   */
  relabeled: Array<{ from: string; alert: Alert }>;
}

/** At most this many former fingerprints are kept on an alert (`Alert.formerFingerprints`). */
const FORMER_FINGERPRINTS = 8;

/**
 * `p` under new labels (its fingerprint theirs), remembering the fingerprint it had; of more than FORMER_FINGERPRINTS,
 * the newest and the episode's first (`episodeFingerprint`) are kept.
 */
function relabel(p: Alert, labels: Labels, fp: string): Alert {
  const former = [p.fingerprint, ...(p.formerFingerprints ?? [])].filter((f) => f !== fp);
  const kept = former.length > FORMER_FINGERPRINTS ? [...former.slice(0, FORMER_FINGERPRINTS - 1), former[former.length - 1]] : former;
  return { ...p, fingerprint: fp, labels, formerFingerprints: kept };
}

/**
 * One evaluation of every rule (pure): steps each alert with its condition, holds the rules measured on spans (flows',
 * system-unreachable) during a telemetry gap (no data because the pipeline is down is not a flow or system problem,
 * nor a recovery), marks inhibited and silenced alerts. A condition without a verdict (`noVerdict`) leaves its alert as
 * it was. An alert whose condition is no longer reported is stepped as false. Conditions with `whileFiring`
 * (escalations) are stepped after the others, active only while one of those alerts fires.
 */
export function evaluateAlerts(
  prev: ReadonlyMap<string, Alert>,
  conditions: Condition[],
  rules: AlertRule[],
  silences: Silence[],
  now: Date,
): EvaluationResult {
  const ruleById = new Map(rules.map((r) => [r.id, r]));
  // A gap goes on while its condition holds, or while it has no verdict (counted from a restart) and its alert fires.
  const telemetryGap = conditions.some(
    (c) => c.rule.measure === 'telemetry-gap' && (c.active || (c.noVerdict === true && prev.get(fingerprint(c.labels))?.state === 'firing')),
  );
  const held = (r: AlertRule | undefined) => telemetryGap && r !== undefined && measuredOnIntake(r.measure);
  const next = new Map<string, Alert>();
  const changes: AlertChange[] = [];
  const apply = (p: Alert | undefined, c: Condition) => {
    const over = stillOver(p, c);
    const { alert, transition } = step(p, c, now);
    // A resolved alert keeps the summary it was resolved with.
    if (!over) alert.annotations = annotate(c);
    if (transition) changes.push({ alert, transition });
    next.set(alert.fingerprint, alert);
  };
  // Open alerts by identity: a condition whose labels changed but not what it is about (a flow's new owner) steps the
  // alert it was, under its new labels, instead of resolving it and firing another (Alertmanager would see a new alert
  // either way: its identity is every label).
  // Built at the first condition without an alert of its own fingerprint.
  let open: Map<string, Alert> | undefined;
  const openAlert = (labels: Labels) => {
    if (!open) {
      open = new Map();
      for (const a of prev.values())
        if (a.state === 'firing' || a.state === 'pending') {
          const id = identityOf(a.labels);
          if (!open.has(id)) open.set(id, a);
        }
    }
    return open.get(identityOf(labels));
  };
  // Old fingerprint → new, of the alerts relabelled in this evaluation.
  const moved = new Map<string, string>();
  const relabeled: EvaluationResult['relabeled'] = [];
  /** The alert a condition of fingerprint `fp` steps: its own, else an open one of the same identity and rule, relabelled. */
  const previous = (fp: string, c: Condition): Alert | undefined => {
    const p = prev.get(fp);
    if (p !== undefined) return p;
    const was = openAlert(c.labels);
    if (!was || was.fingerprint === fp || moved.has(was.fingerprint) || next.has(was.fingerprint) || was.rule !== c.rule.id) return undefined;
    const alert = relabel(was, c.labels, fp);
    moved.set(was.fingerprint, fp);
    relabeled.push({ from: was.fingerprint, alert });
    return alert;
  };
  // Escalations (`whileFiring`) are stepped last, but matched to the alerts they were first: one relabelled (its failed
  // alert's owner changed) is not stepped as gone below.
  const dependent = new Map(conditions.filter((c) => c.whileFiring).map((c) => [fingerprint(c.labels), c]));
  const dependentPrev = new Map([...dependent].map(([fp, c]) => [fp, previous(fp, c)]));
  for (const c of conditions) {
    if (c.whileFiring) continue;
    const fp = fingerprint(c.labels);
    if (next.has(fp)) continue;
    const p = previous(fp, c);
    // No verdict on an alert recovering (its condition was false since): its keepFiringFor still runs out, and it
    // resolves with the figures it was recovering with.
    if (c.noVerdict && !held(c.rule) && p && p.falseSince !== null && (p.state === 'firing' || p.state === 'pending')) {
      apply(p, { ...c, active: false, value: p.value, summary: p.annotations.summary ?? c.summary });
      continue;
    }
    // Held by a telemetry gap, or no verdict (Weft did not observe the window, too few runs): the alert stays as it was.
    if (held(c.rule) || c.noVerdict) {
      // A resolved one is left as it was resolved, its evaluation time included (as `stillOver`).
      if (p) next.set(fp, p.state === 'resolved' ? p : { ...p, lastEvalAt: now.toISOString() });
      continue;
    }
    apply(p, c);
  }
  // Escalations are stepped once every other alert is: what they depend on is then this evaluation's state.
  for (const [fp, p] of prev) {
    if (next.has(fp) || dependent.has(fp) || moved.has(fp)) continue;
    const rule = ruleById.get(p.rule);
    if (held(rule)) {
      next.set(fp, p);
      continue;
    }
    if (p.state === 'inactive' || p.state === 'resolved') {
      next.set(fp, p);
      continue;
    }
    // The subject went away (finding resolved, flow retired, rule removed): its condition is false.
    const r: AlertRule = rule ?? { ...gone, id: p.rule, severity: p.severity };
    apply(p, {
      rule: r,
      labels: p.labels,
      value: NaN,
      threshold: p.threshold,
      active: false,
      summary: p.annotations.summary ?? '',
      flow: p.flow ?? undefined,
      systems: p.systems,
      finding: p.finding ?? undefined,
      traceIds: p.traceIds,
    });
  }
  for (const [fp, c] of dependent) {
    if (next.has(fp)) continue;
    // The alerts it depends on, under their new fingerprints when they were relabelled in this evaluation.
    const firing = c.whileFiring!.some((f) => next.get(moved.get(f) ?? f)?.state === 'firing');
    apply(dependentPrev.get(fp), { ...c, active: c.active && firing });
  }
  const alerts = [...next.values()].filter((a) => a.state !== 'inactive');
  // Inhibition: a system whose probe fails or that stopped answering explains the alerts of flows through
  // it; the telemetry gap explains every alert measured on spans.
  const broken = new Map<string, string>();
  for (const a of alerts) {
    const measure = ruleById.get(a.rule)?.measure ?? (a.rule === 'probe-failing' ? 'probe-failing' : undefined);
    if (a.state === 'firing' && measure !== undefined && systemMeasures.has(measure))
      for (const s of a.systems) if (!broken.has(s)) broken.set(s, `${a.rule}:${s}`);
  }
  // A telemetry gap inhibits while it goes on, not while its alert is recovering (keepFiringFor): the intake is back, and
  // a flow failing then is told (it was held back until the gap alert resolved, 5 minutes later).
  const gapAlert = alerts.find((a) => a.state === 'firing' && a.falseSince === null && ruleById.get(a.rule)?.measure === 'telemetry-gap');
  // When each inhibition that is over ended (epoch ms): resolved system and telemetry-gap alerts, by the key they inhibit
  // with; a recovering telemetry-gap alert's when its condition went false.
  const ended = new Map<string, number>();
  for (const a of alerts) {
    if (a.state === 'firing' && a.falseSince !== null && ruleById.get(a.rule)?.measure === 'telemetry-gap') ended.set(a.fingerprint, Date.parse(a.falseSince));
    if (a.state !== 'resolved' || !a.resolvedAt) continue;
    const measure = ruleById.get(a.rule)?.measure ?? (a.rule === 'probe-failing' ? 'probe-failing' : undefined);
    if (measure === 'telemetry-gap') ended.set(a.fingerprint, Date.parse(a.resolvedAt));
    else if (measure !== undefined && systemMeasures.has(measure)) for (const s of a.systems) ended.set(`${a.rule}:${s}`, Date.parse(a.resolvedAt));
  }
  for (const a of alerts) {
    const rule = ruleById.get(a.rule);
    const brokenSystem = a.flow && !(rule && systemMeasures.has(rule.measure)) ? a.systems.find((s) => broken.has(s)) : undefined;
    a.inhibitedBy =
      gapAlert && rule && measuredOnIntake(rule.measure)
        ? gapAlert.fingerprint
        : brokenSystem
          ? broken.get(brokenSystem)!
          : stillExplained(a, prev.get(a.fingerprint)?.inhibitedBy ?? null, ended, rule, now);
    a.silencedBy = silencedBy(silences, a.labels, now);
  }
  // The relabelled alerts as this evaluation left them.
  return {
    alerts,
    changes,
    telemetryGap,
    relabeled: relabeled.flatMap((r) => (next.has(r.alert.fingerprint) ? [{ from: r.from, alert: next.get(r.alert.fingerprint)! }] : [])),
  };
}

/**
 * The inhibition an alert keeps after what inhibited it (`was`) is over (null: none). An alert inhibited during its
 * episode is still explained by it while its window holds the time the inhibitor fired (a flow's error rate stays high
 * for its 5-minute window after the system it calls answers again), and after that for as long as it is recovering (its
 * condition has not held since); an episode that ended inhibited stays so (it is not told afterwards as having fired). A
 * flow still failing once its window is past the outage is its own problem, and is told. Before, a flow's error-rate
 * alert was told firing a minute after the system it calls answered again, and resolved ten minutes later.
 */
function stillExplained(a: Alert, was: string | null, ended: ReadonlyMap<string, number>, rule: AlertRule | undefined, now: Date): string | null {
  if (was === null) return null;
  if (a.state === 'resolved') return was;
  const end = ended.get(was);
  if (a.state !== 'firing' || end === undefined) return null;
  return now.getTime() < end + (rule?.windowMs ?? 0) || a.falseSince !== null ? was : null;
}

/**
 * Measures read from the spans Weft receives (the flows', and the calls a system answers): while Weft's own intake is
 * silent they have no data, which is no verdict. They are held and inhibited by the telemetry gap: a system still
 * refusing every call was told resolved when the intake stopped (no calls in its window) and firing again when it resumed.
 */
const measuredOnIntake = (m: AlertRule['measure']) => isFlowMeasure(m) || m === 'system-unreachable';

/** Measures whose firing alert says a system is down: they inhibit the alerts of flows through it. */
const systemMeasures = new Set<AlertRule['measure']>(['probe-failing', 'system-unreachable']);

const gone: AlertRule = {
  id: '',
  origin: 'derived',
  measure: 'traces',
  op: '>',
  threshold: 0,
  windowMs: 0,
  forMs: 0,
  keepFiringForMs: 0,
  severity: 'medium',
  flows: [],
  labels: {},
  annotations: {},
};

function annotate(c: Condition): Record<string, string> {
  const a: Record<string, string> = { summary: c.rule.annotations.summary ? fill(c.rule.annotations.summary, c) : c.summary };
  if (c.rule.annotations.description) a.description = fill(c.rule.annotations.description, c);
  if (c.rule.annotations.runbook_url) a.runbook_url = c.rule.annotations.runbook_url;
  a.value = Number.isNaN(c.value) ? '' : String(Math.round(c.value * 1000) / 1000);
  // An escalation has no threshold (NaN, stored as null).
  a.threshold = typeof c.threshold === 'number' && !Number.isNaN(c.threshold) ? String(c.threshold) : '';
  // The severity of the finding the alert is about, beside the alert's own (its rule's, for routing): a drift
  // finding that is medium while its alert pages as high says so instead of silently disagreeing.
  if (c.findingSeverity) a.finding_severity = c.findingSeverity;
  return a;
}

/** `{{flow}}`, `{{value}}`, `{{threshold}}`, `{{labels.NAME}}` in a custom rule's summary and description. */
function fill(text: string, c: Condition): string {
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, key: string) => {
    if (key === 'value') return Number.isNaN(c.value) ? 'no data' : String(Math.round(c.value * 1000) / 1000);
    if (key === 'threshold') return String(c.threshold);
    if (key === 'flow') return c.flow ?? '';
    if (key.startsWith('labels.')) return Object.hasOwn(c.labels, key.slice(7)) ? c.labels[key.slice(7)] : '';
    return '';
  });
}
