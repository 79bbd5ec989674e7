import { describe, expect, it } from 'vitest';
import { formatProblem, parseCatalog } from './index.ts';

const good = `owners:
  - id: integration-team
    email: icoe@example.com
systems:
  - id: crm
    kind: crm
    owner: integration-team
    match:
      hosts: [crm.internal]
  - id: erp
    kind: erp
    match:
      databases: ["postgresql://erp-db/erp"]
domains:
  - id: customer
    systemOfRecord: crm
    replicas: [erp]
    regulated: [pii]
classes:
  - id: gold
    latencyP95Ms: 500
    latencyP99Ms: 900
flows:
  - id: customer-sync
    source: crm
    target: erp
    domain: customer
    class: gold
    runtime: { service: customer-sync }
`;

const problems = (files: Record<string, string>) => parseCatalog(Object.entries(files).map(([file, text]) => ({ file, text }))).problems.map(formatProblem);

describe('parseCatalog', () => {
  it('refuses a minimum of runs that is not a whole number of at least 1, and minTraces on a rule whose measure takes none', () => {
    const text = `${good.replace('    latencyP99Ms: 900\n', '    latencyP99Ms: 900\n    errorRateMinTraces: 0\n')}alerts:
  - { id: few, measure: error-rate, threshold: 0.1, minTraces: 2.5, severity: high }
  - { id: quiet, measure: staleness, threshold: 60000, minTraces: 3, severity: high }
  - { id: ok, measure: latency-p99, threshold: 900, minTraces: 3, severity: high }
`;
    expect(problems({ 'e.yaml': text })).toEqual([
      "e.yaml:23:25: classes[0].errorRateMinTraces: expected integer to be greater or equal to 1 (traces a flow needs in the window before its error rate is judged (default 5; a scheduled flow's at most half the runs its schedule puts in the window, at least 1)), got 0",
      "e.yaml:32:64: alerts[0].minTraces: expected integer (error-rate, latency-p95, latency-p99 only: traces a flow needs in the window before the rule judges it (default: the class's errorRateMinTraces or minTraces); fewer is no verdict), got 2.5",
      'e.yaml:33:67: alerts[1].minTraces: minTraces is the runs an error rate or a latency percentile is judged on; a rule of measure staleness has none: leave minTraces out',
    ]);
  });

  // Regression: a flow's thresholds under `slo` were read by alerting only, and those given directly by the
  // analyzer only: the same flow was judged against two different limits.
  it("folds a flow's slo thresholds onto the flow, and refuses one given both ways", () => {
    const withSlo = good.replace(
      '    runtime: { service: customer-sync }',
      '    runtime: { service: customer-sync }\n    slo: { latencyP99Ms: 2000, staleAfter: 2h }',
    );
    const { catalog, problems: p } = parseCatalog([{ file: 'estate.yaml', text: withSlo }]);
    expect(p).toEqual([]);
    expect(catalog.flows[0]).toMatchObject({ latencyP99Ms: 2000, staleAfter: '2h' });
    expect(catalog.flows[0]).not.toHaveProperty('slo');
    expect(problems({ 'e.yaml': withSlo.replace('slo: {', 'latencyP99Ms: 1500\n    slo: {') })).toEqual([
      "e.yaml:31:26: flows[0].slo.latencyP99Ms: latencyP99Ms is given twice, directly on the flow and under slo; keep one (both mean this flow's own threshold)",
    ]);
    expect(problems({ 'e.yaml': withSlo.replace('latencyP99Ms: 2000', 'latencyP95Ms: 2000') })).toEqual([
      'e.yaml:30:26: flows[0].slo.latencyP95Ms: p95 (2000 ms) cannot exceed p99 (900 ms)',
    ]);
  });

  it('reads a valid catalog and fills the defaults', () => {
    const { catalog, problems: p } = parseCatalog([{ file: 'estate.yaml', text: good }]);
    expect(p).toEqual([]);
    expect(catalog.systems[0]).toMatchObject({ id: 'crm', name: 'crm', lifecycle: 'active' });
    expect(catalog.domains[0]).toMatchObject({ allowedWriters: [], drift: { toleranceAbsolute: 0, tolerancePercent: 0, settle: '10m' } });
    expect(catalog.flows[0]).toMatchObject({ lifecycle: 'active', runtime: { service: 'customer-sync' } });
  });

  it('merges several files and reports a duplicate id across them', () => {
    const other = 'systems:\n  - id: wms\n  - id: crm\n';
    const { catalog, problems: p } = parseCatalog([
      { file: 'a.yaml', text: good },
      { file: 'b.yaml', text: other },
    ]);
    expect(catalog.systems.map((s) => s.id)).toEqual(['crm', 'erp', 'wms', 'crm']);
    expect(p.map(formatProblem)).toEqual(['b.yaml:3:9: systems[1].id: duplicate id "crm": a.yaml:5:9 (systems[0]) already uses it']);
  });

  it('names the line of the first entry for a duplicate id in the same file, by its index in that file', () => {
    const { problems: p } = parseCatalog([
      { file: 'a.yaml', text: 'owners:\n  - id: x\n' },
      { file: 'b.yaml', text: 'systems:\n  - id: wms\n    owner: x\n  - id: wms\n    owner: x\n' },
    ]);
    expect(p.map(formatProblem)).toEqual(['b.yaml:4:9: systems[1].id: duplicate id "wms": systems[0] (line 2) already uses it']);
  });

  it('names file, line, field and what is expected for schema errors', () => {
    const text = `systems:
  - id: CRM
    kind: crm
    colour: blue
    lifecycle: gone
    match:
      urlPrefixes: [crm.internal/api]
      databases: [42]
domains:
  - id: customer
    drift: { toleranceAbsolute: -1, tolerancePercent: 150 }
classes:
  - id: gold
    errorRate: 2
    staleAfter: soon
flows:
  - id: f1
    source: crm
    target: erp
    docs: wiki
`;
    expect(problems({ 'e.yaml': text })).toEqual([
      'e.yaml:2:9: systems[0].id: expected lower-case id: letters, digits, ".", "_" or "-", got "CRM"',
      'e.yaml:4:5: systems[0].colour: unknown field "colour"; expected one of: id, name, owner, kind, lifecycle, description, region, transfer, security, match',
      'e.yaml:5:16: systems[0].lifecycle: expected active, deprecated or retired, got "gone"',
      'e.yaml:7:21: systems[0].match.urlPrefixes[0]: expected a URL prefix starting with http:// or https://, no spaces, got "crm.internal/api"',
      'e.yaml:8:19: systems[0].match.databases[0]: expected a DSN like "postgresql://db.internal/crm" or { system: postgresql, namespace: crm, host: db.internal }, got 42',
      'e.yaml:10:5: domains[0].systemOfRecord: missing required field; expected a system id declared in the catalog',
      'e.yaml:11:33: domains[0].drift.toleranceAbsolute: expected number to be greater or equal to 0 (records the replica may differ by (not negative)), got -1',
      'e.yaml:11:55: domains[0].drift.tolerancePercent: expected number to be less or equal to 100 (percent of the system of record (0..100)), got 150',
      'e.yaml:14:16: classes[0].errorRate: expected number to be less or equal to 1 (a fraction between 0 and 1), got 2',
      'e.yaml:15:17: classes[0].staleAfter: expected a duration like 30s, 5m, 2h, 7d, got "soon"',
      // regression: an entry with a schema problem had its references left unchecked; "crm" is the
      // refused "CRM" in the form ids take, so not a second mistake
      'e.yaml:19:13: flows[0].target: unknown system "erp"; expected one of the ids declared under systems (CRM)',
      'e.yaml:20:11: flows[0].docs: expected a link starting with http:// or https://, got "wiki"',
    ]);
  });

  it('reports unknown references and impossible values', () => {
    const text = `systems:
  - id: crm
    owner: nobody
domains:
  - id: customer
    systemOfRecord: crm
    replicas: [crm, erp]
classes:
  - id: gold
    latencyP95Ms: 900
    latencyP99Ms: 500
flows:
  - id: loop
    source: crm
    target: crm
    class: silver
    schedule: { every: 5m, cron: "*/5 * * * *" }
`;
    expect(problems({ 'r.yaml': text })).toEqual([
      'r.yaml:3:12: systems[0].owner: unknown owner "nobody"; expected one of the ids declared under owners (none declared)',
      'r.yaml:7:16: domains[0].replicas[0]: "crm" is the domain\'s system of record and cannot also be its replica',
      'r.yaml:7:21: domains[0].replicas[1]: unknown system "erp"; expected one of the ids declared under systems (crm)',
      'r.yaml:10:19: classes[0].latencyP95Ms: p95 (900 ms) cannot exceed p99 (500 ms)',
      'r.yaml:15:13: flows[0].target: a flow\'s target must differ from its source ("crm")',
      'r.yaml:16:12: flows[0].class: unknown class "silver"; expected one of the ids declared under classes (gold)',
      'r.yaml:17:34: flows[0].schedule.cron: give either every or cron, not both',
    ]);
  });

  it('reports a schedule that is not a cron expression', () => {
    const text = 'systems:\n  - id: a\n  - id: b\nflows:\n  - { id: f, source: a, target: b, schedule: { cron: "every night" } }\n';
    expect(problems({ 'c.yaml': text })).toEqual(['c.yaml:5:54: flows[0].schedule.cron: "every night" is not a cron expression (five or six fields, UTC)']);
  });

  it('reports YAML syntax errors and a file that is not a mapping', () => {
    expect(problems({ 'bad.yaml': 'systems:\n  - id: crm\n   kind: [\n' })[0]).toMatch(
      /^bad\.yaml:3:\d+: this line is indented 3 spaces, which lines up with no entry above it: indent it 4 spaces like "id"/,
    );
    expect(problems({ 'list.yaml': '- a\n- b\n' })).toEqual([
      'list.yaml:1:1: expected a mapping with the sections owners, systems, domains, flows, classes, probes, reconciliations, alerts, receivers, routes, remediations, reports',
    ]);
  });

  it('checks probe sections with the probes schemas and their references', () => {
    const text = `systems:\n  - id: crm\nprobes:\n  - id: crm-count\n    kind: sql\n    system: crmx\n    every: 1m\n    url: postgres://crm-db/crm\n    query: select count(*) from customers\n  - id: p2\n    kind: ftp\n    system: crm\n`;
    expect(problems({ 'p.yaml': text })).toEqual([
      'p.yaml:6:13: probes[0].system: unknown system "crmx" (did you mean "crm"?): declare it under systems',
      'p.yaml:11:11: probes[1].kind: expected a probe kind: sql, http, amqp-queue or nats-consumer, got "ftp"',
    ]);
  });
});

