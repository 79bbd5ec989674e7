import { createHash } from 'node:crypto';
import { catalogSections, type Catalog } from '../../core/catalog/index.ts';

/** JSON with object keys sorted, so equal catalogs give equal text whatever the YAML's order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The catalog's content without where it was read from: what a version is. */
export function catalogContent(catalog: Catalog): Record<string, unknown> {
  const { sources: _sources, ...content } = catalog;
  return content;
}

/** SHA-256 (hex) of the catalog's canonical JSON, file names excluded. */
export function catalogSha256(catalog: Catalog): string {
  return createHash('sha256')
    .update(canonicalJson(catalogContent(catalog)))
    .digest('hex');
}

const short = (v: unknown) => {
  const text = v === undefined ? '(none)' : typeof v === 'string' ? v : canonicalJson(v);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
};

/**
 * What changed from `before` to `after`, one line per change: "flows.crm-erp: added",
 * "systems.crm.region: EU → US", "domains.order: removed". `before` null: everything is added.
 */
export function diffCatalogs(before: Catalog | null, after: Catalog): string[] {
  const changes: string[] = [];
  for (const field of ['controller', 'defaultOwner'] as const)
    if (canonicalJson(before?.[field]) !== canonicalJson(after[field])) changes.push(`${field}: ${short(before?.[field])} → ${short(after[field])}`);
  for (const section of catalogSections) {
    const a = new Map(((before?.[section] ?? []) as Array<{ id: string }>).map((x) => [x.id, x as unknown as Record<string, unknown>]));
    const b = new Map(((after[section] ?? []) as Array<{ id: string }>).map((x) => [x.id, x as unknown as Record<string, unknown>]));
    for (const [id, item] of b) {
      const prev = a.get(id);
      if (!prev) {
        changes.push(`${section}.${id}: added`);
        continue;
      }
      const fields = [...new Set([...Object.keys(prev), ...Object.keys(item)])].sort();
      for (const field of fields) {
        if (canonicalJson(prev[field]) !== canonicalJson(item[field])) changes.push(`${section}.${id}.${field}: ${short(prev[field])} → ${short(item[field])}`);
      }
    }
    for (const id of a.keys()) if (!b.has(id)) changes.push(`${section}.${id}: removed`);
  }
  return changes;
}
