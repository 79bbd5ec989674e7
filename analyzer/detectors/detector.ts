import type { Detections, FindingCandidate, FindingKind } from '../../core/contracts/index.ts';
import type { Snapshot } from '../model/snapshot.ts';

export interface DetectorContext {
  snapshot: Snapshot;
  now: Date;
}

/** A detector evaluates one finding kind over a snapshot: the conditions as they are now. */
export type Detector = (ctx: DetectorContext) => FindingCandidate[];

/**
 * A detector for which too little data (too few runs in the window, none at all) is not the condition cleared: it
 * says, beside the conditions that hold, the keys it has no verdict on now (`Detections.held`), and `sync` keeps their
 * open findings as they are.
 */
export type HoldingDetector = (ctx: DetectorContext) => Detections;

/** A detector's result as `Detections`: a plain detector has a verdict on every key. */
export const detectionsOf = (found: FindingCandidate[] | Detections): Detections => (Array.isArray(found) ? { candidates: found, held: [] } : found);

export const subject = (systems: string[] = [], flows: string[] = [], domains: string[] = []) => ({
  systems: [...new Set(systems)],
  flows: [...new Set(flows)],
  domains: [...new Set(domains)],
});

/**
 * A finding's `sampleTraceIds`: up to 3 distinct non-empty trace ids, the least first, so the evidence does not change
 * with the order its rows came in.
 */
export const sampleTraces = (ids: Iterable<string>): string[] => [...new Set(ids)].filter(Boolean).sort().slice(0, 3);

export type DetectorTable = Partial<Record<FindingKind, Detector | HoldingDetector>>;