describe('durations the schema lets through but Weft cannot use', () => {
  // Each of these loaded (and `weft catalog reload` took it), then failed every alert evaluation or paced a group at every
  // evaluation: a route's groupInterval of 99999999w stopped alerting, and Alertmanager told every firing alert resolved.
  it('refuses a duration longer than 100 years in any section, naming the field', () => {
    const text = `${good.replace('classes:\n', 'classes:\n  - { id: slow, staleAfter: 99999999w }\n')}receivers:
  - { id: hook, type: webhook, url: "http://127.0.0.1:1/x" }
routes:
  - { receiver: hook, groupInterval: 99999999w }
`;
    expect(problems({ 'd.yaml': text })).toEqual([
      'd.yaml:20:29: classes[0].staleAfter: a duration is longer than the longest duration Weft accepts (100 years), got "99999999w".',
      'd.yaml:34:38: routes[0].groupInterval: a duration is longer than the longest duration Weft accepts (100 years), got "99999999w".',
    ]);
  });

  it('refuses zero intervals and windows, and remediation timeouts and backoffs a timer cannot hold', () => {
    const text = `${good}alerts:
  - { id: none-ran, measure: traces, op: "<", threshold: 1, window: 0s, severity: high }
receivers:
  - { id: hook, type: webhook, url: "http://127.0.0.1:1/x" }
routes:
  - { receiver: hook, groupWait: 0s, groupInterval: 0s, repeatInterval: 0ms }
remediations:
  - { id: rerun, rules: [flow-stale], request: { url: "http://127.0.0.1:1/run", timeout: 0s }, backoff: 40d, maxBackoff: 50d }
`;
    expect(problems({ 'z.yaml': text })).toEqual([
      'z.yaml:31:69: alerts[0].window: window 0s holds nothing: give a window longer than 0 (e.g. 5m)',
      'z.yaml:35:53: routes[0].groupInterval: groupInterval 0s would send the group again at every evaluation (about once a second): give a duration longer than 0 (default 1m)',
      'z.yaml:35:73: routes[0].repeatInterval: repeatInterval 0ms would send the group again at every evaluation (about once a second): give a duration longer than 0 (default 4h)',
      'z.yaml:37:90: remediations[0].request.timeout: timeout 0s is out of range: give 1s to 5m',
      'z.yaml:37:105: remediations[0].backoff: backoff 40d is too long: give at most 1d between two attempts',
      'z.yaml:37:122: remediations[0].maxBackoff: maxBackoff 50d is too long: give at most 1d between two attempts',
    ]);
  });
});

