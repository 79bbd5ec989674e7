import { fromChTime, type Store } from '../../clickhouse/index.ts';
import { allowedSilence, type Catalog } from '../../core/catalog/index.ts';
import { splitHostPort } from '../../core/net/host-port.ts';
import { UNNAMED } from '../flows/endpoint-match.ts';
import { awaitingKey, awaitingParent } from '../flows/awaiting-parent.ts';
import { endpointKey, endpointMapping, PENDING, type EndpointMapping } from '../flows/match-sql.ts';
import { querySampledServices, querySamplingInWindows, SAMPLING_LOOKBACK_MS } from '../flows/sampling.ts';
import { queryEdgeLastSeen, queryEdgesByWindow, queryTouchesByWindow, type ObservedTouch, type SelfEdgeRow, type WindowEdges } from '../flows/observed.ts';
import { pairingState } from '../flows/pairing-job.ts';
import { queryLastDowntime } from '../flows/weft-downtime.ts';
import { queryServiceShifts } from '../flows/sender-offsets.ts';
import { buildHopChains } from '../hops/hop-chain.ts';
import { inFlightMs, queryLineageHops, querySystemCounts, settledWindow, touchCounts } from '../hops/hop-counts.ts';
import { queryLineageJobRuns } from '../hops/lineage-runs.ts';
import { minuteWindow } from '../../core/time/index.ts';
import { attributeEdges, isUnknown, type AttributedEdge, type RuleOverlap, type Snapshot } from './snapshot.ts';
import { queryLifecycleSince } from './lifecycle-since.ts';

/**
 * How far back (ms) the absence rules look: a documented OpenLineage job's last completed run, and Weft's own last
 * downtime (`queryLastDowntime`): the window, or twice the longest silence a flow is allowed. A downtime that ended
 * further back has been watched past for longer than any flow's allowed silence (a flow whose runs reach Weft sampled
 * may be allowed more: its silence across an older downtime is judged as if Weft had watched).
 */
function absenceLookbackMs(catalog: Catalog, windowMs: number): number {
  return Math.max(windowMs, ...catalog.flows.map((f) => 2 * (allowedSilence(f, catalog.classes)?.ms ?? 0)));
}

/**
 * Self-edges worth telling the ICoE about, where a `hosts` rule is broader than its system: it claims a
 * queue or a database while the other end is another kind of endpoint (an API host rule that also
 * captures the broker on that machine), or it claims two HTTP services on different ports of one host.
 * An integration reading and writing one endpoint, a system's database (matched by `databases`) and
 * its API (matched by `hosts`), or endpoints each matched by their own specific rule are not reported.
 */
export function ruleOverlaps(rows: SelfEdgeRow[], matchedBy: EndpointMapping['matchedBy']): RuleOverlap[] {
  return rows.flatMap((r) => {
    const sourceRule = matchedBy.get(endpointKey(r.source)) ?? null;
    const targetRule = matchedBy.get(endpointKey(r.target)) ?? null;
    const byHosts = [sourceRule === 'hosts' ? r.source : null, targetRule === 'hosts' ? r.target : null].filter((e) => e !== null);
    const capturesStore = r.source.kind !== r.target.kind && byHosts.some((e) => e.kind === 'messaging' || e.kind === 'db');
    const portsApart =
      r.source.kind === 'http' &&
      r.target.kind === 'http' &&
      byHosts.length > 0 &&
      r.source.host !== r.target.host &&
      splitHostPort(r.source.host).host === splitHostPort(r.target.host).host;
    return capturesStore || portsApart ? [{ ...r, sourceRule, targetRule }] : [];
  });
}

/** Both ends resolved to a system (documented or unknown): neither still pending nor an unnamed endpoint. */
const resolved = (...nodes: string[]) => nodes.every((n) => !n.startsWith(PENDING) && !n.startsWith(UNNAMED));

/**
 * The edges of [since, until] as a snapshot holds them (resolved against the catalog as it is now, both ends
 * resolved, attributed to the catalog's flows), with the endpoint mapping and the raw read (its self-edges) they
 * came from: two statements, where a whole snapshot takes about ten. Throws what the store throws.
 */
