import type { Detections, FindingCandidate } from '../../core/contracts/index.ts';
import { buildHopChains, type Hop, type HopChain, type HopEdge } from '../hops/hop-chain.ts';
import { documentedFlowFor, type Snapshot } from '../model/snapshot.ts';
import { subject, type HoldingDetector } from './detector.ts';

const fmt = (n: number) => n.toLocaleString('en-US');
/** `1 record`, `2 records`: a count with its noun, singular for one. */
const countOf = (n: number, one: string, many = `${one}s`) => `${fmt(n)} ${n === 1 ? one : many}`;

/** A hop-record-loss finding's key: the hop (`domain:source->target@integration`) or the handoff into it (`domain:system=>@integration`). */
const keyOf = (chain: HopChain, hop: Hop, at: 'hop' | 'handoff') =>
  `${chain.domain}:${at === 'hop' ? `${hop.source}->${hop.target}` : `${hop.handoff!.system}=>`}@${hop.integration}`;

function candidate(chain: HopChain, index: number, hop: Hop, at: 'hop' | 'handoff', windowSince: string, windowUntil: string): FindingCandidate {
  const c = at === 'hop' ? hop : hop.handoff!;
  const lost = c.difference ?? 0;
  const where =
    at === 'hop'
      ? `at hop ${hop.source} → ${hop.target} (${hop.via === 'openlineage' ? 'job' : 'integration'} ${hop.integration})`
      : `between ${hop.handoff!.system} and ${hop.integration} (written into ${hop.handoff!.system}, not read out of it)`;
  const countedText =
    at === 'hop'
      ? `read ${fmt(c.read ?? 0)}, wrote ${fmt(c.written ?? 0)} over ${countOf(hop.countedUnits, hop.via === 'openlineage' ? 'run' : 'trace')}`
      : `${fmt(c.written ?? 0)} written, ${fmt(c.read ?? 0)} read`;
  return {
    kind: 'hop-record-loss',
    key: keyOf(chain, hop, at),
    severity: 'high',
    title: `${countOf(lost, `${chain.domain} record`)} lost ${where}: ${countedText}`,
    subject: subject(at === 'hop' ? [hop.source, hop.target] : [hop.handoff!.system, hop.target], hop.flowId ? [hop.flowId] : [], [chain.domain]),
    evidence: {
      domain: chain.domain,
      systemOfRecord: chain.systemOfRecord,
      chain: [chain.systemOfRecord, ...chain.hops.map((h) => h.target)],
      hop: { index, at, source: hop.source, target: hop.target, integration: hop.integration, via: hop.via, flowId: hop.flowId },
      read: c.read,
      written: c.written,
      lost,
      tolerance: c.tolerance,
      window: { since: windowSince, until: windowUntil },
      runs: at === 'hop' ? hop.evidence.runs : [],
      sampleTraceIds: at === 'hop' ? hop.evidence.traceIds : hop.handoff!.traceIds,
    },
    hint:
      at === 'hop'
        ? `${hop.integration} wrote fewer records into ${hop.target} than it read from ${hop.source}: check the runs listed (rejected rows, filters, failed partial writes) and re-run them once fixed.`
        : `Records written into ${hop.handoff!.system} were not consumed by ${hop.integration}: check the consumer for skipped or dead-lettered messages and its lag.`,
  };
}

/**
 * Why the rule has no verdict on a hop (or the handoff into it) over the window, or null when it has one (the counts
 * were compared). A traced hop's own counts are never compared (hop-chain.ts), so a window that saw the hop through its
 * traces only has no verdict on it either: a finding its OpenLineage runs opened is kept, not resolved for want of them.
 */
function noVerdict(snapshot: Snapshot, hop: Hop, at: 'hop' | 'handoff'): string | null {
  if (at === 'hop') {
    if (hop.judged) return null;
    if (hop.via === 'trace')
      return `the window saw this hop through its traces only (${countOf(hop.units, 'trace')}), whose record counts are shown, not compared; no OpenLineage run of it completed`;
    return hop.units === 0
      ? 'no run of this hop completed in the window'
      : `no run of this hop counted its records in the window (${countOf(hop.units, 'run')} completed without reporting both counts)`;
  }
  const h = hop.handoff!;
  if (h.judged) return null;
  if (h.sampled) return `the runs of ${h.sampled.join(', ')} reached Weft sampled in the window: their records are a fraction of those carried`;
  if (snapshot.hopSettle && snapshot.hopSettle.settledUntil === null)
    return `the window is too short for records written into ${h.system} to have settled (they may be in flight for ${fmt(snapshot.hopSettle.settleMs / 60_000)} min)`;
  if (h.written === null) return `no records written into ${h.system} were counted in the settled part of the window`;
  return `no records ${hop.integration} read from ${h.system} were counted in the window`;
}

