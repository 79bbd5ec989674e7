export { startAnalyzer } from './runner.ts';
export type { Analyzer, AnalyzerOptions, RunResult } from './runner.ts';
export { buildGraph } from './graph/build-graph.ts';
export type { Graph, GraphNode, GraphEdge, Sprawl } from './graph/build-graph.ts';
export { buildInventory, throughputPerHour, type InventoryOptions } from './inventory/build-inventory.ts';
export type { Inventory, InventorySystem, InventoryFlow } from './inventory/build-inventory.ts';
export { analyzerKinds, detectAll, detectors } from './detectors/index.ts';
export { takeSnapshot } from './model/take-snapshot.ts';
export { isRunOf, maxKnown, runtimeMatches, silentSince } from './model/snapshot.ts';
export { takeWindows } from './model/take-windows.ts';
export { pairingState, type PairingState } from './flows/pairing-job.ts';
export type { FlowWindows, WindowRequest, WindowRows } from './model/take-windows.ts';
export type { Snapshot, AttributedEdge } from './model/snapshot.ts';
export { buildHopChains } from './hops/hop-chain.ts';
export type { HopChain, Hop } from './hops/hop-chain.ts';
export {
  describeStoppedPairing,
  lastPairingWindows,
  statedPairing,
  pairStoppedStore,
  runPairing,
  type PairingWindows,
  type StoppedPairing,
} from './flows/pairing-job.ts';
export { queryFlowSeries } from './flows/flow-series.ts';
export type { FlowPoint } from './flows/flow-series.ts';
export { selectFlow } from './flows/flow-edges.ts';
export type { FlowSelection } from './flows/flow-edges.ts';
export { queryFlowSummaries } from './inventory/flow-summary.ts';
export { ERR_FLOW_NOT_FOUND } from './errors.ts';
export { runAudit } from './audit/run-audit.ts';
export { resolveEndpoint } from './flows/endpoint-match.ts';
export type { AuditSource } from './audit/run-audit.ts';
export { buildAuditReport } from './audit/audit-report.ts';
export type { AuditReport } from './audit/audit-report.ts';
export { auditFormats } from './audit/render-audit.ts';
export type { AuditFormat } from './audit/render-audit.ts';
export { queryTrace, isTraceId, TRACE_SPAN_LIMIT } from './traces/trace-view.ts';
export type { TraceView, TraceSpan } from './traces/trace-view.ts';
export {
  flowProbability,
  flowSampling,
  flowSilenceMs,
  formatProbability,
  querySampledServices,
  querySamplingInWindows,
  sampledCountRange,
  sampledSilenceMs,
  SAMPLING_LOOKBACK_MS,
  SAMPLED_SILENCE_ALPHA,
} from './flows/sampling.ts';
export type { SampledService } from './flows/sampling.ts';
export { absenceUnjudged, queryLastDowntime, WEFT_DOWNTIME_MIN_MS, type WeftDowntime } from './flows/weft-downtime.ts';
