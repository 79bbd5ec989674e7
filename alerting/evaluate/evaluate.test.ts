import { describe, expect, it } from 'vitest';
import { parseCatalog, type Catalog } from '../../core/catalog/index.ts';
import type { Alert } from '../model/alert.ts';
import { planNotifications, type GroupState } from '../notify/groups.ts';
import { routeAlert } from '../notify/route.ts';
import { rulesFor } from '../rules/derive-rules.ts';
import { parseMatcher, type Silence } from '../silences/matchers.ts';
import { estateYaml, observations, testCatalog } from '../testing/fixtures.ts';
import { conditionsFor } from './conditions.ts';
import { evaluateAlerts, type AlertChange } from './evaluate.ts';
import { trackGaps, type IntakeGap } from './observations.ts';

const t0 = Date.parse('2026-11-02T10:00:00.000Z');
const at = (s: number) => new Date(t0 + s * 1000);
const iso = (s: number) => at(s).toISOString();

/**
 * The test estate with more flows (YAML lines of a `flows:` list), more sections (`extra`, as testCatalog's), and
 * sections the estate already has (`more`: `classes:` …, in a file of their own).
 */
function withFlows(flows: string, extra = '', more = ''): Catalog {
  const { catalog, problems } = parseCatalog([
    { file: 'estate.yaml', text: estateYaml(extra) },
    { file: 'more.yaml', text: `${more}flows:\n${flows}\n` },
  ]);
  expect(problems).toEqual([]);
  return catalog;
}

/** Runs evaluations one a step, feeding each the alerts the last one left, and planning notifications as the engine does. */
function simulate(initial = testCatalog(), silences: Silence[] = []) {
  let catalog = initial;
  let rules = rulesFor(catalog);
  let prev = new Map<string, Alert>();
  let groups = new Map<string, GroupState>();
  const changes: AlertChange[] = [];
  const sent: Array<{ at: number; receiver: string; status: string; alerts: string[] }> = [];
  let gaps: IntakeGap[] = [];
  return {
    changes,
    sent,
    alerts: () => [...prev.values()],
    /** A catalog reload: the next runs use this catalog and its rules. */
    reload(c: Catalog) {
      catalog = c;
      rules = rulesFor(c);
    },
    run(s: number, obs: ReturnType<typeof observations>) {
      gaps = trackGaps(gaps, obs.lastIntake, obs.now);
      obs.gaps = gaps;
      const r = evaluateAlerts(prev, conditionsFor(rules, catalog, obs), rules, silences, obs.now);
      changes.push(...r.changes);
      prev = new Map(r.alerts.map((a) => [a.fingerprint, a]));
      const plan = planNotifications(
        groups,
        r.alerts.filter((a) => a.state !== 'pending').map((alert) => ({ alert, routes: routeAlert(catalog, alert.labels) })),
        obs.now,
      );
      for (const n of plan.notifications) {
        sent.push({ at: s, receiver: n.receiver, status: n.status, alerts: n.alerts.map((a) => `${a.alert.rule}:${a.status}`) });
        plan.groups.set(n.groupKey, n.after);
      }
      groups = plan.groups;
      return r;
    },
  };
}

describe('finding-backed rules', () => {
  it("a hop-record-loss finding fires the derived hop-record-loss rule, naming the hop's systems and flow", () => {
    const obs = observations(at(0));
    obs.findings = [
      {
        id: 'f1',
        kind: 'hop-record-loss',
        key: 'hop:order:lake>warehouse',
        title: '20 order records lost at lake → warehouse',
        severity: 'high' as const,
        subject: { systems: ['lake', 'warehouse'], flows: ['lake-warehouse'], domains: ['order'] },
        traceIds: [],
      },
    ];
    const conditions = conditionsFor(rulesFor(testCatalog()), testCatalog(), obs).filter((c) => c.rule.id === 'hop-record-loss');
    expect(conditions).toHaveLength(1);
    expect(conditions[0].active).toBe(true);
  });

  it('regression: shadow IT, a write into a system of record and a deprecated flow in use each fire their derived rule (they notified no one)', () => {
    const obs = observations(at(0));
    const subject = { systems: ['crm'], flows: ['customer-sync'], domains: ['customer'] };
    obs.findings = ['unknown-system', 'sor-violation', 'deprecated-in-use'].map((kind) => ({
      id: kind,
      kind,
      key: `${kind}:x`,
      title: kind,
      severity: 'high' as const,
      subject,
      traceIds: [],
    }));
    const fired = conditionsFor(rulesFor(testCatalog()), testCatalog(), obs)
      .filter((c) => c.active && obs.findings.some((f) => f.kind === c.rule.id))
      .map((c) => c.rule.id);
    expect(fired.sort()).toEqual(['deprecated-in-use', 'sor-violation', 'unknown-system']);
  });
});

