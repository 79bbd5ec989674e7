import type { Finding, Graph, GraphEdge, GraphNode } from '../../api/types.ts';

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
  firstSeen: null,
  lastSeen: null,
  ...over,
});

/** An open finding about `systems` (and `flows`) as the findings API answers it. */
export const graphFinding = (id: string, kind: string, severity: Finding['severity'], systems: string[], flows: string[] = []): Finding => ({
  id,
  kind: kind as Finding['kind'],
  key: id,
  severity,
  title: `${kind}: ${systems.join(' → ')}`,
  subject: { systems, flows, domains: [] },
  evidence: {},
  hint: '',
  status: 'open',
  firstSeen: '2026-01-02T00:00:00.000Z',
  lastSeen: '2026-01-02T00:00:00.000Z',
  resolvedAt: null,
  acknowledgedBy: null,
  acknowledgedAt: null,
  note: '',
});

/** A graph answer around `nodes` and `edges` (a day's window, nothing pending). */
export const graphOf = (nodes: GraphNode[], edges: GraphEdge[]): Graph => ({
  since: '2026-01-01T00:00:00.000Z',
  until: '2026-01-02T00:00:00.000Z',
  nodes,
  edges,
  integrations: [],
  pairing: { pairedUntil: '2026-01-02T00:00:00.000Z', observingSince: '2026-01-01T00:00:00.000Z', pendingTraces: 0, pendingSpans: 0 },
  sprawl: { systems: nodes.length, edges: edges.length, connectionsPerSystem: {}, hubs: [], flowsPerDomain: {}, undocumentedEdges: 0, averageConnections: 0 },
});

/** Each node's connections counted from the edges. */
function counted(nodes: GraphNode[], edges: GraphEdge[]): GraphNode[] {
  const n = new Map<string, number>();
  for (const e of edges) for (const id of [e.source, e.target]) n.set(id, (n.get(id) ?? 0) + 1);
  return nodes.map((x) => ({ ...x, connections: n.get(x.id) ?? 0 }));
}

/**
 * The demo estate (`npm start`) once its faults are reported: 13 catalog systems of six teams, the
 * shadow-IT host, 21 flows and the open findings as Weft reported them — among them critical
 * regulated-data exposures naming ERP → CRM and CRM → the unknown host, with no flow.
 */
export function demoEstate(): { graph: Graph; findings: Finding[] } {
  const sys = (id: string, label: string, kind: string, owner: string) => graphNode(id, { label, kind, owner });
  const nodes = [
    sys('crm', 'CRM', 'crm', 'sales-ops'),
    sys('erp', 'ERP', 'erp', 'finance-it'),
    sys('cpq', 'CPQ', 'cpq', 'sales-ops'),
    sys('billing', 'Billing platform', 'billing', 'finance-it'),
    sys('shop', 'E-commerce shop', 'ecommerce', 'digital-commerce'),
    sys('wms', 'Warehouse management', 'wms', 'supply-chain'),
    sys('tpl', 'Third-party logistics', 'logistics', 'supply-chain'),
    sys('support', 'Support desk', 'support', 'customer-service'),
    sys('entitlements', 'Entitlement service', 'entitlement', 'customer-service'),
    sys('lake', 'Data lake (raw zone)', 'storage', 'integration-platform'),
    sys('warehouse', 'Analytics warehouse', 'warehouse', 'finance-it'),
    sys('topic-orders-web', 'Web orders topic', 'topic', 'integration-platform'),
    sys('topic-shipment-status', 'Shipment status topic', 'topic', 'integration-platform'),
    graphNode('unknown:contacts.growthhub.example', {
      label: 'contacts.growthhub.example',
      type: 'unknown-system',
      kind: 'unknown',
      owner: null,
      documented: false,
    }),
  ];
  const flow = (source: string, target: string, domain: string, over: Partial<GraphEdge> = {}) =>
    graphEdge(`${source}-${target}`, source, target, { domain, ...over });
  const undocumented = { flowId: null, mark: 'undocumented' as const };
  const edges = [
    flow('billing', 'erp', 'invoice'),
    flow('cpq', 'billing', 'quote'),
    flow('cpq', 'erp', 'quote', { mark: 'deprecated' }),
    flow('crm', 'billing', 'customer'),
    flow('crm', 'cpq', 'opportunity'),
    flow('crm', 'erp', 'customer'),
    flow('crm', 'support', 'customer'),
    graphEdge('crm->unknown:contacts.growthhub.example', 'crm', 'unknown:contacts.growthhub.example', { domain: 'customer', ...undocumented }),
    flow('entitlements', 'support', 'entitlement'),
    flow('erp', 'cpq', 'product'),
    graphEdge('erp->crm', 'erp', 'crm', { domain: 'customer', ...undocumented }),
    flow('erp', 'lake', 'order'),
    flow('erp', 'shop', 'product'),
    flow('erp', 'support', 'order'),
    flow('erp', 'wms', 'order'),
    flow('lake', 'warehouse', 'order'),
    flow('shop', 'topic-orders-web', 'order'),
    flow('topic-orders-web', 'erp', 'order'),
    flow('topic-shipment-status', 'crm', 'shipment'),
    flow('tpl', 'topic-shipment-status', 'shipment'),
    flow('wms', 'tpl', 'shipment'),
  ];
  const unknown = 'unknown:contacts.growthhub.example';
  const findings = [
    graphFinding('f1', 'regulated-data-exposure', 'critical', ['erp', 'crm']),
    graphFinding('f2', 'regulated-data-exposure', 'critical', ['crm', unknown]),
    graphFinding('f3', 'error-rate', 'high', ['entitlements', 'support'], ['entitlements-support']),
    graphFinding('f4', 'sor-violation', 'high', ['erp', 'crm']),
    graphFinding('f5', 'hop-record-loss', 'high', ['lake', 'warehouse'], ['lake-warehouse']),
    graphFinding('f6', 'record-count-drift', 'medium', ['crm', 'billing']),
    graphFinding('f7', 'unknown-system', 'medium', [unknown]),
    graphFinding('f8', 'undocumented-flow', 'medium', ['erp', 'crm']),
    graphFinding('f9', 'latency-slo-breach', 'medium', ['erp', 'wms'], ['erp-wms']),
    graphFinding('f10', 'undocumented-flow', 'medium', ['crm', unknown]),
    graphFinding('f11', 'deprecated-in-use', 'medium', ['cpq', 'erp'], ['cpq-erp']),
  ];
  return { graph: graphOf(counted(nodes, edges), edges), findings };
}

