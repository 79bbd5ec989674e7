/**
 * Records per hop (pure): for each domain, the chains of hops that carry its records from the system
 * of record to each replica (or to a system the records go no further from), with the records each
 * hop read and wrote, the difference, and where the count first diverges. The rule that decides a
 * loss is in docs/lineage.md, "Records per hop"; in short, a loss is only called where both sides
 * were counted for the same runs or the same settled window:
 * - an OpenLineage hop (a job's run read rows from the source and wrote rows to the target): per run,
 *   over the runs that reported both `inputStatistics`/`dataQualityMetrics` and `outputStatistics`;
 * - a handoff through a messaging system (a topic or queue in the catalog): the records written into
 *   it in the window up to `settle` ago against those the next hop read from it in the whole window,
 *   so records still in flight are not lost;
 * - a traced hop's own read and write counts are shown, not judged: what a traced call read counts
 *   what it listed (a poll lists the same records again), not what it carried on.
 * A loss is a difference above the domain's drift tolerance (`toleranceAbsolute`, or
 * `tolerancePercent` of the records read, whichever is larger).
 */
import type { Catalog, Domain } from '../../core/catalog/index.ts';

/** Records one OpenLineage job's runs read from `source` and wrote to `target` (runs that reported both counts). */
export interface LineageHopCount {
  source: string;
  target: string;
  /** The job (`namespace/name`): the integration of the hop. */
  job: string;
  /** Completed runs in the window, and those that reported both counts. */
  runs: number;
  countedRuns: number;
  read: number;
  written: number;
  /** The runs that lost most (read − written, largest first), at most a few. */
  lossiestRuns: Array<{ runId: string; read: number; written: number; ended: string }>;
}

/** Records one integration read from (or wrote to) one system over a window, from its spans' `integration.records`. */
export interface TouchCount {
  system: string;
  integration: string;
  direction: string;
  records: number;
  sampleTrace: string;
}

/** The latest record count a probe read from a system, for a domain. */
export interface SystemCount {
  system: string;
  domain: string;
  probeId: string;
  records: number;
  at: string;
}

/** An observed flow edge, as far as the hop chain needs it. */
export interface HopEdge {
  source: string;
  target: string;
  integration: string;
  flowId: string | null;
  effectiveDomain: string;
  traces: number;
  records: number;
  sampleTrace: string;
}

/** Everything the chains are built from: plain data read by `hop-counts.ts`. */
export interface HopInput {
  catalog: Catalog;
  since: string;
  until: string;
  edges: HopEdge[];
  /** Record counts per integration, system and direction over [since, until]. */
  touches: TouchCount[];
  /** The same, over [since, until − settle]: what was written early enough to have been read by `until`. */
  settledTouches: TouchCount[];
  /** How long records may be in flight (ms): the largest drift `settle` of the domains. */
  settleMs: number;
  lineage: LineageHopCount[];
  systemCounts: SystemCount[];
  /**
   * Integrations whose spans reached Weft sampled in the window (OpenTelemetry probability sampling, `ot=th:…`:
   * analyzer/flows/sampling.ts): their records are those of the runs that arrived, a tenth at 10%, and a handoff
   * they write or read is shown, not judged. Absent: none.
   */
  sampledIntegrations?: ReadonlySet<string>;
}

/** A comparison of two counts: both known, the difference (positive: records lost), beyond tolerance or not. */
export interface CountCheck {
  read: number | null;
  written: number | null;
  /** read − written for a hop; written − read for a handoff (records that went in and did not come out); null unless both are known. */
  difference: number | null;
  tolerance: number;
  /** Whether the rule judges this comparison at all (both sides counted for the same runs or window). */
  judged: boolean;
  lost: boolean;
}