async function readEdges(
  store: Store,
  catalog: Catalog,
  since: Date,
  until: Date,
): Promise<{ mapping: EndpointMapping; observed: WindowEdges; attributed: AttributedEdge[] }> {
  const mapping = await endpointMapping(store, catalog);
  // The window's edges and self-edges, in one read.
  const [observed] = await queryEdgesByWindow(store, mapping, [{ since, until }]);
  return {
    mapping,
    observed,
    attributed: attributeEdges(
      catalog,
      observed.edges.filter((e) => resolved(e.source, e.target)),
    ),
  };
}

/**
 * A snapshot's `edges` alone: what `takeSnapshot(store, catalog, since, until).edges` holds, read without the
 * rest of the snapshot (touches, last-seen times, hop chains, sampling, lineage runs). Throws what the store throws.
 */
export async function snapshotEdges(store: Store, catalog: Catalog, since: Date, until: Date): Promise<AttributedEdge[]> {
  return (await readEdges(store, catalog, since, until)).attributed;
}

/** How a snapshot of the window in progress is read (`takeSnapshot`). */
export interface SnapshotOptions {
  /**
   * Holds an integration's use of an unknown system in one direction out of the snapshot (those touches, so the system's
   * finding, graph node and inventory line when no other use is left) while every such touch in the window is a CLIENT
   * span that arrived in the last `awaitParentMs` (ms) and whose parent has not arrived: a call that may turn out to be a
   * transport (awaiting-parent.ts). 0 (the default): none held, as a report over a closed period reads.
   */
  awaitParentMs?: number;
}

/**
 * Reads the rollups for [since, until] and resolves them against the catalog as it is now. `readAt` is the
 * moment of reading (default `until`): a window stated to the end of the minute in progress is read at now,
 * and what depends on elapsed time (the settled part of the hop counts, the look-back for lineage runs) is
 * measured from the earlier of the two, never from a moment still to come. `options`: `SnapshotOptions`.
 */
export async function takeSnapshot(
  store: Store,
  catalog: Catalog,
  since: Date,
  until: Date,
  readAt: Date = until,
  options: SnapshotOptions = {},
): Promise<Snapshot> {
  const asOf = readAt < until ? readAt : until;
  const { mapping, observed, attributed } = await readEdges(store, catalog, since, until);
  // Hop chains are built per domain: without domains there are no record counts to read.
  const hops = catalog.domains.length > 0;
  const settleMs = inFlightMs(catalog);
  const settled = hops ? settledWindow(since, asOf, settleMs) : null;
  // The window's touches and (for the hop chains) its settled part's, in one read.
  // Calls are keyed by their senders' clocks: those whose clock is off (as of the reading) are read where their offset places them.
  const shifts = await queryServiceShifts(store, asOf);
  const [allTouches, settledTouches = []] = await queryTouchesByWindow(store, mapping, settled ? [{ since, until }, settled] : [{ since, until }], shifts);
  const touches = withoutAwaitingParent(
    allTouches.filter((t) => resolved(t.system)),
    options.awaitParentMs && allTouches.some((t) => isUnknown(t.system))
      ? await awaitingParent(store, mapping, options.awaitParentMs, { since, until })
      : new Map<string, number>(),
  );
  const unnamed = allTouches.filter((t) => t.system.startsWith(UNNAMED));
  const overlaps = ruleOverlaps(observed.selfEdges, mapping.matchedBy);
  const lastSeen = (await queryEdgeLastSeen(store, mapping)).filter((e) => resolved(e.source, e.target));
  const state = await pairingState(store);
  const paired = state.pairedUntil;
  const sampled = await querySampledServices(store, new Date(asOf.getTime() - Math.max(SAMPLING_LOOKBACK_MS, until.getTime() - since.getTime())));
  const [lineage, systemCounts, lineageRuns] = await Promise.all([
    hops ? queryLineageHops(store, mapping, since, until) : [],
    hops ? querySystemCounts(store, catalog, since, until) : [],
    queryLineageJobRuns(
      store,
      [...new Set(catalog.flows.flatMap((f) => (f.runtime?.flow ? [f.runtime.flow] : [])))],
      new Date(asOf.getTime() - absenceLookbackMs(catalog, until.getTime() - since.getTime())),
    ),
  ]);
  const lifecycleSince = await queryLifecycleSince(store, catalog, {
    // attributeEdges marks an edge of a flow that is not active 'deprecated'.
    flows: [...new Set(attributed.flatMap((e) => (e.mark === 'deprecated' && e.flowId !== null ? [e.flowId] : [])))],
    systems: catalog.systems.filter((s) => s.lifecycle !== 'active' && touches.some((t) => t.system === s.id)).map((s) => s.id),
  });
  // The integrations whose spans were sampled in the window: a handoff they take part in is not judged (hop-chain.ts).
  const [sampledInWindow] = hops ? await querySamplingInWindows(store, [{ since, until }], shifts) : [new Map<string, number>()];
  const sampledIntegrations = new Set(allTouches.filter((t) => sampledInWindow.has(t.service)).map((t) => t.integration));
  const hopChains = buildHopChains({
    catalog,
    since: since.toISOString(),
    until: until.toISOString(),
    edges: attributed,
    touches,
    settledTouches: touchCounts(settledTouches.filter((t) => resolved(t.system))),
    settleMs,
    lineage: lineage.filter((l) => resolved(l.source, l.target)),
    systemCounts,
    sampledIntegrations,
  });
  return {
    catalog,
    since: since.toISOString(),
    until: until.toISOString(),
    observingSince: state.observingSince?.toISOString() ?? null,
    pairedUntil: paired && paired < until ? paired.toISOString() : until.toISOString(),
    pending: state.pending,
    edges: attributed,
    touches,
    lastSeen,
    systemLastSeen: Object.fromEntries([...mapping.systemLastSeen].filter(([id]) => !id.startsWith(UNNAMED))),
    ruleOverlaps: overlaps,
    unnamed,
    hopChains,
    ...(hops ? { hopSettle: { settleMs, settledUntil: settled ? settled.until.toISOString() : null } } : {}),
    lineageRuns,
    ...(sampled.length > 0 ? { sampled } : {}),
    ...(lifecycleSince.size > 0 ? { lifecycleSince: Object.fromEntries(lifecycleSince) } : {}),
  };
}

