import { describe, expect, it } from 'vitest';
import { parseMatcher } from '../../alerting/silences/matchers.ts';
import { selectFlow } from '../../analyzer/flows/flow-edges.ts';
import type { Catalog } from '../../core/catalog/index.ts';
import { storedSpanRow, touchesOfRow } from '../test/stored-span.ts';
import { graphqlDirection } from './graphql.ts';
import { nameMatches } from '../../core/text/wildcard.ts';
import { nameDirection } from './name-verb.ts';
import { s3Bucket } from './object-store.ts';

/** The touches (`direction kind sys host name`) of a CLIENT span named `name` with the string attributes `attrs`, stored as the collector stores it. */
function touchesOf(name: string, attrs: Record<string, string>) {
  return touchesOfRow(storedSpanRow(name, attrs))
    .filter((touch) => touch.some((part) => part !== ''))
    .map((touch) => touch.slice(0, 5).join(' '));
}

// Regression: expressions whose matching time grew exponentially (or as the cube) with a crafted value held the
// collector's thread (a 40-byte GraphQL document of `#`s: 2 s; 64 of them: never). Each case below is such a value,
// with the answer the reading gives; the expressions are now read in one pass (eslint's regexp/no-super-linear-*
// rules keep new ones from growing faster than their input). Where the old expression was exponential or cubic, this
// file does not finish without the fix.
describe('values crafted against the collector’s and the API’s expressions get their answer', () => {
  it('a GraphQL document of comment marks, and of comments hiding a keyword', () => {
    expect(graphqlDirection('', '#'.repeat(64) + '!')).toBe('');
    expect(graphqlDirection('', '# '.repeat(5000) + '\nmutation M { x }')).toBe('write');
    expect(graphqlDirection('', ',\n\t #c\r{ customers }')).toBe('read');
    expect(graphqlDirection('', `fragment F on C ${'{ a '.repeat(20_000)}${'} '.repeat(20_000)} mutation { x }`)).toBe('write');
    expect(graphqlDirection('', `fragment F on C { a(s: """${'\\""" "" " '.repeat(20_000)}""") } mutation { x }`)).toBe('write');
  });

  it('an S3 host with a run of dashes after s3, and one that is a bucket’s', () => {
    expect(s3Bucket(`b.s3${'-'.repeat(64)}!.amazonaws.com`, '/', '/', '')).toBeUndefined();
    expect(s3Bucket(`b.s3${'-a'.repeat(2000)}.amazonaws.com`, '/k', '/k', '')?.bucket).toBe('b');
    expect(s3Bucket('orders.s3.eu-west-1.amazonaws.com', '/k', '/k', '')?.bucket).toBe('orders');
  });

  it('an Event Hubs checkpoint listing whose prefix is a long run of separators', () => {
    const listing = (prefix: string) =>
      touchesOf('GET', { 'http.request.method': 'GET', 'url.full': `https://acct.blob.core.windows.net/cp?restype=container&comp=list&prefix=${prefix}` });
    expect(listing(`ns.servicebus.windows.net${'/'.repeat(20_000)}x`)).toEqual(['read http https acct.blob.core.windows.net /cp']);
    expect(listing('ns.servicebus.windows.net/orders/$default/checkpoint/')).toEqual([]);
  });

  it('an OAuth token path after a long run of /oauth segments, and a token request', () => {
    const post = (path: string) => touchesOf('POST', { 'http.request.method': 'POST', 'url.full': `https://idp.internal${path}` });
    expect(post(`${'/oauth'.repeat(8000)}/x`)).toEqual(['write http https idp.internal /oauth/oauth']);
    expect(post(`${'/oauth'.repeat(8000)}/access_token`)).toEqual([]);
    expect(post('/oauth2/tenant/v1/access_token/')).toEqual([]);
  });

  it('a SQL Server data source, a host and a procedure name with long runs of spaces, dots and brackets', () => {
    const mssql = (host: string) => touchesOf('SELECT', { 'db.system': 'mssql', 'db.name': 'orders', 'server.address': host, 'db.statement': 'SELECT 1' });
    expect(mssql(`tcp:sql01${' '.repeat(60_000)}!\\x`)).toEqual([expect.stringMatching(/^unknown db mssql sql01 {60000}! orders$/)]);
    expect(mssql('tcp:sql01 , 1433  ')).toEqual(['unknown db mssql sql01 orders']);
    expect(nameDirection(`${'a'.repeat(60_000)}.get_orders`)).toBe('read');
    expect(nameDirection(`[dbo].[usp_UpsertOrder]${']'.repeat(60_000)}`)).toBe('write');
  });

  it('a silence matcher and an observed flow id from a request', () => {
    expect(parseMatcher(`flow="${' '.repeat(60_000)}x"  `)).toMatchObject({ name: 'flow', value: `${' '.repeat(60_000)}x` });
    expect(parseMatcher(' severity != "critical" ')).toMatchObject({ name: 'severity', value: 'critical', isEqual: false, isRegex: false });
    const catalog = { flows: [] } as unknown as Catalog;
    expect(selectFlow(catalog, `observed:a->${'@'.repeat(20_000)}`)).toMatchObject({ source: 'a', target: '@'.repeat(19_998), integration: '@' });
    expect(() => selectFlow(catalog, `observed:${'@'.repeat(20_000)}->`)).toThrow();
    expect(selectFlow(catalog, 'observed:crm->erp@sync@v2')).toMatchObject({ source: 'crm', target: 'erp@sync', integration: 'v2' });
  });
});

describe('a catalog name pattern with several wildcards against a long crafted name', () => {
  it('matches as the wildcards say, in one pass', () => {
    expect(nameMatches(`${'a'.repeat(60_000)}b`, '*a*a*a*a*a*c')).toBe(false);
    expect(nameMatches(`${'a'.repeat(60_000)}c`, '*a*a*a*a*a*c')).toBe(true);
    expect(nameMatches('orders-eu.internal', 'orders-*.internal')).toBe(true);
    expect(nameMatches('orders-eu\n.internal', 'orders-*.internal')).toBe(false);
    expect(nameMatches('ORDERS.internal', 'orders*')).toBe(false);
  });
});
