export { runReconciliation } from './run-reconciliation.ts';
export type { RunReconciliationOptions } from './run-reconciliation.ts';
export type { ReconciliationRun, ReconcileProgress, ChangedSample } from './reconciliation-run.ts';
export { bisect, mergeRanges, firstWidth } from './bisect.ts';
export type { BisectOptions, BisectResult } from './bisect.ts';
export { valueClassOf, canonicalExpr } from './canonical.ts';
export type { ValueClass } from './canonical.ts';
export { ReconciliationRunStore } from './run-store.ts';
export { keyDriftCandidates } from './key-drift-finding.ts';
