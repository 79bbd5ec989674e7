import type { Domain } from '../../core/catalog/index.ts';
import type { FindingCandidate, Severity } from '../../core/contracts/index.ts';
import { formatDuration, parseDuration } from '../../core/time/index.ts';
import { count } from '../../core/text/index.ts';

/** A record count read from one system at one time. */
export interface CountPoint {
  ts: Date;
  value: number;
}

export type Trend = 'growing' | 'shrinking' | 'steady';

/** The system of record against one replica, as of now. */
export interface DriftState {
  domain: string;
  systemOfRecord: string;
  replica: string;
  at: Date;
  sorCount: number;
  replicaCount: number;
  /** replica − system of record */
  difference: number;
  differencePercent: number;
  tolerance: number;
  diverging: boolean;
  /** Start of the current divergence, when diverging. */
  divergingSince: Date | null;
  /** Diverging for longer than the settle time: this is drift. */
  drift: boolean;
  settleMs: number;
  trend: Trend;
  /** Change of the difference per hour over the divergence (or over the window when in tolerance). */
  ratePerHour: number;
  recent: Array<{ ts: string; sor: number; replica: number }>;
}

interface Aligned {
  ts: Date;
  sor: number;
  replica: number;
}

/**
 * Pairs each time either side was read with the latest reading of the other side at that time, when that
 * reading is at most `maxAgeMs` old: a side whose probe stopped answering (its last count frozen) is not
 * compared with the other side's new counts, which made a growing replica look like drift against a system of
 * record whose count probe was down, and made a real drift look resolved.
 */
export function align(sor: CountPoint[], replica: CountPoint[], maxAgeMs = Number.POSITIVE_INFINITY): Aligned[] {
  const times = [...new Set([...sor, ...replica].map((p) => p.ts.getTime()))].sort((a, b) => a - b);
  const out: Aligned[] = [];
  let i = -1;
  let j = -1;
  for (const t of times) {
    while (i + 1 < sor.length && sor[i + 1].ts.getTime() <= t) i++;
    while (j + 1 < replica.length && replica[j + 1].ts.getTime() <= t) j++;
    if (i >= 0 && j >= 0 && t - sor[i].ts.getTime() <= maxAgeMs && t - replica[j].ts.getTime() <= maxAgeMs)
      out.push({ ts: new Date(t), sor: sor[i].value, replica: replica[j].value });
  }
  return out;
}

/** The median time between consecutive readings (ms), at least 1 s; infinite with fewer than two readings. */
function usualGapMs(points: CountPoint[]): number {
  if (points.length < 2) return Number.POSITIVE_INFINITY;
  const gaps = points
    .slice(1)
    .map((p, k) => p.ts.getTime() - points[k].ts.getTime())
    .sort((a, b) => a - b);
  return Math.max(1000, gaps[Math.floor(gaps.length / 2)]);
}

export function toleranceFor(sorCount: number, settings: Domain['drift']): number {
  return Math.max(settings.toleranceAbsolute, (Math.abs(sorCount) * settings.tolerancePercent) / 100);
}

function trendOf(first: Aligned, last: Aligned): { trend: Trend; ratePerHour: number } {
  const d0 = Math.abs(first.replica - first.sor);
  const d1 = Math.abs(last.replica - last.sor);
  const hours = (last.ts.getTime() - first.ts.getTime()) / 3_600_000;
  const ratePerHour = hours > 0 ? Math.round(((d1 - d0) / hours) * 100) / 100 : 0;
  return { trend: d1 > d0 ? 'growing' : d1 < d0 ? 'shrinking' : 'steady', ratePerHour };
}

/**
 * Record-count drift of one domain: for each replica, the counts are aligned in time and compared
 * with the tolerance (absolute or percent, whichever is larger). A divergence is drift only once it
 * has lasted longer than the settle time: records in flight are not drift.
 */
export function evaluateDomainDrift(domain: Domain, series: Record<string, CountPoint[]>, now: Date): DriftState[] {
  const settleMs = parseDuration(domain.drift.settle, `domains.${domain.id}.drift.settle`);
  const sor = series[domain.systemOfRecord] ?? [];
  const states: DriftState[] = [];
  for (const replica of domain.replicas) {
    const other = series[replica] ?? [];
    // A reading stands for twice the usual time between readings of either side (a missed run or two).
    const points = align(sor, other, 2 * Math.max(usualGapMs(sor), usualGapMs(other)));
    if (points.length === 0) continue;
    let since: Aligned | null = null;
    for (const p of points) {
      const diverging = Math.abs(p.replica - p.sor) > toleranceFor(p.sor, domain.drift);
      since = diverging ? (since ?? p) : null;
    }
    const last = points[points.length - 1];
    const tolerance = toleranceFor(last.sor, domain.drift);
    const difference = last.replica - last.sor;
    const { trend, ratePerHour } = trendOf(since ?? points[0], last);
    states.push({
      domain: domain.id,
      systemOfRecord: domain.systemOfRecord,
      replica,
      at: last.ts,
      sorCount: last.sor,
      replicaCount: last.replica,
      difference,
      differencePercent: last.sor === 0 ? (difference === 0 ? 0 : 100) : Math.round((difference / last.sor) * 10_000) / 100,
      tolerance,
      diverging: since !== null,
      divergingSince: since ? since.ts : null,
      drift: since !== null && now.getTime() - since.ts.getTime() >= settleMs,
      settleMs,
      trend,
      ratePerHour,
      recent: points.slice(-10).map((p) => ({ ts: p.ts.toISOString(), sor: p.sor, replica: p.replica })),
    });
  }
  return states;
}

function severityOf(s: DriftState): Severity {
  const pct = Math.abs(s.differencePercent);
  if (pct >= 10) return 'high';
  if (pct >= 1 || s.trend === 'growing') return 'medium';
  return 'low';
}

/** One record-count-drift finding per replica in drift. */
export function driftCandidates(states: DriftState[]): FindingCandidate[] {
  return states
    .filter((s) => s.drift)
    .map((s) => ({
      kind: 'record-count-drift' as const,
      key: `${s.domain}:${s.replica}`,
      severity: severityOf(s),
      title: `${s.replica} holds ${count(s.replicaCount, `${s.domain} record`)}, ${s.systemOfRecord} (system of record) ${s.sorCount}: ${s.difference > 0 ? '+' : ''}${s.difference} for ${formatDuration(s.at.getTime() - s.divergingSince!.getTime())}`,
      subject: { systems: [s.systemOfRecord, s.replica], flows: [], domains: [s.domain] },
      evidence: {
        systemOfRecord: s.systemOfRecord,
        sorCount: s.sorCount,
        replica: s.replica,
        replicaCount: s.replicaCount,
        difference: s.difference,
        differencePercent: s.differencePercent,
        tolerance: s.tolerance,
        divergingSince: s.divergingSince!.toISOString(),
        settle: formatDuration(s.settleMs),
        trend: s.trend,
        ratePerHour: s.ratePerHour,
        recent: s.recent,
      },
      hint: `Check the flows that sync ${s.domain} from ${s.systemOfRecord} into ${s.replica} (errors, stalls, filters); run a key-level reconciliation to see which records differ.`,
    }));
}