/**
 * `count` unknown hosts (`unknown:host-N.example`), each called by the CRM with an undocumented flow
 * and each with its unknown-system finding, beside the CRM's few catalog neighbours.
 */
export function unknownHub(count: number): { graph: Graph; findings: Finding[] } {
  const nodes = [
    graphNode('crm', { label: 'CRM' }),
    graphNode('erp', { label: 'ERP', kind: 'erp' }),
    graphNode('billing', { label: 'Billing', kind: 'billing' }),
  ];
  const edges = [graphEdge('crm-erp', 'crm', 'erp'), graphEdge('erp-billing', 'erp', 'billing')];
  const findings: Finding[] = [];
  for (let i = 0; i < count; i++) {
    const id = `unknown:host-${i}.example`;
    nodes.push(graphNode(id, { label: `host-${i}.example`, type: 'unknown-system', kind: 'unknown', owner: null, documented: false }));
    edges.push(graphEdge(`crm->${id}`, 'crm', id, { flowId: null, mark: 'undocumented' }));
    findings.push(graphFinding(`u${i}`, 'unknown-system', i === 7 ? 'high' : 'medium', [id]));
  }
  return { graph: graphOf(counted(nodes, edges), edges), findings };
}

/**
 * A generated estate, the same every time: `systems` systems in `teams` teams (every 50th unknown),
 * `flows` flows (two in five from the first 10 systems, the hubs), a finding on every 40th flow and a
 * record-count drift naming every 60th system.
 */
export function generatedEstate(systems: number, flows: number, teams: number): { graph: Graph; findings: Finding[] } {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const nodes = Array.from({ length: systems }, (_, i) =>
    i % 50 === 49
      ? graphNode(`sys-${i}`, { label: `host-${i}.example`, type: 'unknown-system', kind: 'unknown', owner: null, documented: false })
      : graphNode(`sys-${i}`, { label: `system ${i}`, kind: ['crm', 'erp', 'billing', 'shop', 'wms'][i % 5], owner: `team-${i % teams}` }),
  );
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  while (edges.length < flows) {
    const s = rnd() < 0.4 ? Math.floor(rnd() * 10) : Math.floor(rnd() * systems);
    const t = Math.floor(rnd() * systems);
    if (s === t || seen.has(`${s}-${t}`)) continue;
    seen.add(`${s}-${t}`);
    edges.push(graphEdge(`flow-${edges.length}`, nodes[s].id, nodes[t].id, { traces: Math.floor(rnd() * 1000) }));
  }
  const findings = [
    ...edges
      .filter((_, i) => i % 40 === 0)
      .map((e, i) => graphFinding(`slow-${i}`, 'latency-slo-breach', i % 2 ? 'high' : 'medium', [e.source, e.target], [e.flowId!])),
    ...nodes.filter((_, i) => i % 60 === 0).map((n, i) => graphFinding(`drift-${i}`, 'record-count-drift', 'medium', [n.id])),
    ...nodes.filter((n) => !n.documented).map((n, i) => graphFinding(`unknown-${i}`, 'unknown-system', 'medium', [n.id])),
  ];
  return { graph: graphOf(counted(nodes, edges), edges), findings };
}
