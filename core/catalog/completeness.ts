import type { Catalog } from './types.ts';

/** One thing a catalog still lacks before Weft can use an entry fully: which entry, and what to add. */
export interface ToComplete {
  /** `systems/crm`, `flows/crm-erp-sync`, … */
  entry: string;
  what: string;
}

/**
 * What a valid catalog (typically one imported from Backstage) still lacks for Weft to observe and
 * judge it: systems without match rules (no span can ever resolve to them), owners without a
 * contact, flows without a runtime (their traces cannot be attributed), a class or a schedule,
 * domains without replicas. Pure; the order is the catalog's.
 */
export function toComplete(catalog: Catalog): ToComplete[] {
  const out: ToComplete[] = [];
  for (const o of catalog.owners) {
    if (!o.email && !o.slack && !o.oncall)
      out.push({ entry: `owners/${o.id}`, what: 'a contact (email, slack or oncall), so findings and alerts reach the team' });
  }
  for (const s of catalog.systems) {
    const m = s.match ?? {};
    const rules = Object.values(m).reduce<number>((n, v) => n + (Array.isArray(v) ? v.length : 0), 0);
    if (rules === 0)
      out.push({
        entry: `systems/${s.id}`,
        what: 'match rules (hosts, urlPrefixes, databases, destinations or peerServices): without them no span resolves to this system',
      });
    if (!s.owner) out.push({ entry: `systems/${s.id}`, what: 'an owner' });
  }
  for (const d of catalog.domains) {
    if ((d.replicas ?? []).length === 0)
      out.push({ entry: `domains/${d.id}`, what: 'replicas (the systems that hold copies of this data), for system-of-record rules and drift' });
  }
  for (const f of catalog.flows) {
    if (!f.runtime?.service && !f.runtime?.flow)
      out.push({
        entry: `flows/${f.id}`,
        what: 'a runtime (service.name or integration.flow of the integration that runs it), so its traces are attributed to it',
      });
    if (!f.class) out.push({ entry: `flows/${f.id}`, what: 'a class (latency, error-rate and staleness thresholds)' });
    if (!f.schedule) out.push({ entry: `flows/${f.id}`, what: 'a schedule (every or cron) if it runs on one, so a stopped flow is reported stale' });
  }
  return out;
}
