import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../core/catalog/index.ts';
import type { ObservedEdge } from '../flows/observed.ts';
import { attributeEdges, type Snapshot } from '../model/snapshot.ts';
import { errorRate, latencySloBreach, regulatedDataExposure, sorViolation } from './rule-detectors.ts';

const catalogYaml = `owners: [{ id: icoe }]
systems: [{ id: crm }, { id: erp }, { id: billing }, { id: mdm }]
domains:
  - { id: customer, systemOfRecord: crm, replicas: [erp, billing], allowedWriters: [mdm], regulated: [pii] }
flows:
  - { id: crm-erp, source: crm, target: erp, domain: customer }
  - { id: crm-billing, source: crm, target: billing, domain: customer, owner: icoe }
  - { id: steps, source: crm, target: billing, domain: customer, owner: icoe, runtime: { service: step-sync } }
`;

const edge = (source: string, target: string, domain = 'customer'): ObservedEdge => ({
  source,
  target,
  integration: `${source}-${target}`,
  service: `${source}-${target}`,
  domain,
  traces: 3,
  failedTraces: 0,
  errorSpans: 0,
  records: 30,
  p50Ms: 1,
  p95Ms: 2,
  p99Ms: 3,
  firstSeen: '2026-01-01T00:00:00.000Z',
  lastSeen: '2026-01-01T01:00:00.000Z',
  sampleTrace: 'abc',
  sampleErrorTrace: '',
  slowestTrace: '',
  slowestMs: 0,
});

function snapshot(edges: ObservedEdge[]): Snapshot {
  const { catalog } = parseCatalog([{ file: 'c.yaml', text: catalogYaml }]);
  return {
    catalog,
    since: '',
    until: '',
    observingSince: null,
    pairedUntil: '',
    pending: { traces: 0, spans: 0 },
    edges: attributeEdges(catalog, edges),
    touches: [],
    lastSeen: [],
    systemLastSeen: {},
  };
}
const now = new Date('2026-01-01T02:00:00Z');

describe('sorViolation', () => {
  it('flags a replica fed from a system that is not the system of record', () => {
    const found = sorViolation({ snapshot: snapshot([edge('erp', 'billing')]), now });
    expect(found.map((f) => [f.key, f.title])).toEqual([
      ['customer:erp->billing', 'Replica billing gets customer data from erp, not from the system of record crm'],
    ]);
  });

  it('lets the system of record feed its replicas, and allowed writers write into it', () => {
    expect(sorViolation({ snapshot: snapshot([edge('crm', 'billing'), edge('mdm', 'crm'), edge('mdm', 'erp')]), now })).toEqual([]);
  });

  it('ignores edges of other or no domains', () => {
    expect(sorViolation({ snapshot: snapshot([edge('erp', 'crm', 'order'), edge('erp', 'crm', '')]), now })).toEqual([]);
  });
});

describe('regulatedDataExposure', () => {
  it('is critical on an undocumented flow, high on a documented flow without owner, silent on an owned one', () => {
    const found = regulatedDataExposure({ snapshot: snapshot([edge('crm', 'mdm'), edge('crm', 'erp'), edge('crm', 'billing')]), now });
    expect(found.map((f) => [f.severity, f.subject.flows, f.evidence.documented])).toEqual([
      ['critical', [], false],
      ['high', ['crm-erp'], true],
    ]);
  });

  it('takes the domain from the documented flow when spans carry none', () => {
    const found = regulatedDataExposure({ snapshot: snapshot([edge('crm', 'erp', '')]), now });
    expect(found[0]?.subject.domains).toEqual(['customer']);
  });
});

