import { describe, expect, it } from 'vitest';
import { baseCatalogYaml, catalogFrom } from '../test/estate-fixture.ts';
import { attributeEdges } from '../model/snapshot.ts';
import { daySnapshot, FIXTURE_AT, observedEdge } from '../test/snapshot-fixture.ts';
import { detectAll } from './index.ts';

/**
 * A finding's id is its kind and key: two candidates of one kind and key are one condition told twice, and the store
 * keeps whichever came last (regression: undocumented-flow, sor-violation and regulated-data-exposure made one per
 * edge, so a flow carried by several services or integrations was listed once per edge under one id).
 */
describe('detectAll', () => {
  it('gives each condition one finding, whatever the services, integrations and domains carrying its edges', () => {
    const catalog = catalogFrom(baseCatalogYaml);
    const ends: Array<[string, string]> = [
      ['crm', 'erp'], // documented (customer-sync), gold class
      ['erp', 'crm'], // into the customer system of record
      ['billing', 'erp'], // a replica written by another than the system of record
      ['crm', 'legacy-ftp'], // deprecated flow and system
      ['crm', 'unknown:api.saas.example'], // regulated data to an unknown system
      ['erp', 'orders-topic'],
    ];
    const carriers = [
      { integration: 'sync', service: 'sync-a', domain: 'customer' },
      { integration: 'sync', service: 'sync-b', domain: '' },
      { integration: 'sync', service: 'sync-c', domain: 'order' },
      { integration: 'customer-sync', service: 'customer-sync', domain: 'customer' },
      { integration: 'old-export', service: 'old-export', domain: 'customer' },
      { integration: 'copy', service: 'copy', domain: 'customer' },
    ];
    const edges = ends.flatMap(([source, target], i) =>
      carriers.map((c, j) =>
        observedEdge(source, target, c.integration, {
          ...c,
          traces: 5 + j,
          failedTraces: 3,
          errorSpans: 3,
          p50Ms: 400,
          p95Ms: 900,
          p99Ms: 1500,
          sampleTrace: `t${i}${j}`,
          sampleErrorTrace: `e${i}${j}`,
        }),
      ),
    );
    const now = new Date(Date.parse(FIXTURE_AT) + 3_600_000);
    const seen: string[] = [];
    for (const order of [edges, [...edges].reverse()]) {
      const found = detectAll({ snapshot: daySnapshot(catalog, { edges: attributeEdges(catalog, order) }), now }).candidates;
      // Whatever order the edges come in, the same findings with the same evidence.
      seen.push(JSON.stringify(found.map((f) => [f.kind, f.key, f.title, f.subject, f.evidence]).sort()));
      const ids = found.map((f) => `${f.kind} ${f.key}`);
      expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
      // The kinds these edges raise, each at least once.
      expect([...new Set(found.map((f) => f.kind))]).toEqual(
        expect.arrayContaining([
          'undocumented-flow',
          'unknown-system',
          'sor-violation',
          'regulated-data-exposure',
          'deprecated-in-use',
          'latency-slo-breach',
          'error-rate',
        ]),
      );
    }
    expect(JSON.parse(seen[1])).toEqual(JSON.parse(seen[0]));
  });
});
