import type { FastifyRequest } from 'fastify';
import { identityOf, mayAccess } from '../../access/index.ts';
import { catalogFileNames, redactCatalog, type Catalog } from '../../core/catalog/index.ts';

/** True when the request's role may reload the catalog (icoe, admin): it is shown where the catalog's files are on the server. */
export const mayReloadCatalog = (request: FastifyRequest) => mayAccess(identityOf(request).role, 'catalog');

/**
 * The catalog's files as `request` may see them: their paths on the server for those who may reload the catalog (icoe,
 * admin), else named relative to the directory that holds them (`estate.yaml`, `teams/crm.yaml`).
 */
export function shownCatalogFiles(request: FastifyRequest, sources: readonly string[]): string[] {
  return mayReloadCatalog(request) ? [...sources] : catalogFileNames(sources);
}

/**
 * The catalog as `request` may read it: credentials redacted for everyone; for a role that may not reload it, its files
 * relative to their directory and no report's `directory` (a path on the server).
 */
export function shownCatalog(request: FastifyRequest, c: Catalog): Record<string, unknown> {
  const redacted = redactCatalog(c);
  if (mayReloadCatalog(request)) return redacted as unknown as Record<string, unknown>;
  return {
    ...redacted,
    sources: catalogFileNames(c.sources),
    reports: redacted.reports.map((r) => {
      const { directory: _directory, ...rest } = r;
      return rest;
    }),
  };
}
