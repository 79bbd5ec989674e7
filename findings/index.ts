export { createFindingStore } from './finding-store.ts';
export type { FindingStore, FindingFilter, FindingEvent } from './finding-store.ts';
export { findingId, rowToFinding } from './finding-rows.ts';
export type { FindingRow } from './finding-rows.ts';
export { ERR_FINDING_NOT_FOUND, ERR_FINDING_STATE } from './errors.ts';
