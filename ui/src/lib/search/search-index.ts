import type { Finding, FlowRow, OwnerRow, SystemRow } from '../api/types.ts';
import { count, flowHref } from '../format.ts';
import { traceIdIn } from '../traces/waterfall.ts';

/** One thing the search box can find, with where it leads. */
export interface SearchEntry {
  type: 'system' | 'flow' | 'owner' | 'finding' | 'trace';
  /** What the result list shows. */
  title: string;
  /** A second line: ids, route, kind. */
  detail: string;
  href: string;
  /** Lower-case text the query is matched against. */
  text: string;
}

/** Builds the entries from what the API lists (systems, flows, owners, open findings). */
export function buildIndex(data: { systems?: SystemRow[]; flows?: FlowRow[]; owners?: OwnerRow[]; findings?: Finding[] }): SearchEntry[] {
  const entries: SearchEntry[] = [];
  for (const s of data.systems ?? []) {
    entries.push({
      type: 'system',
      title: s.name,
      detail: `${s.id} · ${s.kind}${s.owner ? ` · ${s.owner}` : ''}${s.documented ? '' : ' · unknown'}`,
      href: `/?focus=${encodeURIComponent(s.id)}`,
      text: `${s.id} ${s.name} ${s.kind} ${s.owner ?? ''}`.toLowerCase(),
    });
  }
  for (const f of data.flows ?? []) {
    entries.push({
      type: 'flow',
      title: f.name,
      detail: `${f.source} → ${f.target}${f.domain ? ` · ${f.domain}` : ''}${f.documented ? '' : ' · undocumented'}`,
      href: flowHref(f.id),
      text: `${f.id} ${f.name} ${f.source} ${f.target} ${f.domain ?? ''} ${f.owner ?? ''} ${f.integrations.join(' ')}`.toLowerCase(),
    });
  }
  for (const o of data.owners ?? []) {
    entries.push({
      type: 'owner',
      title: o.name,
      detail: `${o.id}${o.email ? ` · ${o.email}` : ''} · ${count(o.systems.length, 'system')}, ${count(o.flows.length, 'flow')}`,
      href: `/?owner=${encodeURIComponent(o.id)}`,
      text: `${o.id} ${o.name} ${o.email ?? ''}`.toLowerCase(),
    });
  }
  for (const f of data.findings ?? []) {
    entries.push({
      type: 'finding',
      title: f.title,
      detail: `${f.severity} · ${f.kind} · ${f.status}`,
      href: `/findings/${f.id}`,
      text: `${f.title} ${f.kind} ${f.severity} ${[...f.subject.systems, ...f.subject.flows, ...f.subject.domains].join(' ')}`.toLowerCase(),
    });
  }
  return entries;
}

const typeOrder: Record<SearchEntry['type'], number> = { trace: 0, system: 1, flow: 2, owner: 3, finding: 4 };

/**
 * Entries matching every word of the query (case-insensitive substrings), best first: a title that
 * starts with the query, then a word that starts with it, then anywhere; systems before flows,
 * owners and findings. A trace id (32 hex digits) or a W3C traceparent is also offered as its trace.
 */
export function search(entries: readonly SearchEntry[], query: string, limit = 12): SearchEntry[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const words = q.split(/\s+/);
  const out: { e: SearchEntry; score: number }[] = [];
  for (const e of entries) {
    if (!words.every((w) => e.text.includes(w))) continue;
    const title = e.title.toLowerCase();
    const score = title === q ? 0 : title.startsWith(q) ? 1 : new RegExp(`(^|[^a-z0-9])${q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(e.text) ? 2 : 3;
    out.push({ e, score });
  }
  out.sort((a, b) => a.score - b.score || typeOrder[a.e.type] - typeOrder[b.e.type] || a.e.title.localeCompare(b.e.title));
  const hits = out.slice(0, limit).map((x) => x.e);
  const traceId = traceIdIn(q);
  if (traceId) hits.unshift({ type: 'trace', title: `Trace ${traceId}`, detail: 'open the trace view', href: `/traces/${traceId}`, text: traceId });
  return hits;
}
