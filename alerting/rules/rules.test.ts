import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../core/catalog/index.ts';
import { fingerprint } from '../model/fingerprint.ts';
import { backoffDelay } from '../remediation/backoff.ts';
import { renderTemplate } from '../remediation/run-action.ts';
import { newAlert } from '../evaluate/lifecycle.ts';
import { matches, parseMatcher } from '../silences/matchers.ts';
import { estateYaml, testCatalog } from '../testing/fixtures.ts';
import { rulesFor } from './derive-rules.ts';

describe('alert rules from the catalog', () => {
  it('derives latency, error-rate and staleness thresholds per flow from its class, or its own slo', () => {
    const catalog = testCatalog();
    catalog.flows[1].latencyP95Ms = 750;
    const rules = rulesFor(catalog);
    const p95 = rules.find((r) => r.id === 'flow-latency-p95')!;
    const stale = rules.find((r) => r.id === 'flow-stale')!;
    expect(typeof p95.threshold === 'function' && [p95.threshold('erp-cpq-sync'), p95.threshold('erp-wms-pick')]).toEqual([5000, 750]);
    expect(typeof stale.threshold === 'function' && [stale.threshold('erp-cpq-sync'), stale.threshold('erp-wms-pick')]).toEqual([60_000, undefined]);
  });

  it('custom rules select flows by owner, class and label, and may replace a derived rule', () => {
    const catalog = testCatalog(`alerts:
  - { id: icoe-slow, measure: latency-p99, threshold: 3000, select: { owners: [icoe], classes: [batch] }, for: 2m, keepFiringFor: 10m, severity: high,
      annotations: { summary: "{{flow}} p99 is {{value}} ms", runbook_url: "https://runbooks.example/slow" } }
  - { id: telemetry-gap, measure: telemetry-gap, threshold: 300000, severity: critical }`);
    const rules = rulesFor(catalog);
    const custom = rules.find((r) => r.id === 'icoe-slow')!;
    expect(custom.flows).toEqual(['erp-cpq-sync', 'cpq-erp-quote']);
    expect([custom.forMs, custom.keepFiringForMs]).toEqual([120_000, 600_000]);
    expect(rules.filter((r) => r.id === 'telemetry-gap').map((r) => r.threshold)).toEqual([300_000]);
  });

  it('reports bad alerting sections with file, line and what to change', () => {
    const { problems } = parseCatalog([
      {
        file: 'estate.yaml',
        text: estateYaml(`alerts:
  - { id: bad-rate, measure: error-rate, threshold: 5, select: { flows: [nope] }, remediation: missing }
routes:
  - { receiver: nobody, matchRe: { flow: "(" } }
remediations:
  - { id: rerun, request: { url: "http://127.0.0.1:1/run" } }`),
      },
    ]);
    const text = problems.map((p) => `${p.file}:${p.line} ${p.path}: ${p.message}`);
    expect(text).toEqual([
      expect.stringMatching(/^estate.yaml:20 alerts\[0\]\.threshold: error-rate is a fraction/),
      expect.stringMatching(/^estate.yaml:20 alerts\[0\]\.select\.flows\[0\]: unknown flow "nope"/),
      expect.stringMatching(/^estate.yaml:20 alerts\[0\]\.remediation: unknown remediation "missing"/),
      expect.stringMatching(/^estate.yaml:22 routes\[0\]\.receiver: unknown receiver "nobody"/),
      expect.stringMatching(/^estate.yaml:22 routes\[0\]\.matchRe\.flow: "\(" is not a regular expression/),
      expect.stringMatching(/^estate.yaml:24 remediations\[0\]\.flows: attach the action to flows/),
    ]);
  });
});