/**
 * The hop chains as every edge ever observed makes them under the catalog as it is now (`Snapshot.lastSeen`), with no
 * count: the hops the window has no run of. An edge's domain is its documented flow's (the all-time edges keep no
 * span domain); a retired flow's edges are left out, so its hops are not kept and their findings resolve.
 */
function everObservedChains(snapshot: Snapshot): HopChain[] {
  if (snapshot.catalog.domains.length === 0 || snapshot.lastSeen.length === 0) return [];
  const edges = new Map<string, HopEdge>();
  for (const e of snapshot.lastSeen) {
    const flow = documentedFlowFor(snapshot.catalog, e);
    if (!flow?.domain || flow.lifecycle === 'retired') continue;
    const key = `${e.source}\u0000${e.target}\u0000${e.integration}`;
    if (!edges.has(key))
      edges.set(key, {
        source: e.source,
        target: e.target,
        integration: e.integration,
        flowId: flow.id,
        effectiveDomain: flow.domain,
        traces: 0,
        records: 0,
        sampleTrace: '',
      });
  }
  return buildHopChains({
    catalog: snapshot.catalog,
    since: snapshot.since,
    until: snapshot.until,
    edges: [...edges.values()],
    touches: [],
    settledTouches: [],
    settleMs: 0,
    // Each hop as an OpenLineage hop with no run: one whose counts were never compared has no finding to keep.
    lineage: [...edges.values()].map((e) => ({
      source: e.source,
      target: e.target,
      job: e.integration,
      runs: 0,
      countedRuns: 0,
      read: 0,
      written: 0,
      lossiestRuns: [],
    })),
    systemCounts: [],
  });
}

/**
 * Records lost along a domain's hop chain: each hop (or handoff through a messaging system) whose
 * counted difference exceeds the domain's tolerance, once per hop however many chains run through it.
 * The rule is in analyzer/hops/hop-chain.ts and docs/lineage.md ("Records per hop").
 * A hop the window cannot judge — no run of it completed, none counted its records, a handoff with a side not counted
 * or sampled — is no verdict (held, with the reason), not a hop without loss: its open finding is kept as it is. So is
 * a hop observed before and with no run in the window, unless its flow is retired.
 */
export const hopRecordLoss: HoldingDetector = ({ snapshot }) => {
  const out = new Map<string, FindingCandidate>();
  const held = new Map<string, string>();
  const judge = (chain: HopChain, i: number, hop: Hop, absent?: (at: 'hop' | 'handoff') => string) => {
    for (const at of ['handoff', 'hop'] as const) {
      if (at === 'handoff' && !hop.handoff) continue;
      const key = keyOf(chain, hop, at);
      if (out.has(key) || held.has(key)) continue;
      if (at === 'hop' ? hop.lost : hop.handoff?.lost) {
        out.set(key, candidate(chain, i, hop, at, snapshot.since, snapshot.until));
        continue;
      }
      const reason = absent ? absent(at) : noVerdict(snapshot, hop, at);
      if (reason) held.set(key, reason);
    }
  };
  for (const chain of snapshot.hopChains ?? []) chain.hops.forEach((hop, i) => judge(chain, i, hop));
  // Judged in the window or not, a hop in the window's chains has its verdict above; the others had no run in it.
  const seen = new Set<string>();
  for (const chain of snapshot.hopChains ?? [])
    for (const hop of chain.hops) seen.add(`${chain.domain}\u0000${hop.source}\u0000${hop.target}\u0000${hop.integration}`);
  for (const chain of everObservedChains(snapshot))
    chain.hops.forEach((hop, i) => {
      if (seen.has(`${chain.domain}\u0000${hop.source}\u0000${hop.target}\u0000${hop.integration}`)) return;
      judge(chain, i, hop, (at) => (at === 'hop' ? 'no run of this hop in the window' : `no run of ${hop.integration} reading ${hop.source} in the window`));
    });
  const detections: Detections = { candidates: [...out.values()], held: [...held].map(([key, reason]) => ({ kind: 'hop-record-loss', key, reason })) };
  return detections;
};