/**
 * `touches` without those of an unknown system that the spans in `awaiting` (CLIENT spans whose parent has not arrived,
 * `awaitingParent`) account for entirely, per integration and direction: the rollups counted them all, and the pairing
 * may still take them back as a transport.
 */
function withoutAwaitingParent(touches: ObservedTouch[], awaiting: Map<string, number>): ObservedTouch[] {
  if (awaiting.size === 0) return touches;
  const spans = new Map<string, number>();
  for (const t of touches) {
    if (!isUnknown(t.system)) continue;
    const key = awaitingKey(t.system, t.integration, t.direction);
    spans.set(key, (spans.get(key) ?? 0) + t.spans);
  }
  return touches.filter((t) => {
    if (!isUnknown(t.system)) return true;
    const key = awaitingKey(t.system, t.integration, t.direction);
    return (spans.get(key) ?? 0) > (awaiting.get(key) ?? 0);
  });
}

/**
 * The snapshot findings are detected on, for the analyzer's runs and `weft audit` alike, so both find the
 * same things over the same look-back: the whole minutes that [now − lookbackMs, now] touches (the minute
 * holding its start counted whole, as the rollups hold it, up to the end of the minute in progress), stated
 * as read (`minuteWindow` for a range) and read at `now`. A look-back shorter than a minute still reads the
 * minute before when it reaches into it: 30 s asked for at 10:00:05 reads 09:59 – 10:01, not 5 s of data.
 * `lookbackMs` in ms, > 0; `options`: `SnapshotOptions`. It carries Weft's last downtime (`Snapshot.downtime`) and, with
 * one, when the catalog in effect was stored (`Snapshot.catalogStoredAt`).
 */
export async function detectionSnapshot(store: Store, catalog: Catalog, lookbackMs: number, now: Date, options: SnapshotOptions = {}): Promise<Snapshot> {
  const w = minuteWindow(now.getTime() - lookbackMs, now.getTime(), false);
  const snapshot = await takeSnapshot(store, catalog, new Date(w.since), new Date(w.until), now, options);
  // Weft's own last downtime, which the absence rules hold across (`absenceUnjudged`): read for detection only.
  const downtime = await queryLastDowntime(store, now, absenceLookbackMs(catalog, w.until - w.since));
  if (!downtime) return snapshot;
  // And when the catalog now in effect was stored (a version is stored whenever a start or reload loads one that differs).
  const [version] = await store.client
    .query({ query: 'SELECT toString(max(at)) AS at, count() AS n FROM weft_catalog_versions', format: 'JSONEachRow' })
    .then((r) => r.json<{ at: string; n: number | string }>());
  return Number(version?.n ?? 0) > 0 ? { ...snapshot, downtime, catalogStoredAt: fromChTime(version.at) } : { ...snapshot, downtime };
}
