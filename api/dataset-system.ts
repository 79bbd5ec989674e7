/**
 * The catalog system an OpenLineage dataset belongs to: lineage/'s naming conventions (namespace +
 * name → endpoint) resolved by the analyzer's match rules, as for a traced call. Handed to the probes
 * part (schema drift of reported schemas), which may import neither.
 */
import { resolveEndpoint } from '../analyzer/index.ts';
import { datasetEndpoint } from '../lineage/index.ts';
import type { DatasetResolver } from '../probes/index.ts';

/** `(catalog, "postgres://orders-db:5432", "orders.public.orders")` → `"orders-db"`, or `unknown:<label>` when no rule matches. */
export const datasetSystem: DatasetResolver = (catalog, namespace, name) => resolveEndpoint(catalog, datasetEndpoint(namespace, name));
