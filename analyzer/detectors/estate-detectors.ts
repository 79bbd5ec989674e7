import { allowedSilence, type Flow, type SloClass } from '../../core/catalog/index.ts';
import { formatDuration } from '../../core/time/index.ts';
import type { LineageJobRuns } from '../hops/lineage-runs.ts';
import { combineEdges, edgesDomain, flowOfHalf, isHalfOf, isIntegrationNode, isRunOf, silentSince, type Snapshot } from '../model/snapshot.ts';
import { groupBy } from '../../core/collections/index.ts';
import { compareCodePoints } from '../../core/text/index.ts';
import { unknownSystemUses } from '../model/unknown-systems.ts';
import { sampleTraces, subject, type Detector, type HoldingDetector } from './detector.ts';
import type { HeldVerdict } from '../../core/contracts/index.ts';
import { absenceUnjudged } from '../flows/weft-downtime.ts';
import { flowSilenceMs, formatProbability } from '../flows/sampling.ts';

/**
 * Observed source → target carried by an integration that no catalog flow documents: one finding per flow (its
 * edges of every service of the integration), with the flow's domain as the inventory takes it (`edgesDomain`).
 */
export const undocumentedFlow: Detector = ({ snapshot }) => {
  const flows = groupBy(
    snapshot.edges.filter((e) => e.mark === 'undocumented' && !flowOfHalf(snapshot.catalog, e)),
    (e) => `${e.source}->${e.target}@${e.integration}`,
  );
  return [...flows].map(([key, list]) => {
    const e = list[0];
    const stats = combineEdges(list)!;
    const domain = edgesDomain(list);
    const services = [...new Set(list.map((x) => x.service))].sort(compareCodePoints);
    return {
      kind: 'undocumented-flow' as const,
      key,
      severity: 'medium' as const,
      title: `Undocumented flow ${e.source} → ${e.target} (${e.integration})`,
      subject: subject(
        [e.source, e.target].filter((s) => !isIntegrationNode(s)),
        [],
        domain ? [domain] : [],
      ),
      evidence: {
        integration: e.integration,
        service: services[0],
        services,
        traces: stats.traces,
        records: stats.records,
        firstSeen: stats.firstSeen,
        lastSeen: stats.lastSeen,
        sampleTraceIds: sampleTraces(list.map((x) => x.sampleTrace)),
      },
      hint: `Add a flow with source ${e.source}, target ${e.target} and runtime ${services.length === 1 && e.integration === services[0] ? `{ service: ${services[0]} }` : `{ flow: ${e.integration} }`} to the catalog, with an owner — or stop the integration if it should not exist.`,
    };
  });
};

/**
 * Endpoints no catalog system matches: shadow IT, or a system missing match rules. Its lists in code-point order: the
 * touches and edges come in no set order, and the title and evidence must not change with it.
 */
export const unknownSystem: Detector = ({ snapshot }) =>
  [...unknownSystemUses(snapshot)].map(([system, touches]) => {
    const integrations = [...new Set(touches.map((t) => t.integration))].sort(compareCodePoints);
    return {
      kind: 'unknown-system' as const,
      key: system,
      severity: 'medium' as const,
      title: `Unknown system ${system.slice('unknown:'.length)} is used by ${integrations.join(', ')}`,
      subject: subject([system]),
      evidence: {
        endpoint: system.slice('unknown:'.length),
        integrations,
        directions: [...new Set(touches.map((t) => t.direction))].sort(),
        spans: touches.reduce((n, t) => n + t.spans, 0),
        lastSeen: touches
          .map((t) => t.lastSeen)
          .sort()
          .at(-1),
        sampleTraceIds: sampleTraces(touches.map((t) => t.sampleTrace)),
      },
      hint: 'Declare the system in the catalog with a match rule (hosts, urlPrefixes, databases, destinations or peerServices) and an owner, or add the rule to the system it belongs to.',
    };
  });

