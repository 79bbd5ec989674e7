import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../../collector/test/harness.ts';
import { decodeProtoResponse } from '../../collector/otlp/proto-codec.ts';
import { protoTracesBody } from '../../collector/test/otlp-proto.ts';
import type { Analyzer } from '../index.ts';
import { startPairingHarness, type PairingHarness } from '../test/pairing-harness.ts';

// Regression: a host clock stepped back mid-span (an NTP correction) ends a span before it starts. The
// collector refused such a span, so the read it recorded never reached pairing: the run was a half
// (a write of the integration itself into erp) and the documented flow crm -> erp was missing.

const HOUR = 3_600_000;
const MS_NS = 1_000_000n;
const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }
flows:
  - { id: stepped-json, source: crm, target: erp, owner: icoe, runtime: { service: stepped-json } }
  - { id: stepped-proto, source: crm, target: erp, owner: icoe, runtime: { service: stepped-proto } }
`;

const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0');
const kv = (key: string, value: string | number) => ({ key, value: typeof value === 'string' ? { stringValue: value } : { intValue: String(value) } });

/** One trace of `service`: a root run span, a GET of crm that ends 1 s before it starts, a POST to erp. */
function steppedTrace(service: string, trace: number, atMs: number) {
  const t = BigInt(atMs) * MS_NS;
  const span = (id: number, name: string, kind: number, start: bigint, end: bigint, attributes: unknown[], parent?: number) => ({
    traceId: hex(trace, 16),
    spanId: hex(trace * 10 + id, 8),
    ...(parent ? { parentSpanId: hex(trace * 10 + parent, 8) } : {}),
    name,
    kind,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(end),
    attributes,
  });
  return {
    resourceSpans: [
      {
        resource: { attributes: [kv('service.name', service)] },
        scopeSpans: [
          {
            scope: { name: 'stepped' },
            spans: [
              span(1, 'run', 1, t, t + 500n * MS_NS, []),
              span(
                2,
                'GET',
                3,
                t + 100n * MS_NS,
                t - 900n * MS_NS,
                [kv('http.request.method', 'GET'), kv('url.full', 'https://crm.internal/api/customers')],
                1,
              ),
              span(
                3,
                'POST',
                3,
                t + 300n * MS_NS,
                t + 320n * MS_NS,
                [kv('http.request.method', 'POST'), kv('url.full', 'https://erp.internal/api/customers'), kv('integration.records', 2)],
                1,
              ),
            ],
          },
        ],
      },
    ],
  };
}

describe('a span that ends before it starts (host clock stepped back)', () => {
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

  it('is kept with duration 0 and flagged, and its read pairs with the write into crm -> erp, through OTLP/JSON and protobuf', async () => {
    const at = Date.now() - 10 * 60_000;
    for (const [i, type] of (['json', 'proto'] as const).entries()) {
      const req = steppedTrace(`stepped-${type}`, 0x5e00 + i, at);
      const res = await fetch(`${h.collector.url}/v1/traces`, {
        method: 'POST',
        body: type === 'json' ? JSON.stringify(req) : protoTracesBody(req),
        headers: { 'content-type': type === 'json' ? 'application/json' : 'application/x-protobuf' },
      });
      expect(res.status).toBe(200);
      // A warning: partial_success with nothing rejected (JSON writes the 0, protobuf leaves the default out).
      const answer = (type === 'json' ? await res.json() : decodeProtoResponse('traces', Buffer.from(await res.arrayBuffer()))) as {
        partialSuccess: { rejectedSpans?: number; errorMessage: string };
      };
      expect(answer).toEqual({
        partialSuccess: {
          ...(type === 'json' ? { rejectedSpans: 0 } : {}),
          errorMessage:
            '1 kept: spans that end before they start (a clock stepped back?), stored with end = start (duration 0) and ' +
            'weft.normalized=end_before_start (first at resourceSpans[0].scopeSpans[0].spans[1])',
        },
      });
    }
    await h.collector.flush();
    expect(
      await h.rows(
        `SELECT ServiceName, SpanName, toString(Duration) AS duration, SpanAttributes['weft.normalized'] AS normalized,
                toUnixTimestamp64Milli(Timestamp) - ${at} AS offsetMs
         FROM otel_traces WHERE ServiceName LIKE 'stepped-%' ORDER BY ServiceName, offsetMs`,
      ),
    ).toEqual(
      ['stepped-json', 'stepped-proto'].flatMap((ServiceName) => [
        { ServiceName, SpanName: 'run', duration: '500000000', normalized: '', offsetMs: 0 },
        { ServiceName, SpanName: 'GET', duration: '0', normalized: 'end_before_start', offsetMs: 100 },
        { ServiceName, SpanName: 'POST', duration: '20000000', normalized: '', offsetMs: 300 },
      ]),
    );
    expect((await analyzer.runNow()).errors).toEqual([]);
    const edges = (await analyzer.edges(3 * HOUR))
      .filter((e) => e.service.startsWith('stepped-'))
      .map((e) => `${e.service}: ${e.source} -> ${e.target} traces=${e.traces} records=${e.records} p95=${e.p95Ms}ms`)
      .sort();
    // The run's latency is its root span's: the normalised call shortens nothing.
    expect(edges).toEqual(['stepped-json: crm -> erp traces=1 records=2 p95=500ms', 'stepped-proto: crm -> erp traces=1 records=2 p95=500ms']);
  });
});
