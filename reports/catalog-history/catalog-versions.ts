import { fromChTime, toChTime, type Store } from '../../clickhouse/index.ts';
import { catalogSections, emptyCatalog, type Catalog } from '../../core/catalog/index.ts';
import type { CatalogVersion } from '../source/report-data.ts';
import { catalogContent, catalogSha256, canonicalJson, diffCatalogs } from './catalog-diff.ts';

interface VersionRow {
  at: string;
  sha256: string;
  actor: string;
  reason: string;
  sources: string[];
  catalog: string;
  changes: string;
}

const toVersion = (r: VersionRow): CatalogVersion => ({
  at: fromChTime(r.at),
  sha256: r.sha256,
  actor: r.actor,
  reason: r.reason,
  sources: r.sources,
  changes: JSON.parse(r.changes || '[]') as string[],
});

/** The stored catalog text back as a Catalog (sections absent in older versions are empty). */
function toCatalog(r: VersionRow): Catalog {
  return { ...emptyCatalog(), ...(JSON.parse(r.catalog) as Partial<Catalog>), sources: r.sources };
}

/**
 * The catalog's history in ClickHouse (`weft_catalog_versions`, migration 070): a row whenever
 * Weft loads a catalog that differs from the last one stored, with who loaded it and what changed.
 */
export class CatalogVersionStore {
  constructor(private readonly store: Store) {}

  private async rows(query: string, params: Record<string, unknown>): Promise<VersionRow[]> {
    return this.store.client.query({ query, query_params: params, format: 'JSONEachRow' }).then((r) => r.json<VersionRow>());
  }

  /** The last version stored at or before `at` (default: now), with its catalog. */
  async latest(at?: Date): Promise<{ version: CatalogVersion; catalog: Catalog } | null> {
    const [row] = await this.rows(
      `SELECT * FROM weft_catalog_versions ${at ? "WHERE at <= {at:DateTime64(3, 'UTC')}" : ''} ORDER BY at DESC LIMIT 1`,
      at ? { at: toChTime(at) } : {},
    );
    return row ? { version: toVersion(row), catalog: toCatalog(row) } : null;
  }

  /** Versions stored in [since, until] and the last one before `since`, oldest first (without catalog text). */
  async between(since: Date, until: Date): Promise<CatalogVersion[]> {
    const p = { since: toChTime(since), until: toChTime(until) };
    const before = await this.rows(
      `SELECT at, sha256, actor, reason, sources, '' AS catalog, changes FROM weft_catalog_versions WHERE at < {since:DateTime64(3, 'UTC')} ORDER BY at DESC LIMIT 1`,
      p,
    );
    const inside = await this.rows(
      `SELECT at, sha256, actor, reason, sources, '' AS catalog, changes FROM weft_catalog_versions
       WHERE at >= {since:DateTime64(3, 'UTC')} AND at < {until:DateTime64(3, 'UTC')} ORDER BY at`,
      p,
    );
    return [...before, ...inside].map(toVersion);
  }

  /**
   * Stores `catalog` as a new version when it differs from the last one stored; returns the
   * version written, or null when unchanged. Never stores secrets: the catalog holds env:NAME only.
   */
  async record(catalog: Catalog, who: { actor: string; reason: string }, now = new Date()): Promise<CatalogVersion | null> {
    const sha256 = catalogSha256(catalog);
    const last = await this.latest();
    if (last?.version.sha256 === sha256) return null;
    // The first version is summarised (every entry "added" says nothing); later ones list each change.
    const changes = last
      ? diffCatalogs(last.catalog, catalog)
      : [`first version stored: ${catalogSections.map((s) => `${(catalog[s] as unknown[]).length} ${s}`).join(', ')}`];
    const row = {
      at: toChTime(now),
      sha256,
      actor: who.actor,
      reason: who.reason,
      sources: catalog.sources,
      catalog: canonicalJson(catalogContent(catalog)),
      changes: JSON.stringify(changes),
    };
    await this.store.client.insert({ table: 'weft_catalog_versions', values: [row], format: 'JSONEachRow' });
    return { at: now.toISOString(), sha256, actor: who.actor, reason: who.reason, sources: catalog.sources, changes };
  }
}