/** Catalog systems, flows and domains without an owner. */
export const ownerMissing: Detector = ({ snapshot }) => {
  const { catalog } = snapshot;
  const sors = new Set(catalog.domains.map((d) => d.systemOfRecord));
  const hint = (what: string) => `Set owner on ${what} to one of the owners in the catalog (add the team under owners first if needed).`;
  return [
    ...catalog.systems
      .filter((s) => !s.owner && s.lifecycle !== 'retired')
      .map((s) => ({
        kind: 'owner-missing' as const,
        key: `system:${s.id}`,
        severity: sors.has(s.id) ? ('high' as const) : ('low' as const),
        title: `System ${s.id} has no owner`,
        subject: subject([s.id]),
        evidence: { systemOfRecordFor: catalog.domains.filter((d) => d.systemOfRecord === s.id).map((d) => d.id) },
        hint: hint(`system ${s.id}`),
      })),
    ...catalog.flows
      .filter((f) => !f.owner && f.lifecycle !== 'retired')
      .map((f) => ({
        kind: 'owner-missing' as const,
        key: `flow:${f.id}`,
        severity: 'medium' as const,
        title: `Flow ${f.id} has no owner`,
        subject: subject([f.source, f.target], [f.id], f.domain ? [f.domain] : []),
        evidence: { source: f.source, target: f.target },
        hint: hint(`flow ${f.id}`),
      })),
    ...catalog.domains
      .filter((d) => !d.owner)
      .map((d) => ({
        kind: 'owner-missing' as const,
        key: `domain:${d.id}`,
        severity: d.regulated.length ? ('medium' as const) : ('low' as const),
        title: `Domain ${d.id} has no owner`,
        subject: subject([d.systemOfRecord], [], [d.id]),
        evidence: { regulated: d.regulated },
        hint: hint(`domain ${d.id}`),
      })),
  ];
};

/**
 * How long Weft must have been observing (ms) before a flow's absence means something: its allowed silence, at most the
 * window, else the window; for a flow Weft has never seen run (`seen` false), its whole allowed silence. Capped at the
 * window, a weekly or monthly job that had not run since Weft was installed was `flow-never-observed` a window after the
 * install, days before it was due.
 */
function dueAfterMs(flow: Flow, classes: SloClass[], windowMs: number, sampled: Snapshot['sampled'], seen: boolean): number {
  const allowed = allowedSilence(flow, classes)?.ms;
  if (allowed === undefined) return windowMs;
  const silence = flowSilenceMs(flow, allowed, sampled).ms;
  return seen ? Math.min(silence, windowMs) : silence;
}

/**
 * When a flow was last seen running, all time (ISO), or undefined: for a flow run by an OpenLineage job
 * (its `runtime.flow`), its last COMPLETEd run's nominal time within the lineage look-back; else the
 * newest paired edge between its systems from its runtime. One rule for stale-flow and flow-never-observed.
 * `arrived`: for a traced flow, when Weft received its newest run, by Weft's clock (ISO; undefined for an OpenLineage
 * job, whose nominal time is the job's own statement, and for runs paired before arrivals were kept). `services`: the
 * services its traced runs came from (none for an OpenLineage job), whose sampling `flowSilenceMs` reads.
 */
function lastRun(
  flow: Flow,
  snapshot: Snapshot,
): { seen: string | undefined; arrived: string | undefined; lineage: LineageJobRuns | undefined; services: string[] } {
  const lineage = flow.runtime?.flow ? snapshot.lineageRuns?.find((r) => r.job === flow.runtime.flow) : undefined;
  if (lineage) return { seen: lineage.lastCompleteDue ?? undefined, arrived: undefined, lineage, services: [] };
  // A half of the flow's run (its read alone, or its write alone: a delta sync that found nothing to write, a run whose
  // read and write were paired apart, tail sampling that kept one side) is a run of the flow too.
  const edges = snapshot.lastSeen.filter((s) => isRunOf(flow, s));
  const newest = (times: Array<string | undefined>) =>
    times
      .filter((t): t is string => t !== undefined)
      .sort()
      .at(-1);
  // The services its runs came from: whose sampling counts for a flow named by its integration alone (flowSampling).
  const services = [...new Set(edges.map((s) => s.service))];
  return { seen: newest(edges.map((s) => s.lastSeen)), arrived: newest(edges.map((s) => s.lastArrived)), lineage, services };
}

/** Since when a flow has been silent (epoch ms; `silentSince`): its run's own time alone for an OpenLineage job. */
function silentSinceMs(last: { seen: string | undefined; arrived: string | undefined }): number {
  return Date.parse(silentSince({ lastSeen: last.seen!, lastArrived: last.arrived }));
}

/** A run's spans arriving this much later (ms) than their own end say a clock behind Weft's, or an exporter holding them back. */
const ARRIVAL_LAG_WORTH_SAYING_MS = 60_000;

