import type { Catalog } from '../../core/catalog/index.ts';
import type { Finding } from '../../core/contracts/index.ts';
import type { Cell, Column, Table } from '../model.ts';
import type { ReportData } from '../source/report-data.ts';

/** "2026-11-29T21:36:15.123Z" → "2026-11-29 21:36:15 UTC"; empty for null. */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A fraction as a percentage with up to two decimals: 0.01234 → "1.23%". */
export function pct(fraction: number): string {
  return `${(Math.round(fraction * 10_000) / 100).toString()}%`;
}

/** A table from column specs `[key, label, width?]` and rows of cells in that order. */
export function table(id: string, title: string, columns: Array<[string, string, number?]>, rows: Cell[][], empty: string): Table {
  return { id, title, columns: columns.map(([key, label, width]): Column => ({ key, label, ...(width ? { width } : {}) })), rows, empty };
}

/** Looks ids up in the catalog (ids from telemetry are never used as plain-object keys). */
export function catalogIndex(catalog: Catalog) {
  const systems = new Map(catalog.systems.map((s) => [s.id, s]));
  const owners = new Map(catalog.owners.map((o) => [o.id, o]));
  const domains = new Map(catalog.domains.map((d) => [d.id, d]));
  const flows = new Map(catalog.flows.map((f) => [f.id, f]));
  const classes = new Map(catalog.classes.map((c) => [c.id, c]));
  const ownerText = (id: string | null | undefined) => {
    if (!id) return 'no owner';
    const o = owners.get(id);
    return o ? `${o.name}${o.email ? ` <${o.email}>` : ''}` : id;
  };
  const systemName = (id: string) => systems.get(id)?.name ?? id.replace(/^unknown:/, 'unknown system ').replace(/^integration:/, 'integration ');
  return { systems, owners, domains, flows, classes, ownerText, systemName };
}

export const list = (items: readonly string[] | undefined, none = '') => (items && items.length > 0 ? items.join(', ') : none);

/**
 * How a report names a flow in its tables: a documented flow by its catalog id; an undocumented one by its route and the
 * integrations seen on it ("crm → billing (via s4)"), so that two undocumented flows of one route stay apart.
 */
export const flowLabel = (f: { documented: boolean; id: string; name: string; integrations?: readonly string[] }): string =>
  f.documented ? f.id : `${f.name} (via ${list(f.integrations, 'no integration')})`;

/**
 * Each finding's status at the end of the report's period: what its history (`data.findingStatuses`) says, else its
 * current fields read as at that end (resolved or acknowledged before it, or open). A resolution after the period
 * is not a status in it.
 */
export function findingStatusAtEnd(data: Pick<ReportData, 'period' | 'findingStatuses'>): (f: Finding) => string {
  const recorded = new Map((data.findingStatuses ?? []).map((x) => [x.findingId, x.atEnd]));
  const beforeEnd = (at: string | null) => Boolean(at) && at! < data.period.until;
  return (f) => recorded.get(f.id) ?? (beforeEnd(f.resolvedAt) ? 'resolved' : beforeEnd(f.acknowledgedAt) ? 'acknowledged' : 'open');
}
