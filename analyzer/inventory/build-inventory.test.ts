import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../core/catalog/index.ts';
import { attributeEdges } from '../model/snapshot.ts';
import { daySnapshot, observedEdge } from '../test/snapshot-fixture.ts';
import { buildAuditReport } from '../audit/audit-report.ts';
import { auditFormats } from '../audit/render-audit.ts';
import { buildInventory } from './build-inventory.ts';

const { catalog } = parseCatalog([
  {
    file: 'c.yaml',
    text: 'systems: [{ id: crm }, { id: erp }, { id: billing }]\nflows:\n  - { id: crm-erp, source: crm, target: erp }\n  - { id: billing-erp, source: billing, target: erp }\n',
  },
]);
const edge = (source: string, target: string, integration: string, service: string, lastSeen: string, traces: number) =>
  observedEdge(source, target, integration, { service, lastSeen, traces, firstSeen: '2026-01-01T01:00:00.000Z' });

const snapshot = daySnapshot(catalog, {
  edges: attributeEdges(catalog, [
    edge('crm', 'erp', 'sync', 'sync-a', '2026-01-01T05:00:00.000Z', 3),
    edge('crm', 'erp', 'sync', 'sync-b', '2026-01-01T09:00:00.000Z', 2),
    // Undocumented: two services of one integration, the earlier one listed first.
    edge('erp', 'crm', 'push', 'push-a', '2026-01-01T07:00:00.000Z', 1),
    edge('erp', 'crm', 'push', 'push-b', '2026-01-01T20:00:00.000Z', 4),
  ]),
  lastSeen: [
    { source: 'crm', target: 'erp', integration: 'sync', service: 'sync-a', lastSeen: '2026-01-01T05:00:00.000Z' },
    { source: 'crm', target: 'erp', integration: 'sync', service: 'sync-b', lastSeen: '2026-01-03T09:00:00.000Z' },
    { source: 'billing', target: 'erp', integration: 'invoices', service: 'invoices', lastSeen: '2025-12-30T00:00:00.000Z' },
  ],
});

describe('buildInventory', () => {
  // Regression: the audit counted a system observed when spans touched it, a report also when it was an end of a flow
  // (an OpenLineage dataset has no span) or seen at all: one estate was "12 observed" in the audit and 14 in the report.
  it('calls a system observed when spans touched it in the window or it is an end of a flow seen there, never for an earlier sighting', () => {
    const systems = new Map(buildInventory(snapshot).systems.map((x) => [x.id, x]));
    // crm and erp: ends of flows seen in the window, no span of theirs here.
    expect(systems.get('crm')).toMatchObject({ spans: 0, observed: true });
    expect(systems.get('erp')).toMatchObject({ spans: 0, observed: true });
    // billing: seen before the window only.
    expect(systems.get('billing')).toMatchObject({ spans: 0, observed: false });
    expect(buildInventory(snapshot, { lastSeen: 'window' }).systems.map((x) => x.observed)).toEqual([true, true, false]);
  });

  it('gives each documented flow its edges in the window and the latest time it was ever seen', () => {
    const flows = new Map(buildInventory(snapshot).flows.map((f) => [f.id, f]));
    expect(flows.get('crm-erp')).toMatchObject({ integrations: ['sync'], stats: { traces: 5 }, lastSeen: '2026-01-03T09:00:00.000Z' });
    // Not in the window, seen before it.
    expect(flows.get('billing-erp')).toMatchObject({ integrations: [], stats: null, lastSeen: '2025-12-30T00:00:00.000Z' });
    // A report of a past period: the window's own last seen.
    const windowOnly = new Map(buildInventory(snapshot, { lastSeen: 'window' }).flows.map((f) => [f.id, f]));
    expect(windowOnly.get('crm-erp')?.lastSeen).toBe('2026-01-01T09:00:00.000Z');
    expect(windowOnly.get('billing-erp')?.lastSeen).toBeNull();
  });

  // Regression: a report of 14:55–15:10 showed a flow last seen at 15:10:02, a run that started in its last minute.
  it("keeps a window's last seen inside the window: a run that ended after it was seen up to its end", () => {
    const after = '2026-01-02T00:00:02.551Z';
    const late = daySnapshot(catalog, {
      edges: attributeEdges(catalog, [edge('crm', 'erp', 'sync', 'sync-a', after, 1), edge('erp', 'crm', 'push', 'push-a', after, 1)]),
      touches: [
        {
          system: 'crm',
          integration: 'sync',
          service: 'sync-a',
          direction: 'read',
          domain: '',
          spans: 1,
          errors: 0,
          records: 0,
          lastSeen: after,
          sampleTrace: 't',
        },
      ],
    });
    const windowOnly = buildInventory(late, { lastSeen: 'window' });
    expect(windowOnly.flows.filter((f) => f.stats).map((f) => [f.id, f.lastSeen])).toEqual([
      ['crm-erp', late.until],
      ['observed:erp->crm@push', late.until],
    ]);
    expect(windowOnly.systems.find((x) => x.id === 'crm')?.lastSeen).toBe(late.until);
    // The API's inventory says when it was really last seen.
    expect(buildInventory(late).systems.find((x) => x.id === 'crm')?.lastSeen).toBe(after);
  });

  // Regression: the datasets OpenLineage runs read and write (no span touches them) were "not seen in the period" in a
  // report whose flows between them showed 15 runs.
  it('sees a system at an end of a flow seen in the window, spans or not', () => {
    const windowOnly = buildInventory(snapshot, { lastSeen: 'window' });
    expect(Object.fromEntries(windowOnly.systems.map((x) => [x.id, x.lastSeen]))).toEqual({
      crm: '2026-01-01T20:00:00.000Z',
      erp: '2026-01-01T20:00:00.000Z',
      billing: null,
    });
  });

  // Regression: an undocumented flow carried by two services took its last seen from the edge listed first.
  it('makes one undocumented flow of the edges of one source, target and integration, last seen at the latest of them', () => {
    const observed = buildInventory(snapshot).flows.filter((f) => f.id.startsWith('observed:'));
    expect(observed).toHaveLength(1);
    expect(observed[0]).toMatchObject({ id: 'observed:erp->crm@push', stats: { traces: 5 }, lastSeen: '2026-01-01T20:00:00.000Z' });
  });
});

