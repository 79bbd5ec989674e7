import type { FindingCandidate, FindingKind, HeldVerdict } from '../../core/contracts/index.ts';
import type { FindingStore } from '../../findings/index.ts';
import type { Snapshot } from '../model/snapshot.ts';

/**
 * The finding kinds whose condition is something seen in the window (an edge, a touch, an endpoint, a rule matching
 * one): a window that did not see it again clears it only when Weft watched the whole window. The absence rules
 * (stale-flow, flow-never-observed) and the rules on counted runs (error-rate, latency, hop-record-loss) say for
 * themselves when they have no verdict; owner-missing reads the catalog alone.
 */
export const SEEN_IN_WINDOW_KINDS: readonly FindingKind[] = [
  'undocumented-flow',
  'unknown-system',
  'deprecated-in-use',
  'sor-violation',
  'regulated-data-exposure',
  'unnamed-endpoint',
  'catalog-rule-overlap',
];

/**
 * Why `snapshot`'s window cannot clear a finding seen in it (`SEEN_IN_WINDOW_KINDS`), or null when it can: Weft's last
 * downtime (`Snapshot.downtime`: no pairing run for longer than WEFT_DOWNTIME_MIN_MS, a stop or a pairing that failed
 * throughout) overlaps it — what ran meanwhile may not have reached Weft. In words for a reader. Not when the catalog
 * changed since the downtime began (`Snapshot.catalogStoredAt`; restarted with another catalog, or reloaded since): a
 * finding the new catalog does not find again (the flow documented, the host named) is cleared by it, seen or not. (A
 * window whose end is not paired yet is not enough either: a trace with its root span is paired seconds after its
 * last span, whatever the late-arrival window, so such a window still sees what runs.)
 */
export function windowUnwatched(snapshot: Snapshot): string | null {
  const down = snapshot.downtime;
  if (!down || (snapshot.catalogStoredAt !== undefined && Date.parse(snapshot.catalogStoredAt) > Date.parse(down.from))) return null;
  if (Date.parse(down.to) > Date.parse(snapshot.since) && Date.parse(down.from) < Date.parse(snapshot.until))
    return `Weft was not observing from ${down.from} to ${down.to}, within the window; judged again once the window lies after it`;
  return null;
}

/**
 * No verdict (`HeldVerdict`) on each open finding of `SEEN_IN_WINDOW_KINDS` that the window did not see again (not
 * among `candidates`), when Weft did not watch the whole window (`windowUnwatched`): `sync` then keeps it as it was
 * instead of resolving it, and a later window that sees the flow again does not reopen it. None when the window was
 * watched. Reads the open findings of those kinds from `findings`; throws what it throws.
 */
export async function unseenHeld(snapshot: Snapshot, candidates: readonly FindingCandidate[], findings: Pick<FindingStore, 'list'>): Promise<HeldVerdict[]> {
  const reason = windowUnwatched(snapshot);
  if (reason === null) return [];
  const seen = new Set(candidates.map((c) => `${c.kind}\u0000${c.key}`));
  const open = await findings.list({ kind: [...SEEN_IN_WINDOW_KINDS], status: ['open', 'acknowledged'] });
  return open.filter((f) => !seen.has(`${f.kind}\u0000${f.key}`)).map((f) => ({ kind: f.kind, key: f.key, reason }));
}
