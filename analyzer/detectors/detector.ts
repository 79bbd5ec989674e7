import type { FindingCandidate, FindingKind } from '../../core/contracts/index.ts';
import type { Snapshot } from '../model/snapshot.ts';

export interface DetectorContext {
  snapshot: Snapshot;
  now: Date;
}

/** A detector evaluates one finding kind over a snapshot: the conditions as they are now. */
export type Detector = (ctx: DetectorContext) => FindingCandidate[];

export const subject = (systems: string[] = [], flows: string[] = [], domains: string[] = []) => ({
  systems: [...new Set(systems)],
  flows: [...new Set(flows)],
  domains: [...new Set(domains)],
});

export type DetectorTable = Partial<Record<FindingKind, Detector>>;