// Regression (break test): a field only another receiver type reads was accepted and ignored: an e-mail receiver given a
// url, a webhook given recipients, a Slack receiver given headers (it sends none) — the catalog said valid.
describe('receiver fields of another type', () => {
  it('refuses each, naming what the type reads', () => {
    const text = `${good}receivers:
  - { id: hook, type: webhook, url: "http://127.0.0.1:1/x", to: [sre@example.com] }
  - { id: mail, type: email, url: "http://127.0.0.1:1/x", to: [sre@example.com], smtp: { host: mail.internal } }
  - { id: chat, type: slack, url: "env:SLACK_URL", headers: { x-team: sre } }
  - { id: am, type: alertmanager, url: "http://am:9093", headers: { x-team: sre }, timeout: 30s }
`;
    expect(problems({ 'r.yaml': text })).toEqual([
      'r.yaml:31:65: receivers[0].to: a webhook receiver does not read to (it reads url, headers): leave it out, or give the type that does',
      'r.yaml:32:35: receivers[1].url: an email receiver does not read url (it reads to, from, smtp): leave it out, or give the type that does',
      'r.yaml:33:61: receivers[2].headers: a slack receiver does not read headers (it reads url): leave it out, or give the type that does',
    ]);
  });
});

describe('ownership defaults', () => {
  const yaml = `defaultOwner: icoe
owners: [{ id: icoe }, { id: sales-it }, { id: erp-team }]
systems:
  - { id: crm, owner: sales-it }
  - { id: erp }
  - { id: sync-runner, owner: erp-team, match: { services: [nightly-sync] } }
domains:
  - { id: customer, systemOfRecord: crm, owner: sales-it }
  - { id: product, systemOfRecord: erp }
flows:
  - { id: a, source: crm, target: erp, domain: customer, runtime: { service: x } }
  - { id: b, source: erp, target: crm, domain: product, runtime: { service: nightly-sync } }
  - { id: c, source: erp, target: crm, runtime: { service: other } }
  - { id: d, source: erp, target: crm, owner: erp-team, domain: customer }
`;

  it("gives a flow its domain's owner, else its runtime's, else the catalog's default; systems and domains the default", () => {
    const { catalog, problems } = parseCatalog([{ file: 'o.yaml', text: yaml }]);
    expect(problems).toEqual([]);
    expect(Object.fromEntries(catalog.flows.map((f) => [f.id, f.owner]))).toEqual({ a: 'sales-it', b: 'erp-team', c: 'icoe', d: 'erp-team' });
    expect(catalog.systems.find((s) => s.id === 'erp')?.owner).toBe('icoe');
    expect(catalog.domains.find((d) => d.id === 'product')?.owner).toBe('icoe');
  });

  it('refuses a default owner that is not declared', () => {
    const { problems } = parseCatalog([{ file: 'o.yaml', text: yaml.replace('defaultOwner: icoe', 'defaultOwner: nobody') }]);
    expect(problems.map(formatProblem)).toEqual([
      'o.yaml:1:15: defaultOwner: "nobody" is not an owner: declare it under owners, or use one of icoe, sales-it, erp-team',
    ]);
  });
});

