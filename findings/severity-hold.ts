import type { Severity } from '../core/contracts/index.ts';

/**
 * How long a lower severity must be reported without a break before an open finding is lowered
 * (10 minutes): a drift or a latency that hovers around a threshold keeps its higher severity instead
 * of flapping medium → low → medium. Raising is immediate.
 */
export const SEVERITY_HOLD_MS = 10 * 60_000;

const rank: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** The severity an open finding keeps, and since when (ms since the epoch) a lower one has been proposed. */
export interface HeldSeverity {
  severity: Severity;
  lowerSince: number | undefined;
}

/**
 * Severity with hysteresis: `proposed` at or above `current` is taken at once; a lower one is taken
 * only once it (or anything below `current`) has been proposed for `holdMs` in a row. Pure.
 */
export function holdSeverity(current: Severity, proposed: Severity, lowerSince: number | undefined, nowMs: number, holdMs = SEVERITY_HOLD_MS): HeldSeverity {
  if (rank[proposed] >= rank[current]) return { severity: proposed, lowerSince: undefined };
  const since = lowerSince ?? nowMs;
  if (nowMs - since >= holdMs) return { severity: proposed, lowerSince: undefined };
  return { severity: current, lowerSince: since };
}