describe('what an alert is about (finding and sample traces)', () => {
  it('regression: an alert on a finding carries the finding id and its sample traces (alerts linked to nothing)', () => {
    const sim = simulate();
    const obs = observations(at(0));
    obs.findings = [
      {
        id: 'sor-1',
        kind: 'sor-violation',
        key: 'sor:customer:shop>crm',
        title: 'shop writes customer into crm',
        severity: 'high' as const,
        subject: { systems: ['crm'], flows: [], domains: ['customer'] },
        traceIds: ['aa11', 'bb22'],
      },
    ];
    sim.run(0, obs);
    const alert = sim.alerts().find((a) => a.rule === 'sor-violation')!;
    expect(alert.state).toBe('firing');
    expect(alert.finding).toBe('sor-1');
    expect(alert.traceIds).toEqual(['aa11', 'bb22']);
    // The finding resolves: the resolved alert still says what it was about.
    sim.run(600, observations(at(600)));
    const resolved = sim.changes.find((c) => c.alert.rule === 'sor-violation' && c.transition === 'resolved')!.alert;
    expect([resolved.finding, resolved.traceIds]).toEqual(['sor-1', ['aa11', 'bb22']]);
  });

  it("a flow's error-rate alert carries a failed run's trace first, a latency alert a run's trace; neither names a finding", () => {
    const sim = simulate();
    const stats = { 'erp-wms-pick': { p95Ms: 2500, failedTraces: 9, sampleTrace: 'ok-run', sampleErrorTrace: 'failed-run' } };
    for (let m = 0; m <= 10; m++) sim.run(m * 60, observations(at(m * 60), { stats }));
    const alerts = sim.alerts().filter((a) => a.flow === 'erp-wms-pick');
    const byRule = Object.fromEntries(alerts.map((a) => [a.rule, a]));
    expect(byRule['flow-error-rate'].traceIds).toEqual(['failed-run', 'ok-run']);
    expect(byRule['flow-latency-p95'].traceIds).toEqual(['ok-run']);
    expect(byRule['flow-latency-p95'].finding).toBeNull();
  });

  it("regression: a flow's latency, error-rate and staleness alerts link the open finding of the matching kind on the same flow (they had finding null)", () => {
    const sim = simulate();
    const finding = (id: string, kind: string, flow: string, traceIds: string[]) => ({
      id,
      kind,
      key: flow,
      title: id,
      severity: 'high' as const,
      subject: { systems: [], flows: [flow], domains: [] },
      traceIds,
    });
    const findings = [
      finding('lat-other', 'latency-slo-breach', 'cpq-erp-quote', ['other-slow']),
      finding('lat-1', 'latency-slo-breach', 'erp-wms-pick', ['slow-run']),
      finding('err-1', 'error-rate', 'erp-wms-pick', ['failed-run']),
      finding('stale-1', 'stale-flow', 'erp-cpq-sync', []),
      finding('stale-other', 'stale-flow', 'erp-wms-pick', ['old-run']),
    ];
    // No sample trace of the flow in the window: the alert takes its finding's.
    const stats = { 'erp-wms-pick': { p95Ms: 2500, failedTraces: 9 } };
    for (let s = 0; s <= 600; s += 60) {
      const obs = observations(at(s), { stats, lastIntake: iso(s - 1), lastSeen: { 'erp-cpq-sync': iso(-3600), 'erp-wms-pick': iso(s - 5) } });
      obs.findings = findings;
      sim.run(s, obs);
    }
    const about = (rule: string, flow: string) => {
      const a = sim.alerts().find((x) => x.rule === rule && x.flow === flow)!;
      return [a.state, a.finding, a.traceIds];
    };
    expect(about('flow-latency-p95', 'erp-wms-pick')).toEqual(['firing', 'lat-1', ['slow-run']]);
    expect(about('flow-error-rate', 'erp-wms-pick')).toEqual(['firing', 'err-1', ['failed-run']]);
    expect(about('flow-stale', 'erp-cpq-sync')).toEqual(['firing', 'stale-1', []]);

    // A run of the flow in the window is still the first sample; the finding link stays.
    const obs = observations(at(660), { stats: { 'erp-wms-pick': { ...stats['erp-wms-pick'], sampleTrace: 'ok-run', sampleErrorTrace: 'bad-run' } } });
    obs.findings = findings;
    const c = conditionsFor(rulesFor(testCatalog()), testCatalog(), obs).filter((x) => x.flow === 'erp-wms-pick');
    const byRule = new Map(c.map((x) => [x.rule.id, [x.finding, x.traceIds]]));
    expect(byRule.get('flow-latency-p95')).toEqual(['lat-1', ['ok-run']]);
    expect(byRule.get('flow-error-rate')).toEqual(['err-1', ['bad-run', 'ok-run']]);
    // A measure no finding kind proves links none.
    expect(byRule.get('flow-throughput-drop')?.[0]).toBeUndefined();
  });

  it('keeps the last known traces when an evaluation has none (a flow that stopped running)', () => {
    const sim = simulate();
    sim.run(0, observations(at(0), { stats: { 'erp-wms-pick': { p95Ms: 2500, sampleTrace: 'slow-run' } } }));
    sim.run(60, observations(at(60), { stats: { 'erp-wms-pick': { p95Ms: 2500 } } }));
    expect(sim.alerts().find((a) => a.rule === 'flow-latency-p95')!.traceIds).toEqual(['slow-run']);
  });
});

// Regression: the derived flow rules watched active flows only, so a deprecated flow still carrying traffic failed half its
// runs and no alert said so (its error-rate finding opened, routed to no one).
describe('deprecated flows', () => {
  const catalog = () => {
    const { catalog: c, problems } = parseCatalog([
      {
        file: 'estate.yaml',
        text: `owners: [{ id: icoe, receiver: hook }]
systems: [{ id: erp }, { id: wms }, { id: lake }]
classes: [{ id: batch, latencyP95Ms: 5000, errorRate: 0.05, staleAfter: 60s }]
flows:
  - { id: old-pick, source: erp, target: wms, owner: icoe, class: batch, schedule: { every: 10s }, lifecycle: deprecated }
  - { id: gone-load, source: wms, target: lake, owner: icoe, class: batch, schedule: { every: 10s }, lifecycle: retired }
receivers: [{ id: hook, type: webhook, url: "http://127.0.0.1:9/hook" }]
`,
      },
    ]);
    expect(problems).toEqual([]);
    return c;
  };

  it('a deprecated flow that fails is a low-severity alert, told to its owner; one that stops is not stale; a retired one has no flow alert', () => {
    const sim = simulate(catalog());
    const failing = { traces: 20, failedTraces: 10 };
    for (let s = 0; s <= 120; s += 10)
      sim.run(s, observations(at(s), { stats: { 'old-pick': failing, 'gone-load': failing }, lastSeen: { 'old-pick': iso(-3600), 'gone-load': iso(-3600) } }));
    const fired = sim.changes.filter((c) => c.transition === 'firing').map((c) => [c.alert.rule, c.alert.severity, c.alert.labels.flow]);
    expect(fired).toEqual([['deprecated-flow-error-rate', 'low', 'old-pick']]);
    expect(sim.sent.map((n) => [n.receiver, n.alerts])).toEqual([['hook', ['deprecated-flow-error-rate:firing']]]);
  });

  it('a custom rule that names a deprecated flow watches it; one selecting by owner or class leaves it out', () => {
    const c = catalog();
    const rules = rulesFor({
      ...c,
      alerts: [
        { id: 'named', measure: 'error-rate', threshold: 0.01, severity: 'medium', select: { flows: ['old-pick', 'gone-load'] } },
        { id: 'by-owner', measure: 'error-rate', threshold: 0.01, severity: 'medium', select: { owners: ['icoe'] } },
      ],
    });
    expect(rules.filter((r) => r.origin === 'custom').map((r) => [r.id, r.flows])).toEqual([
      ['named', ['old-pick']],
      ['by-owner', []],
    ]);
  });
});

