import type { Section } from '../model.ts';
import type { ReportData } from '../source/report-data.ts';
import { fmtTime, table } from './helpers.ts';

/** What changed in the catalog over the period, when and by whom (weft_catalog_versions). */
export function catalogHistorySection(data: ReportData): Section {
  const inPeriod = data.catalogVersions.filter((v) => v.at >= data.period.since);
  const before = data.catalogVersions.find((v) => v.at < data.period.since);
  const changes = inPeriod.flatMap((v) => v.changes.map((c) => ({ v, c })));
  const used = data.catalogVersion;
  const summary = [
    'Every version of the estate catalog Weft loaded in the period (at start and on each reload that changed it), who loaded it, and what changed against the version before.',
    before
      ? `In force at the start of the period: version ${before.sha256.slice(0, 12)}, loaded ${fmtTime(before.at)} by ${before.actor}.`
      : 'No version was stored before the period.',
    used
      ? `This report was assembled with version ${used.sha256.slice(0, 12)} (loaded ${fmtTime(used.at)}).`
      : data.catalog.sources.length
        ? `This report was assembled with the catalog read from ${data.catalog.sources.join(', ')}.`
        : 'No catalog was available to this report: everything observed shows as undocumented.',
  ];
  return {
    id: 'catalog-history',
    title: 'Catalog history',
    summary,
    figures: [
      { label: 'versions loaded in the period', value: inPeriod.length },
      { label: 'changes', value: changes.length },
    ],
    charts: [],
    tables: [
      table(
        'versions',
        'Catalog versions',
        [
          ['at', 'Loaded', 1.1],
          ['actor', 'By', 1],
          ['reason', 'Why', 0.6],
          ['sha', 'SHA-256', 1.4],
          ['sources', 'Files', 2],
          ['changes', 'Changes', 0.6],
        ],
        [...(before ? [before] : []), ...inPeriod].map((v) => [
          fmtTime(v.at),
          v.actor,
          v.at < data.period.since ? `${v.reason} (before the period)` : v.reason,
          v.sha256,
          v.sources.join(', '),
          v.changes.length,
        ]),
        'No catalog version is stored (Weft stores one whenever it loads a catalog that changed).',
      ),
      table(
        'changes',
        'Changes in the period',
        [
          ['at', 'When', 1.1],
          ['actor', 'By', 0.9],
          ['change', 'Change', 4],
        ],
        changes.map(({ v, c }) => [fmtTime(v.at), v.actor, c]),
        'The catalog did not change in the period.',
      ),
    ],
  };
}
