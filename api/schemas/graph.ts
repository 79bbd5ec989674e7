import { Type } from '@sinclair/typebox';
import { DocumentedLifecycle, LatencyMs, NullStr, Num, PairingStatusSchema, RunRecords, Str, WindowFields } from './common.ts';

export const NodeSchema = Type.Object({
  id: Str,
  label: Str,
  type: Str,
  kind: Str,
  owner: NullStr,
  lifecycle: DocumentedLifecycle,
  documented: Type.Boolean(),
  connections: Num,
});
export const EdgeSchema = Type.Object({
  id: Str,
  source: Str,
  target: Str,
  integrations: Type.Array(Str),
  domain: Str,
  flowId: NullStr,
  mark: Type.Union([Type.Literal('documented'), Type.Literal('undocumented'), Type.Literal('deprecated')]),
  observed: Type.Boolean(),
  traces: Num,
  records: RunRecords,
  errorRate: Num,
  p95Ms: LatencyMs,
  firstSeen: Type.Union([Str, Type.Null()], {
    description: 'start of the first run counted in the window (ISO 8601; null: not observed): rates are from the earlier of it and pairing.observingSince',
  }),
  lastSeen: NullStr,
});
export const GraphSchema = Type.Object({
  ...WindowFields,
  pairing: PairingStatusSchema,
  nodes: Type.Array(NodeSchema),
  edges: Type.Array(EdgeSchema),
  integrations: Type.Array(Type.Object({ id: Str, service: Str, edges: Num })),
  dependencies: Type.Optional(
    Type.Array(
      Type.Object({
        id: Str,
        role: Type.Union([Type.Literal('lookup'), Type.Literal('state')]),
        system: Str,
        flowId: Str,
        target: NullStr,
        integrations: Type.Array(Str),
        spans: Num,
        lastSeen: Str,
      }),
      { description: "systems documented flows' runtimes look up (reference data) or keep their state in, touched in the window: dependencies, not flows" },
    ),
  ),
  sprawl: Type.Object({
    systems: Num,
    edges: Num,
    connectionsPerSystem: Type.Record(Type.String(), Num),
    hubs: Type.Array(Type.Object({ id: Str, connections: Num })),
    flowsPerDomain: Type.Record(Type.String(), Num),
    undocumentedEdges: Num,
    averageConnections: Num,
  }),
});
export const PointSchema = Type.Object({
  t: Type.String({ description: "the bucket's start: every step from the start of since's minute" }),
  traces: Num,
  failedTraces: Num,
  records: RunRecords,
  p50Ms: LatencyMs,
  p95Ms: LatencyMs,
  p99Ms: LatencyMs,
});
/**
 * One flow's buckets over [since, until]: laid every `step` from the start of since's minute (not from
 * the epoch), so two ranges of the same length in whole minutes are bucketed alike; buckets without
 * traces are left out.
 */
export const FlowSeriesSchema = Type.Object({ flow: Str, source: Str, target: Str, ...WindowFields, step: Str, points: Type.Array(PointSchema) });
