import type { Detections, FindingKind } from '../../core/contracts/index.ts';
import { detectionsOf, type DetectorContext, type DetectorTable } from './detector.ts';
import { deprecatedInUse, flowNeverObserved, ownerMissing, staleFlow, undocumentedFlow, unknownSystem } from './estate-detectors.ts';
import { hopRecordLoss } from './hop-detectors.ts';
import { catalogRuleOverlap, unnamedEndpoint } from './catalog-detectors.ts';
import { errorRate, latencySloBreach, regulatedDataExposure, sorViolation } from './rule-detectors.ts';

/** The analyzer's detectors, one per finding kind. Drift kinds belong to the probes part. */
export const detectors: DetectorTable = {
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

/** Every detector's verdicts over `ctx`: the conditions that hold, and the keys some detector has no verdict on now. */
export function detectAll(ctx: DetectorContext): Detections {
  const all = Object.values(detectors).map((d) => detectionsOf(d!(ctx)));
  return { candidates: all.flatMap((d) => d.candidates), held: all.flatMap((d) => d.held) };
}

export type { Detector, DetectorContext, HoldingDetector } from './detector.ts';
