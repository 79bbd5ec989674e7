import type { Alert, Labels } from '../model/alert.ts';
import { planOrphans } from './orphan-groups.ts';
import { groupKeyOf, groupLabels, type ResolvedRoute } from './route.ts';

/** What one group has told its receiver so far (persisted, so a restart neither repeats nor forgets). */
export interface GroupState {
  key: string;
  receiver: string;
  labels: Labels;
  createdAt: string;
  lastSentAt: string | null;
  /** fingerprint → the status the receiver was last told. */
  sent: Record<string, 'firing' | 'resolved'>;
  /** After a failed delivery (every attempt), the next try waits until then. */
  retryAt?: string;
}

/** One message to send to one receiver. */
export interface Notification {
  groupKey: string;
  receiver: string;
  groupLabels: Labels;
  status: 'firing' | 'resolved';
  alerts: Array<{ alert: Alert; status: 'firing' | 'resolved' }>;
  /** Why now: the first message, a change, the repeat interval, or keeping the receiver's firing alerts alive (route `keepAliveMs`). */
  reason: 'first' | 'changed' | 'repeat' | 'keep-alive';
  /** The group's state once this message has been delivered. */
  after: GroupState;
}

const notifiable = (a: Alert) => a.silencedBy.length === 0 && a.inhibitedBy === null;
/**
 * What `g` last told its receiver of `a`: under its fingerprint, else under one it had earlier in its episode (its labels
 * changed, not its identity: `Alert.formerFingerprints`), so a relabelled alert is neither told again nor told resolved.
 */
const told = (g: GroupState, a: Alert): 'firing' | 'resolved' | undefined => {
  const own = g.sent[a.fingerprint];
  if (own !== undefined) return own;
  for (const fp of a.formerFingerprints ?? []) if (Object.hasOwn(g.sent, fp)) return g.sent[fp];
  return undefined;
};
/**
 * An alert that fired and resolved between two messages of its group (e.g. within groupWait, when an
 * automatic remediation fixed it at once): its episode is still told — as firing in the next message,
 * then resolved in the one after (groupInterval later), as for any other alert.
 */
const firedUntold = (a: Alert, g: GroupState) =>
  told(g, a) === undefined && a.firedAt !== null && Date.parse(a.firedAt) >= Date.parse(g.lastSentAt ?? g.createdAt);

/**
 * Which groups have something to say now (pure). Groups alerts by receiver and the route's groupBy
 * labels; a group speaks first after groupWait, on a change (an alert starts firing or resolves) no sooner
 * than groupInterval after its last message, and otherwise every repeatInterval while an
 * unacknowledged alert fires. Never once per evaluation. A resolved alert is sent to receivers that were
 * told it fired; one that fired and resolved between two messages is told as firing first; silenced and
 * inhibited alerts are left out, but one the receiver was told fires stays so in the group's state (a message about
 * the others does not forget it), so it is told resolved once it is no longer muted. A receiver that forgets what it is not told again (Alertmanager, route
 * `keepAliveMs`) is different: every keepAliveMs its group posts again each firing alert it was told of,
 * acknowledged, silenced or inhibited since or not, and tells it resolved when it resolves — so an
 * alert still firing in Weft never looks resolved there; an alert silenced or inhibited before it was
 * told is not posted. A group no alert routes to any more (a catalog reload moved its alerts to another
 * receiver or group, or removed its route) tells what it last told as firing resolved, groupInterval after
 * its last message, paced as its receiver (`receiverRoute`: undefined when the receiver is gone, and the
 * group is then forgotten) — except an alert that still fires and still goes to that receiver in another
 * group, and, for a keep-alive receiver, one that still fires (its other receivers may keep it alive at
 * the same Alertmanager; else it ends there when its endsAt passes). `nextAt` (epoch ms, null: none) is
 * when the earliest group that has something to say but must wait (groupWait, groupInterval,
 * repeatInterval, a retry) becomes due, so the caller can evaluate again then instead of up to an interval later.
 */