/**
 * Up to when a flow's silence is known (epoch ms): for a flow seen through paired traces, the pairing horizon
 * (`pairedUntil`, at most `now`): a run after it may have arrived and not be paired yet, so a pairing run that is
 * late (a loaded machine, a long catch-up) is not read as an integration that stopped. For an OpenLineage job,
 * `now`: its run events are read as they arrive, not paired.
 */
function silenceKnownUntil(snapshot: Snapshot, now: Date, lineage: LineageJobRuns | undefined): number {
  if (lineage) return now.getTime();
  return Math.min(now.getTime(), Date.parse(snapshot.pairedUntil));
}

/**
 * Documented active flows with no traffic in the window. A flow is not "never observed" before it
 * was due: Weft must have observed (and paired, past the late-arrival window) for longer than the
 * flow may be silent — a fresh install is not an alarm. Nor is a flow that may be silent for longer than
 * the part of the window pairing has got through and was seen within that silence (a flow run every 5 minutes, absent
 * from a 30 s window, ran 2 minutes ago; a flow run every 12 hours whose newest run is stored and not paired yet, its
 * run before ending within 24 hours of where pairing got to): its absence from the window says nothing; stale-flow
 * tells when it stops. Nor is a flow whose last run Weft received within the window, whatever the run's own clock says.
 * No verdict (held: an open finding is kept as it is) while nothing in the window is paired yet, or while the flow's
 * absence runs across Weft's own downtime and Weft has not watched, since it came back, for as long as the flow may be
 * silent (its allowed silence, else the window: `absenceUnjudged`).
 */
export const flowNeverObserved: HoldingDetector = ({ snapshot, now }) => {
  const windowMs = Date.parse(snapshot.until) - Date.parse(snapshot.since);
  // The part of the window pairing has got through: a run after it may be stored and not paired yet.
  const pairedWindowMs = Math.max(0, Math.min(Date.parse(snapshot.until), Date.parse(snapshot.pairedUntil)) - Date.parse(snapshot.since));
  const observedMs = snapshot.observingSince ? Date.parse(snapshot.pairedUntil) - Date.parse(snapshot.observingSince) : 0;
  // How long the flow may be silent (ms; undefined: no schedule or class says). Runs sampled by their sender reach Weft further apart (analyzer/flows/sampling.ts).
  const silenceOf = (f: Flow, last: ReturnType<typeof lastRun>) => {
    const allowed = allowedSilence(f, snapshot.catalog.classes)?.ms;
    return allowed === undefined ? undefined : flowSilenceMs(f, allowed, snapshot.sampled, last.seen, last.services).ms;
  };
  const seenLately = (f: Flow, last: ReturnType<typeof lastRun>) => {
    // Received within the window, though its runs' own clocks put them before it (a writer's clock behind Weft's, or a
    // time zone taken for UTC): observed, not missing.
    if (last.arrived !== undefined && Date.parse(last.arrived) >= Date.parse(snapshot.since) && Date.parse(last.arrived) <= Date.parse(snapshot.until))
      return true;
    const silence = silenceOf(f, last);
    if (silence === undefined || silence <= pairedWindowMs) return false;
    return last.seen !== undefined && silenceKnownUntil(snapshot, now, last.lineage) - silentSinceMs(last) <= silence;
  };
  // Why the flow's absence has no verdict now, or null.
  const unjudged = (f: Flow, last: ReturnType<typeof lastRun>) => {
    if (pairedWindowMs === 0 && !last.lineage) return `nothing in the window is paired yet (paired up to ${snapshot.pairedUntil})`;
    const since = last.seen !== undefined ? silentSinceMs(last) : undefined;
    return absenceUnjudged(snapshot.downtime, since, silenceKnownUntil(snapshot, now, last.lineage), silenceOf(f, last) ?? windowMs);
  };
  const held: HeldVerdict[] = [];
  const candidates = snapshot.catalog.flows
    .filter((f) => f.lifecycle === 'active' && !snapshot.edges.some((e) => e.flowId === f.id || (e.flowId === null && isHalfOf(f, e))))
    .filter((f) => {
      const last = lastRun(f, snapshot);
      if (observedMs < dueAfterMs(f, snapshot.catalog.classes, windowMs, snapshot.sampled, last.seen !== undefined) || seenLately(f, last)) return false;
      const reason = unjudged(f, last);
      if (reason !== null) held.push({ kind: 'flow-never-observed', key: f.id, reason });
      return reason === null;
    })
    .map((f) => ({
      kind: 'flow-never-observed' as const,
      key: f.id,
      severity: 'medium' as const,
      title: `Documented flow ${f.id} (${f.source} → ${f.target}) was not observed since ${snapshot.since}`,
      subject: subject([f.source, f.target], [f.id], f.domain ? [f.domain] : []),
      evidence: { window: { since: snapshot.since, until: snapshot.until }, runtime: f.runtime, traces: 0 },
      hint: `Check that ${f.runtime.service ?? f.runtime.flow ?? 'the integration'} is running and exports traces to Weft with spans touching ${f.source} and ${f.target}; if the flow is gone, set lifecycle: retired.`,
    }));
  return { candidates, held };
};

