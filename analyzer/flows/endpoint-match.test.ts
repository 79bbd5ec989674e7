import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../core/catalog/index.ts';
import { answeredNode, endpointLabel, resolveAnswered, resolveEndpoint, selfSystems, type Endpoint } from './endpoint-match.ts';

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

describe('resolveEndpoint with ports, loopback spellings and schema-qualified namespaces', () => {
  const { catalog: estate } = parseCatalog([
    {
      file: 'estate.yaml',
      text: `systems:
  - { id: crm, match: { urlPrefixes: ["http://127.0.0.1:18081/"] } }
  - { id: erp, match: { hosts: ["127.0.0.1:18082", "erp-api"] } }
  - { id: gw, match: { urlPrefixes: ["https://[::1]/gw/"] } }
  - { id: orders-db, match: { databases: ["postgresql://localhost/orders"] } }
  - { id: shop-db, match: { databases: [{ system: mysql, namespace: shop, host: "db.internal:3307" }] } }
  - { id: orders-queue, match: { destinations: [{ name: orders, system: rabbitmq }] } }
`,
    },
  ]);
  const http = (host: string, name = '/api/customers', sys = 'http') => ep({ kind: 'http', sys, host, name });
  const db = (host: string, name: string, sys = 'postgresql') => ep({ kind: 'db', sys, host, name });

  it('keeps two services on one host apart by port (regression: ports were dropped, both became one system)', () => {
    expect(resolveEndpoint(estate, http('127.0.0.1:18081'))).toBe('crm');
    expect(resolveEndpoint(estate, http('127.0.0.1:18082'))).toBe('erp');
    expect(resolveEndpoint(estate, http('127.0.0.1:18083'))).toBe('unknown:127.0.0.1:18083');
    expect(resolveEndpoint(estate, http('localhost:18081'))).toBe('crm');
  });

  it('matches single-label hosts and IPv6 prefixes, and applies default ports', () => {
    expect(resolveEndpoint(estate, http('erp-api'))).toBe('erp');
    expect(resolveEndpoint(estate, http('erp-api:8443', '/x', 'https'))).toBe('erp');
    expect(resolveEndpoint(estate, http('[::1]', '/gw/v1', 'https'))).toBe('gw');
    expect(resolveEndpoint(estate, http('[::1]:8443', '/gw/v1', 'https'))).toBe('unknown:[::1]:8443');
  });

  it('lets a database rule match whichever loopback spelling or socket path the driver reports', () => {
    for (const host of ['localhost', '127.0.0.1', '[::1]', '/var/run/postgresql', '']) expect(resolveEndpoint(estate, db(host, 'orders'))).toBe('orders-db');
    expect(resolveEndpoint(estate, db('10.0.0.5', 'orders'))).toBe('unknown:postgresql://10.0.0.5/orders');
  });

  it('matches database.schema namespaces (regression: orders.public became an unknown system)', () => {
    expect(resolveEndpoint(estate, db('127.0.0.1', 'orders.public'))).toBe('orders-db');
    expect(resolveEndpoint(estate, db('127.0.0.1', 'orders|public'))).toBe('orders-db');
    expect(resolveEndpoint(estate, db('127.0.0.1', 'ordersx'))).toBe('unknown:postgresql://127.0.0.1/ordersx');
    expect(resolveEndpoint(estate, db('db.internal:3307', 'shop', 'mysql'))).toBe('shop-db');
    expect(resolveEndpoint(estate, db('db.internal', 'shop', 'mysql'))).toBe('unknown:mysql://db.internal/shop');
  });

  it('names endpoints without a usable name unnamed, never an empty unknown system', () => {
    expect(resolveEndpoint(estate, ep({ kind: 'unnamed', sys: 'http', host: '', name: '/x' }))).toBe('unnamed:http');
    expect(resolveEndpoint(estate, ep({ kind: 'messaging', sys: 'rabbitmq', name: 'orders' }))).toBe('orders-queue');
  });
});

