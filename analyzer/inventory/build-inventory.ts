import type { Flow, Lifecycle } from '../../core/catalog/index.ts';
import { groupBy } from '../../core/collections/index.ts';
import { observedFlowId } from '../flows/flow-edges.ts';
import { flowDependencies, type FlowDependency } from '../flows/flow-dependencies.ts';
import {
  combineEdges,
  documentedFlowFor,
  flowOfHalf,
  edgesDomain,
  isIntegrationNode,
  pairingStatus,
  type FlowStats,
  type PairingStatus,
  type Snapshot,
} from '../model/snapshot.ts';
import { unknownSystemUses } from '../model/unknown-systems.ts';

export interface InventorySystem {
  id: string;
  name: string;
  kind: string;
  owner: string | null;
  /** The catalog's; null for an unknown system, which has no documented lifecycle. */
  lifecycle: Lifecycle | null;
  documented: boolean;
  integrations: string[];
  /** Spans that touched it in the window; an unknown system only flows reached (an OpenLineage dataset) counts their runs. */
  spans: number;
  errors: number;
  records: number;
  lastSeen: string | null;
  /**
   * Seen in the window: a span touched it, or it is an end of a flow seen there (a dataset OpenLineage runs read or
   * write has no span). What every count of observed systems counts (the audit's, a report's).
   */
  observed: boolean;
}

export interface InventoryFlow {
  id: string;
  name: string;
  source: string;
  target: string;
  domain: string | null;
  owner: string | null;
  /** The catalog's; null for an observed flow the catalog does not document. */
  lifecycle: Lifecycle | null;
  documented: boolean;
  /**
   * For an observed flow that is a half of a documented one (`flowOfHalf`: the flow's runtime itself reading its source
   * or writing its target, a run whose read and write were never paired together, as across a restart without trace
   * context), that flow's id; null otherwise. Such a half is no undocumented flow: no finding, not counted as one.
   */
  halfOf: string | null;
  integrations: string[];
  /** Window stats; null when not observed in the window. */
  stats: FlowStats | null;
  /** Last seen, all time. */
  lastSeen: string | null;
  /** Traces per hour over the window. */
  throughputPerHour: number;
  /**
   * A documented flow's declared lookups and state stores (docs/catalog.md, "Lookups and state stores"), each with its
   * runtime's touches of it in the window (`flowDependencies`; spans 0 and lastSeen null: declared, not touched there).
   * Empty for an observed flow.
   */
  dependencies: FlowDependency[];
}

export interface Inventory {
  since: string;
  until: string;
  /** Arrived but still being paired, and how far pairing got. */
  pairing: PairingStatus;
  systems: InventorySystem[];
  flows: InventoryFlow[];
  owners: Array<{
    id: string;
    name: string;
    email: string | null;
    systems: string[];
    flows: string[];
    domains: string[];
    traces: number;
    lastSeen: string | null;
  }>;
  domains: Array<{
    id: string;
    name: string;
    systemOfRecord: string;
    replicas: string[];
    regulated: string[];
    owner: string | null;
    flows: string[];
    traces: number;
    records: number;
    lastSeen: string | null;
  }>;
}

/** What the inventory says of a catalog flow whatever the window: its catalog facts (integrations, stats and last seen are the caller's). */
export function catalogFlowFacts(f: Flow): Pick<InventoryFlow, 'id' | 'name' | 'source' | 'target' | 'domain' | 'owner' | 'lifecycle' | 'documented'> {
  return {
    id: f.id,
    name: f.name,
    source: f.source,
    target: f.target,
    domain: f.domain ?? null,
    owner: f.owner ?? null,
    lifecycle: f.lifecycle,
    documented: true,
  };
}

