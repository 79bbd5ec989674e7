import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../core/catalog/index.ts';
import type { Alert } from '../model/alert.ts';
import { testCatalog } from '../testing/fixtures.ts';
import { planNotifications, type GroupState, type Notification } from './groups.ts';
import { receiverRoute, routeAlert } from './route.ts';

const t0 = Date.parse('2026-11-02T10:00:00.000Z');
const at = (s: number) => new Date(t0 + s * 1000);

function alert(fingerprint: string, over: Partial<Alert> = {}): Alert {
  return {
    fingerprint,
    rule: 'sor-violation',
    labels: { alertname: 'sor-violation', severity: 'high', system: fingerprint, owner: 'icoe' },
    annotations: { summary: `violation ${fingerprint}` },
    state: 'firing',
    severity: 'high',
    value: 1,
    threshold: 0,
    activeSince: at(0).toISOString(),
    firedAt: at(0).toISOString(),
    lastTrueAt: at(0).toISOString(),
    falseSince: null,
    resolvedAt: null,
    lastEvalAt: at(0).toISOString(),
    acknowledgedBy: null,
    acknowledgedAt: null,
    ackNote: '',
    inhibitedBy: null,
    silencedBy: [],
    flow: null,
    systems: [fingerprint],
    finding: null,
    traceIds: [],
    ...over,
  };
}

/** Plans at each step as the engine does, every notification delivered at once; `reload` swaps the catalog. */
function planner(catalog: Catalog) {
  let groups = new Map<string, GroupState>();
  const sent: Array<{ s: number; receiver: string; reason: string; alerts: string[] }> = [];
  return {
    sent,
    reload(c: Catalog) {
      catalog = c;
    },
    run(s: number, alerts: Alert[]) {
      const plan = planNotifications(
        groups,
        alerts.map((a) => ({ alert: a, routes: routeAlert(catalog, a.labels) })),
        at(s),
        (id) => receiverRoute(catalog, id),
      );
      for (const n of plan.notifications) {
        sent.push({
          s,
          receiver: n.receiver,
          reason: n.reason,
          alerts: n.alerts.map((x: Notification['alerts'][number]) => `${x.alert.fingerprint}:${x.status}`),
        });
        plan.groups.set(n.groupKey, n.after);
      }
      groups = plan.groups;
      return plan;
    },
  };
}

const withAm = (routes = '  - { receiver: am }') =>
  testCatalog(`  - { id: am, type: alertmanager, url: "http://127.0.0.1:9/am" }
routes:
${routes}
`);
const toAm = (p: ReturnType<typeof planner>, from = 0) => p.sent.filter((x) => x.receiver === 'am' && x.s >= from);

