import { randomUUID } from 'node:crypto';
import type { Report } from './model.ts';
import { sectionBuilders } from './sections/index.ts';
import type { ReportData } from './source/report-data.ts';

/** Builds the report from data already read (pure apart from the id default). */
export function assembleReport(data: ReportData, meta: { id?: string; requestedBy: string; now: Date }): Report {
  const v = data.catalogVersion;
  return {
    version: 1,
    id: meta.id ?? randomUUID(),
    title: 'Integration estate compliance report',
    generatedAt: meta.now.toISOString(),
    period: data.period,
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
    sections: sectionBuilders.map(([, build]) => build(data)),
  };
}
