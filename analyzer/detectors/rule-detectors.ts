import { errorRateMinTraces, flowThresholds, latencyMinTraces, type Domain, type Flow } from '../../core/catalog/index.ts';
import type { Detections, FindingCandidate, FindingKind } from '../../core/contracts/index.ts';
import { compareCodePoints, count } from '../../core/text/index.ts';
import { combineEdges, flowOfHalf, isIntegrationNode, type AttributedEdge } from '../model/snapshot.ts';
import { sampleTraces, subject, type Detector, type HoldingDetector } from './detector.ts';
import type { Snapshot } from '../model/snapshot.ts';

/**
 * A documented flow that copies a domain into one of its replicas is an approved copy path, whatever
 * its source (a chain through a topic, a hub): the catalog says this copy is meant. Retired flows approve nothing.
 */
function approvedCopyPath(flows: Map<string, Flow>, e: AttributedEdge, domain: Domain, half: Flow | undefined): boolean {
  const flow = e.flowId ? flows.get(e.flowId) : half;
  return Boolean(flow && flow.lifecycle !== 'retired' && (flow.domain ?? e.domain) === domain.id && domain.replicas.includes(e.target));
}

/**
 * One finding per key of findings made per edge: the edges of one flow's several services (and, for a key without the
 * integration, of several integrations) were each a finding under the same key, so the same id. The first's title,
 * subject and hint; traces and records summed; the latest lastSeen; the integrations and up to 3 sample traces of all.
 */
function oneByKey(found: FindingCandidate[]): FindingCandidate[] {
  const byKey = new Map<string, FindingCandidate>();
  for (const f of found) {
    const seen = byKey.get(f.key);
    const integrations = [String(f.evidence.integration)];
    if (!seen) {
      byKey.set(f.key, { ...f, evidence: { ...f.evidence, integrations } });
      continue;
    }
    const a = seen.evidence;
    const b = f.evidence;
    seen.subject = { ...seen.subject, flows: [...new Set([...seen.subject.flows, ...f.subject.flows])].sort(compareCodePoints) };
    const all = [...new Set([...(a.integrations as string[]), ...integrations])].sort(compareCodePoints);
    seen.evidence = {
      ...a,
      // The first in code-point order, whatever order the edges came in.
      integration: all[0],
      integrations: all,
      traces: Number(a.traces) + Number(b.traces),
      records: Number(a.records) + Number(b.records),
      lastSeen: [String(a.lastSeen), String(b.lastSeen)].sort().at(-1),
      sampleTraceIds: sampleTraces([...(a.sampleTraceIds as string[]), ...(b.sampleTraceIds as string[])]),
    };
  }
  return [...byKey.values()];
}

/**
 * The queues and topics of the catalog: systems that only `destinations` rules recognise (no hosts, URL prefixes,
 * databases, peer services or runtimes of their own). They hold messages in transit and make no data of their own.
 */
function relaySystems(snapshot: Snapshot): Set<string> {
  return new Set(
    snapshot.catalog.systems
      .filter((s) => {
        const m = s.match ?? {};
        const others = [m.hosts, m.urlPrefixes, m.databases, m.peerServices, m.services].some((r) => (r?.length ?? 0) > 0);
        return (m.destinations?.length ?? 0) > 0 && !others;
      })
      .map((s) => s.id),
  );
}

/**
 * Whether the queue or topic `relay` carries only what `feeders` wrote into it, as far as Weft knows: every edge into it
 * in the window and every documented flow into it that is not retired come from one of them, and at least one does. What
 * is read from it is then theirs: an ERP's worker that consumes the commands the ERP itself published writes the ERP's
 * own data into the ERP, and a replica fed from a topic only the system of record publishes to is fed by the system of
 * record.
 */
function fedOnlyBy(snapshot: Snapshot, relay: string, feeders: readonly string[], writerOf: (e: AttributedEdge) => string): boolean {
  const writers = [
    ...snapshot.edges.filter((e) => e.target === relay).map(writerOf),
    ...snapshot.catalog.flows.filter((f) => f.target === relay && f.lifecycle !== 'retired').map((f) => f.source),
  ];
  return writers.length > 0 && writers.every((w) => feeders.includes(w));
}

/**
 * A domain written into its system of record from another system, or a replica fed from a system
 * that is not the domain's system of record — unless the domain lists the writer in allowedWriters,
 * or (for a replica) a documented flow approves that copy path. A queue or topic that only the system of record and
 * the allowed writers feed (`fedOnlyBy`) writes for them.
 */
