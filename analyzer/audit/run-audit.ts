import type { Store } from '../../clickhouse/index.ts';
import type { Catalog } from '../../core/catalog/index.ts';
import type { FindingCandidate, Severity } from '../../core/contracts/index.ts';
import { detectAll } from '../detectors/index.ts';
import { runPairing } from '../flows/pairing-job.ts';
import { buildInventory } from '../inventory/build-inventory.ts';
import { detectionSnapshot } from '../model/take-snapshot.ts';
import { buildAuditReport, type AuditReport } from './audit-report.ts';

/** Findings another part evaluates from the store alone (e.g. the probes' drift), added to the audit. */
export type AuditSource = (store: Store, catalog: Catalog, now: Date) => Promise<FindingCandidate[]>;

/**
 * Evaluates the estate over the whole minutes [now - sinceMs, now] touches against `catalog`, read as the
 * running analyzer reads its window (`detectionSnapshot`). With `pair` (a stopped Weft's
 * embedded store), first pairs the traces past the late-arrival window; on a shared ClickHouse
 * server the running analyzer does that, and pairing twice would count traces twice.
 */
export async function runAudit(
  store: Store,
  catalog: Catalog,
  options: { sinceMs: number; now: Date; failOn: Severity | null; pair: boolean; lateMs?: number; more?: AuditSource[] },
): Promise<AuditReport> {
  // A complete trace (its root arrived) is paired at once: nothing more reaches a stopped Weft's store.
  if (options.pair) await runPairing(store, options.now, options.lateMs ?? 120_000, { completeGraceMs: 0 });
  // Read as the running analyzer reads its window, so the audit finds what it finds.
  const snapshot = await detectionSnapshot(store, catalog, options.sinceMs, options.now);
  const candidates = detectAll({ snapshot, now: options.now });
  for (const source of options.more ?? []) candidates.push(...(await source(store, catalog, options.now)));
  return buildAuditReport(catalog, buildInventory(snapshot), candidates, options.now, options.failOn);
}
