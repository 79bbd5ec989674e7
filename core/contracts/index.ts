export { findingKinds, findingStatuses, severities } from './finding-lists.ts';
export { FindingKindSchema, FindingStatusSchema, SeveritySchema } from './finding.ts';
export type {
  FindingKind,
  Severity,
  FindingStatus,
  FindingSubject,
  FindingCandidate,
  Finding,
  SyncResult,
  FindingSink,
  HeldVerdict,
  Detections,
} from './finding.ts';