describe('resolveEndpoint: IPv6 addresses spelled differently', () => {
  // Regression: a span to http://[2001:db8:0:0:0:0:0:5]:8080/… or with server.address 2001:0DB8::5 was stored as
  // [2001:db8:0:0:0:0:0:5]:8080 / [2001:0db8::5], which the rule "[2001:db8::5]" did not match: an unknown system and
  // an undocumented flow for a documented one.
  const v6 = parseCatalog([
    {
      file: 'v6.yaml',
      text: `systems:
  - { id: v6-api, match: { hosts: ["[2001:db8::5]"] } }
  - { id: v6-gw, match: { urlPrefixes: ["http://[2001:db8::6]:8080/api/"] } }
  - { id: v6-db, match: { databases: ["postgresql://[2001:DB8:0::7]/orders"] } }
  - { id: v6-port, match: { hosts: ["[2001:0db8:0000::8]:8443"] } }
  - { id: local-db, match: { databases: ["postgresql://localhost/local"] } }
`,
    },
  ]).catalog;

  it('matches every spelling of one address, in the span or in the rule', () => {
    for (const host of ['[2001:db8::5]', '[2001:db8:0:0:0:0:0:5]:8080', '[2001:0db8::5]', '[2001:db8::0:5]']) {
      expect(resolveEndpoint(v6, ep({ sys: 'http', host, name: '/x' }))).toBe('v6-api');
    }
    expect(resolveEndpoint(v6, ep({ sys: 'http', host: '[2001:db8:0:0:0:0:0:6]:8080', name: '/api/orders' }))).toBe('v6-gw');
    expect(resolveEndpoint(v6, ep({ kind: 'db', sys: 'postgresql', host: '[2001:db8::7]', name: 'orders' }))).toBe('v6-db');
    expect(resolveEndpoint(v6, ep({ kind: 'db', sys: 'postgresql', host: '[2001:db8:0:0:0:0:0:7]', name: 'orders' }))).toBe('v6-db');
    expect(resolveEndpoint(v6, ep({ sys: 'https', host: '[2001:db8::8]:8443', name: '/x' }))).toBe('v6-port');
  });

  it('matches IPv6 loopback as a URL parser writes it (::ffff:7f00:1, 0:0:0:0:0:0:0:1) to a loopback rule', () => {
    for (const host of ['[::ffff:7f00:1]', '[0:0:0:0:0:0:0:1]', '[::0:1]', '[::ffff:127.0.0.1]']) {
      expect(resolveEndpoint(v6, ep({ kind: 'db', sys: 'postgresql', host, name: 'local' }))).toBe('local-db');
    }
  });

  it('keeps other addresses and ports apart', () => {
    expect(resolveEndpoint(v6, ep({ sys: 'http', host: '[2001:db8::50]', name: '/x' }))).toBe('unknown:[2001:db8::50]');
    expect(resolveEndpoint(v6, ep({ sys: 'https', host: '[2001:db8:0:0:0:0:0:8]:9443', name: '/x' }))).toBe('unknown:[2001:db8:0:0:0:0:0:8]:9443');
    expect(resolveEndpoint(v6, ep({ kind: 'db', sys: 'postgresql', host: '[::ffff:7f00:1]', name: 'orders' }))).toBe(
      'unknown:postgresql://[::ffff:7f00:1]/orders',
    );
  });
});

