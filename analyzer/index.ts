export { createFindingStore, findingId } from './findings/index.ts';
export type { FindingStore, FindingFilter, FindingEvent } from './findings/index.ts';