/** Deprecated or retired flows and systems that still carry traffic. */
export const deprecatedInUse: Detector = ({ snapshot }) => {
  const { catalog } = snapshot;
  const lifecycleSince = new Map(Object.entries(snapshot.lifecycleSince ?? {}));
  // Use up to the moment the lifecycle changed is not use of a deprecated or retired flow: a flow stopped, then
  // retired, was reported as still running for as long as its last run stayed in the window.
  const usedAfter = (key: string, lastSeen: string) => {
    const since = lifecycleSince.get(key);
    return since === undefined || Date.parse(lastSeen) > Date.parse(since);
  };
  // Nor is a run Weft received before the change, whatever its own clock says: a writer's clock ahead of Weft's put a run
  // that ended a minute before the flow was retired after it (a run ends no later than it arrives).
  const receivedAfter = (f: Flow) => {
    const arrived = lastRun(f, snapshot).arrived;
    return arrived === undefined || usedAfter(`flow:${f.id}`, arrived);
  };
  const flows = catalog.flows
    .filter((f) => f.lifecycle !== 'active')
    .flatMap((f) => {
      const stats = combineEdges(snapshot.edges.filter((e) => e.flowId === f.id));
      if (!stats || !usedAfter(`flow:${f.id}`, stats.lastSeen) || !receivedAfter(f)) return [];
      return [
        {
          kind: 'deprecated-in-use' as const,
          key: `flow:${f.id}`,
          severity: f.lifecycle === 'retired' ? ('high' as const) : ('medium' as const),
          title: `${f.lifecycle === 'retired' ? 'Retired' : 'Deprecated'} flow ${f.id} still runs`,
          subject: subject([f.source, f.target], [f.id], f.domain ? [f.domain] : []),
          evidence: { lifecycle: f.lifecycle, traces: stats.traces, lastSeen: stats.lastSeen, sampleTraceIds: [stats.sampleTrace].filter(Boolean) },
          hint: `Switch ${f.runtime.service ?? f.runtime.flow ?? 'its runtime'} off or move its consumers to the replacement flow; if it is in use on purpose, set lifecycle: active.`,
        },
      ];
    });
  const systems = catalog.systems
    .filter((s) => s.lifecycle !== 'active')
    .flatMap((s) => {
      const touches = snapshot.touches.filter((t) => t.system === s.id && usedAfter(`system:${s.id}`, t.lastSeen));
      if (touches.length === 0) return [];
      return [
        {
          kind: 'deprecated-in-use' as const,
          key: `system:${s.id}`,
          severity: s.lifecycle === 'retired' ? ('high' as const) : ('medium' as const),
          title: `${s.lifecycle === 'retired' ? 'Retired' : 'Deprecated'} system ${s.id} is still used by ${[...new Set(touches.map((t) => t.integration))].join(', ')}`,
          subject: subject([s.id]),
          evidence: {
            lifecycle: s.lifecycle,
            integrations: [...new Set(touches.map((t) => t.integration))],
            spans: touches.reduce((n, t) => n + t.spans, 0),
            lastSeen: touches
              .map((t) => t.lastSeen)
              .sort()
              .at(-1),
            sampleTraceIds: [...new Set(touches.map((t) => t.sampleTrace))].slice(0, 3),
          },
          hint: `Move the integrations listed off ${s.id}, or set its lifecycle back to active.`,
        },
      ];
    });
  return [...flows, ...systems];
};

