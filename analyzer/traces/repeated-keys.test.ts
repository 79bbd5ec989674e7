import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { decodeProtoResponse } from '../../collector/otlp/proto-codec.ts';
import { protoTracesBody } from '../../collector/test/otlp-proto.ts';
import { catalogFrom } from '../test/estate-fixture.ts';
import { queryTrace } from './trace-view.ts';

const NOW_NS = BigInt(Date.now()) * 1_000_000n;
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const request = (traceId: string, service: string) => ({
  resourceSpans: [
    {
      resource: { attributes: [str('service.name', service), str('host.name', 'first'), str('host.name', 'second')] },
      scopeSpans: [
        {
          spans: [
            {
              traceId,
              spanId: 'eee19b7ec3c1b181',
              name: 'GET',
              kind: 3,
              startTimeUnixNano: String(NOW_NS),
              endTimeUnixNano: String(NOW_NS + 1_000_000n),
              attributes: [str('http.request.method', 'GET'), str('url.full', 'http://crm.internal/a'), str('url.full', 'http://erp.internal/b')],
              events: [{ timeUnixNano: String(NOW_NS), name: 'e', attributes: [str('k', 'first'), str('k', 'second')] }],
            },
          ],
        },
      ],
    },
  ],
});

// Regression: a key sent twice in a span, its resource or an event is stored twice in the Map column from protobuf (as
// sent, docs/security-limits.md). The trace view read the whole Map as a JSON object and showed the last value, where a
// Map lookup, the span classification and the same span sent as OTLP/JSON all have the first.
describe('trace view of a span with a key sent twice', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    const json = await fetch(`${h.collector.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request('5b8efff798038103d269b633813fc681', 'dup-json')),
    });
    expect(await json.json()).toEqual({});
    const proto = await fetch(`${h.collector.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: protoTracesBody(request('5b8efff798038103d269b633813fc682', 'dup-proto')),
    });
    expect(decodeProtoResponse('traces', Buffer.from(await proto.arrayBuffer()))).toEqual({});
    await h.collector.flush();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('shows the first value of each key, from protobuf as from OTLP/JSON', async () => {
    const catalog = catalogFrom('systems: []\n');
    for (const traceId of ['5b8efff798038103d269b633813fc681', '5b8efff798038103d269b633813fc682']) {
      const view = await queryTrace(h.store, catalog, traceId);
      const span = view?.spans[0];
      expect({ ...span?.attributes }).toEqual({ 'http.request.method': 'GET', 'url.full': 'http://crm.internal/a' });
      expect(span?.resource['host.name']).toBe('first');
      expect({ ...span?.events[0]?.attributes }).toEqual({ k: 'first' });
    }
  });
});
