import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { sendSpans } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { testAnalyzer, openFindingTitles, observedEdges } from '../test/test-analyzer.ts';

const { CLIENT, CONSUMER, INTERNAL, PRODUCER } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: ws-hub, owner: icoe, match: { hosts: [hub.internal] } }
flows:
  - { id: crm-to-hub, source: crm, target: ws-hub, owner: icoe, runtime: { service: socketio-push } }
`;

// The spans of an estate with a socket.io hub, as the official instrumentations make them: the pushing integration's
// socket.io client opens its WebSocket (instrumentation-http: a GET with no status code, the server answering 101),
// reads the CRM and posts to the hub's HTTP API; the hub's instrumentation-socket.io makes `receive /` and `send /`.
describe('a socket.io hub and a client of it, on official instrumentation (migration 115)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    await sendSpans({ url: h.collector.url, serviceName: 'socketio-push' }, [
      // Each its own trace, as a socket opened at start is.
      ...['websocket', 'WebSocket'].map((transport, i) => ({
        name: 'GET',
        kind: CLIENT,
        start: t0 + i,
        attributes: {
          'http.request.method': 'GET',
          'url.full': `http://hub.internal:3000/socket.io/?EIO=4&transport=${transport}`,
          'server.address': 'hub.internal',
        },
      })),
      {
        name: 'GET',
        kind: CLIENT,
        start: t0 + 5,
        attributes: { 'http.method': 'GET', 'http.target': '/engine.io/?EIO=3&transport=websocket', 'net.peer.name': 'hub.internal' },
      },
      {
        name: 'push',
        kind: INTERNAL,
        start: t0 + 10,
        children: [
          {
            name: 'GET',
            kind: CLIENT,
            attributes: { 'http.request.method': 'GET', 'url.full': 'http://crm.internal/api/customers', 'http.response.status_code': 200 },
          },
          {
            name: 'POST',
            kind: CLIENT,
            attributes: { 'http.request.method': 'POST', 'url.full': 'http://hub.internal:3000/api/events', 'http.response.status_code': 202 },
          },
        ],
      },
    ]);
    await sendSpans({ url: h.collector.url, serviceName: 'ws-hub' }, [
      {
        name: 'receive /',
        kind: CONSUMER,
        start: t0 + 20,
        attributes: {
          'messaging.system': 'socket.io',
          'messaging.destination': '/',
          'messaging.operation': 'receive',
          'messaging.socket.io.event_name': 'order',
        },
      },
      {
        name: 'send /',
        kind: PRODUCER,
        start: t0 + 21,
        attributes: { 'messaging.system': 'socket.io', 'messaging.destination_kind': 'topic', 'messaging.destination': '/' },
      },
    ]);
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  });
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  // Regression: `Undocumented flow ws-hub → integration:socketio-push` (the WebSocket's opening GET read the hub) and
  // `Unknown system socket.io:/` (the hub's own spans).
  it('finds no unknown system and no undocumented flow, and sees the documented one', async () => {
    expect(await openFindingTitles(analyzer, ['unknown-system', 'undocumented-flow'])).toEqual([]);
    const edges = await observedEdges(analyzer);
    expect(edges).toEqual(['crm -> ws-hub crm-to-hub']);
  });

  it('counts the opening GETs and the hub’s socket.io spans as no endpoint', async () => {
    const rows = await h.rows<{ ep: string }>(
      "SELECT DISTINCT concat(service, ' ', direction, ' ', ep_kind, ' ', ep_host, ep_name) AS ep FROM weft_endpoint_rollup_1m WHERE ep_kind != '' ORDER BY ep",
    );
    expect(rows.map((r) => r.ep)).toEqual(['socketio-push read http crm.internal/api/customers', 'socketio-push write http hub.internal:3000/api/events']);
  });
});
