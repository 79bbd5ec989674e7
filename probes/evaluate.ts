import { driftCandidates, evaluateDomainDrift, type CountPoint, type DriftState } from './drift/index.ts';
import { keyDriftCandidates, keyDriftHeld, ReconciliationRunStore } from './reconcile/index.ts';
import { schemaDriftCandidates, type SchemaState } from './schema-drift/index.ts';
import type { Catalog } from '../core/catalog/index.ts';
import type { Store } from '../clickhouse/index.ts';
import type { Detections, FindingKind, FindingSink, HeldVerdict, SyncResult } from '../core/contracts/index.ts';
import { parseDuration } from '../core/time/index.ts';
import { readsCount, readsShape } from './kinds/index.ts';
import { probeFailingCandidates } from './probe-failing.ts';
import { SampleStore } from './sample-store.ts';

/**
 * The catalog system an OpenLineage dataset (namespace, name) belongs to, by the catalog's match rules;
 * the composition root provides it (the rules live in analyzer/, the naming in lineage/). Without it a
 * reported schema names its dataset namespace as the system.
 */
export type DatasetResolver = (catalog: Catalog, namespace: string, name: string) => string;

export interface Evaluation {
  drift: DriftState[];
  synced: Partial<Record<FindingKind, SyncResult>>;
}

/** Probes whose value is a record count (as their kind says: sql, http with a `count` path), tagged with a domain. */
export function countProbes(catalog: Catalog): Map<string, Map<string, string>> {
  const byDomain = new Map<string, Map<string, string>>();
  for (const p of catalog.probes) {
    if (!p.domain || !readsCount(p)) continue;
    const systems = byDomain.get(p.domain) ?? new Map<string, string>();
    if (!systems.has(p.system)) systems.set(p.system, p.id);
    byDomain.set(p.domain, systems);
  }
  return byDomain;
}

/** Record-count drift of every domain with count probes, from the samples of the last window. */
export async function driftStates(catalog: Catalog, samples: SampleStore, now: Date): Promise<DriftState[]> {
  const probes = countProbes(catalog);
  const domains = catalog.domains.filter((d) => probes.has(d.id));
  if (domains.length === 0) return [];
  const windowMs = Math.max(6 * 3_600_000, ...domains.map((d) => 4 * parseDuration(d.drift.settle, `domains.${d.id}.drift.settle`)));
  const ids = [...probes.values()].flatMap((m) => [...m.values()]);
  const history = await samples.history(ids, new Date(now.getTime() - windowMs));
  const points = new Map<string, CountPoint[]>();
  for (const s of history) {
    if (!s.ok || s.value === null) continue;
    const list = points.get(s.probeId) ?? [];
    list.push({ ts: s.ts, value: s.value });
    points.set(s.probeId, list);
  }
  return domains.flatMap((d) => {
    const series: Record<string, CountPoint[]> = {};
    for (const [system, probeId] of probes.get(d.id)!) series[system] = points.get(probeId) ?? [];
    return evaluateDomainDrift(d, series, now);
  });
}

/**
 * The replicas whose record-count drift has no verdict now: their domain's system of record and the replica both have a
 * count probe, and no two counts of them were read close enough in time to compare in the window (`driftStates` gave
 * no state: a count probe failing, a side unreachable). An open record-count-drift finding on them stays as it was.
 */
export function driftHeld(catalog: Catalog, drift: DriftState[]): HeldVerdict[] {
  const probes = countProbes(catalog);
  return catalog.domains.flatMap((d) => {
    const systems = probes.get(d.id);
    if (!systems?.has(d.systemOfRecord)) return [];
    return d.replicas
      .filter((replica) => systems.has(replica) && !drift.some((s) => s.domain === d.id && s.replica === replica))
      .map((replica) => ({
        kind: 'record-count-drift' as const,
        key: `${d.id}:${replica}`,
        reason: `no counts of ${d.systemOfRecord} and ${replica} read close enough in time to compare in the window (probes ${systems.get(d.systemOfRecord)} and ${systems.get(replica)}: is one failing?)`,
      }));
  });
}

/** The finding kinds this part detects (the analyzer detects the others; test/finding-kinds.test.ts checks each has one owner). */
export const probeFindingKinds = ['record-count-drift', 'probe-failing', 'schema-drift', 'key-drift'] as const satisfies readonly FindingKind[];
export type ProbeFindingKind = (typeof probeFindingKinds)[number];

/** The candidates of every detector this part owns, from what is stored, grouped by kind. */
export async function probeCandidates(
  catalog: Catalog,
  samples: SampleStore,
  runs: ReconciliationRunStore,
  now: Date,
  resolveDataset?: DatasetResolver,
): Promise<{ drift: DriftState[]; candidates: Record<ProbeFindingKind, Detections> }> {
  const probeIds = catalog.probes.map((p) => p.id);
  const schemaIds = catalog.probes.filter(readsShape).map((p) => p.id);
  const [drift, streaks, latest, schemas, latestRuns, reported] = await Promise.all([
    driftStates(catalog, samples, now),
    samples.failureStreaks(probeIds),
    samples.latest(probeIds),
    samples.schemaStates(schemaIds),
    runs.latest(catalog.reconciliations.map((r) => r.id)),
    samples.lineageSchemaChanges(),
  ]);
  const lineageStates: SchemaState[] = reported.map((c) => ({
    probeId: `lineage:${c.dataset}`,
    system: resolveDataset?.(catalog, c.namespace, c.name) ?? c.namespace,
    domain: c.domain,
    baseline: c.baseline,
    current: c.current,
    reportedBy: { dataset: c.dataset, job: c.job, runId: c.current.runId, baselineRunId: c.baseline.runId },
  }));
  return {
    drift,
    candidates: {
      'record-count-drift': { candidates: driftCandidates(drift), held: driftHeld(catalog, drift) },
      'probe-failing': { candidates: probeFailingCandidates(streaks, latest), held: [] },
      'schema-drift': {
        candidates: schemaDriftCandidates([
          ...schemas.map((s) => ({ probeId: s.current.probeId, system: s.current.system, domain: s.current.domain, baseline: s.baseline, current: s.current })),
          ...lineageStates,
        ]),
        held: [],
      },
      'key-drift': { candidates: keyDriftCandidates(latestRuns), held: keyDriftHeld(latestRuns) },
    },
  };
}

/**
 * For `weft audit` and other one-shot readers: the probe-side findings (record-count drift, failing
 * probes, schema drift, key drift) as they stand now, from the store alone, and the keys with no verdict now.
 */
export async function probeAuditCandidates(store: Store, catalog: Catalog, now: Date, resolveDataset?: DatasetResolver): Promise<Detections> {
  const { candidates } = await probeCandidates(catalog, new SampleStore(store), new ReconciliationRunStore(store), now, resolveDataset);
  return { candidates: probeFindingKinds.flatMap((k) => candidates[k].candidates), held: probeFindingKinds.flatMap((k) => candidates[k].held) };
}

/** Every detector this part owns, each synced for its own kind only. */
export async function evaluateFindings(
  catalog: Catalog,
  samples: SampleStore,
  runs: ReconciliationRunStore,
  findings: FindingSink | undefined,
  now: Date,
  resolveDataset?: DatasetResolver,
): Promise<Evaluation> {
  const { drift, candidates } = await probeCandidates(catalog, samples, runs, now, resolveDataset);
  const synced: Evaluation['synced'] = {};
  if (!findings) return { drift, synced };
  for (const kind of probeFindingKinds) synced[kind] = await findings.sync([kind], candidates[kind].candidates, now, candidates[kind].held);
  return { drift, synced };
}
