import { hostname } from 'node:os';
import { systemActor, type AuditLog } from '../access/index.ts';
import type { Store } from '../clickhouse/index.ts';
import type { Catalog, EnvPolicy, RemediationSpec } from '../core/catalog/index.ts';
import type { Logger } from '../core/log/logger.ts';
import { systemClock, type Clock } from '../core/time/index.ts';
import type { FindingStore } from '../findings/index.ts';
import { Secrets, type EnvLookup } from '../probes/index.ts';
import { conditionsFor } from './evaluate/conditions.ts';
import { evaluateAlerts, type AlertChange } from './evaluate/evaluate.ts';
import { dueAt } from './evaluate/lifecycle.ts';
import { observe, type ObserveOptions } from './evaluate/observe.ts';
import { mergeGaps, trackGaps, type IntakeGap, type Observations } from './evaluate/observations.ts';
import { recoverGaps } from './evaluate/recover-gaps.ts';
import type { Alert, AlertRule } from './model/alert.ts';
import { deliver } from './notify/deliver.ts';
import { createDeliveryQueue } from './notify/delivery-queue.ts';
import { planNotifications, type GroupState, type Notification } from './notify/groups.ts';
import { receiverRoute } from './notify/route.ts';
import { alertRoutes, escalationConditions, escalationKeys, escalationLabels, ESCALATION_RULE_ID } from './remediation/escalation.ts';
import { actionsFor, runAction, type RemediationOutcome } from './remediation/run-action.ts';
import { rulesFor } from './rules/derive-rules.ts';
import { formatMatcher, matches, silenceStatus, type Silence } from './silences/matchers.ts';
import { AlertStore } from './store/alert-store.ts';
import { createLease, soleLease } from './store/lease.ts';

export interface AlertingOptions {
  store: Store;
  /** The catalog as it is now (follows reloads). */
  catalog: () => Catalog;
  findings?: FindingStore;
  logger: Logger;
  env: EnvLookup;
  /** Which variables the catalog's `env:NAME` references may read (the operator's allow- and deny-list; never WEFT_*). */
  envPolicy?: EnvPolicy;
  clock?: Clock;
  /** How often rules are evaluated (ms). */
  intervalMs: number;
  /** Weft's own address for links in notifications (a function: the API's port may be known only later). */
  externalUrl: string | (() => string);
  /** Run `mode: auto` remediations when an alert fires (default true). */
  autoRemediate?: boolean;
  /** Where automatic remediations are recorded (actor `weft`, action `remediation.run`), as the API records a person's. */
  auditLog?: AuditLog;
  /** Start the periodic loop (default true); false: only `evaluateNow()` evaluates. */
  schedule?: boolean;
  /** This process's name in the lease of a server's store (default host:pid); the embedded store's process always holds it. */
  holder?: string;
  /** How long a server store's lease holds without a renewal (ms; default max(30 s, 3 × intervalMs)). */
  leaseTtlMs?: number;
  /** Delivery retries: first retry after this (default 1 s). */
  retryBaseMs?: number;
  /** How long one delivery attempt may take before it counts as failed (default 10 s). */
  deliveryTimeoutMs?: number;
  random?: () => number;
  /**
   * How far ahead the `endsAt` of a firing alert posted to an Alertmanager receiver is (ms, default AM_ALIVE_MS, 4 min):
   * Alertmanager resolves it then unless Weft posts it again (every AM_KEEP_ALIVE_MS on the alerting clock). Tests
   * shorten it to see an alert outlive its first `endsAt` in seconds.
   */
  alertmanagerAliveMs?: number;
}

export interface EvaluationReport {
  at: string;
  leader: boolean;
  alerts: number;
  changes: Array<{ fingerprint: string; rule: string; transition: string }>;
  /** Notifications this evaluation handed to the delivery queue (their outcome: `deliveries()`, after `idle()`). */
  notifications: Array<{ receiver: string; groupKey: string; status: string; reason: string }>;
  /** When an alert or a notification group becomes due on its own (epoch ms on the alerting clock; null: none). */
  nextAt: number | null;
  telemetryGap: boolean;
  errors: string[];
}

