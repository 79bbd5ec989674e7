export { createFindingStore } from './finding-store.ts';
export type { FindingStore, FindingFilter, FindingEvent } from './finding-store.ts';
export { findingId } from './finding-rows.ts';