// Regression: an undocumented flow whose services sent different `integration.domain` values took the domain of
// the edge listed first, and the flow summary (SQL: the least non-empty one) another.
describe('the domain of an undocumented flow of several services', () => {
  it('is the least of its edges’ non-empty domains in code-point order, as the flow summary takes it, whatever their order', () => {
    const edges = [
      observedEdge('erp', 'crm', 'push', { service: 'push-a', domain: 'order' }),
      observedEdge('erp', 'crm', 'push', { service: 'push-b', domain: '' }),
      observedEdge('erp', 'crm', 'push', { service: 'push-c', domain: 'customer' }),
      observedEdge('erp', 'crm', 'push', { service: 'push-d', domain: 'Ärger' }),
    ];
    for (const order of [edges, [...edges].reverse()]) {
      const inventory = buildInventory(daySnapshot(catalog, { edges: attributeEdges(catalog, order) }));
      expect(inventory.flows.find((f) => f.id === 'observed:erp->crm@push')?.domain).toBe('customer');
    }
    const none = buildInventory(daySnapshot(catalog, { edges: attributeEdges(catalog, [edges[1]]) }));
    expect(none.flows.find((f) => f.id === 'observed:erp->crm@push')?.domain).toBeNull();
  });
});

// Regression: a run without trace context whose read and write were paired apart (a restart between them: read on one
// instance, write on another) raised no finding, as its halves are the documented flow's; but the inventory listed them
// as two undocumented flows (`documented: false`, nothing more), `weft audit` counted them "undocumented" and the
// overview said so.
describe('buildInventory and the audit of the halves of a documented flow', () => {
  const { catalog: c } = parseCatalog([
    {
      file: 'c.yaml',
      text: 'systems: [{ id: crm }, { id: erp }]\nflows:\n  - { id: customer-sync, source: crm, target: erp, runtime: { service: customer-sync } }\n',
    },
  ]);
  const snap = daySnapshot(c, {
    edges: attributeEdges(c, [
      edge('crm', 'integration:customer-sync', 'customer-sync', 'customer-sync', '2026-01-01T05:00:00.000Z', 1),
      edge('integration:customer-sync', 'erp', 'customer-sync', 'customer-sync', '2026-01-01T05:00:03.000Z', 1),
      // Undocumented: another integration writing the CRM, and a half of no documented flow of its runtime.
      edge('erp', 'crm', 'push', 'push', '2026-01-01T07:00:00.000Z', 1),
      edge('crm', 'integration:push', 'push', 'push', '2026-01-01T07:00:00.000Z', 1),
    ]),
  });
  const inventory = buildInventory(snap);

  it('names the documented flow each half is of, and no flow for an undocumented one', () => {
    expect(inventory.flows.filter((f) => !f.documented).map((f) => [f.name, f.halfOf])).toEqual([
      ['crm → customer-sync', 'customer-sync'],
      ['customer-sync → erp', 'customer-sync'],
      ['erp → crm', null],
      ['crm → push', null],
    ]);
  });

  it('counts the halves apart in the audit, not as undocumented flows', () => {
    const audit = buildAuditReport(c, inventory, [], new Date('2026-01-02T00:00:00.000Z'), null);
    expect(audit.summary.flows).toMatchObject({ total: 5, documented: 1, undocumented: 2, halves: 2 });
    expect(auditFormats.table(audit)).toContain('flows: 5 (1 documented, 2 undocumented, 2 halves of documented flows (runs paired apart)');
  });
});
