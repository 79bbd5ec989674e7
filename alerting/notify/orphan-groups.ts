import type { Alert } from '../model/alert.ts';
import type { GroupState, Notification } from './groups.ts';
import type { ResolvedRoute } from './route.ts';

/**
 * Groups of `next` that are not among this evaluation's `members` — no alert routes to them any more (see
 * planNotifications) — each tell resolved what they last told as firing, no sooner than their receiver's
 * groupInterval after their last message (and their `retryAt`), or are forgotten (removed from `next`)
 * once they have nothing left to tell or their receiver is gone. `t`: now (epoch ms). Returns the
 * notifications due now and when the next one falls due (epoch ms, Infinity: none). Pure but for `next`.
 */
export function planOrphans(
  next: Map<string, GroupState>,
  members: ReadonlyMap<string, unknown>,
  routed: Array<{ alert: Alert; routes: ResolvedRoute[] }>,
  t: number,
  receiverRoute: (receiver: string) => ResolvedRoute | undefined,
): { notifications: Notification[]; nextAt: number } {
  const notifications: Notification[] = [];
  let nextAt = Infinity;
  // By fingerprint, and by those an alert had earlier in its episode (its labels changed): what a group told under one.
  const known = new Map(routed.flatMap((r) => [...(r.alert.formerFingerprints ?? []), r.alert.fingerprint].map((fp) => [fp, r] as const)));
  for (const [key, g] of next) {
    if (members.has(key)) continue;
    const route = receiverRoute(g.receiver);
    const content = Object.keys(g.sent)
      .filter((fp) => g.sent[fp] === 'firing')
      .flatMap((fp): Notification['alerts'] => {
        const r = known.get(fp);
        if (!r) return []; // no longer known at all: nothing to tell it with
        const firing = r.alert.state === 'firing';
        if (firing && (r.routes.some((x) => x.receiver === g.receiver) || route?.keepAliveMs != null)) return [];
        return [{ alert: r.alert, status: 'resolved' }];
      })
      .sort((x, y) => x.alert.fingerprint.localeCompare(y.alert.fingerprint));
    if (!route || content.length === 0) {
      next.delete(key);
      continue;
    }
    const due = Math.max(g.lastSentAt ? Date.parse(g.lastSentAt) + route.groupIntervalMs : -Infinity, g.retryAt ? Date.parse(g.retryAt) : -Infinity);
    if (t < due) {
      nextAt = Math.min(nextAt, due);
      continue;
    }
    notifications.push({
      groupKey: key,
      receiver: g.receiver,
      groupLabels: g.labels,
      status: 'resolved',
      alerts: content,
      reason: 'changed',
      after: { ...g, lastSentAt: new Date(t).toISOString(), sent: {}, retryAt: undefined },
    });
  }
  return { notifications, nextAt };
}