export interface AlertingRuntime {
  alertStore: AlertStore;
  evaluateNow(): Promise<EvaluationReport>;
  /**
   * Asks for an evaluation as soon as possible (new flow data paired, a finding opened or resolved):
   * at once, or right after the one running, at most one every MIN_GAP_MS. No-op without the schedule.
   */
  soon(): void;
  rules(): AlertRule[];
  lastReport(): EvaluationReport | null;
  /** The last observations (per-flow p95 and error rate for /metrics). */
  lastObservations(): Observations | null;
  acknowledge(fingerprint: string, actor: string, note: string): Promise<Alert>;
  createSilence(input: Omit<Silence, 'id' | 'createdAt'>): Promise<Silence>;
  expireSilence(id: string, actor: string): Promise<Silence>;
  silences(): Promise<Silence[]>;
  remediate(fingerprint: string, actor: string, actionId?: string): Promise<RemediationOutcome[]>;
  /** Resolves when the remediation runs (auto ones start on firing) and the queued deliveries are over. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** Thrown for a user's mistake (unknown alert, silence or action): the API turns it into 404/400. */
export class AlertingError extends Error {
  constructor(
    readonly code: 'not-found' | 'bad-request',
    message: string,
  ) {
    super(message);
  }
}

/** How long a resolved alert is kept in the evaluation's state (ms), unless a group still owes its receiver news of it (`owed`). */
const RESOLVED_KEPT_MS = 3_600_000;

/**
 * Whether a group still has to tell its receiver of this resolved alert: it told it firing, or the alert fired since the
 * group's last message while its deliveries fail (`retryAt`). Such an alert is kept past RESOLVED_KEPT_MS: a webhook down
 * for over an hour while its alert resolved was never told resolved (the group, finding the alert gone, forgot it).
 */
const owed = (a: Alert, groups: ReadonlyMap<string, GroupState>) =>
  [...groups.values()].some(
    (g) =>
      g.sent[a.fingerprint] === 'firing' || (g.retryAt !== undefined && a.firedAt !== null && Date.parse(a.firedAt) >= Date.parse(g.lastSentAt ?? g.createdAt)),
  );
/** Evaluations are at least this far apart (ms), however often they are asked for. */
export const MIN_GAP_MS = 1_000;
const significant = (a: Alert) => JSON.stringify([a.state, a.acknowledgedBy, a.inhibitedBy, a.silencedBy, a.severity, a.annotations.summary]);

/**
 * Alerting: evaluates the rules (only the lease holder) every `intervalMs` at the latest, right after
 * new flow data or findings (`soon()`), and when an alert or notification group becomes due; drives each
 * alert's lifecycle, notifies receivers on transitions and repeat intervals through a delivery queue
 * that never holds up the evaluation, and runs auto remediations. State lives in
 * ClickHouse and is re-read on every evaluation (small: open alerts, groups, silences), so a restart or
 * a change of lease holder continues where the last one stopped. The loop never throws.
 */
export function startAlerting(o: AlertingOptions): AlertingRuntime {
  const clock = o.clock ?? systemClock;
  /** When this process started evaluating: how far behind Weft is, is measured from here at most (`weft-behind`). */
  const watchingSince = clock.now();
  const ruleOptions = { evaluationIntervalMs: o.intervalMs };
  const alertStore = new AlertStore(o.store);
  const secrets = new Secrets(o.env, o.envPolicy);
  // Several processes share a server's store and take turns (the lease); the embedded store has one process.
  const lease =
    o.store.kind === 'embedded'
      ? soleLease()
      : createLease(o.store, o.holder ?? `${hostname()}:${process.pid}`, { ttlMs: o.leaseTtlMs ?? Math.max(30_000, 3 * o.intervalMs) });
  const controller = new AbortController();
  const log = o.logger.child({ part: 'alerting' });
  let gaps: Array<IntakeGap & { open?: boolean }> = [];
  /** Whether this process held the lease at its last evaluation: on taking it, the gaps are read back (recoverGaps). */
  let wasLeader = false;
  let baselineCache: ObserveOptions['baselineCache'];
  let last: EvaluationReport | null = null;
  let lastObs: Observations | null = null;
  let running: Promise<EvaluationReport> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  };

  const deliverOptions = () => ({
    catalog: o.catalog(),
    alertStore,
    secrets,
    logger: log,
    externalUrl: typeof o.externalUrl === 'function' ? o.externalUrl() : o.externalUrl,
    signal: controller.signal,
    retryBaseMs: o.retryBaseMs,
    timeoutMs: o.deliveryTimeoutMs,
    random: o.random,
    alertmanagerAliveMs: o.alertmanagerAliveMs,
  });