/** One hop of a chain: an integration reading `source` and writing `target`. */
export interface Hop extends CountCheck {
  source: string;
  target: string;
  integration: string;
  flowId: string | null;
  via: 'openlineage' | 'trace';
  /**
   * What `read` and `written` count. `runs`: the rows each completed OpenLineage run reported (its `units`).
   * `spans`: the records (`integration.records`) the integration's spans reported reading from the source and
   * writing to the target, of every span received in the window, its trace paired or not — not a flow summary's
   * records, which count each paired run once (what it wrote to the target), so the two differ while runs are
   * being paired, and where writes report no count.
   */
  recordsFrom: 'runs' | 'spans';
  /** Runs compared (OpenLineage), or paired traces (runs) of the flow edge (traced). */
  units: number;
  countedUnits: number;
  evidence: { runs: LineageHopCount['lossiestRuns']; traceIds: string[] };
  /** Into this hop's source: records written into a messaging system before against what this hop read from it. */
  handoff: (CountCheck & { system: string; writers: string[]; traceIds: string[]; sampled?: string[] }) | null;
}

/** Where records were first lost along a chain: the hop, and whether inside it or at the handoff into it. */
export interface Divergence {
  hop: number;
  at: 'hop' | 'handoff';
  source: string;
  target: string;
  integration: string;
  lost: number;
}

/** One path from the system of record to a replica (or a system the domain goes no further from). */
export interface HopChain {
  domain: string;
  systemOfRecord: string;
  /** The last system of the chain; `replica` says whether the domain lists it as one. */
  end: string;
  replica: boolean;
  hops: Hop[];
  /** The latest probe count of each system on the chain (null: no count probe for it in this domain). */
  counts: Array<{ system: string; records: number | null; probeId: string | null; at: string | null }>;
  firstDivergence: Divergence | null;
}

/** At most this many hops per chain and chains per domain: an estate's sprawl cannot blow up the evaluation. */
export const MAX_HOPS = 8;
export const MAX_CHAINS_PER_DOMAIN = 50;
/** Messaging systems, by catalog kind: what is written into them must come out (per consumer). */
const MESSAGING_KINDS: ReadonlySet<string> = new Set(['topic', 'queue', 'stream', 'broker', 'messaging']);

/** The domain's tolerance for a count: `toleranceAbsolute` records, or `tolerancePercent` of it, whichever is larger. */
export function hopTolerance(domain: Domain, base: number): number {
  return Math.max(domain.drift.toleranceAbsolute, (domain.drift.tolerancePercent / 100) * Math.max(0, base));
}

function check(read: number | null, written: number | null, difference: (r: number, w: number) => number, base: number | null, domain: Domain): CountCheck {
  const tolerance = hopTolerance(domain, base ?? 0);
  if (read === null || written === null) return { read, written, difference: null, tolerance, judged: false, lost: false };
  const d = difference(read, written);
  return { read, written, difference: d, tolerance, judged: true, lost: d > tolerance };
}

const sumOf = (touches: TouchCount[], f: (t: TouchCount) => boolean) => touches.filter(f).reduce((n, t) => n + t.records, 0);
/** A side counts only when the window reports records for it (0 means "not reported", not "none"). */
const known = (n: number) => (n > 0 ? n : null);

function buildHop(input: HopInput, domain: Domain, e: HopEdge, previous: HopEdge | undefined): Hop {
  const lineage = input.lineage.find((l) => l.source === e.source && l.target === e.target && l.job === e.integration);
  const handoff = previous ? buildHandoff(input, domain, e) : null;
  if (lineage) {
    const c = lineage.countedRuns > 0 ? check(lineage.read, lineage.written, (r, w) => r - w, lineage.read, domain) : check(null, null, () => 0, 0, domain);
    return {
      ...c,
      source: e.source,
      target: e.target,
      integration: e.integration,
      flowId: e.flowId,
      via: 'openlineage',
      recordsFrom: 'runs',
      units: lineage.runs,
      countedUnits: lineage.countedRuns,
      evidence: { runs: lineage.lossiestRuns.filter((r) => r.read > r.written), traceIds: [] },
      handoff,
    };
  }
  const read = known(sumOf(input.touches, (t) => t.integration === e.integration && t.system === e.source && t.direction === 'read'));
  const written = known(sumOf(input.touches, (t) => t.integration === e.integration && t.system === e.target && t.direction === 'write'));
  const c = check(read, written, (r, w) => r - w, read, domain);
  return {
    ...c,
    // Shown, not judged (see the rule above).
    judged: false,
    lost: false,
    source: e.source,
    target: e.target,
    integration: e.integration,
    flowId: e.flowId,
    via: 'trace',
    recordsFrom: 'spans',
    units: e.traces,
    countedUnits: read !== null && written !== null ? e.traces : 0,
    evidence: { runs: [], traceIds: [e.sampleTrace].filter(Boolean) },
    handoff,
  };
}