describe('sorViolation: approved copy paths', () => {
  const yaml = `owners: [{ id: icoe }]
systems: [{ id: crm }, { id: erp }, { id: billing }, { id: events }]
domains:
  - { id: customer, systemOfRecord: crm, replicas: [erp, billing] }
flows:
  - { id: erp-billing-copy, source: erp, target: billing, domain: customer, owner: icoe, runtime: { service: erp-billing } }
  - { id: events-billing, source: events, target: billing, domain: customer, owner: icoe, runtime: { service: events-billing } }
  - { id: old-copy, source: erp, target: crm, domain: customer, owner: icoe, lifecycle: retired }
`;
  const snap = (edges: ObservedEdge[]): Snapshot => {
    const { catalog } = parseCatalog([{ file: 'c.yaml', text: yaml }]);
    const base = { catalog, since: '', until: '', observingSince: null, pairedUntil: '', touches: [], lastSeen: [], systemLastSeen: {} };
    return { ...base, edges: attributeEdges(catalog, edges) };
  };

  it('lets a documented flow copy a replica from a system other than the system of record (a hub, or a chain through a topic)', () => {
    expect(sorViolation({ snapshot: snap([edge('erp', 'billing'), edge('events', 'billing')]), now })).toEqual([]);
  });

  it('still flags an undocumented copy into a replica, and any write into the system of record', () => {
    const found = sorViolation({ snapshot: snap([{ ...edge('erp', 'billing'), integration: 'rogue', service: 'rogue' }, edge('erp', 'crm')]), now });
    expect(found.map((f) => f.key).sort()).toEqual(['customer:erp->billing', 'customer:erp->crm']);
    // Regression: "erp writes customer data into its system of record crm" read as if crm were erp's system of record.
    expect(found.find((f) => f.key === 'customer:erp->crm')?.title).toBe("erp writes customer data into crm, the customer domain's system of record");
  });
});

describe('per-flow thresholds override the class', () => {
  const yaml = `owners: [{ id: icoe }]
systems: [{ id: crm }, { id: erp }, { id: billing }]
classes: [{ id: gold, latencyP95Ms: 100, errorRate: 0.01 }]
flows:
  - { id: crm-erp, source: crm, target: erp, owner: icoe, class: gold, latencyP95Ms: 5000, errorRate: 0.5 }
  - { id: crm-billing, source: crm, target: billing, owner: icoe, latencyP99Ms: 1 }
`;
  const snap = (edges: ObservedEdge[]): Snapshot => {
    const { catalog } = parseCatalog([{ file: 'c.yaml', text: yaml }]);
    const base = { catalog, since: '', until: '', observingSince: null, pairedUntil: '', touches: [], lastSeen: [], systemLastSeen: {} };
    return { ...base, edges: attributeEdges(catalog, edges) };
  };
  const slow = (source: string, target: string): ObservedEdge => ({ ...edge(source, target, ''), traces: 12, p95Ms: 300, p99Ms: 400, failedTraces: 1 });

  it("takes the flow's own latency and error thresholds where given, the class's otherwise, and flows without a class too", () => {
    const s = snap([slow('crm', 'erp'), slow('crm', 'billing')]);
    expect(latencySloBreach({ snapshot: s, now }).candidates.map((f) => [f.key, f.evidence.thresholdsFrom])).toEqual([['crm-billing', 'flow']]);
    expect(errorRate({ snapshot: s, now }).candidates).toEqual([]);
  });
});

// Regression: a flow carried by several services (or, for sor-violation, several integrations) gave one finding per
// edge under one key, so the same id: the audit listed it once per service, each with that service's traces.
describe('sor-violation and regulated-data-exposure of several services or integrations', () => {
  const of = (integration: string, service: string, traces: number, sampleTrace: string): ObservedEdge => ({
    ...edge('erp', 'crm'),
    integration,
    service,
    traces,
    records: traces,
    sampleTrace,
  });
  const edges = [of('push', 'push-a', 2, 't1'), of('push', 'push-b', 3, 't2'), of('copy', 'copy', 1, 't3')];
  it('is one finding per key, its traces and records summed over the edges', () => {
    for (const order of [edges, [...edges].reverse()]) {
      const sor = sorViolation({ snapshot: snapshot(order), now: new Date() });
      expect(sor.map((f) => f.key)).toEqual(['customer:erp->crm']);
      expect(sor[0].evidence).toMatchObject({ traces: 6, records: 6, integrations: ['copy', 'push'] });
      expect((sor[0].evidence.sampleTraceIds as string[]).sort()).toEqual(['t1', 't2', 't3']);
      const exposed = regulatedDataExposure({ snapshot: snapshot(order), now: new Date() });
      expect(exposed.map((f) => f.key).sort()).toEqual(['customer:erp->crm@copy', 'customer:erp->crm@push']);
      expect(exposed.find((f) => f.key === 'customer:erp->crm@push')!.evidence).toMatchObject({ traces: 5, records: 5 });
    }
  });
});

