import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../core/catalog/index.ts';
import type { Endpoint, MatchedBy } from '../flows/endpoint-match.ts';
import { endpointKey } from '../flows/match-sql.ts';
import type { SelfEdgeRow } from '../flows/observed.ts';
import type { Snapshot } from '../model/snapshot.ts';
import { ruleOverlaps } from '../model/take-snapshot.ts';
import { catalogRuleOverlap, unnamedEndpoint } from './catalog-detectors.ts';

const http = (host: string, name = '/api/x'): Endpoint => ({ kind: 'http', sys: 'http', host, name, peer: '' });
const queue: Endpoint = { kind: 'messaging', sys: 'rabbitmq', host: 'api.internal', name: 'orders', peer: '' };
/** A raw self-edge of the relay's runs: 2 of run group 7 (every edge of one run group holds the same runs) unless `runs` says. */
const row = (source: Endpoint, target: Endpoint, runs = [{ group: '7', traces: 2 }]): SelfEdgeRow => ({
  system: 'crm',
  integration: 'relay',
  service: 'relay',
  source,
  target,
  runs,
  lastSeen: '2026-01-01T00:00:00.000Z',
  sampleTrace: 'abc',
});
const by = (entries: Array<[Endpoint, MatchedBy]>) => new Map(entries.map(([e, m]) => [endpointKey(e), m]));
const now = new Date('2026-01-01T01:00:00Z');

function snapshot(over: Partial<Snapshot>): Snapshot {
  const { catalog } = parseCatalog([{ file: 'c.yaml', text: 'systems: [{ id: crm }]\n' }]);
  return { catalog, since: '', until: '', observingSince: null, pairedUntil: '', edges: [], touches: [], lastSeen: [], systemLastSeen: {}, ...over };
}

describe('catalog-rule-overlap (regression: a hosts rule that also captured the broker dropped the edge without a word)', () => {
  it('reports a self-edge between two different endpoints when a hosts rule claimed one of them', () => {
    const overlaps = ruleOverlaps(
      [row(queue, http('api.internal'))],
      by([
        [queue, 'hosts'],
        [http('api.internal'), 'hosts'],
      ]),
    );
    const [finding] = catalogRuleOverlap({ snapshot: snapshot({ ruleOverlaps: overlaps }), now });
    expect(finding).toMatchObject({ kind: 'catalog-rule-overlap', key: 'crm@relay', subject: { systems: ['crm'] } });
    expect(finding.evidence.endpoints).toEqual(['messaging rabbitmq:orders', 'http api.internal/api/x']);
  });

  it('regression: lists the ends read, then the ends written, each in code-point order, whatever order the rows come in (the title changed with the store)', () => {
    const a = http('shared.internal', '/api/a');
    const b = http('shared.internal:8080', '/api/b');
    const audit: Endpoint = { ...queue, name: 'audit-ü' };
    const matched = by([a, b, queue, audit].map((e) => [e, 'hosts'] as [Endpoint, MatchedBy]));
    const rows = [row(b, queue), row(a, audit), row(b, audit), row(a, queue)];
    const seen = [rows, [...rows].reverse(), [rows[2], rows[0], rows[3], rows[1]]].map((order) => {
      const [finding] = catalogRuleOverlap({ snapshot: snapshot({ ruleOverlaps: ruleOverlaps(order, matched) }), now });
      return { title: finding.title, endpoints: finding.evidence.endpoints };
    });
    expect(seen[0].endpoints).toEqual([
      'http shared.internal/api/a',
      'http shared.internal:8080/api/b',
      'messaging rabbitmq:audit-ü',
      'messaging rabbitmq:orders',
    ]);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
  });

  // Regression: the finding's traces added every raw edge's runs: two runs of a relay that read two endpoints and
  // wrote two (four raw edges of one run group) were 8 traces.
  it('counts the runs behind its edges once: per service and run group the largest count, summed', () => {
    const a = http('shared.internal', '/api/a');
    const b = http('shared.internal:8080', '/api/b');
    const audit: Endpoint = { ...queue, name: 'audit' };
    const matched = by([a, b, queue, audit].map((e) => [e, 'hosts'] as [Endpoint, MatchedBy]));
    const traces = (rows: SelfEdgeRow[]) => catalogRuleOverlap({ snapshot: snapshot({ ruleOverlaps: ruleOverlaps(rows, matched) }), now })[0].evidence.traces;
    expect(traces([row(a, queue), row(a, audit), row(b, queue), row(b, audit)])).toBe(2);
    // Another shape of run (it wrote only the queue), and a row of both: 2 + 3.
    expect(
      traces([
        row(a, queue, [
          { group: '7', traces: 2 },
          { group: '9', traces: 3 },
        ]),
        row(a, audit),
        row(b, queue, [{ group: '9', traces: 3 }]),
      ]),
    ).toBe(5);
    // The same group in another service is other runs.
    expect(traces([row(a, queue), { ...row(a, audit), service: 'relay-2' }])).toBe(4);
  });

  it('reports two HTTP services on two ports of one host that a port-less hosts rule claims', () => {
    expect(
      ruleOverlaps(
        [row(http('127.0.0.1:18081'), http('127.0.0.1:18082'))],
        by([
          [http('127.0.0.1:18081'), 'hosts'],
          [http('127.0.0.1:18082'), 'hosts'],
        ]),
      ),
    ).toHaveLength(1);
  });

  it("says nothing about a system's database and API each matched by its own rule", () => {
    const db: Endpoint = { kind: 'db', sys: 'postgresql', host: 'crm-db', name: 'crm', peer: '' };
    expect(
      ruleOverlaps(
        [row(db, http('crm.internal'))],
        by([
          [db, 'databases'],
          [http('crm.internal'), 'hosts'],
        ]),
      ),
    ).toEqual([]);
  });

  it('says nothing when an integration reads and writes one endpoint, or each end matched its own specific rule', () => {
    expect(ruleOverlaps([row(http('api.internal'), http('api.internal', '/api/y'))], by([[http('api.internal'), 'hosts']]))).toEqual([]);
    expect(
      ruleOverlaps(
        [row(queue, http('api.internal'))],
        by([
          [queue, 'destinations'],
          [http('api.internal'), 'urlPrefixes'],
        ]),
      ),
    ).toEqual([]);
  });
});

describe('unnamed-endpoint', () => {
  it('reports spans that touched an endpoint without a usable name, per kind', () => {
    const unnamed = [
      {
        system: 'unnamed:http',
        integration: 'job',
        service: 'job',
        direction: 'read',
        domain: '',
        spans: 3,
        errors: 0,
        records: 0,
        lastSeen: '2026-01-01T00:00:00.000Z',
        sampleTrace: 'abc',
      },
    ];
    expect(unnamedEndpoint({ snapshot: snapshot({ unnamed }), now }).map((f) => [f.key, f.evidence.spans])).toEqual([['unnamed:http', 3]]);
  });
});