export const sorViolation: Detector = ({ snapshot }) => {
  const domains = new Map(snapshot.catalog.domains.map((d) => [d.id, d]));
  const flows = new Map(snapshot.catalog.flows.map((f) => [f.id, f]));
  const relays = relaySystems(snapshot);
  // The write half of a documented flow (its run paired in halves) writes for the flow's source.
  const halfOf = (e: AttributedEdge) => (e.flowId ? undefined : flowOfHalf(snapshot.catalog, e));
  const writerOf = (e: AttributedEdge) => {
    const half = halfOf(e);
    return half && isIntegrationNode(e.source) ? half.source : e.source;
  };
  return oneByKey(
    snapshot.edges.flatMap((e): FindingCandidate[] => {
      const d = domains.get(e.effectiveDomain);
      const half = halfOf(e);
      const writer = writerOf(e);
      if (!d || writer === d.systemOfRecord || d.allowedWriters.includes(writer)) return [];
      if (relays.has(writer) && fedOnlyBy(snapshot, writer, [d.systemOfRecord, ...d.allowedWriters], writerOf)) return [];
      const intoSor = e.target === d.systemOfRecord;
      if (!intoSor && !d.replicas.includes(e.target)) return [];
      if (!intoSor && approvedCopyPath(flows, e, d, half)) return [];
      return [
        {
          kind: 'sor-violation' as const,
          key: `${d.id}:${e.source}->${e.target}`,
          severity: 'high' as const,
          title: intoSor
            ? `${e.source} writes ${d.id} data into ${d.systemOfRecord}, the ${d.id} domain's system of record`
            : `Replica ${e.target} gets ${d.id} data from ${e.source}, not from the system of record ${d.systemOfRecord}`,
          subject: subject([e.source, e.target, d.systemOfRecord], e.flowId ? [e.flowId] : [], [d.id]),
          evidence: {
            domain: d.id,
            systemOfRecord: d.systemOfRecord,
            writer: e.source,
            target: e.target,
            integration: e.integration,
            traces: e.traces,
            records: e.records,
            lastSeen: e.lastSeen,
            sampleTraceIds: [e.sampleTrace].filter(Boolean),
          },
          hint: intoSor
            ? `Route ${d.id} changes through ${d.systemOfRecord} itself, or add ${e.source} to domains.${d.id}.allowedWriters if it is an approved writer (e.g. an MDM hub).`
            : `Feed ${e.target} from ${d.systemOfRecord}, or document this copy path as a flow (source ${e.source}, target ${e.target}, domain ${d.id}) if it is approved.`,
        },
      ];
    }),
  );
};

/** Regulated data (a domain with regulated categories) on an undocumented flow or a flow without owner. */
export const regulatedDataExposure: Detector = ({ snapshot }) => {
  const { catalog } = snapshot;
  return oneByKey(
    snapshot.edges.flatMap((e): FindingCandidate[] => {
      const d = catalog.domains.find((x) => x.id === e.effectiveDomain);
      if (!d || d.regulated.length === 0) return [];
      const flow = e.flowId ? catalog.flows.find((f) => f.id === e.flowId) : flowOfHalf(catalog, e);
      if (flow && flow.owner) return [];
      const why = flow ? 'has no owner' : 'is undocumented';
      return [
        {
          kind: 'regulated-data-exposure' as const,
          key: `${d.id}:${e.source}->${e.target}@${e.integration}`,
          severity: flow ? ('high' as const) : ('critical' as const),
          title: `${d.regulated.join(', ')} data (${d.id}) moves ${e.source} → ${e.target} on a flow that ${why}`,
          subject: subject([e.source, e.target], flow ? [flow.id] : [], [d.id]),
          evidence: {
            domain: d.id,
            regulated: d.regulated,
            integration: e.integration,
            documented: Boolean(flow),
            traces: e.traces,
            records: e.records,
            lastSeen: e.lastSeen,
            sampleTraceIds: [e.sampleTrace].filter(Boolean),
          },
          hint: flow
            ? `Give flow ${flow.id} an owner accountable for ${d.regulated.join(', ')} data.`
            : `Document this flow with an owner and purpose (required for ${d.regulated.join(', ')} data), or stop it.`,
        },
      ];
    }),
  );
};

/** The flows with a latency or error-rate threshold, each with its class, thresholds and stats over the window (null: no run in it). */
function classFlows(snapshot: Parameters<Detector>[0]['snapshot']) {
  return snapshot.catalog.flows.flatMap((f) => {
    const cls = snapshot.catalog.classes.find((c) => c.id === f.class);
    const stats = combineEdges(snapshot.edges.filter((e) => e.flowId === f.id));
    const limits = flowThresholds(f, cls);
    return limits.p95 || limits.p99 || limits.errorRate ? [{ f, cls, stats, limits }] : [];
  });
}

type ClassFlow = ReturnType<typeof classFlows>[number];

/**
 * The verdicts of `kind` on each flow in `flows`, keyed by flow id: `judge` gives a candidate (the condition holds), a
 * reason (no verdict now: too few runs, none at all) or null (the condition does not hold, or the flow is not judged).
 */
function perFlow(kind: FindingKind, flows: ClassFlow[], judge: (x: ClassFlow) => FindingCandidate | string | null): Detections {
  const out: Detections = { candidates: [], held: [] };
  for (const x of flows) {
    const verdict = judge(x);
    if (typeof verdict === 'string') out.held.push({ kind, key: x.f.id, reason: verdict });
    else if (verdict) out.candidates.push(verdict);
  }
  return out;
}