  const queue = createDeliveryQueue({
    deliver: (n) => deliver(n, deliverOptions()),
    saveGroup: (key, doc) => alertStore.saveGroups([{ key, doc }], clock.now()),
    now: () => clock.now(),
    onDone: (n, delivered) => {
      if (delivered) log.debug({ receiver: n.receiver, group: n.groupKey, status: n.status }, 'notification delivered');
      else log.warn({ receiver: n.receiver, group: n.groupKey, status: n.status }, 'notification not delivered; the group tries again later');
      // What changed in the group while it was being delivered goes out now, not an interval later.
      soon();
    },
    onError: (err) => log.error({ err: err.message }, 'saving a notification group failed'),
  });

  /**
   * Every attempt failed: the run's record (`escalated`) makes the next evaluation fire `remediation-failed`
   * (remediation/escalation.ts), which the groups deliver, retry, keep alive and resolve as any alert. Whether
   * anyone will be told: the escalation routes to at least one receiver (else the run ends `escalation-failed`).
   */
  const escalate = async (alert: Alert, action: RemediationSpec): Promise<boolean> =>
    alertRoutes(o.catalog(), { rule: ESCALATION_RULE_ID, labels: escalationLabels(alert, action.id) }).length > 0;

  const remediateAlert = (alert: Alert, action: RemediationSpec, actor: string) =>
    track(runAction(action, alert, { alertStore, secrets, escalate, actor, random: o.random, signal: controller.signal })).then((r) => {
      log.info({ action: action.id, alert: alert.fingerprint, outcome: r.outcome, attempts: r.attempts }, 'remediation ran');
      // An escalation fires, or one resolves after a run that succeeded: evaluated now, not an interval later.
      soon();
      return r;
    });

  const loadState = async (now: Date) => {
    const alerts = await alertStore.listAlerts(['pending', 'firing', 'resolved'], 10_000);
    // Deliveries that end after this read change their group's state: those groups wait for the next evaluation.
    const readMark = queue.mark();
    const groups = (await alertStore.loadGroups()) as Map<string, GroupState>;
    const prev = new Map<string, Alert>();
    for (const a of alerts)
      if (a.state !== 'resolved' || now.getTime() - Date.parse(a.resolvedAt ?? a.lastEvalAt) < RESOLVED_KEPT_MS || owed(a, groups)) prev.set(a.fingerprint, a);
    const silences = (await alertStore.listSilences(5000)).filter((s) => silenceStatus(s, now) !== 'expired');
    return { prev, groups, silences, readMark };
  };

  /**
   * Acknowledgements saved since this evaluation read its alerts (by the API, in this process or another) are carried
   * into the alerts it is about to save, for the same episode (`activeSince`): the evaluation's save, read before the
   * acknowledgement, overwrote it, and the alert went on repeating unacknowledged. Changes `alerts` in place.
   */
  const keepAcknowledgements = async (alerts: Alert[]) => {
    // A relabelled alert's acknowledgement may have been saved under the fingerprint it had (Alert.formerFingerprints).
    const fps = alerts.filter((a) => !a.acknowledgedBy && a.activeSince).flatMap((a) => [a.fingerprint, ...(a.formerFingerprints ?? []).slice(0, 1)]);
    const stored = await alertStore.getAlerts(fps);
    for (const a of alerts) {
      const s = stored.get(a.fingerprint) ?? (a.formerFingerprints?.length ? stored.get(a.formerFingerprints[0]) : undefined);
      if (!a.acknowledgedBy && s?.acknowledgedBy && s.activeSince === a.activeSince && (a.state === 'firing' || a.state === 'pending'))
        Object.assign(a, { acknowledgedBy: s.acknowledgedBy, acknowledgedAt: s.acknowledgedAt, ackNote: s.ackNote });
    }
  };

  /** Runs `fn` after every write of alerts this process started before it (an evaluation's save, an acknowledgement). */
  let alertWrites: Promise<unknown> = Promise.resolve();
  const savingAlerts = <T>(fn: () => Promise<T>): Promise<T> => {
    const r = alertWrites.then(fn);
    alertWrites = r.catch(() => undefined);
    return r;
  };

