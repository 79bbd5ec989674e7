import { describe, expect, it } from 'vitest';
import { formatProblem, parseCatalog } from './index.ts';

/** A catalog holding every numeric field there is, each written `<name>` to be filled in (`fill`). */
const template = `owners: [{ id: icoe }]
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }
domains:
  - { id: customer, systemOfRecord: crm, replicas: [erp], owner: icoe, drift: { toleranceAbsolute: <toleranceAbsolute>, tolerancePercent: <tolerancePercent>, settle: 5m } }
classes:
  - { id: gold, latencyP95Ms: <classP95>, latencyP99Ms: <classP99>, errorRate: <classErrorRate>, minTraces: <minTraces>, errorRateMinTraces: <errorRateMinTraces> }
flows:
  - { id: own, source: crm, target: erp, owner: icoe, class: gold, latencyP95Ms: <flowP95>, latencyP99Ms: <flowP99>, errorRate: <flowErrorRate> }
  - { id: slo, source: crm, target: erp, owner: icoe, slo: { latencyP95Ms: <sloP95>, latencyP99Ms: <sloP99>, errorRate: <sloErrorRate> } }
probes:
  - { id: web, kind: http, system: crm, every: 1m, url: "http://crm.internal/health", expectStatus: <expectStatus> }
reconciliations:
  - id: customers
    domain: customer
    key: id
    columns: [name]
    left: { system: crm, url: "postgres://crm-db/crm", table: customers }
    right: { system: erp, url: "mysql://erp-db/erp", table: customers }
    segments: <segments>
    downloadBelow: <downloadBelow>
    sampleKeys: <sampleKeys>
alerts:
  - { id: slow, measure: latency-p95, threshold: <threshold>, minTraces: <ruleMinTraces>, severity: high }
receivers:
  - { id: mail, type: email, to: [oncall@example.test], from: weft@example.test, smtp: { host: 127.0.0.1, port: <port> } }
remediations:
  - { id: rerun, rules: [slow], request: { url: "http://127.0.0.1:9/run" }, attempts: <attempts> }
`;

/** Each placeholder: a value the field takes, and the field's path in a problem. */
const fields: Record<string, [string, string]> = {
  toleranceAbsolute: ['5', 'domains[0].drift.toleranceAbsolute'],
  tolerancePercent: ['1', 'domains[0].drift.tolerancePercent'],
  classP95: ['100', 'classes[0].latencyP95Ms'],
  classP99: ['200', 'classes[0].latencyP99Ms'],
  classErrorRate: ['0.1', 'classes[0].errorRate'],
  minTraces: ['10', 'classes[0].minTraces'],
  errorRateMinTraces: ['5', 'classes[0].errorRateMinTraces'],
  flowP95: ['100', 'flows[0].latencyP95Ms'],
  flowP99: ['200', 'flows[0].latencyP99Ms'],
  flowErrorRate: ['0.1', 'flows[0].errorRate'],
  sloP95: ['100', 'flows[1].slo.latencyP95Ms'],
  sloP99: ['200', 'flows[1].slo.latencyP99Ms'],
  sloErrorRate: ['0.1', 'flows[1].slo.errorRate'],
  expectStatus: ['200', 'probes[0].expectStatus'],
  segments: ['16', 'reconciliations[0].segments'],
  downloadBelow: ['32', 'reconciliations[0].downloadBelow'],
  sampleKeys: ['20', 'reconciliations[0].sampleKeys'],
  threshold: ['500', 'alerts[0].threshold'],
  ruleMinTraces: ['10', 'alerts[0].minTraces'],
  port: ['587', 'receivers[0].smtp.port'],
  attempts: ['3', 'remediations[0].attempts'],
};

const fill = (over: Record<string, string> = {}) => template.replace(/<(\w+)>/g, (_, name: string) => over[name] ?? fields[name][0]);
const problems = (text: string) => parseCatalog([{ file: 'c.yaml', text }]).problems.map(formatProblem);

// Regression: `errorRateMinTraces: 1e400` (YAML reads a number past a double's range, and .inf, as Infinity; .nan as
// NaN) was refused with "..., got null": JSON has no Infinity, and the message showed the value as JSON.
describe('a numeric catalog field that is no finite number', () => {
  it('the catalog with every numeric field loads as written', () => {
    expect(problems(fill())).toEqual([]);
  });

  it.each(['1e400', '-1e400', '.inf', '-.inf', '.nan'])('%s in any numeric field is refused, naming the field and the value', (value) => {
    const shown = value === '.nan' ? 'NaN' : value.startsWith('-') ? '-Infinity' : 'Infinity';
    for (const [name, [, path]] of Object.entries(fields)) {
      const found = problems(fill({ [name]: value }));
      expect(found, name).toHaveLength(1);
      expect(found[0], name).toMatch(
        new RegExp(`^c\\.yaml:\\d+:\\d+: ${path.replace(/[.[\]]/g, '\\$&')}: expected a finite number\\b.*, got ${shown}: YAML reads`),
      );
      expect(found[0], name).not.toContain('null');
    }
  });

  it('shows a non-finite value given where text is expected as it is, not as null', () => {
    expect(problems(fill().replace('owner: icoe, class: gold', 'owner: icoe, purpose: .inf, class: gold'))).toEqual([
      expect.stringMatching(/flows\[0\]\.purpose: expected string, got Infinity$/),
    ]);
  });
});
