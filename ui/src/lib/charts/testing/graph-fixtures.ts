import type { GraphEdge, GraphNode } from '../../api/types.ts';

/** A catalog system as the graph API answers it (owner `icoe`, documented, active), with `over` applied. */
export const graphNode = (id: string, over: Partial<GraphNode> = {}): GraphNode => ({
  id,
  label: id,
  type: 'system',
  kind: 'crm',
  owner: 'icoe',
  lifecycle: 'active',
  documented: true,
  connections: 1,
  ...over,
});

/** A documented, observed flow `source → target` (48 traces, 50 records, 2% errors, p95 120 ms), with `over` applied. */
export const graphEdge = (id: string, source: string, target: string, over: Partial<GraphEdge> = {}): GraphEdge => ({
  id,
  source,
  target,
  integrations: ['sync'],
  domain: 'customer',
  flowId: id,
  mark: 'documented',
  observed: true,
  traces: 48,
  records: 50,
  errorRate: 0.02,
  p95Ms: 120,
  lastSeen: null,
  ...over,
});