describe('planNotifications for Alertmanager (a keep-alive receiver)', () => {
  it('regression: re-posts an acknowledged firing alert every minute, so it never resolves in Alertmanager (acks stop only repeats elsewhere)', () => {
    // Alertmanager, and on to the owner's webhook.
    const p = planner(withAm('  - { receiver: am, continue: true }\n  - { groupWait: 5s }'));
    p.run(0, [alert('a')]);
    p.run(10, [alert('a')]);
    expect(p.sent.map((x) => x.receiver).sort()).toEqual(['am', 'team-hook']);
    const acked = alert('a', { acknowledgedBy: 'sre', acknowledgedAt: at(20).toISOString() });
    for (let s = 30; s <= 300; s += 30) p.run(s, [acked]);
    expect(toAm(p, 30).map((x) => [x.s, x.reason, x.alerts])).toEqual([
      [60, 'keep-alive', ['a:firing']],
      [120, 'keep-alive', ['a:firing']],
      [180, 'keep-alive', ['a:firing']],
      [240, 'keep-alive', ['a:firing']],
      [300, 'keep-alive', ['a:firing']],
    ]);
    // The webhook keeps the ack's meaning: no repeat.
    expect(p.sent.filter((x) => x.receiver === 'team-hook' && x.s >= 30)).toEqual([]);
  });

  it('regression: keeps a silenced or inhibited alert Alertmanager was told of alive, and tells it resolved when it resolves', () => {
    const p = planner(withAm());
    p.run(0, [alert('a'), alert('b')]);
    const muted = [alert('a', { silencedBy: ['s1'] }), alert('b', { inhibitedBy: 'probe-failing:x' })];
    p.run(60, muted);
    p.run(120, muted);
    expect(toAm(p, 60).map((x) => [x.s, x.alerts])).toEqual([
      [60, ['a:firing', 'b:firing']],
      [120, ['a:firing', 'b:firing']],
    ]);
    const resolved = muted.map((a) => ({ ...a, state: 'resolved' as const, resolvedAt: at(150).toISOString() }));
    p.run(150, resolved);
    expect(toAm(p, 150).map((x) => x.alerts)).toEqual([['a:resolved', 'b:resolved']]);
    p.run(300, resolved);
    expect(toAm(p, 151)).toEqual([]);
  });

  it('regression: an alert inhibited while firing is told resolved when it resolves (a message about another alert meanwhile does not forget it)', () => {
    // Two flows' alerts to the owner's webhook; a told firing, then inhibited (its system went down); b resolves
    // meanwhile (a message about b alone), then a resolves while inhibited, then the inhibition ends.
    const p = planner(testCatalog());
    p.run(0, [alert('a'), alert('b')]);
    p.run(10, [alert('a'), alert('b')]);
    p.run(20, [alert('a', { inhibitedBy: 'system-unreachable:x' }), alert('b')]);
    p.run(100, [alert('a', { inhibitedBy: 'system-unreachable:x' }), alert('b', { state: 'resolved', resolvedAt: at(100).toISOString() })]);
    const aResolved = alert('a', { state: 'resolved', resolvedAt: at(200).toISOString() });
    p.run(200, [{ ...aResolved, inhibitedBy: 'system-unreachable:x' }, alert('b', { state: 'resolved' })]);
    p.run(300, [aResolved, alert('b', { state: 'resolved' })]);
    p.run(400, [aResolved, alert('b', { state: 'resolved' })]);
    expect(p.sent.map((x) => [x.s, x.receiver, x.alerts])).toEqual([
      [10, 'team-hook', ['a:firing', 'b:firing']],
      [100, 'team-hook', ['b:resolved']],
      [200, 'team-hook', ['a:resolved']],
    ]);
  });

  it('regression: an alert silenced while firing is not told firing again when the silence ends, though its group spoke of another meanwhile', () => {
    const p = planner(testCatalog());
    p.run(0, [alert('a'), alert('b')]);
    p.run(10, [alert('a'), alert('b')]);
    p.run(100, [alert('a', { silencedBy: ['s1'] }), alert('b', { state: 'resolved', resolvedAt: at(100).toISOString() })]);
    p.run(200, [alert('a'), alert('b', { state: 'resolved' })]);
    expect(p.sent.map((x) => [x.s, x.alerts])).toEqual([
      [10, ['a:firing', 'b:firing']],
      [100, ['b:resolved']],
    ]);
  });

  it('does not post an alert silenced before Alertmanager was told of it, and posts it once the silence ends', () => {
    const p = planner(withAm());
    p.run(0, [alert('a', { silencedBy: ['s1'] })]);
    p.run(120, [alert('a', { silencedBy: ['s1'] })]);
    expect(p.sent).toEqual([]);
    p.run(130, [alert('a')]);
    expect(toAm(p).map((x) => x.alerts)).toEqual([['a:firing']]);
  });

  it("regression: a route's repeatInterval (4h) or a long groupInterval does not slow the keep-alive", () => {
    const p = planner(withAm('  - { receiver: am, repeatInterval: 4h, groupInterval: 10m }'));
    p.run(0, [alert('a')]);
    p.run(60, [alert('a')]);
    // b starts firing: a change, held for groupInterval (10 min), but a still re-posted every minute.
    p.run(90, [alert('a'), alert('b')]);
    const plan = p.run(100, [alert('a'), alert('b')]);
    expect(plan.nextAt).toBe(at(120).getTime());
    p.run(120, [alert('a'), alert('b')]);
    expect(toAm(p).map((x) => [x.s, x.reason])).toEqual([
      [0, 'first'],
      [60, 'keep-alive'],
      [120, 'keep-alive'],
    ]);
  });
});

