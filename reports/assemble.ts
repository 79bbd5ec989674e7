import { randomUUID } from 'node:crypto';
import type { Report, ReportPairing } from './model.ts';
import { dataAsOfText, flowMinutes } from './period.ts';
import { sectionBuilders } from './sections/index.ts';
import type { ReportData } from './source/report-data.ts';

/**
 * What the report says about its catalog. A period that ended before any catalog version was stored is reported with
 * the catalog Weft runs with now, and says so: that catalog was not shown to be the one in force in the period.
 */
function catalogNote(data: ReportData): string {
  if (data.catalogVersion) return 'the stored catalog version in force at the end of the period';
  const origin = data.catalogOrigin ?? (data.catalog.sources.length ? 'given' : 'none');
  if (origin === 'given') return 'read from the files given';
  if (origin === 'current')
    return 'no catalog version was stored by the end of the period: this report uses the catalog Weft runs with now, which may not be the one in force then';
  return 'no catalog available';
}

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
    dataAsOf: dataAsOfText(data.period, meta.now),
    requestedBy: meta.requestedBy,
    catalog: {
      sha256: v?.sha256 ?? null,
      loadedAt: v?.at ?? null,
      sources: v?.sources ?? data.catalog.sources,
      note: catalogNote(data),
    },
    ...(meta.pairing ? { pairing: meta.pairing } : {}),
    sections: sectionBuilders.map(([, build]) => build(data)),
  };
}