export function planNotifications(
  groups: ReadonlyMap<string, GroupState>,
  routed: Array<{ alert: Alert; routes: ResolvedRoute[] }>,
  now: Date,
  receiverRoute: (receiver: string) => ResolvedRoute | undefined = () => undefined,
): { notifications: Notification[]; groups: Map<string, GroupState>; nextAt: number | null } {
  const next = new Map(groups);
  const members = new Map<string, { route: ResolvedRoute; labels: Labels; alerts: Alert[] }>();
  for (const { alert, routes } of routed) {
    for (const route of routes) {
      const labels = groupLabels(route, alert.labels);
      const key = groupKeyOf(route.receiver, labels);
      const m = members.get(key) ?? { route, labels, alerts: [] };
      m.alerts.push(alert);
      members.set(key, m);
    }
  }
  const t = now.getTime();
  const notifications: Notification[] = [];
  let nextAt = Infinity;
  for (const [key, m] of members) {
    const g: GroupState = next.get(key) ?? { key, receiver: m.route.receiver, labels: m.labels, createdAt: now.toISOString(), lastSentAt: null, sent: {} };
    const keepAliveMs = m.route.keepAliveMs;
    // Muting never takes back what a keep-alive receiver was told fires: it would resolve there while firing here.
    // Nor does inhibition keep back the end of what a receiver was told fires (a silence still does, as in Alertmanager).
    const shown = (a: Alert) => notifiable(a) || (told(g, a) === 'firing' && (keepAliveMs !== null || (a.state === 'resolved' && a.silencedBy.length === 0)));
    const content = m.alerts
      .filter(shown)
      .flatMap((a): Array<{ alert: Alert; status: 'firing' | 'resolved' }> =>
        a.state === 'firing' || (a.state === 'resolved' && firedUntold(a, g))
          ? [{ alert: a, status: 'firing' }]
          : a.state === 'resolved' && told(g, a) === 'firing'
            ? [{ alert: a, status: 'resolved' }]
            : [],
      )
      .sort((x, y) => x.alert.fingerprint.localeCompare(y.alert.fingerprint));
    if (content.length === 0) {
      if (Object.values(g.sent).every((s) => s !== 'firing')) next.delete(key);
      else next.set(key, g);
      continue;
    }
    next.set(key, g);
    const changed = content.some((c) => told(g, c.alert) !== c.status);
    const since = g.lastSentAt ? t - Date.parse(g.lastSentAt) : Infinity;
    const unacked = content.some((c) => c.status === 'firing' && !c.alert.acknowledgedBy);
    // Firing alerts a keep-alive receiver was told of: re-posted every keepAliveMs, whatever else waits.
    const kept = keepAliveMs !== null && g.lastSentAt !== null && content.some((c) => c.status === 'firing' && told(g, c.alert) === 'firing');
    let reason: Notification['reason'] | null = null;
    if (!g.lastSentAt) reason = changed && t - Date.parse(g.createdAt) >= m.route.groupWaitMs ? 'first' : null;
    else if (changed && since >= m.route.groupIntervalMs) reason = 'changed';
    else if (!changed && unacked && since >= m.route.repeatIntervalMs) reason = 'repeat';
    if (!reason && kept && since >= keepAliveMs) reason = 'keep-alive';
    if (!reason || (g.retryAt && t < Date.parse(g.retryAt))) {
      // When this group will have something to say (groupWait, groupInterval, repeatInterval, a retry).
      const due = !g.lastSentAt
        ? changed
          ? Date.parse(g.createdAt) + m.route.groupWaitMs
          : Infinity
        : changed
          ? Date.parse(g.lastSentAt) + m.route.groupIntervalMs
          : unacked
            ? Date.parse(g.lastSentAt) + m.route.repeatIntervalMs
            : Infinity;
      const alive = kept ? Date.parse(g.lastSentAt!) + keepAliveMs : Infinity;
      nextAt = Math.min(nextAt, Math.max(Math.min(due, alive), g.retryAt ? Date.parse(g.retryAt) : -Infinity));
      continue;
    }
    const sent: GroupState['sent'] = {};
    for (const c of content) if (c.status === 'firing') sent[c.alert.fingerprint] = 'firing';
    // A muted alert (silenced, inhibited) the receiver was told fires is still firing there: left out of this message,
    // it is not forgotten, so it is told resolved once it is shown again (not told firing again while it still fires).
    for (const a of m.alerts) if (!shown(a) && told(g, a) === 'firing') sent[a.fingerprint] = 'firing';
    notifications.push({
      groupKey: key,
      receiver: m.route.receiver,
      groupLabels: m.labels,
      status: content.some((c) => c.status === 'firing') ? 'firing' : 'resolved',
      alerts: content,
      reason,
      after: { ...g, lastSentAt: now.toISOString(), sent, retryAt: undefined },
    });
  }
  const orphans = planOrphans(next, members, routed, t, receiverRoute);
  notifications.push(...orphans.notifications);
  nextAt = Math.min(nextAt, orphans.nextAt);
  return { notifications, groups: next, nextAt: Number.isFinite(nextAt) ? nextAt : null };
}