describe('fingerprints, matchers, backoff, templates', () => {
  it('fingerprints a label set the same whatever the order, and differently when a value changes', () => {
    expect(fingerprint({})).toBe('cbf29ce484222325');
    expect(fingerprint({ alertname: 'x', flow: 'a' })).toBe(fingerprint({ flow: 'a', alertname: 'x' }));
    expect(fingerprint({ alertname: 'x', flow: 'a' })).not.toBe(fingerprint({ alertname: 'x', flow: 'b' }));
  });

  it('fingerprints as FNV-1a 64 over UTF-8 does, byte by byte (any character, a lone surrogate as U+FFFD)', () => {
    // The signature written the plain way (BigInt a byte), against which the fast one is held.
    const reference = (labels: Record<string, string>) => {
      let h = 0xcbf29ce484222325n;
      const add = (bytes: Uint8Array) => {
        for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
      };
      for (const name of Object.keys(labels).sort())
        for (const s of labels[name] === '' ? [] : [name, labels[name]]) add(new Uint8Array([...new TextEncoder().encode(s), 0xff]));
      return h.toString(16).padStart(16, '0');
    };
    expect(fingerprint({ alertname: 'x', flow: 'a' })).toBe('1ef776b92e9bb887');
    const sets: Record<string, string>[] = [
      { alertname: 'FlowErrorRate', flow: 'billing-erp-invoice-sync', severity: 'critical' },
      { ü: 'é', z: '\u{1F600}', k: '\uFFFF\u0800\u07FF\u0080\u007F' },
      { lone: '\uD800x', trail: 'x\uDC00', end: 'a\uD83D' },
      { '': '' },
    ];
    for (const l of sets) expect(fingerprint(l)).toBe(reference(l));
  });

  it('regression: leaves out a label whose value is empty, as Alertmanager drops it (a flow label `tier: ""` made another fingerprint than Alertmanager shows)', () => {
    // Alertmanager 0.25 answered d240efc3896bf266 for { alertname: 'x', e: '' } posted to /api/v2/alerts.
    expect(fingerprint({ alertname: 'x', e: '' })).toBe('d240efc3896bf266');
    expect(fingerprint({ alertname: 'x', e: '' })).toBe(fingerprint({ alertname: 'x' }));
    expect(fingerprint({ '': '' })).toBe(fingerprint({}));
    expect(fingerprint({ alertname: 'x', e: ' ' })).not.toBe(fingerprint({ alertname: 'x' }));
  });

  it('matches =, !=, =~ and !~ as Alertmanager does (anchored regexes, a missing label is empty)', () => {
    const l = { flow: 'erp-cpq-sync', severity: 'high' };
    expect(['flow=erp-cpq-sync', 'flow!=x', 'flow=~"erp-.*"', 'flow!~"cpq"', 'team=""'].map((m) => matches(parseMatcher(m), l))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['flow=~"cpq"', 'severity!=high'].map((m) => matches(parseMatcher(m), l))).toEqual([false, false]);
    expect(() => parseMatcher('flow=~"("')).toThrow(/not a regular expression/);
    expect(() => parseMatcher('no operator')).toThrow(/name=value/);
  });

  it('backs off exponentially with equal jitter, capped', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(n, 1000, 5000, () => 0))).toEqual([500, 1000, 2000, 2500, 2500]);
    expect([1, 2, 3].map((n) => backoffDelay(n, 1000, 60_000, () => 1))).toEqual([1000, 2000, 4000]);
  });

  it('renders a body template JSON-escaped', () => {
    const a = {
      ...newAlert(
        {
          rule: rulesFor(testCatalog())[0],
          labels: { alertname: 'x', flow: 'f"1' },
          value: 1,
          threshold: 0,
          active: true,
          summary: '',
          systems: [],
          flow: 'f"1',
        },
        new Date(0),
      ),
    };
    expect(JSON.parse(renderTemplate('{"flow":"{{flow}}","key":"{{idempotencyKey}}","x":"{{labels.alertname}}"}', a, 'k1'))).toEqual({
      flow: 'f"1',
      key: 'k1',
      x: 'x',
    });
  });
});