/**
 * A scheduled flow not seen for longer than its class allows: the silent failure. A flow run by an
 * OpenLineage job (its `runtime.flow`) is seen when a run completes, as of the run's nominal time
 * (the `nominalTime` facet; else its end); runs that FAIL or ABORT do not count (they are errors).
 * The silence is counted up to what Weft has paired (`evidence.observedUntil`, see silenceKnownUntil), not to
 * the clock: Weft being behind is not the integration stopping. A silence that runs across Weft's own downtime is no
 * verdict (held: an open finding is kept as it is) until Weft has watched, since it came back, for the silence the flow
 * is allowed (`absenceUnjudged`): a run may have happened while no Weft was there to see it.
 */
export const staleFlow: HoldingDetector = ({ snapshot, now }) => {
  const { catalog } = snapshot;
  const held: HeldVerdict[] = [];
  const candidates = catalog.flows
    .filter((f) => f.lifecycle === 'active' && f.schedule)
    .flatMap((f) => {
      const allowed = allowedSilence(f, catalog.classes);
      if (!allowed) return [];
      // An OpenLineage job is fresh by its last COMPLETEd run's nominal time, not by any run (a FAIL is an error,
      // not a run); with none in the look-back, it has been silent at least since the look-back's start.
      const last = lastRun(f, snapshot);
      const lineage = last.lineage;
      // Runs its sender sampled reach Weft further apart: the silence allowed grows with it (analyzer/flows/sampling.ts).
      const { ms: limitMs, sampling } = lineage
        ? { ms: allowed.ms, sampling: undefined }
        : flowSilenceMs(f, allowed.ms, snapshot.sampled, last.seen, last.services);
      const seen = lineage ? (last.seen ?? lineage.lookbackSince) : last.seen;
      if (!seen) return [];
      const knownUntil = silenceKnownUntil(snapshot, now, lineage);
      const silentSince = silentSinceMs({ seen, arrived: last.arrived });
      const silentMs = knownUntil - silentSince;
      if (silentMs <= limitMs) return [];
      const reason = absenceUnjudged(snapshot.downtime, silentSince, knownUntil, limitMs);
      if (reason !== null) {
        held.push({ kind: 'stale-flow', key: f.id, reason });
        return [];
      }
      const lagMs = last.arrived === undefined ? 0 : Date.parse(last.arrived) - Date.parse(seen);
      const runs = lineage
        ? {
            via: 'openlineage',
            lastCompletedRun: lineage.lastCompleteRun || null,
            completedInLookback: lineage.lastCompleteDue !== null,
            failedRuns: lineage.failedRuns,
            lastFailedRun: lineage.lastFailedRun || null,
          }
        : {};
      return [
        {
          kind: 'stale-flow' as const,
          key: f.id,
          severity: 'high' as const,
          title: `Flow ${f.id} has not run for ${formatDuration(silentMs)} (allowed ${formatDuration(limitMs)}${sampling ? `: its runs reach Weft sampled at ${formatProbability(sampling.probability)}` : ''})`,
          subject: subject([f.source, f.target], [f.id], f.domain ? [f.domain] : []),
          evidence: {
            lastSeen: seen,
            ...(last.arrived !== undefined ? { lastArrived: last.arrived } : {}),
            silentForMs: silentMs,
            observedUntil: new Date(knownUntil).toISOString(),
            allowedMs: limitMs,
            allowedBy: sampling ? 'sampling' : allowed.by,
            ...(sampling
              ? { allowedUnsampledMs: allowed.ms, sampling: { service: sampling.service, probability: sampling.probability, spans: sampling.spans } }
              : {}),
            schedule: f.schedule,
            class: f.class ?? null,
            ...runs,
          },
          hint:
            `Check ${f.runtime.service ?? f.runtime.flow ?? 'the integration'}: it is expected to run ${f.schedule?.every ? `every ${f.schedule.every}` : `on "${f.schedule?.cron}"`} and has stopped without reporting errors.` +
            (sampling
              ? ` Its service ${sampling.service} sends Weft its spans sampled (at ${formatProbability(sampling.probability)}): the silence allowed is what a running flow would almost never show sampled; send Weft unsampled traces to have it judged on the schedule.`
              : '') +
            (lagMs > ARRIVAL_LAG_WORTH_SAYING_MS
              ? ` Its last run's spans arrived ${formatDuration(lagMs)} after their own end time: its clock may be behind Weft's, or its exporter held them back; the silence is counted from their arrival.`
              : ''),
        },
      ];
    });
  return { candidates, held };
};
