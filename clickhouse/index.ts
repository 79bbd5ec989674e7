export { assertStoreFree, openEmbeddedStores, openStore } from './store.ts';
export type { Store } from './store.ts';
export { migrate, listMigrations, renderMigration } from './migrate.ts';
export type { Migration, MigrateOptions, MigrateResult } from './migrate.ts';
export { clusterize } from './cluster.ts';
export { applyRetention, ttlRules } from './retention.ts';
export { toChTime, fromChTime, dateFromChTime } from './ch-time.ts';
export { claimSettings, settingsClause, type StatementSettings } from './statement-settings.ts';
export { createLease, leaseClaimToken, soleLease, type Lease } from './lease.ts';
