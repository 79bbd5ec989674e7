import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { httpCall, sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { flowEdges, MISREADING_KINDS, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const { INTERNAL } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: billing, owner: icoe, match: { hosts: [billing.internal] } }
flows:
  - { id: client, source: crm, target: billing, owner: icoe, runtime: { service: client } }
  - { id: documents, source: crm, target: billing, owner: icoe, runtime: { service: documents } }
  - { id: gateway, source: crm, target: billing, owner: icoe, runtime: { service: gateway } }
  - { id: lexed, source: crm, target: billing, owner: icoe, runtime: { service: lexed } }
`;

/** A GraphQL operation POSTed to `url`, as an HTTP client span with the GraphQL attributes `graphql`. */
const operation = (url: string, graphql: api.Attributes): SpanSpec => {
  const post = httpCall('POST', url);
  return { ...post, attributes: { ...post.attributes, ...graphql } };
};

/**
 * The Grafbase gateway's span of a request to a subgraph: `subgraph:<name>` (INTERNAL: tracing's default), the HTTP
 * request's method, URL and host, `graphql.operation.type` and the sanitized document.
 */
const subgraph = (name: string, url: string, type: string, document: string): SpanSpec => ({
  name: `subgraph:${name}`,
  kind: INTERNAL,
  attributes: {
    'subgraph.name': name,
    'http.request.method': 'POST',
    'server.address': new URL(url).hostname,
    'url.full': url,
    'graphql.operation.type': type,
    'graphql.operation.document': document,
    'http.response.status_code': 200,
  },
});

describe('GraphQL operations, POSTed whether they read or write', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const send = (service: string, roots: SpanSpec[]) => sendSpans({ url: h.collector.url, serviceName: service }, roots);
    const run = (children: SpanSpec[]): SpanSpec => ({ name: 'sync', kind: INTERNAL, start: t0, children });
    // By the operation's type; a subscription reads as a query does.
    await send('client', [
      run([
        operation('https://crm.internal/graphql', { 'graphql.operation.type': 'query', 'graphql.operation.name': 'Customers' }),
        operation('https://crm.internal/graphql', { 'graphql.operation.type': 'subscription', 'graphql.operation.name': 'CustomerChanged' }),
        operation('https://billing.internal/graphql', { 'graphql.operation.type': 'mutation', 'graphql.operation.name': 'CreateInvoice' }),
      ]),
    ]);
    // By the document alone: a comment and the query shorthand, a mutation.
    await send('documents', [
      run([
        operation('https://crm.internal/graphql', { 'graphql.document': '# changed since\n{ customers(since: $since) { id name } }' }),
        operation('https://billing.internal/graphql', {
          'graphql.document': 'mutation CreateInvoice($input: InvoiceInput!) { createInvoice(input: $input) { id } }',
        }),
      ]),
    ]);
    await send('gateway', [
      run([
        subgraph('crm', 'https://crm.internal/graphql', 'query', 'query($a:ID!){customer(id:$a){id}}'),
        subgraph('billing', 'https://billing.internal/graphql', 'mutation', 'mutation($b:InvoiceInput!){createInvoice(input:$b){id}}'),
      ]),
    ]);
    // Regression: a comment was read as ending anywhere on its line, so `# { … }` before a mutation made it a query, and
    // a document starting with a fragment said nothing (its POST wrote): the spec's comment runs to the line's end, a
    // string or block string holding `#`, `{` or `}` is one token, and the operation is the first definition that is
    // not a fragment.
    await send('lexed', [
      run([
        operation('https://crm.internal/graphql', {
          'graphql.document': 'fragment C on Customer { id name(format: "} {#") }\nquery Customers { customers { ...C } }',
        }),
        operation('https://crm.internal/graphql', {
          'graphql.document': 'fragment A on Address @cached(keys: [{ f: "city" }]) { city }, fragment B on Customer { a { ...A } } { customers { ...B } }',
        }),
        operation('https://billing.internal/graphql', { 'graphql.document': '# { invoices { id } }\nmutation CreateInvoice { createInvoice { id } }' }),
        operation('https://billing.internal/graphql', {
          'graphql.document': 'fragment I on Invoice { id note(text: """ } \\""" # { """) }\nmutation { createInvoice { ...I } }',
        }),
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

  it('reads the system a query or subscription was sent to, and writes the one a mutation was', async () => {
    expect(await flowEdges(analyzer)).toEqual(['client crm -> billing', 'documents crm -> billing', 'gateway crm -> billing', 'lexed crm -> billing']);
    expect(await openFindingTitles(analyzer, [...MISREADING_KINDS])).toEqual([]);
  });
});
