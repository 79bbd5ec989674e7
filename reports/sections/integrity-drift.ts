import type { Catalog } from '../../core/catalog/index.ts';
import type { Chart } from '../model.ts';
import type { CountBucket } from '../source/report-data.ts';

export interface DomainDriftRow {
  domain: string;
  systemOfRecord: string;
  replica: string;
  sorLast: number;
  replicaLast: number;
  diffAtEnd: number;
  largestDiff: number;
  largestAt: string;
  outOfTolerance: number;
  compared: number;
}

/** system → bucket → count (the bucket's last sample), for one domain (the first probe of a system wins). */
function seriesOf(counts: CountBucket[], domain: string, pick: (c: CountBucket) => number = (c) => c.value): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  const probeOf = new Map<string, string>();
  for (const c of counts) {
    if (c.domain !== domain) continue;
    if (!probeOf.has(c.system)) probeOf.set(c.system, c.probeId);
    if (probeOf.get(c.system) !== c.probeId) continue;
    if (!out.has(c.system)) out.set(c.system, new Map());
    out.get(c.system)!.set(c.bucket, pick(c));
  }
  return out;
}

/**
 * Record-count drift per domain over the period: each replica's count against the system of record's,
 * bucket by bucket, with the catalog's tolerance (the larger of absolute and percent of the system of record).
 */
export function domainDrift(catalog: Catalog, counts: CountBucket[]): { rows: DomainDriftRow[]; charts: Chart[] } {
  const rows: DomainDriftRow[] = [];
  const charts: Chart[] = [];
  for (const d of catalog.domains) {
    const series = seriesOf(counts, d.id);
    if (series.size === 0) continue;
    const buckets = [...new Set([...series.values()].flatMap((m) => [...m.keys()]))].sort();
    charts.push({
      id: `counts-${d.id}`,
      title: `Record counts, domain ${d.id} (system of record: ${d.systemOfRecord})`,
      height: 170,
      option: {
        animation: false,
        legend: { top: 0 },
        grid: { left: 70, right: 20, top: 30, bottom: 40 },
        xAxis: { type: 'category', data: buckets.map((b) => b.slice(11, 16)), axisLabel: { hideOverlap: true } },
        yAxis: { type: 'value', scale: true },
        // The system of record bold and solid, each replica dashed on top of it: equal counts still show every line.
        series: [...series.entries()]
          .sort(([a], [b]) => Number(b === d.systemOfRecord) - Number(a === d.systemOfRecord))
          .map(([system, m], i) => ({
            name: system === d.systemOfRecord ? `${system} (system of record)` : system,
            type: 'line',
            showSymbol: system !== d.systemOfRecord,
            symbolSize: 4,
            connectNulls: true,
            lineStyle: system === d.systemOfRecord ? { width: 4, opacity: 0.45 } : { width: 1.5, type: i % 2 ? 'dashed' : 'dotted' },
            data: buckets.map((b) => m.get(b) ?? null),
          })),
      },
    });
    // Compared on each bucket's average (a drift that ended before the bucket did still shows), reported at the end
    // with the last samples (counts read, never an average of counts).
    const means = seriesOf(counts, d.id, (c) => c.mean ?? c.value);
    const sor = means.get(d.systemOfRecord);
    const sorLast = series.get(d.systemOfRecord);
    if (!sor || !sorLast) continue;
    for (const replica of d.replicas) {
      const rep = means.get(replica);
      const repLast = series.get(replica);
      if (!rep || !repLast) continue;
      let largest = 0;
      let largestAt = '';
      let out = 0;
      let compared = 0;
      let last: { sor: number; rep: number } | null = null;
      for (const b of buckets) {
        const a = sor.get(b);
        const r = rep.get(b);
        if (a === undefined || r === undefined) continue;
        compared++;
        const diff = r - a;
        const tolerance = Math.max(d.drift.toleranceAbsolute, (Math.abs(a) * d.drift.tolerancePercent) / 100);
        if (Math.abs(diff) > tolerance) out++;
        if (Math.abs(diff) > Math.abs(largest) || !largestAt) {
          largest = diff;
          largestAt = b;
        }
        last = { sor: sorLast.get(b) ?? a, rep: repLast.get(b) ?? r };
      }
      if (!last) continue;
      const round = (n: number) => Math.round(n * 100) / 100;
      rows.push({
        domain: d.id,
        systemOfRecord: d.systemOfRecord,
        replica,
        sorLast: round(last.sor),
        replicaLast: round(last.rep),
        diffAtEnd: round(last.rep - last.sor),
        largestDiff: round(largest),
        largestAt,
        outOfTolerance: out,
        compared,
      });
    }
  }
  return { rows, charts };
}
