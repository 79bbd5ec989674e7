import type { Store } from '../../clickhouse/index.ts';
import type { Catalog } from '../../core/catalog/index.ts';
import type { Severity } from '../../core/contracts/index.ts';
import { detectAll } from '../detectors/index.ts';
import { runPairing } from '../flows/pairing-job.ts';
import { buildInventory } from '../inventory/build-inventory.ts';
import { takeSnapshot } from '../model/take-snapshot.ts';
import { buildAuditReport, type AuditReport } from './audit-report.ts';

/** Pairs what is sealed, then evaluates the estate over [now - sinceMs, now] against `catalog`. */
export async function runAudit(store: Store, catalog: Catalog, options: { sinceMs: number; now: Date; failOn: Severity | null; lateMs?: number }): Promise<AuditReport> {
  await runPairing(store, options.now, options.lateMs ?? 120_000);
  const snapshot = await takeSnapshot(store, catalog, new Date(options.now.getTime() - options.sinceMs), options.now);
  const candidates = detectAll({ snapshot, now: options.now });
  return buildAuditReport(catalog, buildInventory(snapshot), candidates, options.now, options.failOn);
}
