import type { Store } from '../../clickhouse/index.ts';
import type { Catalog } from '../../core/catalog/index.ts';
import type { Detections, Severity } from '../../core/contracts/index.ts';
import type { FindingStore } from '../../findings/index.ts';
import { detectAll } from '../detectors/index.ts';
import { unseenHeld } from '../detectors/unwatched-window.ts';
import { pairStoppedStore, statedPairing, type PairingWindows } from '../flows/pairing-job.ts';
import { buildInventory } from '../inventory/build-inventory.ts';
import { detectionSnapshot } from '../model/take-snapshot.ts';
import { buildAuditReport, type AuditReport } from './audit-report.ts';

/** Findings another part evaluates from the store alone (e.g. the probes' drift), added to the audit. */
export type AuditSource = (store: Store, catalog: Catalog, now: Date) => Promise<Detections>;

/**
 * Evaluates the estate over the whole minutes [now - sinceMs, now] touches against `catalog`, read as the
 * running analyzer reads its window (`detectionSnapshot`). With `pair` (a stopped Weft's embedded store: the windows
 * given, the others those it last ran with), first pairs what it had not paired (`pairStoppedStore`), and says with
 * which windows (`pairing.pairedWith`); without it (a ClickHouse server, or the store of a running Weft) the running
 * analyzer does that, and pairing twice would count traces twice. With `findings` (the store's finding store), each
 * finding's severity is the one the findings API, the UI, `/metrics` and alerting give it (`FindingStore.settle`: a
 * severity falls only after the lower one held for 10 minutes), not the detectors' verdict of this instant; and a finding
 * the detectors have no verdict on now (too few runs in the window: `HeldVerdict`) and the store holds open is listed as
 * the runner keeps it, with `noVerdict` saying why and since when.
 */
export async function runAudit(
  store: Store,
  catalog: Catalog,
  options: {
    sinceMs: number;
    now: Date;
    failOn: Severity | null;
    pair?: Partial<PairingWindows>;
    more?: AuditSource[];
    findings?: Pick<FindingStore, 'settle' | 'heldOpen' | 'list'>;
  },
): Promise<AuditReport> {
  const paired = options.pair ? await pairStoppedStore(store, options.now, options.pair) : undefined;
  // Read as the running analyzer reads its window, so the audit finds what it finds.
  const snapshot = await detectionSnapshot(store, catalog, options.sinceMs, options.now);
  const { candidates, held } = detectAll({ snapshot, now: options.now });
  for (const source of options.more ?? []) {
    const more = await source(store, catalog, options.now);
    candidates.push(...more.candidates);
    held.push(...more.held);
  }
  if (options.findings) held.push(...(await unseenHeld(snapshot, candidates, options.findings)));
  const settled = options.findings ? await options.findings.settle(candidates, options.now) : candidates;
  // No verdict now on these keys (too few runs, a probe or reconciliation failing): the runner keeps their open findings as they are, and so does the audit.
  const kept = options.findings ? await options.findings.heldOpen(held) : [];
  const withheld = kept.map(({ finding, reason }) => ({ ...finding, noVerdict: { reason, lastSeen: finding.lastSeen } }));
  const report = buildAuditReport(catalog, buildInventory(snapshot), [...settled, ...withheld], options.now, options.failOn);
  const stated = paired && statedPairing(paired);
  if (stated) report.pairing.pairedWith = stated;
  return report;
}