// Regression: a copy of a flow, or a flow after one with no runtime, was accepted silently and stayed "never observed" (the first
// flow that matches a run takes it), with stale and never-observed findings if scheduled; a blank runtime was accepted;
// a match rule given to two systems matched only the first, silently.
describe('rules and flows that can never take effect', () => {
  const withFlows = (flows: string) => `${good.slice(0, good.indexOf('flows:'))}flows:\n${flows}`;
  // Regression: a window on a rule whose measure takes none was accepted and ignored (and GET /alerts/rules showed it).
  it('warns about a window on an alert rule whose measure takes none, and only there', () => {
    const rule = (measure: string, window = ', window: 10m') => `  - { id: r-${measure}, measure: ${measure}, threshold: 1${window} }\n`;
    const warned = (alerts: string) =>
      parseCatalog([{ file: 'e.yaml', text: `${good}alerts:\n${alerts}` }])
        .warnings.map(formatProblem)
        .filter((p) => p.includes('window has no effect'));
    expect(warned(rule('telemetry-gap'))).toEqual([
      expect.stringMatching(
        /^e\.yaml:\d+:\d+: alerts\[0\]\.window: window has no effect on a rule of measure telemetry-gap: it alerts on the time since Weft last received a span; leave window out$/,
      ),
    ]);
    expect(warned(rule('pairing-lag') + rule('unknown-system'))).toEqual([
      expect.stringContaining(
        'alerts[0].window: window has no effect on a rule of measure pairing-lag: it alerts on the time since Weft last completed a pairing run',
      ),
      expect.stringContaining('alerts[1].window: window has no effect on a rule of measure unknown-system: it alerts on each open unknown-system finding'),
    ]);
    expect(warned(rule('latency-p95') + rule('system-unreachable') + rule('telemetry-gap', ''))).toEqual([]);
  });
  it('warns about a flow that an earlier one with the same ends and a covering runtime takes every run of', () => {
    const flow = (id: string, runtime: string) => `  - { id: ${id}, source: crm, target: erp, runtime: ${runtime} }\n`;
    const at = (flows: string) =>
      parseCatalog([{ file: 'e.yaml', text: withFlows(flows) }])
        .warnings.map(formatProblem)
        .filter((p) => p.includes('never be observed'));
    expect(at(flow('a', '{ service: s }') + flow('b', '{ service: s }'))).toHaveLength(1);
    expect(at(flow('a', '{}') + flow('b', '{ service: s }'))).toHaveLength(1);
    expect(at(flow('a', '{ service: s, flow: f }') + flow('b', '{ flow: f }'))).toHaveLength(1);
    expect(at(flow('a', '{ service: s }') + flow('b', '{ service: s }'))[0]).toMatch(
      /^e\.yaml:\d+:\d+: flows\[1\]\.runtime: can never be observed: flows\[0\] \("a"\)/,
    );
    // Each its own runtime, or the specific one first: both can be observed.
    expect(at(flow('a', '{ service: s }') + flow('b', '{ service: t }'))).toEqual([]);
    expect(at(flow('a', '{ service: s }') + flow('b', '{}'))).toEqual([]);
    expect(at(flow('a', '{ flow: f }') + flow('b', '{ service: s, flow: f }'))).toEqual([]);
    expect(at(flow('a', '{ service: s }') + '  - { id: b, source: erp, target: crm, runtime: { service: s } }\n')).toEqual([]);
  });

  it('refuses a blank runtime', () => {
    const p = problems({ 'e.yaml': withFlows('  - { id: a, source: crm, target: erp, runtime: { service: " " } }\n') });
    expect(p.some((m) => m.includes('flows[0].runtime.service'))).toBe(true);
  });

  it('warns about a match rule an earlier system already has', () => {
    const yaml = good.replace('      databases: ["postgresql://erp-db/erp"]', '      hosts: [CRM.internal]\n      databases: ["postgresql://erp-db/erp"]');
    const { warnings, problems: p } = parseCatalog([{ file: 'e.yaml', text: yaml }]);
    expect(p).toEqual([]);
    expect(warnings.map(formatProblem).filter((w) => w.includes('covered by'))).toEqual([
      'e.yaml:13:15: systems[1].match.hosts[0]: "CRM.internal" is covered by systems[0] ("crm")\'s hosts rule "crm.internal", which comes first and takes every endpoint it matches, so it never matches here; keep it on one system, or list the narrower one first',
    ]);
    // Its siblings: a bare host before host:port, a wildcard before a name, two spellings of loopback, a trailing dot.
    const covered = (first: string, second: string) =>
      parseCatalog([
        {
          file: 'e.yaml',
          text: good
            .replace('hosts: [crm.internal]', `hosts: ["${first}"]`)
            .replace('      databases: ["postgresql://erp-db/erp"]', `      hosts: ["${second}"]`),
        },
      ])
        .warnings.map(formatProblem)
        .some((w) => w.includes('covered by'));
    expect(covered('crm.internal', 'crm.internal:8080')).toBe(true);
    expect(covered('*.internal', 'erp.internal')).toBe(true);
    expect(covered('localhost', '127.0.0.1')).toBe(true);
    expect(covered('crm.internal', 'crm.internal.')).toBe(true);
    expect(covered('*.internal', '*.internal')).toBe(true);
    // The narrower rule first: both can match.
    expect(covered('crm.internal:8080', 'crm.internal')).toBe(false);
    expect(covered('erp.internal', '*.internal')).toBe(false);
    expect(covered('crm.internal', 'erp.internal')).toBe(false);
  });
});

describe('controller (GDPR Art. 30(1)(a))', () => {
  const one = 'controller: { name: Example GmbH, contact: privacy@example.com }\n';
  it('is read from one file, and refused when two files set different ones or a field is unknown', () => {
    expect(parseCatalog([{ file: 'a.yaml', text: one }]).catalog.controller).toEqual({ name: 'Example GmbH', contact: 'privacy@example.com' });
    // The same controller in two files is one.
    expect(
      parseCatalog([
        { file: 'a.yaml', text: one },
        { file: 'b.yaml', text: one },
      ]).problems,
    ).toEqual([]);
    const two = parseCatalog([
      { file: 'a.yaml', text: one },
      { file: 'b.yaml', text: 'controller: { name: Other SA, contact: x@example.com }\n' },
    ]);
    expect(two.problems.map((p) => `${p.file}:${p.line} ${p.path}: ${p.message}`)).toEqual([
      'b.yaml:1 controller: another file already sets the controller; set it in one file only',
    ]);
    const bad = parseCatalog([{ file: 'a.yaml', text: 'controller: { name: Example GmbH, contact: x@example.com, dpo: { name: D } }\n' }]);
    expect(bad.problems.map((p) => p.path)).toEqual(['controller.dpo.contact']);
  });
});