/** Records written into the hop's source (a messaging system) early enough to be read, against what this hop read from it. */
function buildHandoff(input: HopInput, domain: Domain, e: HopEdge): Hop['handoff'] {
  const kind = input.catalog.systems.find((s) => s.id === e.source)?.kind ?? '';
  if (!MESSAGING_KINDS.has(kind)) return null;
  const writes = input.settledTouches.filter((t) => t.system === e.source && t.direction === 'write');
  const reads = input.touches.filter((t) => t.system === e.source && t.direction === 'read' && t.integration === e.integration);
  const written = known(sumOf(writes, () => true));
  const read = known(sumOf(reads, () => true));
  const writers = [...new Set(writes.map((t) => t.integration))].sort();
  // A side whose runs reached Weft sampled counts a fraction of its records: a consumer sampled at 10% read "a tenth"
  // of what an unsampled publisher wrote. Its counts are shown, not compared.
  const sampled = [...new Set([...writers, e.integration])].filter((i) => input.sampledIntegrations?.has(i)).sort();
  const c = check(read, written, (r, w) => w - r, written, domain);
  return {
    ...(sampled.length > 0 ? { ...c, judged: false, lost: false, sampled } : c),
    system: e.source,
    writers,
    traceIds: [...new Set([...writes, ...reads].map((t) => t.sampleTrace).filter(Boolean))].slice(0, 3),
  };
}

function firstDivergence(hops: Hop[]): Divergence | null {
  for (const [i, h] of hops.entries()) {
    if (h.handoff?.lost) return { hop: i, at: 'handoff', source: h.source, target: h.target, integration: h.integration, lost: h.handoff.difference ?? 0 };
    if (h.lost) return { hop: i, at: 'hop', source: h.source, target: h.target, integration: h.integration, lost: h.difference ?? 0 };
  }
  return null;
}

/** Simple paths of the domain's edges from its system of record, each ending at a replica or where the records go no further. */
function paths(domain: Domain, edges: HopEdge[]): HopEdge[][] {
  const out = new Map<string, HopEdge[]>();
  const bySource = new Map<string, HopEdge[]>();
  for (const e of edges) bySource.set(e.source, [...(bySource.get(e.source) ?? []), e]);
  const walk = (at: string, path: HopEdge[], visited: Set<string>) => {
    if (out.size >= MAX_CHAINS_PER_DOMAIN) return;
    const next = path.length < MAX_HOPS ? (bySource.get(at) ?? []).filter((e) => !visited.has(e.target)) : [];
    if (path.length > 0 && (domain.replicas.includes(at) || next.length === 0))
      out.set(path.map((e) => `${e.source}>${e.target}@${e.integration}`).join('|'), path);
    for (const e of next) walk(e.target, [...path, e], new Set([...visited, e.target]));
  };
  walk(domain.systemOfRecord, [], new Set([domain.systemOfRecord]));
  return [...out.values()];
}

/**
 * The hop chains of every domain of the catalog over the input's window, systems of record first in
 * catalog order. Edges count for a domain when they carry it (their own domain, or their documented flow's).
 */
export function buildHopChains(input: HopInput): HopChain[] {
  return input.catalog.domains.flatMap((domain) => {
    const edges = input.edges.filter((e) => e.effectiveDomain === domain.id && !e.source.startsWith('integration:') && !e.target.startsWith('integration:'));
    return paths(domain, edges).map((path) => {
      const hops = path.map((e, i) => buildHop(input, domain, e, path[i - 1]));
      const systems = [domain.systemOfRecord, ...path.map((e) => e.target)];
      const end = systems.at(-1)!;
      return {
        domain: domain.id,
        systemOfRecord: domain.systemOfRecord,
        end,
        replica: domain.replicas.includes(end),
        hops,
        counts: systems.map((system) => {
          const c = input.systemCounts.find((s) => s.system === system && s.domain === domain.id);
          return { system, records: c?.records ?? null, probeId: c?.probeId ?? null, at: c?.at ?? null };
        }),
        firstDivergence: firstDivergence(hops),
      };
    });
  });
}
