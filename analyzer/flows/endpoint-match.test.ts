import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../core/catalog/index.ts';
import { endpointLabel, resolveEndpoint, selfSystems, type Endpoint } from './endpoint-match.ts';

const { catalog } = parseCatalog([
  {
    file: 'm.yaml',
    text: `systems:
  - { id: crm, match: { hosts: ["*.crm.example.com"], urlPrefixes: ["https://gw.example.com/crm/"], services: [crm-api] } }
  - { id: erp, match: { databases: ["postgres://erp-db:5432/erp"], peerServices: [erp-svc] } }
  - { id: shop-db, match: { databases: [{ system: mariadb, namespace: shop }] } }
  - { id: orders, kind: topic, match: { destinations: [{ name: "orders.*", system: rabbitmq }] } }
`,
  },
]);
const ep = (e: Partial<Endpoint>): Endpoint => ({ kind: 'http', sys: 'https', host: '', name: '', peer: '', ...e });

describe('resolveEndpoint', () => {
  it('matches hosts with wildcards, URL prefixes and peer.service', () => {
    expect(resolveEndpoint(catalog, ep({ host: 'eu.crm.example.com' }))).toBe('crm');
    expect(resolveEndpoint(catalog, ep({ host: 'gw.example.com', name: '/crm/v2' }))).toBe('crm');
    expect(resolveEndpoint(catalog, ep({ host: 'gw.example.com', name: '/crmx' }))).toBe('unknown:gw.example.com');
    expect(resolveEndpoint(catalog, ep({ kind: 'rpc', host: '10.0.0.1', peer: 'erp-svc' }))).toBe('erp');
  });

  it('matches databases by DSN or by system and namespace, with postgres and mariadb aliases', () => {
    expect(resolveEndpoint(catalog, ep({ kind: 'db', sys: 'postgresql', host: 'erp-db', name: 'erp' }))).toBe('erp');
    expect(resolveEndpoint(catalog, ep({ kind: 'db', sys: 'postgresql', host: 'other-db', name: 'erp' }))).toBe('unknown:postgresql://other-db/erp');
    expect(resolveEndpoint(catalog, ep({ kind: 'db', sys: 'mysql', host: 'x', name: 'shop' }))).toBe('shop-db');
  });

  it('matches queues and topics by name pattern and messaging system', () => {
    expect(resolveEndpoint(catalog, ep({ kind: 'messaging', sys: 'rabbitmq', name: 'orders.created' }))).toBe('orders');
    expect(resolveEndpoint(catalog, ep({ kind: 'messaging', sys: 'kafka', name: 'orders.created' }))).toBe('unknown:kafka:orders.created');
  });

  it('takes integration.source/target ids as they are, and names unknown ones', () => {
    expect(resolveEndpoint(catalog, ep({ kind: 'system', sys: '', name: 'erp' }))).toBe('erp');
    expect(resolveEndpoint(catalog, ep({ kind: 'system', sys: '', name: 'sap' }))).toBe('unknown:sap');
    expect(endpointLabel(ep({ kind: 'peer', peer: 'billing' }))).toBe('billing');
    expect(selfSystems(catalog).get('crm-api')).toBe('crm');
  });
});