// Regression: a run paired in halves (integration.run.id steps further apart than the late-arrival window, or a read and
// a write in traces of their own) wrote the replica as "integration:step-sync", not as the documented flow's source: a
// high sor-violation, and regulated data "on an undocumented flow", for a documented, owned copy path.
describe('the halves of a documented flow', () => {
  const half = (source: string, target: string): ObservedEdge => ({ ...edge(source, target), integration: 'step-sync', service: 'step-sync' });
  const halves = [half('crm', 'integration:step-sync'), half('integration:step-sync', 'billing')];

  it("are written by the flow's source and carry its owner", () => {
    expect(sorViolation({ snapshot: snapshot(halves), now })).toEqual([]);
    expect(regulatedDataExposure({ snapshot: snapshot(halves), now })).toEqual([]);
  });

  it('are not when the runtime documents no such flow', () => {
    const other = [half('integration:step-sync', 'erp')];
    expect(sorViolation({ snapshot: snapshot(other), now }).map((f) => f.key)).toEqual(['customer:integration:step-sync->erp']);
    expect(regulatedDataExposure({ snapshot: snapshot(other), now }).map((f) => f.title)).toEqual([expect.stringMatching(/undocumented/)]);
  });
});

describe('sorViolation: a queue or topic that only the system of record feeds', () => {
  const yaml = `owners: [{ id: icoe }]
systems:
  - { id: crm, match: { hosts: [crm.internal] } }
  - { id: erp, match: { databases: ["postgresql://erp-db/erp"], services: [erp-app, erp-worker] } }
  - { id: billing, match: { hosts: [billing.internal] } }
  - { id: erp-commands, match: { destinations: [{ name: erp.commands, system: rabbitmq }] } }
  - { id: order-events, match: { destinations: [{ name: "orders.*" }] } }
  - { id: staging, match: { databases: ["postgresql://staging/orders"], destinations: [{ name: staging.orders }] } }
domains:
  - { id: order, systemOfRecord: erp, replicas: [billing] }
flows:
  - { id: erp-to-commands, source: erp, target: erp-commands, domain: order, runtime: { service: erp-app } }
  - { id: commands-to-erp, source: erp-commands, target: erp, domain: order, runtime: { service: erp-worker } }
`;
  const snap = (edges: ObservedEdge[]): Snapshot => {
    const { catalog, problems } = parseCatalog([{ file: 'c.yaml', text: yaml }]);
    expect(problems).toEqual([]);
    const base = { catalog, since: '', until: '', observingSince: null, pairedUntil: '', touches: [], lastSeen: [], systemLastSeen: {} };
    return { ...base, edges: attributeEdges(catalog, edges) };
  };
  const order = (source: string, target: string, integration = `${source}-${target}`): ObservedEdge => ({
    ...edge(source, target, 'order'),
    integration,
    service: integration,
  });

  // Regression: `erp-commands writes order data into erp, the order domain's system of record`: the ERP's own worker consuming the
  // commands the ERP itself published (two documented flows, both ERP runtimes).
  it('takes a write from a queue only the system of record publishes to for the system of record’s own', () => {
    expect(sorViolation({ snapshot: snap([order('erp', 'erp-commands', 'erp-app'), order('erp-commands', 'erp', 'erp-worker')]), now })).toEqual([]);
    // Documented, not seen publishing in the window: the catalog says who feeds it.
    expect(sorViolation({ snapshot: snap([order('erp-commands', 'erp', 'erp-worker')]), now })).toEqual([]);
  });

  it('lets a replica be fed from a topic only the system of record publishes to, documented or not', () => {
    expect(sorViolation({ snapshot: snap([order('erp', 'order-events'), order('order-events', 'billing')]), now })).toEqual([]);
  });

  it('still flags a queue another system publishes to, one nobody is known to feed, and a system that is more than a queue', () => {
    const crmToo = sorViolation({
      snapshot: snap([order('erp', 'erp-commands', 'erp-app'), order('crm', 'erp-commands'), order('erp-commands', 'erp', 'erp-worker')]),
      now,
    });
    expect(crmToo.map((f) => f.key)).toEqual(['order:erp-commands->erp']);
    const unknownFeeder = sorViolation({ snapshot: snap([order('order-events', 'billing')]), now });
    expect(unknownFeeder.map((f) => f.key)).toEqual(['order:order-events->billing']);
    const staging = sorViolation({ snapshot: snap([order('erp', 'staging'), order('staging', 'erp')]), now });
    expect(staging.map((f) => f.key)).toEqual(['order:staging->erp']);
  });
});
