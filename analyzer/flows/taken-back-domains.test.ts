import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import type { Analyzer } from '../index.ts';
import { openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';
import { otlpJsonSpan as span, randomIds as ids } from '../../test/otlp-json.ts';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

const catalogYaml = `systems:
  - { id: crm, match: { hosts: [crm.internal] } }
  - { id: orders-table, match: { databases: [{ system: dynamodb, host: dynamodb.eu-west-1.amazonaws.com }] } }
  - { id: billing, match: { hosts: [billing.internal] } }
`;

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: value } });
/** What instrumentation-http records of a request. */
const http = (method: string, url: string) => {
  const u = new URL(url);
  return [str('http.request.method', method), str('url.full', url), str('server.address', u.hostname), int('server.port', Number(u.port || 443))];
};
const readCrm = http('GET', 'https://crm.internal/api/orders');
const dynamoPost = http('POST', 'https://dynamodb.eu-west-1.amazonaws.com/');
/** The aws-sdk instrumentation's DynamoDB call: its table and no host. */
const putItem = [str('rpc.system', 'aws-api'), str('db.system.name', 'dynamodb'), str('db.namespace', 'Orders'), str('db.operation.name', 'PutItem')];

/** Sends `spans` as one OTLP/JSON request of the service `service` with the resource data domain `domain`, and stores them. */
async function sendJson(h: Harness, service: string, domain: string, spans: object[]): Promise<void> {
  const resource = { attributes: [str('service.name', service), str('integration.domain', domain)] };
  const body = { resourceSpans: [{ resource, scopeSpans: [{ spans }] }] };
  const res = await fetch(`${h.collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  await h.collector.flush();
}

/** `<kind> <host> <name> [<domain>] spans=… records=…` per endpoint and domain of the rollup `table`'s rows of `service`. */
async function rollupRows(h: Harness, service: string, table: string): Promise<string[]> {
  const rows = await h.rows<{ k: string }>(
    `SELECT concat(ep_kind, ' ', ep_host, ' ', ep_name, ' [', domain, '] spans=', toString(sum(spans)), ' records=', toString(sum(records))) AS k
     FROM ${table} WHERE service = '${service}' AND ep_kind != '' GROUP BY ep_kind, ep_host, ep_name, domain ORDER BY k`,
  );
  return rows.map((r) => r.k);
}

describe('touches taken back and moved in the data domain the rollups counted them in', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const run = async () => expect((await analyzer.runNow()).errors).toEqual([]);
  beforeAll(async () => {
    // Raw spans kept a day: history sent from two days ago is dropped from otel_traces by its TTL, kept for the pairing.
    h = await startHarness({}, { rawDays: 1 });
    analyzer = testAnalyzer(h.store, catalogYaml, { windowMs: 7 * DAY });
  });
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  // Regression: the spans' domain was read from otel_traces, whose TTL had dropped them: the transport's POST and the
  // call were taken back and moved under no domain, leaving their rows under `order` counted and those under none at
  // 2^64 − 1: `Unknown system dynamodb.eu-west-1.amazonaws.com` and `Unknown system dynamodb:///Orders`.
  it('takes a transport back and moves its call under their own domain when retention has dropped their raw spans', async () => {
    const t0 = Date.now() - 2 * DAY;
    const [trace, root, get, call, post] = ids(16, 8, 8, 8, 8);
    await sendJson(h, 'history-sync', 'order', [
      span(trace, root, '', 1, t0, []),
      span(trace, get, root, 3, t0 + 1, readCrm),
      span(trace, call, root, 3, t0 + 10, [...putItem, str('integration.records', '3')]),
      span(trace, post, call, 3, t0 + 11, dynamoPost),
    ]);
    await h.store.client.command({ query: 'OPTIMIZE TABLE otel_traces FINAL' });
    const [raw] = await h.rows<{ n: string }>(`SELECT toString(count()) AS n FROM otel_traces WHERE TraceId = '${trace}'`);
    expect(raw.n).toBe('0');
    await run();
    await run();
    const expected = [
      'db  Orders [order] spans=0 records=0',
      'db dynamodb.eu-west-1.amazonaws.com:443 Orders [order] spans=1 records=3',
      'http crm.internal /api/orders [order] spans=1 records=0',
      'http dynamodb.eu-west-1.amazonaws.com / [order] spans=0 records=0',
    ];
    expect((await openFindingTitles(analyzer, ['unknown-system'])).filter((t) => t.endsWith('history-sync'))).toEqual([]);
    expect(await rollupRows(h, 'history-sync', 'weft_endpoint_rollup_1m')).toEqual(expected);
    expect(await rollupRows(h, 'history-sync', 'weft_endpoint_rollup_1h')).toEqual(expected);
  });

  // Regression: a later copy's domain was any copy's: a copy sent again under the domain `invoice` was taken back under
  // `order`, its first copy's, leaving the span counted under `invoice`; of a call moved to its transport's host, the
  // row it was moved from read 2^64 − 1 under `order`, and `Unknown system dynamodb:///Orders` opened.
  it("takes later copies back under their own domain, not their first copy's", async () => {
    const t0 = Date.now() - 10 * MIN;
    for (const [service, name] of [
      ['copy-domain-a', 'a'],
      ['copy-domain-z', 'z'],
    ]) {
      const [trace, root, get, call, post, invoice] = ids(16, 8, 8, 8, 8, 8);
      const billing = span(trace, invoice, root, 3, t0 + 30, [...http('POST', 'https://billing.internal/api/invoices'), str('integration.records', '2')], name);
      const moved = span(trace, call, root, 3, t0 + 10, putItem, name);
      await sendJson(h, service, 'order', [
        span(trace, root, '', 1, t0, []),
        span(trace, get, root, 3, t0 + 1, readCrm),
        moved,
        span(trace, post, call, 3, t0 + 11, dynamoPost),
        billing,
      ]);
      await run();
      // The same spans sent again with another resource (and span name, which orders the stored rows).
      const renamed = (s: typeof billing) => ({ ...s, name: name === 'a' ? 'z' : 'a' });
      await sendJson(h, service, 'invoice', [renamed(moved), renamed(billing)]);
      await run();
      await run();
      expect((await openFindingTitles(analyzer, ['unknown-system'])).filter((t) => t.endsWith(service))).toEqual([]);
      for (const table of ['weft_endpoint_rollup_1m', 'weft_endpoint_rollup_1h']) {
        expect(await rollupRows(h, service, table)).toEqual([
          'db  Orders [invoice] spans=0 records=0',
          'db  Orders [order] spans=0 records=0',
          'db dynamodb.eu-west-1.amazonaws.com:443 Orders [order] spans=1 records=0',
          'http billing.internal /api/invoices [invoice] spans=0 records=0',
          'http billing.internal /api/invoices [order] spans=1 records=2',
          'http crm.internal /api/orders [order] spans=1 records=0',
          'http dynamodb.eu-west-1.amazonaws.com / [order] spans=0 records=0',
        ]);
      }
    }
  });

  it('reads the domain of a span stored before 123 from otel_traces, as before', async () => {
    const t0 = Date.now() - 10 * MIN;
    const [trace, root, get, call, post] = ids(16, 8, 8, 8, 8);
    await sendJson(h, 'before-123', 'order', [
      span(trace, root, '', 1, t0, []),
      span(trace, get, root, 3, t0 + 1, readCrm),
      span(trace, call, root, 3, t0 + 10, putItem),
      span(trace, post, call, 3, t0 + 11, dynamoPost),
    ]);
    await h.store.client.command({
      query: `ALTER TABLE weft_trace_spans UPDATE domain = '', duration_ms = -1 WHERE service = 'before-123' SETTINGS mutations_sync = 2`,
    });
    await run();
    await run();
    expect(await rollupRows(h, 'before-123', 'weft_endpoint_rollup_1h')).toEqual([
      'db  Orders [order] spans=0 records=0',
      'db dynamodb.eu-west-1.amazonaws.com:443 Orders [order] spans=1 records=0',
      'http crm.internal /api/orders [order] spans=1 records=0',
      'http dynamodb.eu-west-1.amazonaws.com / [order] spans=0 records=0',
    ]);
  });

  // Regression: the collector counts a touch under its integration and domain cut to 1024 bytes, and the arrival rows
  // kept them whole: a copy sent with a 2,000-byte resource domain was taken back under the whole of it (that row read
  // 2^64 − 1, the cut one kept the copy counted), and a transport under a 1,100-byte integration.flow was never taken back
  // (`Unknown system dynamodb.eu-west-1.amazonaws.com`).
  it('takes back under the integration and domain the collector cut to 1024 bytes', async () => {
    const t0 = Date.now() - 10 * MIN;
    const [trace, root, post] = ids(16, 8, 8);
    const invoice = span(trace, post, root, 3, t0 + 10, http('POST', 'https://billing.internal/api/invoices'));
    await sendJson(h, 'long-domain', 'order', [span(trace, root, '', 1, t0, []), invoice]);
    await run();
    // 1023 bytes, then a two-byte character across the 1024th: cut before it.
    await sendJson(h, 'long-domain', `${'d'.repeat(1023)}é${'d'.repeat(1000)}`, [invoice]);
    await run();
    await run();
    const rows = await h.rows<{ k: string }>(
      `SELECT concat(toString(length(domain)), ' spans=', toString(sum(spans))) AS k FROM weft_endpoint_rollup_1h
       WHERE service = 'long-domain' AND ep_kind = 'http' GROUP BY domain ORDER BY k`,
    );
    expect(rows.map((r) => r.k)).toEqual(['1023 spans=0', '5 spans=1']);

    const flow = [str('integration.flow', 'f'.repeat(1100))];
    const [trace2, root2, call, child] = ids(16, 8, 8, 8);
    await sendJson(h, 'long-flow', 'order', [
      span(trace2, root2, '', 1, t0, flow),
      span(trace2, call, root2, 3, t0 + 10, [...putItem, ...flow]),
      span(trace2, child, call, 3, t0 + 11, [...dynamoPost, ...flow]),
    ]);
    await run();
    await run();
    expect((await openFindingTitles(analyzer, ['unknown-system'])).filter((t) => t.includes('fff'))).toEqual([]);
    const flowRows = await h.rows<{ k: string }>(
      `SELECT concat(toString(length(integration)), ' ', ep_kind, ' ', ep_host, ' spans=', toString(sum(spans))) AS k FROM weft_endpoint_rollup_1h
       WHERE service = 'long-flow' GROUP BY integration, ep_kind, ep_host ORDER BY k`,
    );
    expect(flowRows.map((r) => r.k)).toEqual([
      '1024   spans=1',
      '1024 db  spans=0',
      '1024 db dynamodb.eu-west-1.amazonaws.com:443 spans=1',
      '1024 http dynamodb.eu-west-1.amazonaws.com spans=0',
    ]);
  });
});
