import { describe, expect, it } from 'vitest';
import { formatProblem, parseCatalog } from './index.ts';

const problems = (file: string, text: string) => parseCatalog([{ file, text }]).problems.map(formatProblem);

// Regression: a misspelled key was located at its value (or, for a section or a block, at the line
// below it), and no problem said which name was meant.
describe('catalog problems for misspelled names', () => {
  it('points at a misspelled key, at top level and nested under systems, domains, flows and probes, and names the field meant', () => {
    const text = `owners:
  - id: sales-it
systmes:
  - id: lost
systems:
  - id: crm
    mtch:
      hosts: [crm.internal]
  - id: erp
    match:
      host: [erp.internal]
domains:
  - id: customer
    sytemOfRecord: crm
flows:
  - id: sync
    source: crm
    target: erp
    runtime:
      servce: sync
probes:
  - id: ping
    kind: http
    system: crm
    every: 1m
    url: http://crm.internal/health
    expectstatus: 200
`;
    expect(problems('estate.yaml', text)).toEqual([
      'estate.yaml:3:1: systmes: unknown field "systmes" (did you mean "systems"?); expected one of: defaultOwner, controller, owners, systems, domains, flows, classes, probes, reconciliations, alerts, receivers, routes, remediations, reports',
      'estate.yaml:7:5: systems[0].mtch: unknown field "mtch" (did you mean "match"?); expected one of: id, name, owner, kind, lifecycle, description, region, transfer, security, match',
      'estate.yaml:11:7: systems[1].match.host: unknown field "host" (did you mean "hosts"?); expected one of: hosts, urlPrefixes, peerServices, databases, destinations, services',
      // one mistake, said once: not also "systemOfRecord: missing required field"
      'estate.yaml:14:5: domains[0].sytemOfRecord: unknown field "sytemOfRecord" (did you mean "systemOfRecord"?); expected one of: id, name, systemOfRecord, replicas, allowedWriters, regulated, owner, dataSubjects, personalData, retention, erasure, drift',
      'estate.yaml:20:7: flows[0].runtime.servce: unknown field "servce" (did you mean "service"?); expected one of: service, flow',
      'estate.yaml:27:5: probes[0].expectstatus: unknown field "expectstatus" (did you mean "expectStatus"?); expected one of: id, system, domain, every, cron, timeout, jitter, kind, url, password, count, headers, expectStatus',
    ]);
  });

  // Regression: \`weft catalog validate package.json\` listed every key of the file as an unknown field (13 problems).
  it('says once that a file none of whose top-level fields is a catalog field is not a catalog, and still names a misspelled section', () => {
    const all = 'defaultOwner, controller, owners, systems, domains, flows, classes, probes, reconciliations, alerts, receivers, routes, remediations, reports';
    expect(problems('package.json', '{\n  "name": "x",\n  "version": "1.0.0",\n  "scripts": {}\n}\n')).toEqual([
      `package.json:2:3: name: not a Weft catalog: none of its top-level fields (name, version, scripts) is a catalog's; a catalog has some of: ${all} (docs/catalog.md)`,
    ]);
    expect(problems('k8s.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\ndata: {}\nbinaryData: {}\nimmutable: true\n')).toEqual([
      `k8s.yaml:1:1: apiVersion: not a Weft catalog: none of its top-level fields (apiVersion, kind, metadata, data, binaryData, …) is a catalog's; a catalog has some of: ${all} (docs/catalog.md)`,
    ]);
    // A Kubernetes manifest of several documents: once too, not also its "---" and the keys its documents share.
    expect(problems('k8s.yaml', 'apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: Service\n')).toEqual([
      `k8s.yaml:1:1: apiVersion: not a Weft catalog: none of its top-level fields (apiVersion, kind) is a catalog's; a catalog has some of: ${all} (docs/catalog.md)`,
    ]);
    // A catalog of several documents is told it must be one, in words (not the YAML library's).
    expect(problems('c.yaml', 'owners:\n  - id: icoe\n---\nsystems:\n  - id: crm\n')[0]).toMatch(
      /^c\.yaml:3:1: a catalog file is one YAML document and "---" here starts another/,
    );
    // A misspelled section alone is a catalog with a mistake, said at the key as before.
    expect(problems('c.yaml', 'system:\n  - id: crm\n')).toEqual([
      `c.yaml:1:1: system: unknown field "system" (did you mean "systems"?); expected one of: ${all}`,
    ]);
  });

  it('points at a misspelled value of a fixed list and names the word meant: lifecycle, probe kind, receiver type, alert measure and severity', () => {
    const text = `systems:
  - id: crm
    lifecycle: deprecatd
probes:
  - id: count
    kind: sqll
    system: crm
receivers:
  - id: hook
    type: webhok
    url: https://hooks.example.com/weft
alerts:
  - id: slow
    measure: latency-p59
    threshold: 500
    severity: hihg
`;
    expect(problems('enums.yaml', text)).toEqual([
      'enums.yaml:3:16: systems[0].lifecycle: expected active, deprecated or retired, got "deprecatd" (did you mean "deprecated"?)',
      'enums.yaml:6:11: probes[0].kind: expected a probe kind: sql, http, amqp-queue or nats-consumer, got "sqll" (did you mean "sql"?)',
      'enums.yaml:10:11: receivers[0].type: expected alertmanager, webhook, slack, email, got "webhok" (did you mean "webhook"?)',
      expect.stringMatching(/^enums\.yaml:14:14: alerts\[0\]\.measure: expected latency-p95, .*, got "latency-p59" \(did you mean "latency-p95"\?\)$/),
      'enums.yaml:16:15: alerts[0].severity: expected info, low, medium, high or critical, got "hihg" (did you mean "high"?)',
    ]);
  });

  it('names the declared id a misspelled reference meant: systems, owners, domains and flows, from every section that names them', () => {
    const text = `defaultOwner: sales-itt
owners:
  - id: sales-it
systems:
  - { id: crm, owner: salse-it }
  - { id: erp }
domains:
  - id: customer
    systemOfRecord: ccrm
    replicas: [epr]
flows:
  - { id: sync, source: crmm, target: erp, domain: custmer }
probes:
  - id: health
    kind: http
    system: erpp
    every: 1m
    url: http://erp.internal/health
alerts:
  - id: slow
    measure: latency-p95
    threshold: 500
    select: { systems: [ERP], flows: [snyc] }
`;
    expect(problems('refs.yaml', text)).toEqual([
      'refs.yaml:1:15: defaultOwner: "sales-itt" is not an owner (did you mean "sales-it"?): declare it under owners, or use one of sales-it',
      'refs.yaml:5:23: systems[0].owner: unknown owner "salse-it" (did you mean "sales-it"?); expected one of the ids declared under owners (sales-it)',
      'refs.yaml:9:21: domains[0].systemOfRecord: unknown system "ccrm" (did you mean "crm"?); expected one of the ids declared under systems (crm, erp)',
      'refs.yaml:10:16: domains[0].replicas[0]: unknown system "epr" (did you mean "erp"?); expected one of the ids declared under systems (crm, erp)',
      'refs.yaml:12:25: flows[0].source: unknown system "crmm" (did you mean "crm"?); expected one of the ids declared under systems (crm, erp)',
      'refs.yaml:12:52: flows[0].domain: unknown domain "custmer" (did you mean "customer"?); expected one of the ids declared under domains (customer)',
      'refs.yaml:16:13: probes[0].system: unknown system "erpp" (did you mean "erp"?): declare it under systems',
      'refs.yaml:23:25: alerts[0].select.systems[0]: unknown system "ERP" (did you mean "erp"?): declare it under systems',
      'refs.yaml:23:39: alerts[0].select.flows[0]: unknown flow "snyc" (did you mean "sync"?): declare it under flows',
    ]);
  });

  it('points at the key of a field left empty or given a block, which have no column of their own, and says it has no value', () => {
    const text = `systems:
  - id: crm
    owner:
    lifecycle:
  - id: erp
    owner:
      id: sales-it
probes:
  - id: count
    kind:
    system: crm
`;
    expect(problems('empty.yaml', text)).toEqual([
      'empty.yaml:3:5: systems[0].owner: no value given; expected an owner id declared in the catalog',
      'empty.yaml:4:5: systems[0].lifecycle: no value given; expected active, deprecated or retired',
      'empty.yaml:6:5: systems[1].owner: expected string (an owner id declared in the catalog), got {"id":"sales-it"}',
      'empty.yaml:10:5: probes[0].kind: no probe kind given; expected kind: sql, http, amqp-queue or nats-consumer',
    ]);
  });

  it('suggests nothing when no name is close, and still says what is allowed', () => {
    const text = `systems:
  - id: crm
    colour: blue
    lifecycle: gone
flows:
  - { id: f, source: crm, target: warehouse }
`;
    expect(problems('far.yaml', text)).toEqual([
      'far.yaml:3:5: systems[0].colour: unknown field "colour"; expected one of: id, name, owner, kind, lifecycle, description, region, transfer, security, match',
      'far.yaml:4:16: systems[0].lifecycle: expected active, deprecated or retired, got "gone"',
      'far.yaml:6:35: flows[0].target: unknown system "warehouse"; expected one of the ids declared under systems (crm)',
    ]);
  });

  // Regression: a label name Alertmanager refuses (a dash, a dot, a leading digit) passed silently
  // under flows[].labels (a map's key rule was not enforced), and only the first was named elsewhere.
  it('refuses every label name outside [a-zA-Z_][a-zA-Z0-9_]*, each at its key, in flows, rules, selectors and routes', () => {
    const text = `owners:
  - id: sales
systems:
  - id: crm
    owner: sales
  - id: erp
    owner: sales
flows:
  - id: f1
    source: crm
    target: erp
    labels:
      bad-key: x
      good_key: z
      9x: y
receivers:
  - id: ops
    type: webhook
    url: http://127.0.0.1:9/hook
alerts:
  - id: slow
    measure: latency-p95
    threshold: 500
    severity: high
    labels:
      team.name: a
    select:
      labels:
        _ok: b
        1st: b
routes:
  - receiver: ops
    match:
      sev-level: high
    matchRe:
      a b: ".*"
    groupBy: [alertname, flow-id, "..."]
`;
    const rule = 'a label name is letters, digits and "_", not starting with a digit';
    expect(problems('estate.yaml', text)).toEqual([
      `estate.yaml:13:7: flows[0].labels.bad-key: name "bad-key" is not allowed: ${rule}`,
      `estate.yaml:15:7: flows[0].labels.9x: name "9x" is not allowed: ${rule}`,
      `estate.yaml:26:7: alerts[0].labels.team.name: name "team.name" is not allowed: ${rule}`,
      `estate.yaml:30:9: alerts[0].select.labels.1st: name "1st" is not allowed: ${rule}`,
      `estate.yaml:34:7: routes[0].match.sev-level: name "sev-level" is not allowed: ${rule}`,
      `estate.yaml:36:7: routes[0].matchRe.a b: name "a b" is not allowed: ${rule}`,
      `estate.yaml:37:26: routes[0].groupBy[1]: expected a label name (letters, digits and "_", not starting with a digit) or '...', got "flow-id"`,
    ]);
  });

  // Regression: a flow written with another tool's names (from/to) was told only the list of fields.
  it("names Weft's field for another tool's name of it (from/to, type, team), once, without a second 'missing' problem", () => {
    const text = `owners:
  - id: sales
systems:
  - id: crm
    owner: sales
    type: crm
  - id: erp
    team: sales
flows:
  - id: f1
    from: crm
    to: erp
    owner: sales
`;
    expect(problems('estate.yaml', text).map((p) => p.replace(/; expected one of: .*$/, ''))).toEqual([
      'estate.yaml:6:5: systems[0].type: unknown field "type" (did you mean "kind"?)',
      'estate.yaml:8:5: systems[1].team: unknown field "team" (did you mean "owner"?)',
      'estate.yaml:11:5: flows[0].from: unknown field "from" (did you mean "source"?)',
      'estate.yaml:12:5: flows[0].to: unknown field "to" (did you mean "target"?)',
    ]);
  });
});