/** What the inventory says of an undocumented flow seen from `source` to `target` through `integration`, with the domain its spans gave (or none). */
export function observedFlowFacts(
  source: string,
  target: string,
  integration: string,
  domain: string | null,
): Pick<InventoryFlow, 'id' | 'name' | 'source' | 'target' | 'domain' | 'owner' | 'lifecycle' | 'documented'> {
  return {
    id: observedFlowId(source, target, integration),
    name: `${source.replace(/^integration:/, '')} → ${target.replace(/^integration:/, '')}`,
    source,
    target,
    domain: domain || null,
    owner: null,
    lifecycle: null,
    documented: false,
  };
}

/**
 * Traces per hour over the part of [since, until] the counts cover (ISO times): from `observingSince` (when
 * Weft first received a span; null or absent: the whole window) when that is later than `since`, so the
 * 12 minutes since a fresh start are not counted as a 24 h window — or from `firstSeen` (the start of the
 * first run counted in the window) when that is earlier still: runs sent late, after they ran (a gateway's
 * backlog, an SDK's queue flushed after an outage, history sent to a new installation), are counted in the
 * minutes they ran, and 12 runs of the 12 minutes before Weft started, received in its first 90 s, were 478
 * traces/h instead of 60. A part shorter than a minute counts as one. To three decimals.
 */
export function throughputPerHour(traces: number, since: string, until: string, observingSince?: string | null, firstSeen?: string | null): number {
  const observing = observingSince ? Date.parse(observingSince) : NaN;
  const first = firstSeen ? Date.parse(firstSeen) : NaN;
  const counted = Number.isFinite(observing) && Number.isFinite(first) ? Math.min(observing, first) : observing;
  const from = Number.isFinite(counted) ? Math.max(Date.parse(since), counted) : Date.parse(since);
  const hours = Math.max(1 / 60, (Date.parse(until) - from) / 3_600_000);
  return Number((traces / hours).toFixed(3));
}

export interface InventoryOptions {
  /**
   * What a system's and a documented flow's `lastSeen` means: `ever` (default; the UI and API) the latest
   * time Weft ever saw it, even after the window; `window` the latest time in the window, null when it was
   * not seen there (a report of a past period, which must not change when regenerated).
   */
  lastSeen?: 'ever' | 'window';
}