  const evaluate = async (): Promise<EvaluationReport> => {
    const now = clock.now();
    const report: EvaluationReport = {
      at: now.toISOString(),
      leader: false,
      alerts: 0,
      changes: [],
      notifications: [],
      nextAt: null,
      telemetryGap: false,
      errors: [],
    };
    try {
      report.leader = await lease.acquire(now);
      if (!report.leader) {
        wasLeader = false;
        return report;
      }
      const catalog = o.catalog();
      const rules = rulesFor(catalog, ruleOptions);
      const { prev, groups, silences, readMark } = await loadState(now);
      // The gaps of the time this process did not watch (it was down, starting, or another held the lease) are read
      // from what arrived; those it watched itself are kept.
      let lastArrival = lastObs?.lastArrival;
      if (!wasLeader) {
        const recovered = await recoverGaps(o.store, now);
        gaps = mergeGaps(recovered.gaps, gaps);
        lastArrival = recovered.lastArrival ?? lastArrival;
        wasLeader = true;
      }
      const obs = await observe({ store: o.store, catalog, rules, findings: o.findings, now, gaps, baselineCache, lastArrival, watchingSince });
      baselineCache = obs.baselineCache;
      // By arrival, Weft's clock: a sender's clock ahead would close a gap in the future, one behind keep it open.
      gaps = trackGaps(gaps, obs.lastArrival ?? obs.lastIntake, now);
      obs.gaps = gaps;
      lastObs = obs;
      // Escalations: the firing alerts whose latest remediation run on this episode ended without a fix.
      const ruleOf = (a: Alert) => rules.find((r) => r.id === a.rule)?.remediation;
      const keys = escalationKeys([...prev.values()], (a) => actionsFor(catalog.remediations, a, ruleOf(a)));
      const escalations = escalationConditions(keys, await alertStore.runEnds([...new Set(keys.map((k) => k.key))]));
      const result = evaluateAlerts(prev, [...conditionsFor(rules, catalog, obs), ...escalations], rules, silences, now);
      report.telemetryGap = result.telemetryGap;
      report.alerts = result.alerts.filter((a) => a.state === 'firing' || a.state === 'pending').length;
      const changedFps = new Set(result.changes.map((c) => c.alert.fingerprint));
      const toSave = result.alerts.filter(
        (a) =>
          changedFps.has(a.fingerprint) ||
          !prev.has(a.fingerprint) ||
          significant(prev.get(a.fingerprint)!) !== significant(a) ||
          // Pending and firing alerts are saved at least every minute with their latest value; a resolved one is left
          // as it was resolved (its condition's later values are not its own).
          (a.state !== 'resolved' && now.getTime() - Date.parse(prev.get(a.fingerprint)!.lastEvalAt) > 60_000),
      );
      // Cleared (pending → inactive) alerts are saved once as inactive, so they leave the open list; so is the record of a
      // relabelled alert under the fingerprint it had (the alert goes on under its new labels, with no transition).
      const cleared = result.changes.filter((c) => c.transition === 'cleared').map((c) => c.alert);
      const retired = result.relabeled.flatMap(({ from }) => {
        const old = prev.get(from);
        return old ? [{ ...old, state: 'inactive' as const, lastEvalAt: now.toISOString() }] : [];
      });
      await savingAlerts(async () => {
        await keepAcknowledgements([...toSave, ...cleared]);
        await alertStore.saveAlerts([...toSave, ...cleared, ...retired]);
      });
      await alertStore.recordEvents(
        result.relabeled.flatMap(({ from, alert }) => {
          const before = prev.get(from)?.labels ?? {};
          const changed = [...new Set([...Object.keys(before), ...Object.keys(alert.labels)])]
            .filter((n) => before[n] !== alert.labels[n])
            .sort()
            .map((n) => `${n}: ${before[n] ?? '(none)'} → ${alert.labels[n] ?? '(none)'}`)
            .join(', ');
          const event = { at: report.at, rule: alert.rule, event: 'relabeled', actor: 'weft', value: alert.value };
          return [
            { ...event, fingerprint: from, note: `labels changed (${changed}): the alert goes on as ${alert.fingerprint}`, labels: before },
            { ...event, fingerprint: alert.fingerprint, note: `labels changed (${changed}): the alert was ${from}`, labels: alert.labels },
          ];
        }),
      );
      await alertStore.recordEvents(
        result.changes.map((c: AlertChange) => ({
          at: report.at,
          fingerprint: c.alert.fingerprint,
          rule: c.alert.rule,
          event: c.transition,
          actor: 'weft',
          value: c.alert.value,
          note: c.alert.annotations.summary ?? '',
          labels: c.alert.labels,
        })),
      );
      report.changes = result.changes.map((c) => ({ fingerprint: c.alert.fingerprint, rule: c.alert.rule, transition: c.transition }));

      // Notifications: routed by labels and owners, grouped, paced — and delivered off this path (a
      // receiver that is down retries with backoff in the queue; the rules keep being evaluated).
      const routed = result.alerts
        .filter((a) => a.state === 'firing' || a.state === 'resolved')
        .map((alert) => ({ alert, routes: alertRoutes(catalog, alert) }));
      const plan = planNotifications(groups, routed, now, (id) => receiverRoute(catalog, id));
      const notified = new Set<string>();
      const toDeliver: Array<{ n: Notification; before: GroupState }> = [];
      for (const n of plan.notifications) {
        if (queue.busy(n.groupKey) || queue.changedSince(n.groupKey, readMark)) continue;
        notified.add(n.groupKey);
        const before = plan.groups.get(n.groupKey) ?? n.after;
        toDeliver.push({ n, before });
        report.notifications.push({ receiver: n.receiver, groupKey: n.groupKey, status: n.status, reason: n.reason });
      }
      // New groups (their groupWait starts now) are saved first; a delivered group's state is saved when its delivery is over.
      const newGroups = [...plan.groups].filter(([key]) => !groups.has(key) && !notified.has(key) && !queue.busy(key) && !queue.changedSince(key, readMark));
      await alertStore.saveGroups(
        newGroups.map(([key, doc]) => ({ key, doc })),
        now,
      );
      for (const { n, before } of toDeliver) queue.enqueue(n, before);
      report.nextAt = [
        plan.nextAt,
        ...result.alerts.map((a) =>
          dueAt(
            a,
            rules.find((r) => r.id === a.rule),
          ),
        ),
        // A silence that starts or ends later mutes or unmutes alerts then, not at the next interval (15 minutes and more
        // at a slow analyzer's pace): an alert still firing when its silence ended was told that much later.
        ...silences.flatMap((s) => [Date.parse(s.startsAt), Date.parse(s.endsAt)]).filter((t) => t > now.getTime()),
      ].reduce<number | null>((m, x) => (x === null ? m : m === null ? x : Math.min(m, x)), null);

      // Auto remediation: once per firing episode, not for silenced alerts.
      for (const c of o.autoRemediate === false ? [] : result.changes) {
        if (c.transition !== 'firing' || c.alert.silencedBy.length > 0) continue;
        const rule = rules.find((r) => r.id === c.alert.rule);
        for (const action of actionsFor(catalog.remediations, c.alert, rule?.remediation).filter((x) => x.mode === 'auto'))
          // Recorded as the API records a person's run (remediation.run), by Weft itself; idle() waits for the record too.
          void track(
            remediateAlert(c.alert, action, 'weft (auto)')
              .then((r) => o.auditLog?.append(systemActor, 'remediation.run', c.alert.fingerprint, { outcomes: [`${r.action}:${r.outcome}`], auto: true }))
              .catch((err: unknown) => log.error({ err: (err as Error).message, action: action.id }, 'recording an automatic remediation failed')),
          );
      }
    } catch (err) {
      report.errors.push((err as Error).message ?? String(err));
      log.error({ err: (err as Error).message }, 'alert evaluation failed');
    }
    last = report;
    return report;
  };

