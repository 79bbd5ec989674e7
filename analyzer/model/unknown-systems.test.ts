import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../core/catalog/index.ts';
import { buildAuditReport } from '../audit/audit-report.ts';
import { unknownSystem } from '../detectors/estate-detectors.ts';
import { buildGraph } from '../graph/build-graph.ts';
import { buildInventory } from '../inventory/build-inventory.ts';
import type { AttributedEdge, Snapshot } from './snapshot.ts';
import { daySnapshot, FIXTURE_AT, observedEdge } from '../test/snapshot-fixture.ts';
import { unknownSystemUses } from './unknown-systems.ts';

const { catalog } = parseCatalog([{ file: 'c.yaml', text: 'systems: [{ id: crm }, { id: erp }]\n' }]);
const at = FIXTURE_AT;
const edge = (source: string, target: string, integration: string, over: Partial<AttributedEdge> = {}) =>
  observedEdge(source, target, integration, { failedTraces: 1, errorSpans: 1, records: 120, ...over });

/** A traced call to an unknown API, and an OpenLineage job reading the CRM into a bucket no rule matches. */
const snapshot: Snapshot = daySnapshot(catalog, {
  edges: [
    edge('crm', 'unknown:s3://lake/customers', 'airflow/export_customers'),
    edge('erp', 'unknown:partner.example.com', 'erp-push', { traces: 9, sampleTrace: 't1', p50Ms: 30, p95Ms: 80, p99Ms: 90 }),
  ],
  touches: [
    {
      system: 'unknown:partner.example.com',
      integration: 'erp-push',
      service: 'erp-push',
      direction: 'write',
      domain: '',
      spans: 9,
      errors: 0,
      records: 0,
      lastSeen: at,
      sampleTrace: 't1',
    },
  ],
});
const unknownIds = ['unknown:partner.example.com', 'unknown:s3://lake/customers'];

describe('unknownSystemUses', () => {
  it('takes unknown systems from span touches and from flow ends no span touched (OpenLineage datasets)', () => {
    const uses = unknownSystemUses(snapshot);
    expect([...uses.keys()]).toEqual(unknownIds);
    expect(uses.get('unknown:s3://lake/customers')).toEqual([
      { integration: 'airflow/export_customers', direction: 'write', spans: 4, errors: 1, records: 120, lastSeen: at, sampleTrace: '' },
    ]);
    // The traced call is counted once (its touch), not again from its flow edge.
    expect(uses.get('unknown:partner.example.com')).toHaveLength(1);
  });

  // Regression: an OpenLineage dataset no rule matched was an unknown system on the overview (graph nodes)
  // and in the unknown-system findings, but not in the inventory, so `weft audit` said one unknown system fewer.
  it('gives the overview, the inventory, the audit summary and the findings the same unknown systems', () => {
    const graph = buildGraph(snapshot);
    const inventory = buildInventory(snapshot);
    const audit = buildAuditReport(catalog, inventory, [], new Date(snapshot.until), null);
    const findings = unknownSystem({ snapshot, now: new Date(snapshot.until) });
    // What the overview's counts read: graph nodes that are systems and not documented.
    const overviewUnknown = graph.nodes.filter((n) => n.type !== 'integration' && !n.documented).map((n) => n.id);
    expect(overviewUnknown.sort()).toEqual(unknownIds);
    expect(inventory.systems.filter((s) => !s.documented).map((s) => s.id)).toEqual(unknownIds);
    expect(findings.map((f) => f.key)).toEqual(unknownIds);
    // Observed: all four are ends of flows seen in the window (crm and erp with no span of their own here), as a report counts.
    expect(audit.summary.systems).toMatchObject({ total: 4, documented: 2, unknown: 2, observed: 4 });
    expect(graph.sprawl.systems).toBe(audit.summary.systems.total);
    // The dataset's row in the inventory carries the job's runs and rows written.
    expect(inventory.systems.find((s) => s.id === 'unknown:s3://lake/customers')).toMatchObject({
      integrations: ['airflow/export_customers'],
      spans: 4,
      records: 120,
    });
  });
});
