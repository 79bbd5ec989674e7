import type { FindingCandidate, FindingKind } from '../../core/contracts/index.ts';
import type { Detector, DetectorContext } from './detector.ts';
import { deprecatedInUse, flowNeverObserved, ownerMissing, staleFlow, undocumentedFlow, unknownSystem } from './estate-detectors.ts';
import { hopRecordLoss } from './hop-detectors.ts';
import { catalogRuleOverlap, unnamedEndpoint } from './catalog-detectors.ts';
import { errorRate, latencySloBreach, regulatedDataExposure, sorViolation } from './rule-detectors.ts';

/** The analyzer's detectors, one per finding kind. Drift kinds belong to the probes part. */
export const detectors: Partial<Record<FindingKind, Detector>> = {
  'undocumented-flow': undocumentedFlow,
  'unknown-system': unknownSystem,
  'owner-missing': ownerMissing,
  'flow-never-observed': flowNeverObserved,
  'deprecated-in-use': deprecatedInUse,
  'sor-violation': sorViolation,
  'regulated-data-exposure': regulatedDataExposure,
  'stale-flow': staleFlow,
  'latency-slo-breach': latencySloBreach,
  'error-rate': errorRate,
  'catalog-rule-overlap': catalogRuleOverlap,
  'unnamed-endpoint': unnamedEndpoint,
  'hop-record-loss': hopRecordLoss,
};

export const analyzerKinds = Object.keys(detectors) as FindingKind[];

export function detectAll(ctx: DetectorContext): FindingCandidate[] {
  return Object.values(detectors).flatMap((d) => d!(ctx));
}

export type { Detector, DetectorContext } from './detector.ts';