describe('alert lifecycle over evaluations', () => {
  // Regression: an alert's fingerprint is over all its labels, and a flow's owner, class, domain and own labels are
  // labels: a catalog change of one resolved the firing alert and fired another (a RESOLVED and a FIRING message).
  it("a catalog change of a firing flow's owner, class, domain or labels relabels its alert: no resolved, no second firing", () => {
    const estate = (owner: string, cls: string, domain: string, tier: string) =>
      withFlows(
        `  - { id: pick, source: erp, target: wms, owner: ${owner}, class: ${cls}, domain: ${domain}, labels: { tier: ${tier} } }`,
        'routes:\n  - { receiver: team-hook, groupWait: 0s, groupInterval: 1m, repeatInterval: 1h }',
        `owners: [{ id: icoe2, receiver: team-hook }]
classes: [{ id: realtime2, latencyP95Ms: 1000, errorRate: 0.05 }]
domains: [{ id: order, systemOfRecord: erp }, { id: stock, systemOfRecord: wms }]
`,
      );
    const sim = simulate(estate('icoe', 'realtime', 'order', 'gold'));
    const failing = (s: number, failedTraces: number) => sim.run(s, observations(at(s), { stats: { pick: { traces: 10, failedTraces } } }));
    for (let s = 0; s <= 120; s += 30) failing(s, 5);
    const before = sim.alerts().find((a) => a.rule === 'flow-error-rate')!;
    sim.reload(estate('icoe2', 'realtime2', 'stock', 'silver'));
    for (let s = 150; s <= 600; s += 30) failing(s, 5);
    const errors = sim.alerts().filter((a) => a.rule === 'flow-error-rate');
    expect(errors.map((a) => [a.state, a.labels.owner, a.labels.class, a.labels.domain, a.labels.tier, a.firedAt])).toEqual([
      ['firing', 'icoe2', 'realtime2', 'stock', 'silver', iso(0)],
    ]);
    expect(errors[0].fingerprint).not.toBe(before.fingerprint);
    expect(errors[0].formerFingerprints).toEqual([before.fingerprint]);
    // The flow recovers: one resolved, told once.
    for (let s = 630; s <= 1200; s += 30) failing(s, 0);
    expect(sim.changes.filter((c) => c.alert.rule === 'flow-error-rate').map((c) => c.transition)).toEqual(['firing', 'resolved']);
    expect(sim.sent.map((n) => [n.receiver, n.alerts.join(' ')])).toEqual([
      ['team-hook', 'flow-error-rate:firing'],
      ['team-hook', 'flow-error-rate:resolved'],
    ]);
  });

  it('a latency that crosses its threshold every other minute for 10 minutes is one alert and one notification, then one resolved', () => {
    const sim = simulate();
    for (let m = 0; m <= 10; m++) sim.run(m * 60, observations(at(m * 60), { stats: { 'erp-wms-pick': { p95Ms: m % 2 === 0 ? 2500 : 400 } } }));
    const latency = sim.changes.filter((c) => c.alert.rule === 'flow-latency-p95');
    expect(latency.map((c) => c.transition)).toEqual(['firing']);
    expect(sim.sent.filter((s) => s.alerts.some((a) => a.startsWith('flow-latency-p95')))).toHaveLength(1);
    // Calm from minute 11 on: resolved once keepFiringFor (5m) has passed since the last breach at minute 10.
    for (let m = 11; m <= 20; m++) sim.run(m * 60, observations(at(m * 60), { stats: { 'erp-wms-pick': { p95Ms: 400 } } }));
    expect(sim.changes.filter((c) => c.alert.rule === 'flow-latency-p95').map((c) => c.transition)).toEqual(['firing', 'resolved']);
    const notes = sim.sent.filter((s) => s.alerts.some((a) => a.startsWith('flow-latency-p95')));
    expect(notes.map((n) => [n.receiver, n.status])).toEqual([
      ['supply-hook', 'firing'],
      ['supply-hook', 'resolved'],
    ]);
  });

  it("regression: a resolved alert keeps the value and summary it was resolved with (later evaluations rewrote them with the flow's new figures)", () => {
    const sim = simulate();
    const latency = () => sim.alerts().find((a) => a.rule === 'flow-latency-p95')!;
    sim.run(0, observations(at(0), { stats: { 'erp-wms-pick': { p95Ms: 2500 } } }));
    for (let m = 1; m <= 6; m++) sim.run(m * 60, observations(at(m * 60), { stats: { 'erp-wms-pick': { p95Ms: 400 } } }));
    expect(latency().state).toBe('resolved');
    const resolved = structuredClone(latency());
    expect(resolved.value).toBe(400);
    expect(resolved.annotations.summary).toMatch(/400 ms/);
    // Calm, with other figures: the resolved alert is left as it was, its evaluation time included.
    for (let m = 7; m <= 12; m++) sim.run(m * 60, observations(at(m * 60), { stats: { 'erp-wms-pick': { p95Ms: m % 2 === 0 ? 150 : 900 } } }));
    sim.run(13 * 60, observations(at(13 * 60), { stats: {} }));
    expect(latency()).toEqual(resolved);
    expect(latency().lastEvalAt).toBe(latency().resolvedAt);
    // A new breach is a new episode, with its own value.
    sim.run(14 * 60, observations(at(14 * 60), { stats: { 'erp-wms-pick': { p95Ms: 3100 } } }));
    expect([latency().state, latency().value, latency().resolvedAt]).toEqual(['firing', 3100, null]);
    expect(latency().annotations.summary).toMatch(/3,?100 ms|3\.1 s/);
  });

  // Regression: the error rate of a window without a run (the p95 of fewer than minTraces runs) is no verdict, but was
  // taken as a recovery: a daily job's failed run was told resolved ten minutes later, a day before its next run.
  it("keeps a daily job's error-rate alert firing until a run succeeds (an empty window is no all-clear)", () => {
    const sim = simulate(
      withFlows(
        '  - { id: nightly-load, source: erp, target: wms, owner: icoe, class: batch, schedule: { every: 1d } }',
        `alerts:
  - { id: nightly-failed, measure: error-rate, threshold: 0, window: 5m, keepFiringFor: 5m, select: { flows: [nightly-load] }, severity: high }
`,
      ),
    );
    const ran = (failed: number) => ({ 'nightly-load': { traces: 1, failedTraces: failed } });
    sim.run(0, observations(at(0), { stats: ran(1) }));
    // The window empties at 300 s; the next run, at 86400 s, succeeds.
    for (let s = 60; s <= 7200; s += 60) sim.run(s, observations(at(s), { stats: s < 300 ? ran(1) : {} }));
    expect(sim.alerts().find((a) => a.rule === 'nightly-failed')?.state).toBe('firing');
    for (let s = 86_400; s <= 86_400 + 900; s += 60) sim.run(s, observations(at(s), { stats: s < 86_700 ? ran(0) : {} }));
    // The custom rule and the derived one alike: a daily job's one run is the whole day's verdict (errorRateMinTraces is 1 for it).
    for (const rule of ['nightly-failed', 'flow-error-rate'])
      expect(sim.changes.filter((c) => c.alert.rule === rule && c.alert.labels.flow === 'nightly-load').map((c) => [c.transition, c.alert.lastEvalAt])).toEqual(
        [
          ['firing', iso(0)],
          ['resolved', iso(86_400 + 300)],
        ],
      );
  });

  // Regression: an error rate had no minimum of runs: a flow that ran once in 5 minutes and failed was 100% and paged
  // as high, and told resolved 5 minutes after its window held a successful run.
  it('judges an error rate on at least errorRateMinTraces runs (5): fewer is no verdict, neither firing nor resolved', () => {
    const sim = simulate(testCatalog('routes:\n  - { receiver: team-hook }'));
    const errors = () => sim.alerts().find((a) => a.rule === 'flow-error-rate' && a.labels.flow === 'erp-wms-pick');
    const run = (s: number, traces: number, failedTraces: number) => sim.run(s, observations(at(s), { stats: { 'erp-wms-pick': { traces, failedTraces } } }));
    // One failed run of one, then four of four: no alert, nothing sent.
    run(0, 1, 1);
    run(60, 4, 4);
    expect(errors()).toBeUndefined();
    expect(sim.sent).toEqual([]);
    // Five runs, one failed: 20%, over the realtime class's 5%.
    run(120, 5, 1);
    expect(errors()?.state).toBe('firing');
    // A quiet spell of two successful runs a window is no all-clear: it stays firing past its keepFiringFor (5m)...
    for (let s = 180; s <= 900; s += 60) run(s, 2, 0);
    expect(errors()?.state).toBe('firing');
    // ...and resolves 5 minutes after enough runs succeed.
    for (let s = 960; s <= 1500; s += 60) run(s, 10, 0);
    expect(sim.changes.filter((c) => c.alert.rule === 'flow-error-rate').map((c) => [c.transition, c.alert.lastEvalAt])).toEqual([
      ['firing', iso(120)],
      ['resolved', iso(960 + 300)],
    ]);
  });

  it("caps a scheduled flow's errorRateMinTraces at half the runs its schedule puts in the window; a class or a rule may say otherwise", () => {
    const catalog = withFlows(
      [
        '  - { id: minutely, source: erp, target: wms, owner: icoe, class: realtime, schedule: { every: 1m } }',
        '  - { id: hourly, source: erp, target: wms, owner: icoe, class: realtime, schedule: { cron: "0 * * * *" } }',
        '  - { id: strict, source: erp, target: wms, owner: icoe, class: strict }',
      ].join('\n'),
      `alerts:
  - { id: any-failure, measure: error-rate, threshold: 0, minTraces: 1, select: { flows: [erp-wms-pick] }, severity: low }
`,
      'classes:\n  - { id: strict, errorRate: 0.05, errorRateMinTraces: 1 }\n',
    );
    const firing = (traces: number, failedTraces: number) => {
      const stats = Object.fromEntries(['minutely', 'hourly', 'strict', 'erp-wms-pick'].map((f) => [f, { traces, failedTraces }]));
      return conditionsFor(rulesFor(catalog), catalog, observations(at(0), { stats }))
        .filter((c) => c.rule.measure === 'error-rate' && c.active)
        .map((c) => `${c.rule.id}:${c.flow}`)
        .sort();
    };
    // Every minute: 2 of the 5-minute window's runs; hourly: 1; the strict class: 1; the custom rule: 1.
    expect(firing(1, 1)).toEqual(['any-failure:erp-wms-pick', 'flow-error-rate:hourly', 'flow-error-rate:strict']);
    expect(firing(2, 2)).toEqual(['any-failure:erp-wms-pick', 'flow-error-rate:hourly', 'flow-error-rate:minutely', 'flow-error-rate:strict']);
    expect(firing(5, 5)).toEqual([
      'any-failure:erp-wms-pick',
      'flow-error-rate:erp-wms-pick',
      'flow-error-rate:hourly',
      'flow-error-rate:minutely',
      'flow-error-rate:strict',
    ]);
  });

  it('keeps a latency alert firing while its window holds fewer runs than minTraces, and resolves it on enough fast ones', () => {
    const sim = simulate();
    const latency = () => sim.alerts().find((a) => a.rule === 'flow-latency-p95')!;
    sim.run(0, observations(at(0), { stats: { 'erp-wms-pick': { traces: 12, p95Ms: 2500 } } }));
    for (let s = 60; s <= 900; s += 60) sim.run(s, observations(at(s), { stats: { 'erp-wms-pick': { traces: 3, p95Ms: 200 } } }));
    expect(latency().state).toBe('firing');
    for (let s = 960; s <= 1500; s += 60) sim.run(s, observations(at(s), { stats: { 'erp-wms-pick': { traces: 12, p95Ms: 200 } } }));
    expect([latency().state, latency().resolvedAt]).toEqual(['resolved', iso(960 + 300)]);
  });

  it('does not notify on every evaluation while firing, only every repeatInterval', () => {
    const sim = simulate(testCatalog('routes:\n  - { receiver: team-hook, groupWait: 0s, groupInterval: 1m, repeatInterval: 10m }'));
    for (let s = 0; s <= 25 * 60; s += 30) sim.run(s, observations(at(s), { stats: { 'erp-wms-pick': { p95Ms: 2500 } } }));
    expect(sim.sent.map((n) => n.at)).toEqual([0, 600, 1200]);
  });

  it('a 2-minute intake outage is one telemetry-gap alert and no stale-flow alert', () => {
    const sim = simulate();
    const flows = ['erp-cpq-sync', 'cpq-erp-quote'];
    const seen = (s: number) => Object.fromEntries(flows.map((f) => [f, iso(Math.floor(s / 10) * 10 - 5)]));
    // Healthy for 3 minutes, every 10 s: the scheduled flows run every 10 s; pairing lags 10 s.
    let s = 0;
    for (; s < 180; s += 10) sim.run(s, observations(at(s), { lastIntake: iso(s - 1), lastSeen: seen(s - 10), pairedUntil: iso(s - 10) }));
    // Intake stops at 180 s for 2 minutes: nothing new arrives; the pairing watermark still advances.
    const frozen = seen(170);
    for (; s < 300; s += 10) sim.run(s, observations(at(s), { lastIntake: iso(179), lastSeen: frozen, pairedUntil: iso(s - 10) }));
    // Intake is back; runs are paired again only after the 10 s late-arrival window.
    // Past the telemetry-gap alert's keepFiringFor (5m) after the intake is back.
    for (; s < 660; s += 10) sim.run(s, observations(at(s), { lastIntake: iso(s - 1), lastSeen: s < 320 ? frozen : seen(s - 10), pairedUntil: iso(s - 10) }));
    const byRule = (rule: string) => sim.changes.filter((c) => c.alert.rule === rule).map((c) => c.transition);
    expect(byRule('telemetry-gap')).toEqual(['firing', 'resolved']);
    expect(byRule('flow-stale')).toEqual([]);
    expect(sim.sent.flatMap((n) => n.alerts)).not.toContain('flow-stale:firing');
  });

  // Regression: an estate of hourly jobs is silent for most of each hour; every silence over 60 s was a critical
  // telemetry-gap alert ("the integrations' exporters, the network or Weft's collector is down"), every hour.
  it('gives an estate whose every flow runs on a schedule the silence its most frequent flow is allowed before telemetry-gap', () => {
    const parsed = parseCatalog([
      {
        file: 'batch.yaml',
        text: `owners: [{ id: icoe, receiver: hook }]
systems: [{ id: erp }, { id: wms }, { id: lake }]
classes: [{ id: nightly, staleAfter: 26h }]
flows:
  - { id: hourly-pick, source: erp, target: wms, owner: icoe, schedule: { every: 1h } }
  - { id: night-load, source: erp, target: lake, owner: icoe, class: nightly, schedule: { cron: "0 2 * * *" } }
  - { id: retired, source: wms, target: lake, owner: icoe, lifecycle: retired }
receivers: [{ id: hook, type: webhook, url: "http://127.0.0.1:9/hook" }]
`,
      },
    ]);
    expect(parsed.problems).toEqual([]);
    const hourly = parsed.catalog;
    const gap = (catalog: Catalog, silentS: number) =>
      conditionsFor(rulesFor(catalog), catalog, observations(at(silentS), { lastIntake: iso(0), watchingSince: iso(-86_400) })).find(
        (c) => c.rule.id === 'telemetry-gap',
      )!;
    // Twice the hourly job's period: 50 minutes of silence is how the estate is, 2 h 10 m is a gap.
    expect(gap(hourly, 50 * 60)).toMatchObject({ threshold: 7_200_000, active: false });
    expect(gap(hourly, 130 * 60)).toMatchObject({ active: true });
    // A flow that may run at any moment (no schedule): 60 s, as before.
    const withConsumer = testCatalog();
    expect(gap(withConsumer, 90)).toMatchObject({ threshold: 60_000, active: true });
  });

  // Regression: a cron schedule allowed no silence (only `every` did), so an estate of nightly jobs written with cron
  // was told, as critical, 60 s after each night's last run that its exporters or Weft's collector were down.
  it('gives an estate of cron jobs twice the longest time between their ticks before telemetry-gap', () => {
    const cronOnly = (...crons: string[]) =>
      parseCatalog([
        {
          file: 'c.yaml',
          text: `systems: [{ id: a }, { id: b }]\nflows:\n${crons.map((c, i) => `  - { id: f${i}, source: a, target: b, schedule: { cron: "${c}" } }\n`).join('')}`,
        },
      ]).catalog;
    const gap = (catalog: Catalog, silentS: number) =>
      conditionsFor(rulesFor(catalog), catalog, observations(at(silentS), { lastIntake: iso(0), watchingSince: iso(-86_400) })).find(
        (c) => c.rule.id === 'telemetry-gap',
      )!;
    const nightly = cronOnly('0 2 * * *');
    expect(gap(nightly, 90)).toMatchObject({ threshold: 48 * 3_600_000, active: false });
    expect(gap(nightly, 23 * 3600)).toMatchObject({ active: false });
    expect(gap(nightly, 49 * 3600)).toMatchObject({ active: true });
    // The most frequent of them sets it: a quarter-hourly weekday job beside the nightly one (its weekend, 63 h 15 min).
    expect(gap(cronOnly('0 2 * * *', '*/15 9-17 * * 1-5'), 60 * 3600)).toMatchObject({ threshold: 48 * 3_600_000, active: true });
    expect(gap(cronOnly('0 2 * * *', '*/15 * * * *'), 40 * 60)).toMatchObject({ threshold: 30 * 60_000, active: true });
  });

  it('a flow that really stops while the others run is stale, and resolves when it runs again', () => {
    const sim = simulate();
    let s = 0;
    for (; s < 300; s += 10) {
      const stopped = s >= 60 && s < 200;
      sim.run(
        s,
        observations(at(s), {
          lastIntake: iso(s - 1),
          lastSeen: { 'cpq-erp-quote': iso(s - 15), 'erp-cpq-sync': stopped ? iso(55) : iso(s - 15) },
          pairedUntil: iso(s - 10),
        }),
      );
    }
    expect(sim.changes.filter((c) => c.alert.rule === 'flow-stale').map((c) => [c.alert.labels.flow, c.transition])).toEqual([
      ['erp-cpq-sync', 'firing'],
      ['erp-cpq-sync', 'resolved'],
    ]);
  });

  // Regression: a count rule gives no verdict over a window holding an intake gap (the runs Weft did not receive are not
  // runs that did not happen), but "no verdict" was taken as "false": a firing count alert was told resolved at the
  // first silence of 16 s (or a restart of Weft: its downtime is a gap) and firing again once its window was past it.
  it('keeps a firing count alert firing while its window holds an intake gap (no verdict is not a recovery)', () => {
    const catalog = testCatalog(`alerts:
  - { id: no-runs, measure: traces, op: "<", threshold: 1, window: 5m, select: { flows: [erp-cpq-sync] }, severity: high }
`);
    const sim = simulate(catalog);
    // erp-cpq-sync has stopped; the other flows run, so spans arrive every 10 s, but for a 30 s blip at 600 s.
    const obs = (s: number, lastIntake: number) =>
      observations(at(s), {
        lastIntake: iso(lastIntake),
        pairedUntil: iso(s - 10),
        stats: { 'cpq-erp-quote': { traces: 30 }, 'erp-wms-pick': { traces: 30 } },
      });
    for (let s = 0; s <= 1500; s += 10) sim.run(s, obs(s, s >= 600 && s < 630 ? 599 : s - 1));
    expect(sim.changes.filter((c) => c.alert.rule === 'no-runs').map((c) => c.transition)).toEqual(['firing']);
    expect(sim.sent.flatMap((n) => n.alerts).filter((a) => a.startsWith('no-runs'))).toEqual(['no-runs:firing']);
  });

  it('keeps a firing throughput-drop alert firing through the hour after an intake gap, and still resolves when the flow is back', () => {
    const sim = simulate();
    const obs = (s: number, lastIntake: number, traces: number) => {
      const o = observations(at(s), { lastIntake: iso(lastIntake), pairedUntil: iso(s - 10), stats: { 'erp-wms-pick': { traces } } });
      o.baseline = new Map([[3_600_000, new Map([['erp-wms-pick', [100, 100, 100]]])]]);
      return o;
    };
    // A tenth of its usual runs for two hours and a half (Weft restarted at 30 min: 40 s of no intake), then as usual.
    for (let s = 0; s <= 12_600; s += 30) sim.run(s, obs(s, s >= 1800 && s < 1840 ? 1799 : s - 1, s < 9000 ? 10 : 100));
    const drop = sim.changes.filter((c) => c.alert.rule === 'flow-throughput-drop').map((c) => [c.transition, c.alert.lastEvalAt]);
    expect(drop.map((d) => d[0])).toEqual(['pending', 'firing', 'resolved']);
    // Resolved keepFiringFor (30 min) after the flow was back at 9000 s.
    expect(drop[2][1]).toBe(iso(9000 + 1800));
  });

  // Regression: Weft's own alerts count from this process's start at most (a restart is no outage before senders had a
  // minute to reconnect), but a firing one was then judged false at the restart: a telemetry gap or a stopped pairing job
  // that went on across a restart of Weft was told resolved, and firing again a minute (ten) later.
  it('keeps telemetry-gap and weft-behind firing across a restart of Weft while they go on, and resolves them when they end', () => {
    const sim = simulate();
    // No span since -100 s, no pairing run since -700 s: both fire; Weft restarts at 300 s.
    const obs = (s: number, lastIntake: number, lastPairingRun: number, watchingSince?: number) =>
      observations(at(s), {
        lastIntake: iso(lastIntake),
        lastPairingRun: iso(lastPairingRun),
        ...(watchingSince === undefined ? {} : { watchingSince: iso(watchingSince) }),
      });
    for (let s = 0; s < 300; s += 10) sim.run(s, obs(s, -100, -700));
    for (let s = 300; s < 1500; s += 10) sim.run(s, obs(s, -100, -700, 300));
    // Spans arrive again at 1500 s, the pairing job runs again at 1600 s.
    for (let s = 1500; s < 2100; s += 10) sim.run(s, obs(s, s - 1, s < 1600 ? -700 : s - 5, 300));
    const byRule = (rule: string) => sim.changes.filter((c) => c.alert.rule === rule).map((c) => [c.transition, c.alert.lastEvalAt]);
    expect(byRule('telemetry-gap')).toEqual([
      ['firing', iso(0)],
      // keepFiringFor (5m) after the spans arrive again.
      ['resolved', iso(1800)],
    ]);
    expect(byRule('weft-behind')).toEqual([
      ['firing', iso(0)],
      ['resolved', iso(1600)],
    ]);
  });

  // Regression: telemetry-gap had no keepFiringFor: an intake whose spans came every 90 s (the threshold is 60 s, and the
  // usual-silence learning needs 20 silences of the last day) was told FIRING and RESOLVED every 90 s, as critical.
  it('an intake with a span every 90 s is one telemetry-gap alert, resolved 5 minutes after spans come closer together', () => {
    const sim = simulate(testCatalog('routes:\n  - { receiver: team-hook }'));
    for (let s = 0; s < 1800; s += 10) sim.run(s, observations(at(s), { lastIntake: iso(Math.floor(s / 90) * 90) }));
    for (let s = 1800; s < 2400; s += 10) sim.run(s, observations(at(s), { lastIntake: iso(s - 1) }));
    const gap = sim.changes.filter((c) => c.alert.rule === 'telemetry-gap').map((c) => [c.transition, c.alert.lastEvalAt]);
    expect(gap).toEqual([
      ['firing', iso(70)],
      ['resolved', iso(1800 + 300)],
    ]);
    expect(sim.sent.flatMap((n) => n.alerts).filter((a) => a.startsWith('telemetry-gap'))).toEqual(['telemetry-gap:firing', 'telemetry-gap:resolved']);
  });

  it("a telemetry gap that is over (its alert recovering) no longer inhibits a flow's alert: a flow failing after intake resumed is told", () => {
    const sim = simulate();
    // No span for 2 minutes, then spans every 10 s; from 200 s half of erp-wms-pick's runs fail.
    for (let s = 0; s < 120; s += 10) sim.run(s, observations(at(s), { lastIntake: iso(-1) }));
    for (let s = 120; s <= 260; s += 10)
      sim.run(s, observations(at(s), { lastIntake: iso(s - 1), stats: s >= 200 ? { 'erp-wms-pick': { traces: 10, failedTraces: 5 } } : {} }));
    const errors = sim.alerts().find((a) => a.rule === 'flow-error-rate')!;
    expect(sim.alerts().find((a) => a.rule === 'telemetry-gap')?.state).toBe('firing');
    expect([errors.state, errors.inhibitedBy]).toEqual(['firing', null]);
    expect(sim.sent.flatMap((n) => n.alerts)).toContain('flow-error-rate:firing');
  });

  it('does not fire telemetry-gap or weft-behind at a restart of Weft that was not firing them, before the threshold from its start', () => {
    const sim = simulate();
    for (let s = 300; s < 340; s += 10) sim.run(s, observations(at(s), { lastIntake: iso(-100), lastPairingRun: iso(-700), watchingSince: iso(300) }));
    expect(sim.changes).toEqual([]);
    sim.run(370, observations(at(370), { lastIntake: iso(-100), lastPairingRun: iso(-700), watchingSince: iso(300) }));
    expect(sim.changes.map((c) => [c.alert.rule, c.transition])).toEqual([['telemetry-gap', 'firing']]);
  });

  // Regression: a flow whose sender samples its traces reaches Weft a run in two at 50%, and was alerted stale after
  // its unsampled limit (60 s for a 10 s schedule) while it ran. Sampled at 50%, it is stale after 10 runs' silence.
  it('a flow whose runs reach Weft sampled is stale only after the silence its sampling allows', () => {
    const firstFiring = (sampled: Array<{ service: string; probability: number; spans: number }> | undefined) => {
      const sim = simulate();
      for (let s = 0; s < 400; s += 10) {
        const obs = observations(at(s), {
          lastIntake: iso(s - 1),
          lastSeen: { 'cpq-erp-quote': iso(s - 15), 'erp-cpq-sync': s >= 60 ? iso(55) : iso(s - 15) },
          pairedUntil: iso(s - 10),
        });
        if (sampled) obs.sampled = sampled;
        sim.run(s, obs);
      }
      const firing = sim.changes.filter((c) => c.alert.rule === 'flow-stale' && c.transition === 'firing');
      return firing.map((c) => [c.alert.labels.flow, (c.alert.firedAt ? Date.parse(c.alert.firedAt) - t0 : NaN) / 1000]);
    };
    expect(firstFiring(undefined)).toEqual([['erp-cpq-sync', 120]]);
    expect(firstFiring([{ service: 'jobs', probability: 0.5, spans: 20 }])).toEqual([['erp-cpq-sync', 160]]);
    // Nothing sampled at all (probability 0): never stale.
    expect(firstFiring([{ service: 'jobs', probability: 0, spans: 20 }])).toEqual([]);
  });

  // Regression: the live alert compared the flow's last run by its arrival (lastSeen: the later of its end and its
  // arrival) with its service's last sampled span by the sender's clock: a sender whose clock is 3 minutes behind
  // Weft's, its last run sampled, was judged unsampled (run "after" its last sampled span) and alerted after 60 s.
  it('a sampled flow whose spans arrive minutes after their own end is still judged against its sampling', () => {
    const sim = simulate();
    for (let s = 0; s < 400; s += 10) {
      const obs = observations(at(s), {
        lastIntake: iso(s - 1),
        lastSeen: { 'cpq-erp-quote': iso(s - 15), 'erp-cpq-sync': iso(55) },
        pairedUntil: iso(s - 10),
      });
      // The last run ended at 55 s by the sender's clock, 180 s behind Weft's, and was sampled.
      obs.lastRunEnd = new Map([['erp-cpq-sync', iso(55 - 180)]]);
      obs.sampled = [{ service: 'jobs', probability: 0.5, spans: 20, lastSampled: iso(55 - 180) }];
      sim.run(s, obs);
    }
    const firing = sim.changes.filter((c) => c.alert.rule === 'flow-stale' && c.transition === 'firing');
    expect(firing.map((c) => [c.alert.labels.flow, (Date.parse(c.alert.firedAt!) - t0) / 1000])).toEqual([['erp-cpq-sync', 160]]);
  });

  it('a silence keeps a firing alert from being notified; the alert is still firing', () => {
    const silence: Silence = {
      id: 's1',
      matchers: [parseMatcher('flow=~"erp-wms-.*"'), parseMatcher('severity!=critical')],
      startsAt: iso(-60),
      endsAt: iso(3600),
      createdBy: 'sre',
      comment: 'maintenance',
      createdAt: iso(-60),
    };
    const sim = simulate(testCatalog(), [silence]);
    for (let s = 0; s <= 120; s += 30) sim.run(s, observations(at(s), { stats: { 'erp-wms-pick': { p95Ms: 2500 } } }));
    const alert = sim.alerts().find((a) => a.rule === 'flow-latency-p95')!;
    expect(alert.state).toBe('firing');
    expect(alert.silencedBy).toEqual(['s1']);
    expect(sim.sent).toEqual([]);
  });

  /** An open probe-failing finding of the wms system. */
  const wmsProbeFailing = {
    id: 'f1',
    kind: 'probe-failing',
    key: 'wms-count',
    title: 'Probe wms-count fails: connection refused',
    severity: 'high' as const,
    subject: { systems: ['wms'], flows: [], domains: [] },
    traceIds: [],
  };

  // Regression: a probe failing every other pair of runs (every 15 s) opened and resolved its finding once a minute, and
  // each time paged FIRING and RESOLVED: 16 e-mails in 8 minutes.
  it('a probe-failing finding that opens and resolves every minute is one alert, resolved 5 minutes after it stops', () => {
    const sim = simulate();
    for (let s = 0; s <= 480; s += 15) {
      const obs = observations(at(s));
      obs.findings = s % 60 < 30 ? [wmsProbeFailing] : [];
      sim.run(s, obs);
    }
    const probe = (xs: Array<{ status: string; alerts: string[] }>) => xs.filter((n) => n.alerts.some((a) => a.startsWith('probe-failing')));
    expect(sim.changes.filter((c) => c.alert.rule === 'probe-failing').map((c) => c.transition)).toEqual(['firing']);
    expect(probe(sim.sent).map((n) => n.status)).toEqual(['firing']);
    for (let s = 495; s <= 900; s += 15) sim.run(s, observations(at(s)));
    expect(sim.changes.filter((c) => c.alert.rule === 'probe-failing').map((c) => c.transition)).toEqual(['firing', 'resolved']);
    expect(probe(sim.sent).map((n) => n.status)).toEqual(['firing', 'resolved']);
  });

  it('a failing probe of a system inhibits the alerts of flows through it', () => {
    const sim = simulate();
    const obs = observations(at(0), { stats: { 'erp-wms-pick': { p95Ms: 2500 } } });
    obs.findings = [wmsProbeFailing];
    sim.run(0, obs);
    sim.run(10, { ...obs, now: at(10) });
    const alerts = sim.alerts();
    expect(alerts.find((a) => a.rule === 'probe-failing')?.state).toBe('firing');
    expect(alerts.find((a) => a.rule === 'flow-latency-p95')?.inhibitedBy).toBe('probe-failing:wms');
    expect(sim.sent.flatMap((n) => n.alerts)).toEqual(['probe-failing:firing']);
  });

  it('a system that stopped answering (every call from several integrations failed) inhibits the alerts of flows through it', () => {
    const sim = simulate();
    // The WMS refuses connections: the pick flow fails every run; the probe of the WMS has not failed (yet).
    const down = (s: number) =>
      observations(at(s), {
        stats: { 'erp-wms-pick': { traces: 12, failedTraces: 12 } },
        systemCalls: { wms: { calls: 14, failed: 14, callers: 2 }, erp: { calls: 30, failed: 0, callers: 3 } },
      });
    sim.run(0, down(0));
    sim.run(10, down(10));
    const alerts = sim.alerts();
    const system = alerts.find((a) => a.rule === 'system-unreachable');
    expect([system?.state, system?.labels.system, system?.labels.owner]).toEqual(['firing', 'wms', 'supply']);
    expect(system?.annotations.summary).toBe('System wms stopped answering: 14 of 14 calls from 2 integrations failed in the last 1m');
    expect(alerts.find((a) => a.rule === 'flow-error-rate')?.inhibitedBy).toBe('system-unreachable:wms');
    // The system is told about, the flow's failures it explains are not; erp answers, nothing about it.
    expect(sim.sent.flatMap((n) => n.alerts)).toEqual(['system-unreachable:firing']);
    expect(alerts.filter((a) => a.labels.system === 'erp')).toEqual([]);
  });

  it("regression: a system still down across an outage of Weft's own intake is not told resolved, then firing again", () => {
    // The WMS refuses every call; Weft receives nothing for 3 minutes (no calls in any window), then the calls arrive
    // again, still refused. It was told resolved when the intake stopped and firing again when it resumed.
    const sim = simulate();
    const down = (s: number) =>
      observations(at(s), {
        lastIntake: iso(s - 1),
        stats: { 'erp-wms-pick': { traces: 12, failedTraces: 12 } },
        systemCalls: { wms: { calls: 14, failed: 14, callers: 2 } },
      });
    let s = 0;
    for (; s < 120; s += 10) sim.run(s, down(s));
    for (; s < 300; s += 10) sim.run(s, observations(at(s), { lastIntake: iso(119) }));
    // Past the telemetry-gap alert's keepFiringFor (5m) after the intake is back.
    for (; s < 700; s += 10) sim.run(s, down(s));
    const byRule = (rule: string) => sim.changes.filter((c) => c.alert.rule === rule).map((c) => c.transition);
    expect(byRule('telemetry-gap')).toEqual(['firing', 'resolved']);
    expect(byRule('system-unreachable')).toEqual(['firing']);
    expect(sim.sent.filter((n) => n.receiver === 'supply-hook').flatMap((n) => n.alerts)).toEqual(['system-unreachable:firing']);
    expect(sim.alerts().find((a) => a.rule === 'system-unreachable')).toMatchObject({ state: 'firing', inhibitedBy: null });
  });

  // Regression: a flow's alert inhibited by a system that stopped answering was told firing a minute after the system
  // answered again (its inhibitor resolved; its own 5-minute window still held the outage's failures), and resolved ten
  // minutes later: a page about an outage that was over.
  it('does not tell a flow alert an outage of its system explained once the system answers again', () => {
    const sim = simulate();
    const run = (s: number, o: { systemDown: boolean; flowFailed: number }) =>
      sim.run(
        s,
        observations(at(s), {
          stats: { 'erp-wms-pick': { traces: 12, failedTraces: o.flowFailed } },
          systemCalls: { wms: { calls: 14, failed: o.systemDown ? 14 : 0, callers: 2 } },
        }),
      );
    // The WMS is down for 10 minutes; the pick flow's window holds its failures 5 minutes more.
    for (let s = 0; s < 1800; s += 10) run(s, { systemDown: s < 600, flowFailed: s < 900 ? 12 : 0 });
    expect(sim.changes.map((c) => [c.alert.rule, c.transition])).toEqual([
      ['flow-error-rate', 'firing'],
      ['system-unreachable', 'firing'],
      ['system-unreachable', 'resolved'],
      ['flow-error-rate', 'resolved'],
    ]);
    expect(sim.sent.map((n) => n.alerts)).toEqual([['system-unreachable:firing'], ['system-unreachable:resolved']]);
  });

  it("tells a flow that still fails once its window is past its system's outage (its own problem)", () => {
    const sim = simulate();
    for (let s = 0; s < 1800; s += 10)
      sim.run(
        s,
        observations(at(s), {
          stats: { 'erp-wms-pick': { traces: 12, failedTraces: 12 } },
          systemCalls: { wms: { calls: 14, failed: s < 600 ? 14 : 0, callers: 2 } },
        }),
      );
    // The system resolved at 660 s (keepFiringFor 1m); the flow's 5-minute window is past it at 960 s (told groupWait later).
    expect(sim.sent.map((n) => [n.at, n.alerts])).toEqual([
      [10, ['system-unreachable:firing']],
      [660, ['system-unreachable:resolved']],
      [970, ['flow-error-rate:firing']],
    ]);
  });

  it('tells a flow alert told firing before its system went down resolved when it resolves, inhibited or not', () => {
    const sim = simulate();
    for (let s = 0; s < 1800; s += 10)
      sim.run(
        s,
        observations(at(s), {
          stats: { 'erp-wms-pick': { traces: 12, failedTraces: s < 900 ? 12 : 0 } },
          systemCalls: { wms: { calls: 14, failed: s >= 60 && s < 600 ? 14 : 0, callers: 2 } },
        }),
      );
    expect(sim.sent.map((n) => [n.at, n.alerts])).toEqual([
      [10, ['flow-error-rate:firing']],
      [70, ['system-unreachable:firing']],
      [660, ['system-unreachable:resolved']],
      [1200, ['flow-error-rate:resolved']],
    ]);
  });

  it('one integration failing every call it makes is an error of its flow, not a system that stopped answering', () => {
    const sim = simulate();
    const obs = (s: number) =>
      observations(at(s), { stats: { 'erp-wms-pick': { traces: 12, failedTraces: 12 } }, systemCalls: { wms: { calls: 12, failed: 12, callers: 1 } } });
    sim.run(0, obs(0));
    sim.run(10, obs(10));
    expect(sim.alerts().find((a) => a.rule === 'system-unreachable')).toBeUndefined();
    expect(sim.alerts().find((a) => a.rule === 'flow-error-rate')).toMatchObject({ state: 'firing', inhibitedBy: null });
    expect(sim.sent.flatMap((n) => n.alerts)).toEqual(['flow-error-rate:firing']);
  });

  it('a stopped flow is stale once it has been silent for staleAfter up to the newest span received, not the lagging pairing watermark', () => {
    const sim = simulate();
    let firedAt = -1;
    for (let s = 0; s <= 200 && firedAt < 0; s += 10) {
      // Pairing lags 30 s behind (late spans awaited); the runs of cpq-erp-quote are seen at ingest.
      const r = sim.run(
        s,
        observations(at(s), { lastIntake: iso(s - 1), lastSeen: { 'erp-cpq-sync': iso(55), 'cpq-erp-quote': iso(s - 5) }, pairedUntil: iso(s - 30) }),
      );
      if (r.changes.some((c) => c.alert.rule === 'flow-stale' && c.transition === 'firing')) firedAt = s;
    }
    // Last run at 55 s, staleAfter 60 s: silent for more than 60 s at the newest span (s − 1) from s = 120 on.
    expect(firedAt).toBe(120);
    expect(
      sim
        .alerts()
        .filter((a) => a.rule === 'flow-stale')
        .map((a) => a.labels.flow),
    ).toEqual(['erp-cpq-sync']);
  });

  it('a sender whose clock runs ahead does not make running flows stale', () => {
    const sim = simulate();
    for (let s = 0; s <= 120; s += 10)
      sim.run(
        s,
        observations(at(s), { lastIntake: iso(s + 600), lastSeen: { 'erp-cpq-sync': iso(s - 5), 'cpq-erp-quote': iso(s - 5) }, pairedUntil: iso(s - 10) }),
      );
    expect(sim.changes.filter((c) => c.alert.rule === 'flow-stale')).toEqual([]);
  });
});