describe('resolveEndpoint: URL paths with percent-encoded characters', () => {
  // Regression: a POST to http://billing.internal:8080/%61pi/invoices (or a client that escapes `~` as %7E) was stored
  // with that path, which the rule "http://billing.internal:8080/api/" did not match: an unknown system and an
  // undocumented flow for a documented one.
  const paths = parseCatalog([
    {
      file: 'paths.yaml',
      text: `systems:
  - { id: billing, match: { urlPrefixes: ["http://billing.internal:8080/api/"] } }
  - { id: home, match: { urlPrefixes: ["https://gw.internal/%7Eteam/"] } }
  - { id: spaced, match: { urlPrefixes: ["https://gw.internal/erp%20v2/"] } }
`,
    },
  ]).catalog;

  it('matches a path whose unreserved characters are escaped, in the span or in the rule', () => {
    expect(resolveEndpoint(paths, ep({ sys: 'http', host: 'billing.internal:8080', name: '/%61pi/invoices' }))).toBe('billing');
    expect(resolveEndpoint(paths, ep({ sys: 'http', host: 'billing.internal:8080', name: '/%61%70%69' }))).toBe('billing');
    expect(resolveEndpoint(paths, ep({ sys: 'https', host: 'gw.internal', name: '/~team/docs' }))).toBe('home');
    expect(resolveEndpoint(paths, ep({ sys: 'https', host: 'gw.internal', name: '/%7eteam/docs' }))).toBe('home');
    expect(resolveEndpoint(paths, ep({ sys: 'https', host: 'gw.internal', name: '/erp%20v2/orders' }))).toBe('spaced');
    expect(resolveEndpoint(paths, ep({ sys: 'https', host: 'gw.internal', name: '/erp%20V2/orders' }))).toBe('unknown:gw.internal');
  });

  // Regression: a client joining the base URL "http://billing.internal:8080/" with "/api/invoices" called
  // http://billing.internal:8080//api/invoices, which the server routes as /api/invoices; stored as the path `//api`, it
  // matched no rule: an unknown system and an undocumented flow for the documented billing.
  it('takes a run of slashes as one, in the span or in the rule, as servers route them', () => {
    expect(resolveEndpoint(paths, ep({ sys: 'http', host: 'billing.internal:8080', name: '//api' }))).toBe('billing');
    expect(resolveEndpoint(paths, ep({ sys: 'http', host: 'billing.internal:8080', name: '/api/' }))).toBe('billing');
    expect(resolveEndpoint(paths, ep({ sys: 'http', host: 'billing.internal:8080', name: '//%61pi' }))).toBe('billing');
    expect(resolveEndpoint(paths, ep({ sys: 'https', host: 'gw.internal', name: '//~team' }))).toBe('home');
    const doubled = parseCatalog([
      { file: 'doubled.yaml', text: 'systems:\n  - { id: billing, match: { urlPrefixes: ["http://billing.internal:8080//api/"] } }\n' },
    ]).catalog;
    expect(resolveEndpoint(doubled, ep({ sys: 'http', host: 'billing.internal:8080', name: '/api' }))).toBe('billing');
    // Still not another path, nor an escaped slash.
    expect(resolveEndpoint(paths, ep({ sys: 'http', host: 'billing.internal:8080', name: '//apix' }))).toBe('unknown:billing.internal:8080');
    expect(resolveEndpoint(paths, ep({ sys: 'http', host: 'billing.internal:8080', name: '/%2F/api' }))).toBe('unknown:billing.internal:8080');
  });

  it('keeps an escaped slash inside its segment', () => {
    expect(resolveEndpoint(paths, ep({ sys: 'http', host: 'billing.internal:8080', name: '/api%2Finvoices' }))).toBe('unknown:billing.internal:8080');
    expect(resolveEndpoint(paths, ep({ sys: 'http', host: 'billing.internal:8080', name: '/apix/invoices' }))).toBe('unknown:billing.internal:8080');
  });
});

describe('resolveEndpoint: database names spelled in another case', () => {
  const { catalog: cased } = parseCatalog([
    {
      file: 'c.yaml',
      text: `systems:
  - { id: billing, match: { databases: ["mssql://sql01/Billing"] } }
  - { id: erp, match: { databases: [{ system: oracle.db, namespace: ERPPROD }] } }
  - { id: mainframe, match: { databases: [{ system: db2, namespace: "SAMPLE*" }] } }
  - { id: lake, match: { databases: [{ system: snowflake, namespace: ANALYTICS }, { system: redshift, namespace: dwh }] } }
  - { id: shop, match: { databases: [{ system: mysql, namespace: Shop }, { system: postgresql, namespace: Orders }, { system: mongodb, namespace: Catalog }] } }
`,
    },
  ]);
  const db = (sys: string, name: string, host = 'db01') => ep({ kind: 'db', sys, host, name });

  // Regression: `Initial Catalog=billing` against the catalog's Billing made `Unknown system mssql://sql01/billing`.
  it('matches SQL Server, Oracle, Db2, Snowflake and Redshift databases whatever the case, with their schemas and instances', () => {
    expect(resolveEndpoint(cased, db('mssql', 'billing', 'sql01'))).toBe('billing');
    expect(resolveEndpoint(cased, db('mssql', 'BILLING.dbo', 'sql01'))).toBe('billing');
    expect(resolveEndpoint(cased, db('mssql', 'SQLEXPRESS|billing', 'sql01'))).toBe('billing');
    expect(resolveEndpoint(cased, db('oracle', 'erpprod'))).toBe('erp');
    expect(resolveEndpoint(cased, db('db2', 'sample2'))).toBe('mainframe');
    expect(resolveEndpoint(cased, db('snowflake', 'analytics'))).toBe('lake');
    expect(resolveEndpoint(cased, db('redshift', 'DWH'))).toBe('lake');
    expect(resolveEndpoint(cased, db('mssql', 'billing2', 'sql01'))).toBe('unknown:mssql://sql01/billing2');
    // .NET SqlClient's `instance.database` (Data Source=sql01\SALES), not another database after the dot.
    expect(resolveEndpoint(cased, db('mssql', 'SALES.billing', 'sql01'))).toBe('billing');
    expect(resolveEndpoint(cased, db('mssql', 'SALES.billing2', 'sql01'))).toBe('unknown:mssql://sql01/SALES.billing2');
  });

  it('keeps the case of databases whose names are case-sensitive (MySQL on Linux, PostgreSQL, MongoDB)', () => {
    expect(resolveEndpoint(cased, db('mysql', 'shop'))).toBe('unknown:mysql://db01/shop');
    expect(resolveEndpoint(cased, db('postgresql', 'orders'))).toBe('unknown:postgresql://db01/orders');
    expect(resolveEndpoint(cased, db('mongodb', 'catalog'))).toBe('unknown:mongodb://db01/catalog');
    expect(resolveEndpoint(cased, db('postgresql', 'Orders'))).toBe('shop');
    // Only SQL Server's namespace is `instance.database`: PostgreSQL's is `database.schema`.
    expect(resolveEndpoint(cased, db('postgresql', 'warehouse.Orders'))).toBe('unknown:postgresql://db01/warehouse.Orders');
  });
});

