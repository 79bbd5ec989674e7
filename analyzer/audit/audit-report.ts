import type { StoppedPairing } from '../flows/pairing-job.ts';
import type { Catalog } from '../../core/catalog/index.ts';
import { severities, type FindingCandidate, type Severity } from '../../core/contracts/index.ts';
import { findingId } from '../../findings/index.ts';
import type { Inventory } from '../inventory/build-inventory.ts';

/** `weft audit --format json`: a stable contract (docs/audit.md). Fields are only ever added. */
export interface AuditReport {
  version: 1;
  generatedAt: string;
  /**
   * The window evaluated (ISO): from the start of the minute holding now − since (the rollups keep whole minutes,
   * so that minute is read whole) to now, the audit's time. The minute in progress is read as far as it goes, up
   * to now: nothing in it is later, so the window ends at now, not at the end of that minute.
   */
  window: { since: string; until: string };
  /**
   * How far pairing had got when the audit read the store (`pairedUntil`, arrival time, ISO) and what had arrived
   * and was not paired yet (`pendingTraces`, `pendingSpans`): runs in those traces are not in the flows and
   * findings of this report. Added within version 1.
   */
  pairing: {
    pairedUntil: string;
    pendingTraces: number;
    pendingSpans: number;
    /**
     * The windows (ms) the audit paired a stopped Weft's store with first, where each came from (given, recorded by the
     * store's Weft, the default) and what that Weft recorded; absent when it paired nothing (all was paired, or it only
     * read: a running Weft pairs). Added within version 1.
     */
    pairedWith?: Omit<StoppedPairing, 'result'>;
  };
  catalog: { files: string[]; systems: number; flows: number; domains: number; owners: number };
  summary: {
    systems: { total: number; documented: number; unknown: number; observed: number };
    /** `halves`: observed flows that are halves of a documented one (`InventoryFlow.halfOf`), counted neither documented nor undocumented. */
    flows: { total: number; documented: number; undocumented: number; halves: number; observed: number; neverObserved: number };
    findings: { total: number; bySeverity: Record<Severity, number>; byKind: Record<string, number> };
  };
  findings: Array<{
    id: string;
    kind: string;
    severity: Severity;
    title: string;
    subject: FindingCandidate['subject'];
    evidence: Record<string, unknown>;
    hint: string;
    /**
     * Present when the detectors have no verdict on this open finding now (too few runs in the window, a flow's silence
     * across Weft's own downtime): it is kept open as it was last seen (`lastSeen`, ISO), for `reason`. Added within
     * version 1.
     */
    noVerdict?: { reason: string; lastSeen: string };
  }>;
  failOn: Severity | null;
  failed: boolean;
}

/** The earlier of an ISO time and `now`, as ISO. */
const minIso = (iso: string, now: Date) => (Date.parse(iso) > now.getTime() ? now.toISOString() : iso);

/**
 * The audit report (the JSON contract) from the inventory and findings of a window read at `now`: its window ends at
 * `now` (the inventory's at the end of the minute in progress), as does the pairing horizon stated.
 */
export function buildAuditReport(
  catalog: Catalog,
  inventory: Inventory,
  candidates: Array<FindingCandidate & { noVerdict?: { reason: string; lastSeen: string } }>,
  now: Date,
  failOn: Severity | null,
): AuditReport {
  const findings = candidates
    .map((c) => ({
      id: findingId(c.kind, c.key),
      kind: c.kind,
      severity: c.severity,
      title: c.title,
      subject: c.subject,
      evidence: c.evidence,
      hint: c.hint,
      ...(c.noVerdict ? { noVerdict: c.noVerdict } : {}),
    }))
    .sort((a, b) => severities.indexOf(b.severity) - severities.indexOf(a.severity) || a.kind.localeCompare(b.kind) || a.title.localeCompare(b.title));
  const bySeverity = Object.fromEntries(severities.map((s) => [s, findings.filter((f) => f.severity === s).length])) as Record<Severity, number>;
  const byKind: Record<string, number> = {};
  for (const f of findings) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
  const threshold = failOn ? severities.indexOf(failOn) : Infinity;
  return {
    version: 1,
    generatedAt: now.toISOString(),
    // The inventory's window ends with the minute in progress (its rollups' grain); the audit's ends at now.
    window: { since: inventory.since, until: minIso(inventory.until, now) },
    pairing: {
      pairedUntil: minIso(inventory.pairing.pairedUntil, now),
      pendingTraces: inventory.pairing.pendingTraces,
      pendingSpans: inventory.pairing.pendingSpans,
    },
    catalog: {
      files: catalog.sources,
      systems: catalog.systems.length,
      flows: catalog.flows.length,
      domains: catalog.domains.length,
      owners: catalog.owners.length,
    },
    summary: {
      systems: {
        total: inventory.systems.length,
        documented: inventory.systems.filter((s) => s.documented).length,
        unknown: inventory.systems.filter((s) => !s.documented).length,
        observed: inventory.systems.filter((s) => s.observed).length,
      },
      flows: {
        total: inventory.flows.length,
        documented: inventory.flows.filter((f) => f.documented).length,
        // A half of a documented flow (`halfOf`) is none: its runs are that flow's, never paired whole.
        undocumented: inventory.flows.filter((f) => !f.documented && f.halfOf === null).length,
        halves: inventory.flows.filter((f) => f.halfOf !== null).length,
        observed: inventory.flows.filter((f) => f.stats).length,
        neverObserved: inventory.flows.filter((f) => f.documented && !f.stats).length,
      },
      findings: { total: findings.length, bySeverity, byKind },
    },
    findings,
    failOn,
    failed: findings.some((f) => severities.indexOf(f.severity) >= threshold),
  };
}
