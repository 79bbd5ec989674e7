import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { runPairing } from '../../analyzer/flows/pairing-job.ts';
import { catalogFrom, sendCustomerSync } from '../../analyzer/test/estate-fixture.ts';
import { keptWatching } from '../../analyzer/test/kept-watching.ts';
import { rulesFor } from '../rules/derive-rules.ts';
import { conditionsFor } from './conditions.ts';
import { observe } from './observe.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

// Regression: the flow-stale alert took the silence of a daily flow whose run fell while Weft was down as the flow's,
// less the time Weft was down (its intake gap): 6 hours down from its 20th hour, the alert fired 32 hours after its
// last run (26h of silence counted, 25h allowed), 16 hours before its next run was due, for the run no Weft was there
// to receive. stale-flow's rule now holds for it too: no verdict until Weft has watched for the threshold since.
describe('the flow-stale alert across a downtime of Weft', () => {
  const catalog = catalogFrom(`
owners: [{ id: icoe, email: icoe@example.com }]
systems:
  - { id: crm, kind: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, kind: erp, owner: icoe, match: { databases: ["postgresql://erp-db/erp"] } }
flows:
  - { id: daily-sync, source: crm, target: erp, owner: icoe, staleAfter: 25h, schedule: { every: 24h }, runtime: { service: daily-sync } }
`);
  const rules = rulesFor(catalog);
  let h: Harness;
  let real = 0;
  // Down from the 20th to the 26th hour: what an estate with other traffic has as its intake gap then (recover-gaps.ts).
  const gaps = () => [{ from: new Date(real + 20 * HOUR).toISOString(), to: new Date(real + 26 * HOUR).toISOString() }];
  /** The flow-stale condition on daily-sync with Weft's clock at `real + offsetMs`, pairing run then. */
  const staleAt = async (offsetMs: number) => {
    const now = new Date(real + offsetMs);
    await runPairing(h.store, now, MIN, { completeGraceMs: 0 });
    const o = await observe({ store: h.store, catalog, rules, now, gaps: gaps() });
    return conditionsFor(rules, catalog, o).find((c) => c.rule.id === 'flow-stale' && c.labels.flow === 'daily-sync')!;
  };

  beforeAll(async () => {
    h = await startHarness();
    real = Date.now();
    await sendCustomerSync(h.collector.url, real, 'daily-sync');
    await h.collector.flush();
    await runPairing(h.store, new Date(real + MIN), MIN, { completeGraceMs: 0 });
    await keptWatching(h.store, real + MIN, real + 20 * HOUR);
  });
  afterAll(() => h?.close());

  it('has no verdict until Weft has watched for the threshold since it came back, then fires', async () => {
    const before = await staleAt(20 * HOUR);
    expect(before.active).toBe(false);
    expect(before.noVerdict).toBeUndefined();
    // Back at the 26th hour: its silence across the downtime is no verdict (the alert keeps its state).
    await staleAt(26 * HOUR);
    await keptWatching(h.store, real + 26 * HOUR, real + 32 * HOUR);
    expect(await staleAt(32 * HOUR)).toMatchObject({ noVerdict: true });
    // 25 hours of watching since (paired up to a minute before) and still no run: it fires.
    await keptWatching(h.store, real + 32 * HOUR, real + 51 * HOUR + 2 * MIN);
    const late = await staleAt(51 * HOUR + 2 * MIN);
    expect(late).toMatchObject({ active: true });
    expect(late.noVerdict).toBeUndefined();
  });
});

// Regression: the first alert evaluation of a Weft restarted after a 6-minute stop ran before its first pairing run was
// stored: downtime was read between pairing runs only, so none was found, and the flow-stale alert of a flow allowed a
// minute fired on the 6 minutes no Weft watched, and its remediation ran.
describe('the flow-stale alert before the first pairing run after a restart', () => {
  const catalog = catalogFrom(`
owners: [{ id: icoe, email: icoe@example.com }]
systems:
  - { id: crm, kind: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, kind: erp, owner: icoe, match: { databases: ["postgresql://erp-db/erp"] } }
flows:
  - { id: minute-sync, source: crm, target: erp, owner: icoe, schedule: { every: 30s }, runtime: { service: minute-sync } }
`);
  const rules = rulesFor(catalog);
  let h: Harness;
  let real = 0;
  beforeAll(async () => {
    h = await startHarness();
    real = Date.now();
    await sendCustomerSync(h.collector.url, real, 'minute-sync');
    await h.collector.flush();
    await runPairing(h.store, new Date(real + 10_000), MIN, { completeGraceMs: 0 });
    await keptWatching(h.store, real + 10_000, real + 40_000);
  });
  afterAll(() => h?.close());

  it('has no verdict on the silence since the last pairing run', async () => {
    const now = new Date(real + 6 * MIN + 30_000);
    const o = await observe({ store: h.store, catalog, rules, now, gaps: [] });
    const stale = conditionsFor(rules, catalog, o).find((c) => c.rule.id === 'flow-stale' && c.labels.flow === 'minute-sync')!;
    expect(stale).toMatchObject({ active: false, noVerdict: true });
  });
});
