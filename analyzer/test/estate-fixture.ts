import { api } from '@opentelemetry/sdk-node';
import { toChTime, type Store } from '../../clickhouse/index.ts';
import { parseCatalog, type Catalog } from '../../core/catalog/index.ts';
import { sendSpans, type SpanSpec } from '../../test/otel.ts';

const { CLIENT, SERVER, PRODUCER, CONSUMER, INTERNAL } = api.SpanKind;
const ERROR = { code: api.SpanStatusCode.ERROR, message: 'deadlock' };

export const baseCatalogYaml = `
owners:
  - id: icoe
    email: icoe@example.com
systems:
  - { id: crm, kind: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, kind: erp, owner: icoe, match: { databases: ["postgresql://erp-db/erp"] } }
  - { id: orders-topic, kind: topic, owner: icoe, match: { destinations: [{ name: "orders*", system: rabbitmq }] } }
  - { id: billing, kind: billing, match: { peerServices: [billing-api] } }
  - { id: legacy-ftp, kind: other, owner: icoe, lifecycle: deprecated, match: { hosts: ["*.legacy"] } }
domains:
  - { id: customer, systemOfRecord: crm, replicas: [erp], regulated: [pii], owner: icoe }
  - { id: order, systemOfRecord: erp, owner: icoe }
classes:
  - { id: gold, latencyP95Ms: 100, latencyP99Ms: 200, errorRate: 0.1, staleAfter: 10m, minTraces: 2, errorRateMinTraces: 2 }
flows:
  - { id: customer-sync, source: crm, target: erp, domain: customer, owner: icoe, class: gold, schedule: { every: 5m }, runtime: { service: customer-sync } }
  - { id: order-events, source: erp, target: orders-topic, domain: order, owner: icoe, runtime: { service: order-publisher } }
  - { id: order-billing, source: orders-topic, target: billing, domain: order, owner: icoe, runtime: { service: billing-consumer } }
  - { id: ghost-flow, source: billing, target: crm, owner: icoe, schedule: { every: 1s } }
  - { id: old-export, source: crm, target: legacy-ftp, owner: icoe, lifecycle: deprecated, runtime: { service: old-export } }
`;

/** The same estate with every problem fixed: the findings must all clear. */
export const fixedCatalogYaml = baseCatalogYaml
  .replace('{ id: billing, kind: billing,', '{ id: billing, kind: billing, owner: icoe,')
  .replace('lifecycle: deprecated, match: { hosts: ["*.legacy"] }', 'match: { hosts: ["*.legacy"] }')
  .replace('regulated: [pii], owner: icoe }', 'regulated: [pii], owner: icoe, allowedWriters: [erp] }')
  .replace('latencyP95Ms: 100, latencyP99Ms: 200, errorRate: 0.1', 'latencyP95Ms: 5000, latencyP99Ms: 9000, errorRate: 0.9')
  .replace('  - { id: ghost-flow, source: billing, target: crm, owner: icoe, schedule: { every: 1s } }\n', '')
  .replace('lifecycle: deprecated, runtime: { service: old-export }', 'runtime: { service: old-export }')
  .replace('systems:\n', 'systems:\n  - { id: saas-crm, kind: saas, owner: icoe, match: { hosts: [api.unknown-saas.com] } }\n')
  .concat(`  - { id: shadow, source: crm, target: saas-crm, domain: customer, owner: icoe, runtime: { service: shadow-sync } }
  - { id: erp-writeback, source: erp, target: crm, domain: customer, owner: icoe, runtime: { service: erp-writeback } }
`);

export function catalogFrom(yaml: string): Catalog {
  const { catalog, problems } = parseCatalog([{ file: 'estate.yaml', text: yaml }]);
  if (problems.length) throw new Error(problems.map((p) => p.message).join('\n'));
  return catalog;
}

const http = (method: string, url: string, extra: api.Attributes = {}, more: Partial<SpanSpec> = {}): SpanSpec => ({
  name: `${method}`,
  kind: CLIENT,
  attributes: { 'http.request.method': method, 'url.full': url, ...extra },
  ...more,
});
const sql = (statement: string, ns: string, host: string, extra: api.Attributes = {}, more: Partial<SpanSpec> = {}): SpanSpec => ({
  name: statement.split(' ')[0],
  kind: CLIENT,
  attributes: { 'db.system': 'postgresql', 'db.namespace': ns, 'server.address': host, 'db.query.text': statement, ...extra },
  ...more,
});
const run = (name: string, start: number, children: SpanSpec[], durationMs = 20): SpanSpec => ({ name, kind: INTERNAL, start, durationMs, children });