describe('planNotifications after a catalog reload moves alerts', () => {
  const hooks = (routes: string) =>
    testCatalog(`  - { id: other-hook, type: webhook, url: "http://127.0.0.1:9/other" }
  - { id: am, type: alertmanager, url: "http://127.0.0.1:9/am" }
${routes ? `routes:\n${routes}` : ''}
`);
  const resolvedAt = (a: Alert, s: number): Alert => ({ ...a, state: 'resolved', resolvedAt: at(s).toISOString() });

  it('regression: tells the old receiver resolved for what it was told firing, and the new one firing', () => {
    const p = planner(hooks(''));
    p.run(0, [alert('a')]);
    p.run(10, [alert('a')]);
    p.reload(hooks('  - { receiver: other-hook, groupWait: 0s }'));
    p.run(20, [alert('a')]);
    p.run(70, [alert('a')]);
    expect(p.sent.map((x) => [x.s, x.receiver, x.alerts])).toEqual([
      [10, 'team-hook', ['a:firing']],
      [20, 'other-hook', ['a:firing']],
      [70, 'team-hook', ['a:resolved']], // groupInterval (1 min) after its last message
    ]);
    // Told once: the old group then has nothing left to say.
    p.run(200, [alert('a')]);
    p.run(300, [resolvedAt(alert('a'), 250)]);
    expect(p.sent.slice(3).map((x) => [x.s, x.receiver, x.alerts])).toEqual([[300, 'other-hook', ['a:resolved']]]);
  });

  it('plans the old group when it becomes due (nextAt), and tells an alert that resolved meanwhile as resolved once', () => {
    const p = planner(hooks(''));
    p.run(0, [alert('a')]);
    p.run(10, [alert('a'), alert('b')]);
    p.reload(hooks('  - { receiver: other-hook, groupWait: 0s }'));
    const plan = p.run(30, [alert('a'), resolvedAt(alert('b'), 25)]);
    expect(plan.nextAt).toBe(at(70).getTime());
    p.run(70, [alert('a'), resolvedAt(alert('b'), 25)]);
    expect(p.sent.filter((x) => x.receiver === 'team-hook').map((x) => [x.s, x.alerts])).toEqual([
      [10, ['a:firing', 'b:firing']],
      [70, ['a:resolved', 'b:resolved']],
    ]);
    // b resolved before it ever went to other-hook: other-hook hears of a only.
    expect(p.sent.filter((x) => x.receiver === 'other-hook').map((x) => x.alerts)).toEqual([['a:firing']]);
  });

  it('says nothing when only the grouping changed on the same receiver, and forgets a group whose receiver was removed', () => {
    const p = planner(hooks(''));
    p.run(0, [alert('a')]);
    p.run(10, [alert('a')]);
    p.reload(hooks('  - { groupBy: [system], groupWait: 0s }'));
    p.run(20, [alert('a')]);
    p.run(100, [alert('a')]);
    expect(p.sent.map((x) => [x.s, x.receiver, x.alerts])).toEqual([
      [10, 'team-hook', ['a:firing']],
      [20, 'team-hook', ['a:firing']],
    ]);
    const q = planner(hooks('  - { receiver: other-hook, groupWait: 0s }'));
    q.run(0, [alert('a')]);
    q.reload(testCatalog()); // other-hook removed: the owner's team-hook
    q.run(100, [alert('a')]);
    const plan = q.run(110, [alert('a')]);
    expect(q.sent.map((x) => [x.s, x.receiver])).toEqual([
      [0, 'other-hook'],
      [110, 'team-hook'],
    ]);
    expect([...plan.groups.values()].map((g) => g.receiver)).toEqual(['team-hook']);
  });

  it('leaves a still firing alert to expire in an Alertmanager it no longer goes to, and tells it resolved there when it resolved', () => {
    const p = planner(hooks('  - { receiver: am }'));
    p.run(0, [alert('a'), alert('b')]);
    p.reload(hooks('  - { receiver: other-hook, groupWait: 0s }'));
    p.run(30, [alert('a'), resolvedAt(alert('b'), 20)]);
    p.run(120, [alert('a'), resolvedAt(alert('b'), 20)]);
    expect(p.sent.filter((x) => x.receiver === 'am').map((x) => [x.s, x.alerts])).toEqual([
      [0, ['a:firing', 'b:firing']],
      [30, ['b:resolved']],
    ]);
  });
});
