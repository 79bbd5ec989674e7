export { severities } from './finding.ts';
export type { FindingKind, Severity, FindingStatus, FindingSubject, FindingCandidate, Finding, SyncResult, FindingSink } from './finding.ts';