/** Why a flow with `traces` runs in the window has no verdict on `what`, judged on `minTraces`. */
const tooFewRuns = (traces: number, minTraces: number, what: string) =>
  `${traces === 0 ? 'no run' : count(traces, 'run')} in the window, fewer than the ${minTraces} its ${what} is judged on`;

/**
 * A flow whose p95 or p99 latency exceeds its class's threshold over the window, measured on at least `minTraces` traces.
 * Fewer runs (none at all), or runs of no known duration, are no verdict (held), not a latency within the thresholds.
 */
export const latencySloBreach: HoldingDetector = ({ snapshot }) =>
  perFlow('latency-slo-breach', classFlows(snapshot), ({ f, cls, stats, limits }) => {
    if (!limits.p95 && !limits.p99) return null;
    const minTraces = latencyMinTraces(f, snapshot.catalog.classes);
    // A retired flow that no longer runs is no longer judged: its finding resolves.
    if (!stats && f.lifecycle === 'retired') return null;
    if (!stats || stats.traces < minTraces) return tooFewRuns(stats?.traces ?? 0, minTraces, 'latency');
    // No duration known (OpenLineage runs without a START): no verdict on latency.
    const { p95Ms, p99Ms } = stats;
    if (p95Ms === null || p99Ms === null) return 'no duration known for its runs in the window';
    const p95 = limits.p95 !== undefined && p95Ms > limits.p95.value!;
    const p99 = limits.p99 !== undefined && p99Ms > limits.p99.value!;
    if (!p95 && !p99) return null;
    const by = [...new Set([limits.p95?.by, limits.p99?.by].filter(Boolean))].join(' and ');
    return {
      kind: 'latency-slo-breach' as const,
      key: f.id,
      severity: p99 ? ('high' as const) : ('medium' as const),
      title: `Flow ${f.id} is slower than ${by === 'flow' ? 'its own thresholds allow' : `${by} allows`} (p95 ${Math.round(p95Ms)} ms, p99 ${Math.round(p99Ms)} ms)`,
      subject: subject([f.source, f.target], [f.id], f.domain ? [f.domain] : []),
      evidence: {
        class: cls?.id ?? null,
        p50Ms: stats.p50Ms,
        p95Ms: stats.p95Ms,
        p99Ms: stats.p99Ms,
        thresholdP95Ms: limits.p95?.value ?? null,
        thresholdP99Ms: limits.p99?.value ?? null,
        thresholdsFrom: by,
        traces: stats.traces,
        // The slowest run's trace: a sample of what is slow, not any run of the flow.
        sampleTraceIds: [stats.slowestTrace || stats.sampleTrace].filter(Boolean),
      },
      hint: `Look at the slowest spans of the sample trace (the flow's slowest run in the window); if the class is too strict for this flow, give it another class.`,
    };
  });

/**
 * A flow whose share of failed traces exceeds its class's error-rate threshold, measured on at least
 * `errorRateMinTraces` traces over the window (the rule alerting judges by): one failed run of one is no error rate of
 * 100%. Fewer runs (none at all) are no verdict (held), not an error rate within the threshold.
 */
export const errorRate: HoldingDetector = ({ snapshot }) =>
  perFlow('error-rate', classFlows(snapshot), ({ f, cls, stats, limits }) => {
    if (limits.errorRate === undefined) return null;
    const minTraces = errorRateMinTraces(f, snapshot.catalog.classes, Date.parse(snapshot.until) - Date.parse(snapshot.since));
    // A retired flow that no longer runs is no longer judged: its finding resolves.
    if (!stats && f.lifecycle === 'retired') return null;
    if (!stats || stats.traces < minTraces) return tooFewRuns(stats?.traces ?? 0, minTraces, 'error rate');
    if (stats.errorRate <= limits.errorRate.value!) return null;
    const threshold = limits.errorRate.value!;
    return {
      kind: 'error-rate' as const,
      key: f.id,
      severity: 'high' as const,
      title: `Flow ${f.id} fails ${(stats.errorRate * 100).toFixed(1)}% of runs (${limits.errorRate.by === 'flow' ? 'the flow' : limits.errorRate.by} allows ${(threshold * 100).toFixed(1)}%)`,
      subject: subject([f.source, f.target], [f.id], f.domain ? [f.domain] : []),
      evidence: {
        class: cls?.id ?? null,
        traces: stats.traces,
        failedTraces: stats.failedTraces,
        minTraces,
        errorRate: stats.errorRate,
        threshold,
        thresholdFrom: limits.errorRate.by,
        sampleTraceIds: [stats.sampleErrorTrace].filter(Boolean),
      },
      hint: `Open the sample failed trace to see which call fails (a trace with any failed span counts as failed, retries included).`,
    };
  });
