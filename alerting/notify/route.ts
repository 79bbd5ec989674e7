import { labelRegex, labelRegexProblem, type Catalog, type LabelRegex, type ReceiverType, type RouteSpec } from '../../core/catalog/index.ts';
import { parseDuration } from '../../core/time/index.ts';
import type { Labels } from '../model/alert.ts';
import { AM_KEEP_ALIVE_MS } from './receivers/alertmanager.ts';

/** Where one alert goes and how its notifications are grouped and paced (durations in ms). */
export interface ResolvedRoute {
  receiver: string;
  groupBy: string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  /**
   * For a receiver that forgets a firing alert it is not told of again (Alertmanager: the alert's endsAt
   * passes and it resolves there), how often the firing alerts it was told of are posted again (ms),
   * whatever else holds: acknowledged, silenced or inhibited in Weft, a pending change waiting for
   * groupInterval, any repeatInterval. Not set by routes. Null for receivers that keep what they were told.
   */
  keepAliveMs: number | null;
}

/**
 * Pacing by receiver type when a route does not say. Alertmanager does its own grouping and repeats:
 * Weft posts every alert routed there in one request on any change, and re-posts the firing ones every
 * minute (AM_KEEP_ALIVE_MS, whatever a route's repeatInterval says) so they stay alive there, as Prometheus does. The others get one message per group: after 5 s, changes at most once a minute,
 * a reminder every 4 hours while something is firing.
 */
export const receiverDefaults: Record<ReceiverType, Omit<ResolvedRoute, 'receiver'>> = {
  alertmanager: { groupBy: [], groupWaitMs: 0, groupIntervalMs: 0, repeatIntervalMs: AM_KEEP_ALIVE_MS, keepAliveMs: AM_KEEP_ALIVE_MS },
  webhook: { groupBy: ['alertname'], groupWaitMs: 5_000, groupIntervalMs: 60_000, repeatIntervalMs: 4 * 3_600_000, keepAliveMs: null },
  slack: { groupBy: ['alertname'], groupWaitMs: 5_000, groupIntervalMs: 60_000, repeatIntervalMs: 4 * 3_600_000, keepAliveMs: null },
  email: { groupBy: ['alertname'], groupWaitMs: 5_000, groupIntervalMs: 60_000, repeatIntervalMs: 4 * 3_600_000, keepAliveMs: null },
};

/** A route's `matchRe` (RE2, anchored, as Alertmanager); one RE2 cannot read (refused when the catalog loads) matches nothing. */
const anchored = (re: string): LabelRegex => (labelRegexProblem(re) ? NOTHING : labelRegex(re));
const NOTHING: LabelRegex = { test: () => false };
const label = (labels: Labels, name: string) => (Object.hasOwn(labels, name) ? labels[name] : '');

function routeMatches(r: RouteSpec, labels: Labels): boolean {
  for (const [name, value] of Object.entries(r.match ?? {})) if (label(labels, name) !== value) return false;
  for (const [name, re] of Object.entries(r.matchRe ?? {})) if (!anchored(re).test(label(labels, name))) return false;
  return true;
}

function resolve(catalog: Catalog, receiverId: string, r: RouteSpec | undefined): ResolvedRoute | undefined {
  const receiver = catalog.receivers.find((x) => x.id === receiverId);
  if (!receiver) return undefined;
  const d = receiverDefaults[receiver.type];
  return {
    receiver: receiverId,
    groupBy: r?.groupBy ?? d.groupBy,
    groupWaitMs: r?.groupWait ? parseDuration(r.groupWait) : d.groupWaitMs,
    groupIntervalMs: r?.groupInterval ? parseDuration(r.groupInterval) : d.groupIntervalMs,
    repeatIntervalMs: r?.repeatInterval ? parseDuration(r.repeatInterval) : d.repeatIntervalMs,
    keepAliveMs: d.keepAliveMs,
  };
}

/**
 * The receivers an alert goes to (pure): the catalog's routes in order — a route without a receiver
 * sends to the receiver of the alert's owner (owners[].receiver) — stopping at the first match unless it
 * says `continue`, as Alertmanager. A matching route that has no receiver to send to (its owner has
 * none) still stops there: it sends to nobody. A receiver is listed once, on the first route that sends to it (a later
 * route to it, after `continue`, is skipped with its grouping). When no route matches, the owner's receiver. No receiver
 * at all: nobody is told (the alert is still shown in the UI, the API and /metrics).
 */
export function routeAlert(catalog: Catalog, labels: Labels): ResolvedRoute[] {
  const ownerReceiver = catalog.owners.find((o) => o.id === label(labels, 'owner'))?.receiver;
  const out: ResolvedRoute[] = [];
  let matched = false;
  for (const r of catalog.routes) {
    if (!routeMatches(r, labels)) continue;
    matched = true;
    const target = r.receiver ?? ownerReceiver;
    const resolved = target ? resolve(catalog, target, r) : undefined;
    if (resolved && !out.some((o) => o.receiver === resolved.receiver)) out.push(resolved);
    if (!r.continue) return out;
  }
  if (!matched && ownerReceiver) {
    const resolved = resolve(catalog, ownerReceiver, undefined);
    if (resolved) out.push(resolved);
  }
  return out;
}

/** A receiver's own pacing (its type's defaults, no route), or undefined when the catalog has no such receiver. */
export const receiverRoute = (catalog: Catalog, receiverId: string): ResolvedRoute | undefined => resolve(catalog, receiverId, undefined);

/** The labels that make an alert's group on a route (`...`: all of them). */
export function groupLabels(route: ResolvedRoute, labels: Labels): Labels {
  if (route.groupBy.includes('...')) return { ...labels };
  const out: Labels = {};
  for (const name of route.groupBy) if (Object.hasOwn(labels, name)) out[name] = labels[name];
  return out;
}

export const groupKeyOf = (receiver: string, g: Labels) =>
  `${receiver}:{${Object.keys(g)
    .sort()
    .map((k) => `${k}=${JSON.stringify(g[k])}`)
    .join(',')}}`;
