import { randomUUID } from 'node:crypto';
import type { Report, ReportPairing } from './model.ts';
import { flowMinutes } from './period.ts';
import { sectionBuilders } from './sections/index.ts';
import type { ReportData } from './source/report-data.ts';

/** Builds the report from data already read (pure apart from the id default); `pairing` when a stopped store was paired first. */
export function assembleReport(data: ReportData, meta: { id?: string; requestedBy: string; now: Date; pairing?: ReportPairing }): Report {
  const v = data.catalogVersion;
  const flows = flowMinutes(data.period);
  return {
    version: 1,
    id: meta.id ?? randomUUID(),
    title: 'Integration estate compliance report',
    generatedAt: meta.now.toISOString(),
    period: data.period,
    flowWindow: { since: flows.since.toISOString(), until: flows.until.toISOString() },
    requestedBy: meta.requestedBy,
    catalog: {
      sha256: v?.sha256 ?? null,
      loadedAt: v?.at ?? null,
      sources: v?.sources ?? data.catalog.sources,
      note: v
        ? 'the stored catalog version in force at the end of the period'
        : data.catalog.sources.length
          ? 'read from the files given'
          : 'no catalog available',
    },
    ...(meta.pairing ? { pairing: meta.pairing } : {}),
    sections: sectionBuilders.map(([, build]) => build(data)),
  };
}