// Regression: counts are of the runs that reached Weft, a tenth of them from a sender sampling at 10%. A sender that
// started sampling (its flow as busy as ever) looked like a 90% drop, and fired flow-throughput-drop; "fewer than 5
// runs an hour" fired on a flow sampled at 10% that ran 20 times an hour.
describe('counts of runs that reached Weft sampled', () => {
  const HOUR = 3_600_000;
  const catalog = testCatalog(`alerts:
  - { id: too-few, measure: traces, op: "<", threshold: 5, window: 1h, severity: high, select: { flows: [erp-wms-pick] } }
  - { id: too-many, measure: traces, op: ">", threshold: 50, window: 1h, severity: high, select: { flows: [erp-wms-pick] } }
`);
  /** The rules' values for erp-wms-pick: `traces` runs arrived in the settled hour, sampled with `p` (1: unsampled). */
  const values = (traces: number, p: number, baseline: number[], baselineP?: number[]) => {
    const obs = observations(at(0), { stats: { 'erp-wms-pick': { traces } } });
    obs.baseline = new Map([[HOUR, new Map([['erp-wms-pick', baseline]])]]);
    if (baselineP) obs.baselineSampling = new Map([[HOUR, new Map([['erp-wms-pick', baselineP]])]]);
    if (p < 1) obs.settledSampling = new Map([[HOUR, new Map([['erp-wms-pick', p]])]]);
    const c = conditionsFor(rulesFor(catalog), catalog, obs).filter((x) => x.flow === 'erp-wms-pick');
    const of = (rule: string) => c.find((x) => x.rule.id === rule)!;
    return { drop: of('flow-throughput-drop'), tooFew: of('too-few'), tooMany: of('too-many') };
  };

  it('calls no drop when the sender began sampling, or changed its rate, since the weeks it is compared with', () => {
    // 100 runs an hour in each of 4 weeks, unsampled; now sampled at 10%: 10 arrive.
    expect(values(10, 0.1, [100, 100, 100, 100]).drop.active).toBe(false);
    expect(values(10, 0.1, [100, 100, 100, 100]).drop.value).toBeNaN();
    // Sampled at 50% then, at 10% now.
    expect(values(10, 0.1, [50, 50, 50, 50], [0.5, 0.5, 0.5, 0.5]).drop.value).toBeNaN();
    // Unsampled, a drop from 100 to 10 is one.
    expect(values(10, 1, [100, 100, 100, 100]).drop).toMatchObject({ value: 0.9, active: true });
  });

  it("compares weeks sampled alike in runs that happened: a real stop is a drop, a sampled run's noise is not", () => {
    // At 10% throughout, 100 runs an hour send about 10: one sampled run now can stand for 88 runs, no drop.
    expect(values(1, 0.1, [10, 12, 9, 11], [0.1, 0.1, 0.1, 0.1]).drop.active).toBe(false);
    // 500 runs an hour sent about 50; none now stands for at most 65: a drop of at least 87%.
    const stop = values(0, 0.1, [50, 52, 48, 50], [0.1, 0.1, 0.1, 0.1]).drop;
    expect(stop.active).toBe(true);
    expect(stop.value).toBeCloseTo(0.87, 2);
    // A week without a run (its sampling unknown: NaN) is alike with any sampling: the stop is still a drop.
    const withEmptyWeek = values(0, 0.1, [0, 52, 48, 50], [NaN, 0.1, 0.1, 0.1]).drop;
    expect(withEmptyWeek.active).toBe(true);
    expect(withEmptyWeek.value).toBeCloseTo(0.87, 2);
  });

  it('says "too few" or "too many" of a sampled flow only of the runs that can have happened on that side', () => {
    // One sampled run at 10%: 1 to 88 runs; neither fewer than 5 nor more than 50 can be said.
    expect([values(1, 0.1, []).tooFew.active, values(1, 0.1, []).tooMany.active]).toEqual([false, false]);
    expect([values(1, 0.1, []).tooFew.value, values(1, 0.1, []).tooMany.value]).toEqual([88, 1]);
    // Unsampled, one run is fewer than 5.
    expect(values(1, 1, []).tooFew).toMatchObject({ value: 1, active: true });
    // 20 sampled runs at 10% stand for at least 95: more than 50.
    expect(values(20, 0.1, []).tooMany).toMatchObject({ value: 95, active: true });
  });
});