  // Scheduling: every `intervalMs` at the latest, at once when asked (`soon()`: new pairs, findings
  // opened or resolved), and when an alert or a group becomes due (for, keepFiringFor, groupWait…);
  // never overlapping, at most one evaluation every MIN_GAP_MS.
  let wakeAt = Infinity;
  let again = false;
  let lastEnd = 0;
  const wake = (delayMs: number) => {
    if (stopped || o.schedule === false) return;
    const at = Date.now() + Math.max(0, delayMs);
    if (timer && wakeAt <= at) return;
    if (timer) clearTimeout(timer);
    wakeAt = at;
    timer = setTimeout(() => void tick(), at - Date.now());
  };
  const evaluateNow = () => {
    if (!running)
      running = evaluate().finally(() => {
        running = null;
        lastEnd = Date.now();
        if (again) {
          again = false;
          wake(MIN_GAP_MS);
        }
      });
    return running;
  };
  const tick = async () => {
    timer = null;
    wakeAt = Infinity;
    if (stopped) return;
    const report = await evaluateNow();
    const dueIn = report.nextAt === null ? Infinity : report.nextAt - clock.now().getTime();
    wake(Math.max(MIN_GAP_MS, Math.min(o.intervalMs, dueIn)));
  };
  const soon = () => {
    if (running) again = true;
    else wake(lastEnd + MIN_GAP_MS - Date.now());
  };
  if (o.schedule !== false) wake(0);

