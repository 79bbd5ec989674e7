import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtoResponse } from '../../collector/otlp/proto-codec.ts';
import { protoTracesBody } from '../../collector/test/otlp-proto.ts';
import { WARN_RECORDS } from '../../collector/otlp/records-count.ts';
import type { Harness } from '../../collector/test/harness.ts';
import type { Analyzer } from '../index.ts';
import { startPairingHarness, type PairingHarness } from '../test/pairing-harness.ts';

// Regression: `integration.records` was read as any UInt64. Three runs that each wrote 9223372036854775807 records (a
// sentinel, 2^63 - 1) and one that wrote 10 gave the flow and its systems "records": 9223372036854776000 (the sum,
// 2^63 + 7, wrapped modulo 2^64), which can make a false record-loss finding on one side of a hop. A fraction, an
// exponent, spaces or a negative were read as 0 with the request answered {}: the sender was never told.

const HOUR = 3_600_000;
const MS_NS = 1_000_000n;
const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }
flows:
  - { id: huge-counts, source: crm, target: erp, owner: icoe, runtime: { service: huge-counts } }
  - { id: odd-counts, source: crm, target: erp, owner: icoe, runtime: { service: odd-counts } }
`;

type Value = { stringValue: string } | { intValue: string } | { doubleValue: number };
const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0');
const kv = (key: string, value: Value) => ({ key, value });
const str = (key: string, value: string) => kv(key, { stringValue: value });

/** Runs of `service`, one trace each: a root span, a GET of crm, a POST to erp whose `integration.records` is `records[i]`. */
function runs(service: string, first: number, atMs: number, records: Value[]) {
  const spans = records.flatMap((value, i) => {
    const trace = first + i;
    const t = BigInt(atMs + i * 1000) * MS_NS;
    const span = (id: number, name: string, kind: number, from: bigint, attributes: unknown[], parent?: number) => ({
      traceId: hex(trace, 16),
      spanId: hex(trace * 10 + id, 8),
      ...(parent ? { parentSpanId: hex(trace * 10 + parent, 8) } : {}),
      name,
      kind,
      startTimeUnixNano: String(t + from * MS_NS),
      endTimeUnixNano: String(t + (from + 20n) * MS_NS),
      attributes,
    });
    return [
      span(1, 'run', 1, 0n, []),
      span(2, 'GET', 3, 1n, [str('http.request.method', 'GET'), str('url.full', 'https://crm.internal/api/customers')], 1),
      span(3, 'POST', 3, 2n, [str('http.request.method', 'POST'), str('url.full', 'https://erp.internal/api/customers'), kv('integration.records', value)], 1),
    ];
  });
  return { resourceSpans: [{ resource: { attributes: [str('service.name', service)] }, scopeSpans: [{ scope: { name: 'records' }, spans }] }] };
}

describe('integration.records past 10^12 or not a whole number', () => {
  let h: Harness;
  let analyzer: Analyzer;
  let harness: PairingHarness | undefined;
  beforeAll(async () => {
    harness = await startPairingHarness(catalogYaml);
    ({ h, analyzer } = harness);
  });
  afterAll(async () => {
    await harness?.close();
  });

  /** Sends `req` over the socket as `type`; the answer's partial_success (undefined when the answer is {}). */
  async function send(req: ReturnType<typeof runs>, type: 'json' | 'proto') {
    const res = await fetch(`${h.collector.url}/v1/traces`, {
      method: 'POST',
      body: type === 'json' ? JSON.stringify(req) : protoTracesBody(req),
      headers: { 'content-type': type === 'json' ? 'application/json' : 'application/x-protobuf' },
    });
    expect(res.status).toBe(200);
    const answer = (type === 'json' ? await res.json() : decodeProtoResponse('traces', Buffer.from(await res.arrayBuffer()))) as {
      partialSuccess?: { rejectedSpans?: number; errorMessage?: string };
    };
    return answer.partialSuccess;
  }

  it('reads them as not reported, so sums do not wrap, and says so in partial_success, through OTLP/JSON and protobuf', async () => {
    const at = Date.now() - 10 * 60_000;
    const max = { intValue: '9223372036854775807' };
    const huge = await send(runs('huge-counts', 0x7e00, at, [max, max, max, { intValue: '10' }]), 'proto');
    const odd = [{ doubleValue: 12.5 }, { stringValue: '1e3' }, { stringValue: ' 7' }, { intValue: '-3' }, { intValue: '5' }];
    const oddAnswer = await send(runs('odd-counts', 0x7f00, at, odd), 'json');
    // Kept (nothing rejected), with a warning naming the attribute, how many spans, and what to send.
    const warning = (n: number) => `${n} kept: ${WARN_RECORDS} (first at resourceSpans[0].scopeSpans[0].spans[2].attributes)`;
    // Soft: each of the two findings is reported on its own.
    expect.soft(huge).toEqual({ errorMessage: warning(3) });
    expect.soft(oddAnswer).toEqual({ rejectedSpans: 0, errorMessage: warning(4) });
    expect(warning(4)).toContain('4 kept: spans whose integration.records is not a whole number from 0 to 1000000000000');
    await h.collector.flush();
    // Stored as sent.
    expect(
      await h.rows(
        `SELECT SpanAttributes['integration.records'] AS records FROM otel_traces WHERE ServiceName = 'odd-counts' AND SpanName = 'POST' ORDER BY Timestamp`,
      ),
    ).toEqual(['12.5', '1e3', ' 7', '-3', '5'].map((records) => ({ records })));
    expect((await analyzer.runNow()).errors).toEqual([]);
    const edges = (await analyzer.edges(3 * HOUR))
      .filter((e) => e.service === 'huge-counts' || e.service === 'odd-counts')
      .map((e) => `${e.service}: ${e.source} -> ${e.target} traces=${e.traces} records=${e.records}`)
      .sort();
    expect.soft(edges).toEqual(['huge-counts: crm -> erp traces=4 records=10', 'odd-counts: crm -> erp traces=5 records=5']);
    const systems = (await analyzer.inventory(3 * HOUR)).systems.filter((s) => s.id === 'crm' || s.id === 'erp').map((s) => `${s.id} records=${s.records}`);
    // A system's records are those written into it (the reads report none).
    expect(systems.sort()).toEqual(['crm records=0', 'erp records=15']);
  });
});