/** The estate as catalogued and as observed in the window, side by side. */
export function buildInventory(s: Snapshot, options: InventoryOptions = {}): Inventory {
  const ever = options.lastSeen !== 'window';
  const { catalog } = s;
  // In `window` mode, never after the window: a run that started in its last minute and ended after it was seen
  // running up to the window's end (a report's "last seen" fell after the period it covers).
  const untilMs = Date.parse(s.until);
  const held = <T extends string | null>(at: T): T => (!ever && at !== null && Date.parse(at) > untilMs ? (s.until as T) : at);
  // Unknown systems from the one list the unknown-system findings and the graph use (touches and flow ends).
  const unknown = unknownSystemUses(s);
  const systemIds = [...new Set([...catalog.systems.map((x) => x.id), ...unknown.keys()])];
  // A system is seen at an end of a flow seen in the window, too: a dataset OpenLineage runs read or write has no span.
  const edgeSeen = new Map<string, string>();
  for (const e of s.edges) for (const end of [e.source, e.target]) if ((edgeSeen.get(end) ?? '') < e.lastSeen) edgeSeen.set(end, e.lastSeen);
  const systems: InventorySystem[] = systemIds.map((id) => {
    const sys = catalog.systems.find((x) => x.id === id);
    const t = unknown.get(id) ?? s.touches.filter((x) => x.system === id);
    return {
      id,
      name: sys?.name ?? id.slice('unknown:'.length),
      kind: sys?.kind ?? 'unknown',
      owner: sys?.owner ?? null,
      lifecycle: sys?.lifecycle ?? null,
      documented: Boolean(sys),
      integrations: [...new Set(t.map((x) => x.integration))],
      spans: t.reduce((n, x) => n + x.spans, 0),
      errors: t.reduce((n, x) => n + x.errors, 0),
      records: t.reduce((n, x) => n + x.records, 0),
      lastSeen: held(
        [...t.map((x) => x.lastSeen), edgeSeen.get(id)]
          .filter((x): x is string => x !== undefined)
          .sort()
          .at(-1) ??
          (ever ? s.systemLastSeen[id] : undefined) ??
          null,
      ),
      observed: t.some((x) => x.spans > 0) || edgeSeen.has(id),
    };
  });
  // Each flow's edges and each documented flow's all-time last seen, gathered in one pass over each list (a pass per
  // flow took flows × rows × flows steps: 138 ms of an inventory of 200 flows). An undocumented edge is keyed by the
  // observed flow it is (`observed:…`, never a catalog id): edges of one id (other services, other domains) are one flow.
  const edgesOf = groupBy(s.edges, (e) => e.flowId ?? observedFlowId(e.source, e.target, e.integration));
  const everSeen = new Map<Flow, string>();
  if (ever)
    for (const x of s.lastSeen) {
      const f = documentedFlowFor(catalog, x);
      if (f && (everSeen.get(f) ?? '') < x.lastSeen) everSeen.set(f, x.lastSeen);
    }
  const flows: InventoryFlow[] = catalog.flows.map((f) => {
    const edges = edgesOf.get(f.id) ?? [];
    // The flow's edges as the window's are attributed: a flow listed earlier that also matches claims them.
    const stats = combineEdges(edges);
    const lastSeen = ever ? (everSeen.get(f) ?? null) : held(stats?.lastSeen ?? null);
    return {
      ...catalogFlowFacts(f),
      halfOf: null,
      integrations: [...new Set(edges.map((e) => e.integration))],
      stats,
      lastSeen,
      throughputPerHour: 0,
      dependencies: flowDependencies(f, s.touches),
    };
  });
  for (const edges of edgesOf.values()) {
    const [e] = edges;
    if (e.flowId) continue;
    const stats = combineEdges(edges)!;
    const half = flowOfHalf(catalog, e);
    flows.push({
      ...observedFlowFacts(e.source, e.target, e.integration, edgesDomain(edges)),
      halfOf: half && edges.every((x) => flowOfHalf(catalog, x) === half) ? half.id : null,
      integrations: [e.integration],
      stats,
      lastSeen: held(stats.lastSeen),
      throughputPerHour: 0,
      dependencies: [],
    });
  }
  const domains = catalog.domains.map((d) => {
    const edges = s.edges.filter((e) => e.effectiveDomain === d.id);
    const stats = combineEdges(edges);
    return {
      id: d.id,
      name: d.name,
      systemOfRecord: d.systemOfRecord,
      replicas: d.replicas,
      regulated: d.regulated,
      owner: d.owner ?? null,
      flows: [...new Set(flows.filter((f) => f.domain === d.id).map((f) => f.id))],
      traces: stats?.traces ?? 0,
      records: stats?.records ?? 0,
      lastSeen: held(stats?.lastSeen ?? null),
    };
  });
  const owners = catalog.owners.map((o) => ({
    id: o.id,
    name: o.name,
    email: o.email ?? null,
    systems: catalog.systems.filter((x) => x.owner === o.id).map((x) => x.id),
    flows: catalog.flows.filter((x) => x.owner === o.id).map((x) => x.id),
    domains: catalog.domains.filter((x) => x.owner === o.id).map((x) => x.id),
    traces: flows.filter((f) => f.owner === o.id).reduce((n, f) => n + (f.stats?.traces ?? 0), 0),
    lastSeen:
      flows
        .filter((f) => f.owner === o.id)
        .map((f) => f.lastSeen)
        .filter((x): x is string => Boolean(x))
        .sort()
        .at(-1) ?? null,
  }));
  for (const f of flows) f.throughputPerHour = throughputPerHour(f.stats?.traces ?? 0, s.since, s.until, s.observingSince, f.stats?.firstSeen);
  return { since: s.since, until: s.until, pairing: pairingStatus(s), systems: systems.filter((x) => !isIntegrationNode(x.id)), flows, owners, domains };
}