  const mustAlert = async (fp: string) => {
    const a = await alertStore.getAlert(fp);
    if (!a || a.state === 'inactive') throw new AlertingError('not-found', `No alert with fingerprint ${fp}; GET /api/v1/alerts lists them.`);
    return a;
  };

  return {
    alertStore,
    evaluateNow,
    soon,
    rules: () => rulesFor(o.catalog(), ruleOptions),
    lastReport: () => last,
    lastObservations: () => lastObs,
    async acknowledge(fp, actor, note) {
      if (running) await running;
      // Read and saved between an evaluation's saves, never across one (which would write back what it read before).
      const { a, acked, now } = await savingAlerts(async () => {
        const a = await mustAlert(fp);
        if (a.state !== 'firing' && a.state !== 'pending')
          throw new AlertingError('bad-request', `Alert ${fp} is ${a.state}; only pending or firing alerts can be acknowledged.`);
        const now = clock.now().toISOString();
        const acked: Alert = { ...a, acknowledgedBy: actor, acknowledgedAt: now, ackNote: note };
        await alertStore.saveAlerts([acked]);
        return { a, acked, now };
      });
      await alertStore.recordEvents([{ at: now, fingerprint: fp, rule: a.rule, event: 'acknowledged', actor, value: a.value, note, labels: a.labels }]);
      return acked;
    },
    async createSilence(input) {
      if (input.matchers.length === 0) throw new AlertingError('bad-request', 'A silence needs at least one matcher, like flow="erp-cpq-product-sync".');
      // As Alertmanager: matchers that all match an alert without the label (alertname=~".*", flow!="x") silence everything.
      if (input.matchers.every((m) => matches(m, {})))
        throw new AlertingError(
          'bad-request',
          `Every matcher of this silence (${input.matchers.map(formatMatcher).join(', ')}) also matches an alert without its label, so it would silence every alert; give at least one that needs a value, like flow="erp-cpq-product-sync".`,
        );
      if (!(Date.parse(input.endsAt) > Date.parse(input.startsAt))) throw new AlertingError('bad-request', 'endsAt must be after startsAt.');
      const silence = await alertStore.newSilence(input, clock.now());
      // Muted from now on: the next evaluation marks what it silences, not the next interval's.
      soon();
      return silence;
    },
    async expireSilence(id, actor) {
      const s = (await alertStore.listSilences(10_000)).find((x) => x.id === id);
      if (!s) throw new AlertingError('not-found', `No silence with id ${id}; GET /api/v1/silences lists them.`);
      const now = clock.now();
      // Expiring what has ended would change nothing but its comment, saying it was ended by someone who did not.
      if (silenceStatus(s, now) === 'expired')
        throw new AlertingError(
          'bad-request',
          `Silence ${id} already ended at ${s.endsAt}: there is nothing to expire (GET /api/v1/silences lists the active ones).`,
        );
      const expired: Silence = {
        ...s,
        endsAt: now.toISOString(),
        comment: s.comment ? `${s.comment} (expired by ${actor})` : `expired by ${actor}`,
      };
      await alertStore.saveSilence(expired);
      // What it muted and still fires is told now, not at the next interval.
      soon();
      return expired;
    },
    silences: () => alertStore.listSilences(),
    async remediate(fp, actor, actionId) {
      const a = await mustAlert(fp);
      const catalog = o.catalog();
      const rule = rulesFor(catalog, ruleOptions).find((r) => r.id === a.rule);
      let actions = actionsFor(catalog.remediations, a, rule?.remediation);
      if (actionId) actions = actions.filter((x) => x.id === actionId);
      if (actions.length === 0) {
        throw new AlertingError(
          'bad-request',
          actionId
            ? `Remediation ${actionId} is not attached to alert ${fp}'s rule or flow.`
            : `No remediation is attached to alert ${fp} (rule ${a.rule}${a.flow ? `, flow ${a.flow}` : ''}): add one under remediations in the catalog.`,
        );
      }
      return Promise.all(actions.map((x) => remediateAlert(a, x, actor)));
    },
    async idle() {
      while (inFlight.size > 0 || queue.size() > 0) {
        await Promise.allSettled([...inFlight]);
        await queue.idle();
      }
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (running) await running.catch(() => undefined);
      controller.abort();
      await Promise.allSettled([...inFlight]);
      await queue.idle();
      await lease.release().catch(() => undefined);
    },
  };
}
