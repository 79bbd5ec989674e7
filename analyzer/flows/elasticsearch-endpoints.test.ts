import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { httpCall, sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { flowEdges, MISREADING_KINDS, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const { CLIENT, INTERNAL } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: billing, owner: icoe, match: { hosts: [billing.internal] } }
  - { id: search, owner: icoe, match: { databases: [{ system: elasticsearch, host: es.internal }, { system: opensearch, host: os.internal }] } }
flows:
  - { id: esql-report, source: search, target: billing, owner: icoe, runtime: { service: esql-report } }
  - { id: os-report, source: search, target: billing, owner: icoe, runtime: { service: os-report } }
`;

/**
 * The span the Java agent (elasticsearch-rest) and the Elasticsearch clients' own instrumentation make of a request: named
 * and `db.operation`-ed after its API endpoint, with the request's method and URL.
 */
const request = (system: string, host: string, endpoint: string, path: string): SpanSpec => ({
  name: endpoint,
  kind: CLIENT,
  attributes: {
    'db.system': system,
    'db.operation': endpoint,
    'http.request.method': 'POST',
    'url.full': `http://${host}:9200${path}`,
    'server.address': host,
    'server.port': 9200,
  },
});

describe('Elasticsearch and OpenSearch reads named by an endpoint of no known direction', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const send = (service: string, roots: SpanSpec[]) => sendSpans({ url: h.collector.url, serviceName: service }, roots);
    const run = (start: number, children: SpanSpec[]): SpanSpec => ({ name: 'report', kind: INTERNAL, start, children });
    const invoice = httpCall('POST', 'https://billing.internal/api/invoices', { status: 201 });
    // ES|QL, SQL, a kNN search and an async search: each a POST, each a read.
    await send('esql-report', [
      run(t0, [request('elasticsearch', 'es.internal', 'esql.query', '/_query'), invoice]),
      run(t0 + 1000, [request('elasticsearch', 'es.internal', 'sql.query', '/_sql?format=json'), invoice]),
      run(t0 + 2000, [request('elasticsearch', 'es.internal', 'knn_search', '/orders/_knn_search'), invoice]),
      run(t0 + 3000, [request('elasticsearch', 'es.internal', 'async_search.submit', '/orders/_async_search'), invoice]),
    ]);
    await send('os-report', [
      run(t0, [
        request('opensearch', 'os.internal', 'sql.query', '/_plugins/_sql'),
        request('opensearch', 'os.internal', 'ppl.query', '/_plugins/_ppl'),
        invoice,
      ]),
    ]);
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it('reads the cluster a POST to a read endpoint went to', async () => {
    expect(await flowEdges(analyzer)).toEqual(['esql-report search -> billing', 'os-report search -> billing']);
    expect(await openFindingTitles(analyzer, [...MISREADING_KINDS])).toEqual([]);
  });
});
