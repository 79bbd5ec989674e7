import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInventory, runPairing, takeSnapshot, type Snapshot } from '../../analyzer/index.ts';
import { catalogFrom, receivingSince, senderLagsBefore } from '../../analyzer/test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { sendSpans, type SpanSpec } from '../../test/otel.ts';
import { rulesFor } from '../rules/derive-rules.ts';
import { conditionsFor } from './conditions.ts';
import { observe } from './observe.ts';
import type { Observations } from './observations.ts';

const SEC = 1_000;
const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * Who calls which system, with which clock, when (real time, ms before the test's start) and how it went. Every caller
 * calls every 5 s; `late` ones (a gateway's backlog) send runs from 10–12 minutes ago now, with a clock that is right.
 */
interface Caller {
  system: string;
  /** The caller's clock at real time `t`. */
  clock: (t: number) => number;
  /** Real times (ms before start) it called from and to. */
  from: number;
  to: number;
  /** Whether a call at real time `t` (ms before start) failed. */
  failed: (t: number) => boolean;
  /** The least lag (ms) of its spans in each of the two arrival minutes before this one, when it was sending then. */
  lagBefore?: number;
}

const behind = (ms: number) => (t: number) => t - ms;
const ahead = (ms: number) => (t: number) => t + ms;
const right = (t: number) => t;
const always = () => true;
const never = () => false;

const callers: Record<string, Caller> = {
  // s-b10: called every 5 s by an integration whose clock is 10 minutes behind (every call answered), and by two whose
  // requests it refuses (right clocks).
  'b10-ok': { system: 's-b10', clock: behind(10 * MIN), from: 12 * MIN, to: 0, failed: never, lagBefore: 10 * MIN + 2 * SEC },
  'b3-ok': { system: 's-b3', clock: behind(3 * MIN), from: 12 * MIN, to: 0, failed: never, lagBefore: 3 * MIN + 2 * SEC },
  // Stepped 10 minutes back 3 minutes ago (its calls before were sent as they ran).
  'step-ok': { system: 's-step', clock: behind(10 * MIN), from: 3 * MIN, to: 0, failed: never, lagBefore: 10 * MIN + 2 * SEC },
  'r-fail1': { system: 's-b10,s-b3,s-step', clock: right, from: 12 * MIN, to: 0, failed: always },
  'r-fail2': { system: 's-b10,s-b3,s-step', clock: right, from: 12 * MIN, to: 0, failed: always },
  // s-a2: two integrations whose clocks run 2 minutes ahead; it refused them from 5 to 1 minutes ago, and answers since.
  'a2-1': { system: 's-a2', clock: ahead(2 * MIN), from: 12 * MIN, to: 0, failed: (t) => t <= 5 * MIN && t > MIN },
  'a2-2': { system: 's-a2', clock: ahead(2 * MIN), from: 12 * MIN, to: 0, failed: (t) => t <= 5 * MIN && t > MIN },
  // s-down: really down, refusing the two integrations that call it, whose clocks are 10 minutes behind.
  'd10-1': { system: 's-down', clock: behind(10 * MIN), from: 12 * MIN, to: 0, failed: always, lagBefore: 10 * MIN + 2 * SEC },
  'd10-2': { system: 's-down', clock: behind(10 * MIN), from: 12 * MIN, to: 0, failed: always, lagBefore: 10 * MIN + 2 * SEC },
  // s-late: a gateway's backlog of refused calls from 12 to 10 minutes ago, delivered now (clocks right).
  'late-1': { system: 's-late', clock: right, from: 12 * MIN, to: 10 * MIN, failed: always },
  'late-2': { system: 's-late', clock: right, from: 12 * MIN, to: 10 * MIN, failed: always },
  // s-stop: its caller (clock right) stopped calling 8 minutes ago (its spans arrive now, as every caller's here: it is
  // judged stale by an evaluation 10 minutes later, below).
  stopper: { system: 's-stop', clock: right, from: 12 * MIN, to: 8 * MIN, failed: never },
};

const systems = ['s-src', 's-b10', 's-b3', 's-step', 's-a2', 's-down', 's-late', 's-stop'];
const flowOf: Record<string, string> = { 'b10-ok': 'b10-flow', 'b3-ok': 'b3-flow', 'step-ok': 'step-flow', 'a2-1': 'a2-flow', stopper: 'stop-flow' };
const catalog = catalogFrom(`
owners: [{ id: icoe }]
systems:
${systems.map((s) => `  - { id: ${s}, owner: icoe, match: { hosts: [${s}.internal] } }`).join('\n')}
classes:
  - { id: gold, latencyP95Ms: 5000, errorRate: 0.5, staleAfter: 3m, minTraces: 1 }
flows:
${Object.entries(flowOf)
  .map(
    ([svc, id]) =>
      `  - { id: ${id}, source: s-src, target: ${callers[svc].system}, owner: icoe, class: gold, schedule: { every: 1m }, runtime: { service: ${svc} } }`,
  )
  .join('\n')}
`);

/** A call at the caller's time `at`: a read of s-src and a write to the system, the write refused when `failed`. */
const call = (system: string, at: number, failed: boolean): SpanSpec => {
  const refused = failed ? { status: { code: api.SpanStatusCode.ERROR, message: 'HTTP 503' } } : {};
  return {
    name: 'sync',
    start: at,
    durationMs: 40,
    ...refused,
    children: [
      {
        name: 'GET',
        kind: api.SpanKind.CLIENT,
        start: at + 2,
        durationMs: 10,
        attributes: { 'http.request.method': 'GET', 'url.full': 'https://s-src.internal/api/items', 'http.response.status_code': 200 },
      },
      {
        name: 'POST',
        kind: api.SpanKind.CLIENT,
        start: at + 20,
        durationMs: 10,
        attributes: { 'http.request.method': 'POST', 'url.full': `https://${system}.internal/api/items`, 'http.response.status_code': failed ? 503 : 200 },
        ...refused,
      },
    ],
  };
};

// Regression: the endpoint rollups (calls seen at ingest) are keyed by each span's own time, and their windows end at
// Weft's now. A caller whose clock was 10 minutes behind put its calls where no window ending now reads them: a system
// it called every 5 s, with every call answered, was "stopped answering" (system-unreachable fired on the two other
// callers it refused), a real outage seen by callers 10 minutes behind raised nothing, and a caller 2 minutes ahead kept
// a system unreachable for 2 minutes after it answered again.
describe('calls to a system from senders whose clock is off (real SDK → collector → chDB → endpoint rollups → alert conditions)', () => {
  let h: Harness;
  let o: Observations;
  /** An evaluation 10 minutes later, nothing sent since: every caller stopped. */
  let later: Observations;
  let snap: Snapshot;
  const rules = rulesFor(catalog);
  let evaluatedAt: Date;

  beforeAll(async () => {
    h = await startHarness();
    const now = Date.now();
    // Weft has been receiving for two hours (its pairing runs say so), so counts over the windows give a verdict.
    await receivingSince(h.store, now - 2 * HOUR);
    // What the callers behind sent in the two arrival minutes before this one (the least lag of their spans, each minute).
    await senderLagsBefore(
      h.store,
      now,
      Object.fromEntries(Object.entries(callers).flatMap(([service, c]) => (c.lagBefore === undefined ? [] : [[service, c.lagBefore]]))),
    );
    for (const [service, c] of Object.entries(callers)) {
      const spans: SpanSpec[] = [];
      for (let ago = c.from; ago >= c.to; ago -= 5 * SEC) {
        const real = now - ago - 2 * SEC;
        for (const system of c.system.split(',')) spans.push(call(system, c.clock(real), c.failed(ago)));
      }
      await sendSpans({ url: h.collector.url, serviceName: service }, spans);
    }
    await h.collector.flush();
    evaluatedAt = new Date();
    await runPairing(h.store, evaluatedAt, 0, { completeGraceMs: 0 });
    o = await observe({ store: h.store, catalog, rules, now: evaluatedAt, gaps: [] });
    snap = await takeSnapshot(h.store, catalog, new Date(evaluatedAt.getTime() - 5 * MIN), evaluatedAt);
    // Ten minutes later, the analyzer has paired up to then and no call arrived since: every caller stopped.
    const tenLater = new Date(evaluatedAt.getTime() + 10 * MIN);
    await runPairing(h.store, tenLater, 0, { completeGraceMs: 0 });
    later = await observe({ store: h.store, catalog, rules, now: tenLater, gaps: [] });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  const unreachable = (system: string) => conditionsFor(rules, catalog, o).find((c) => c.rule.id === 'system-unreachable' && c.labels.system === system);
  const stale = (flow: string, at = o) => conditionsFor(rules, catalog, at).find((c) => c.rule.id === 'flow-stale' && c.labels.flow === flow);
  const touched = (system: string, integration: string) =>
    snap.touches.filter((t) => t.system === system && t.integration === integration).reduce((n, t) => n + t.spans, 0);

  it('does not call a system answering a caller 10 (or 3) minutes behind unreachable', () => {
    for (const s of ['s-b10', 's-b3']) {
      expect(o.systemCalls.get(s)!.callers, s).toBe(3);
      expect(unreachable(s)?.active, s).toBe(false);
    }
  });

  it('counts the calls of a clock stepped back once its last three arrival minutes agree on its lag', () => {
    expect(o.systemCalls.get('s-step')!.callers).toBe(3);
    expect(unreachable('s-step')?.active).toBe(false);
  });

  it('fires for a real outage seen only by callers 10 minutes behind', () => {
    expect(o.systemCalls.get('s-down')).toMatchObject({ callers: 2 });
    expect(unreachable('s-down')?.active).toBe(true);
  });

  it('resolves a system that answers again callers 2 minutes ahead', () => {
    expect(o.systemCalls.get('s-a2')!.failed).toBeLessThan(o.systemCalls.get('s-a2')!.calls);
    expect(unreachable('s-a2')?.active).toBe(false);
  });

  it('keeps a backlog of refused calls delivered late in the minutes they ran: no alert now', () => {
    expect(unreachable('s-late')?.active ?? false).toBe(false);
  });

  it('finds no flow stale while its caller calls, whatever its clock', () => {
    for (const f of ['b10-flow', 'b3-flow', 'step-flow', 'a2-flow']) expect(stale(f)?.active, f).toBe(false);
  });

  it('still finds a flow stale, and its system silent, once its caller really stopped calling (clock right or off)', () => {
    for (const f of Object.values(flowOf)) expect(stale(f, later)?.active, f).toBe(true);
    expect([...later.systemCalls.keys()]).toEqual([]);
  });

  it('counts the calls of callers whose clocks are off in the snapshot window they were made in', () => {
    // 5 minutes of calls every 5 s: 60 or so (the window holds whole minutes).
    for (const svc of ['b10-ok', 'b3-ok', 'a2-1', 'd10-1']) {
      expect(touched(callers[svc].system, svc), svc).toBeGreaterThanOrEqual(55);
      expect(touched(callers[svc].system, svc), svc).toBeLessThanOrEqual(75);
    }
    expect(touched('s-stop', 'stopper')).toBe(0);
    expect(touched('s-late', 'late-1')).toBe(0);
  });

  it("gives a system called only by callers 10 minutes behind its last call as Weft received it (the inventory's last seen)", () => {
    const seen = buildInventory(snap).systems.find((x) => x.id === 's-down')?.lastSeen;
    expect(evaluatedAt.getTime() - Date.parse(seen!)).toBeLessThan(MIN);
  });
});