describe('answeredNode', () => {
  const { catalog: estate } = parseCatalog([
    {
      file: 'a.yaml',
      text: `systems:
  - { id: crm, match: { hosts: [crm.internal], services: [crm-api] } }
  - { id: erp, match: { hosts: [erp.internal], services: [erp-api] } }
flows:
  - { id: crm-erp, source: crm, target: erp, runtime: { service: crm-erp-sync } }
  - { id: crm-push, source: crm, target: erp, runtime: { service: crm-api } }
  - { id: orders-in, source: crm, target: erp, runtime: { flow: orders-in } }
`,
    },
  ]);

  /** Answers by services whose spans name no flow (their integration is the service). */
  const by = (...services: string[]) => services.map((service) => ({ service, integration: service }));

  it("names an endpoint by the service that answered it: a system's service, else a flow's runtime", () => {
    expect(answeredNode(estate, by('erp-api'))).toEqual({ system: 'erp', by: 'services' });
    expect(answeredNode(estate, by('crm-erp-sync'))).toEqual({ system: 'integration:crm-erp-sync' });
    // A service that is both a system's and a flow's runtime is its system.
    expect(answeredNode(estate, by('crm-api'))).toEqual({ system: 'crm', by: 'services' });
    // A runtime hosting many flows whose SERVER span names the flow (integration.flow): that flow's integration.
    expect(answeredNode(estate, [{ service: 'mule', integration: 'orders-in' }])).toEqual({ system: 'integration:orders-in' });
    expect(answeredNode(estate, [{ service: 'mule', integration: 'mule' }])).toBeUndefined();
  });

  it('leaves an endpoint only services no catalog names answered to its rules, and names it by the one that is named', () => {
    expect(answeredNode(estate, by())).toBeUndefined();
    expect(answeredNode(estate, by('contacts-svc'))).toBeUndefined();
    expect(answeredNode(estate, by('contacts-svc', 'crm-erp-sync'))).toEqual({ system: 'integration:crm-erp-sync' });
  });

  // An address several catalogued services answered (a gateway routing /crm to the CRM's API and /erp to the ERP's)
  // was named by the one that answered last: every call through it, the ERP's too, was a call to the CRM.
  it('leaves an endpoint that services of different nodes answered to its rules', () => {
    expect(answeredNode(estate, by('contacts-svc', 'crm-erp-sync', 'erp-api'))).toBeUndefined();
    expect(answeredNode(estate, by('crm-api', 'erp-api'))).toBeUndefined();
    expect(resolveAnswered(estate, ep({ host: 'gateway.internal' }), by('erp-api', 'crm-api'))).toEqual({ system: 'unknown:gateway.internal' });
    // Two instances, or two services, of one node are that node.
    expect(answeredNode(estate, by('erp-api', 'erp-api'))).toEqual({ system: 'erp', by: 'services' });
  });

  it('names only an endpoint its rules leave unknown: a rule that names the address decides, whoever answered', () => {
    expect(resolveAnswered(estate, ep({ host: 'erp.internal' }), by('crm-erp-sync'))).toEqual({ system: 'erp', by: 'hosts' });
    expect(resolveAnswered(estate, ep({ host: '127.0.0.1:24130' }), by('crm-erp-sync'))).toEqual({ system: 'integration:crm-erp-sync' });
    expect(resolveAnswered(estate, ep({ host: '127.0.0.1:24130' }), undefined)).toEqual({ system: 'unknown:127.0.0.1:24130' });
  });
});
