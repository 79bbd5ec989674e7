export { align, toleranceFor, evaluateDomainDrift, driftCandidates } from './record-count-drift.ts';
export type { CountPoint, DriftState, Trend } from './record-count-drift.ts';