/** Sends the estate's traffic at `start` (epoch ms) through the collector with the real SDK. */
export async function sendEstateTraffic(url: string, start: number): Promise<void> {
  const as = (serviceName: string, roots: SpanSpec[]) => sendSpans({ url, serviceName }, roots);
  await as('customer-sync', [
    // HTTP read + SQL write in one trace, slow enough to breach the gold class.
    run(
      'sync customers',
      start,
      [
        http('GET', 'https://crm.internal/api/customers?page=1'),
        sql('INSERT INTO customers VALUES ($1)', 'erp', 'erp-db', { 'integration.domain': 'customer', 'integration.records': 10 }),
      ],
      300,
    ),
    // A failed run: the write fails and so does its retry; still one edge for the trace.
    run(
      'sync customers',
      start + 1000,
      [
        http('GET', 'https://crm.internal/api/customers?page=2', {}, { start: start + 1010, durationMs: 20 }),
        sql(
          'INSERT INTO customers VALUES ($1)',
          'erp',
          'erp-db',
          { 'integration.domain': 'customer', 'integration.records': 5 },
          { status: ERROR, start: start + 1040, durationMs: 20 },
        ),
        sql(
          'INSERT INTO customers VALUES ($1)',
          'erp',
          'erp-db',
          { 'integration.domain': 'customer', 'integration.records': 5 },
          { status: ERROR, start: start + 1070, durationMs: 20 },
        ),
      ],
      250,
    ),
  ]);
  // Publisher → topic, and topic → consumer in another trace (async messaging).
  await as('order-publisher', [
    run('publish orders', start, [
      sql('SELECT * FROM orders', 'erp', 'erp-db'),
      {
        name: 'orders.created publish',
        kind: PRODUCER,
        attributes: {
          'messaging.system': 'rabbitmq',
          'messaging.destination.name': 'orders.created',
          'messaging.operation.type': 'publish',
          'integration.domain': 'order',
        },
      },
    ]),
  ]);
  await as('billing-consumer', [
    {
      name: 'orders.created process',
      kind: CONSUMER,
      start,
      attributes: {
        'messaging.system': 'rabbitmq',
        'messaging.destination.name': 'orders.created',
        'messaging.operation.type': 'process',
        'integration.domain': 'order',
      },
      children: [http('POST', 'http://10.0.0.7:8080/invoices', { 'peer.service': 'billing-api' })],
    },
  ]);
  // Shadow IT: customer data into an unknown SaaS, undocumented.
  await as('shadow-sync', [
    run('copy', start, [
      http('GET', 'https://crm.internal/api/customers'),
      http('POST', 'https://api.unknown-saas.com/v1/contacts', { 'integration.domain': 'customer' }),
    ]),
  ]);
  // Writes customer data into its system of record from the ERP.
  await as('erp-writeback', [
    run('writeback', start, [
      sql('SELECT * FROM customers', 'erp', 'erp-db'),
      http('PUT', 'https://crm.internal/api/customers/1', { 'integration.domain': 'customer' }),
    ]),
  ]);
  // A deprecated flow into a deprecated system, still running.
  await as('old-export', [run('export', start, [http('GET', 'https://crm.internal/api/export'), http('PUT', 'https://files.legacy/upload')])]);
  // Spans with no peer attributes at all: an integration doing local work only.
  await as('batch-noop', [
    {
      name: 'housekeeping',
      kind: SERVER,
      start,
      attributes: { 'http.request.method': 'GET', 'server.address': 'batch.local' },
      children: [{ name: 'compute', kind: INTERNAL }],
    },
  ]);
}

/**
 * A run of a CRM → ERP customer sync at `start` (epoch ms, the run's own clock), 30 ms long: a root span over an HTTP
 * read of crm.internal's customers (2 ms in, 10 ms) and an SQL insert into the ERP's database (erp-db/erp, 20 ms in,
 * 10 ms). With `failed`, the root span and the insert have an error status.
 */
export function customerSyncRun(start: number, failed = false): SpanSpec {
  const status = failed ? { status: ERROR } : {};
  return {
    ...run(
      'sync customers',
      start,
      [
        http('GET', 'https://crm.internal/api/customers', {}, { start: start + 2, durationMs: 10 }),
        sql('INSERT INTO customers VALUES ($1)', 'erp', 'erp-db', { 'integration.domain': 'customer' }, { start: start + 20, durationMs: 10, ...status }),
      ],
      30,
    ),
    ...status,
  };
}

/** One more run of customer-sync at `start` (epoch ms, the run's own clock), exported as `serviceName` (`customerSyncRun`). */
export async function sendCustomerSync(url: string, start: number, serviceName = 'customer-sync'): Promise<void> {
  await sendSpans({ url, serviceName }, [customerSyncRun(start)]);
}

/**
 * Records that Weft has been receiving and pairing since `since` (epoch ms), as its first pairing run would (a
 * weft_pairing_runs row observing since then): counts over windows that start after it give a verdict.
 */
export async function receivingSince(store: Store, since: number): Promise<void> {
  const at = toChTime(new Date(since));
  await store.client.insert({
    table: 'weft_pairing_runs',
    format: 'JSONEachRow',
    values: [{ at, settled_before: at, frontier: toChTime(new Date(0)), newest: toChTime(new Date(0)), observing_since: at, late_ms: 0, run_gap_ms: 0 }],
  });
}

/**
 * Each service's least lag (arrival − end, ms) in the `minutes` arrival minutes before the one of `now` (epoch ms), as
 * its spans of those minutes would have left it in weft_sender_lag_1m (migration 105; instance ''): a sender whose clock
 * has been that far behind for those minutes.
 */
export async function senderLagsBefore(store: Store, now: number, lags: Record<string, number>, minutes = 2): Promise<void> {
  const minute = Math.floor(now / 60_000) * 60_000;
  await store.client.insert({
    table: 'weft_sender_lag_1m',
    format: 'JSONEachRow',
    values: Object.entries(lags).flatMap(([service, lag]) =>
      Array.from({ length: minutes }, (_, k) => ({
        minute: toChTime(new Date(minute - (k + 1) * 60_000)).slice(0, 19),
        service,
        instance: '',
        min_lag_ms: lag,
      })),
    ),
  });
}
