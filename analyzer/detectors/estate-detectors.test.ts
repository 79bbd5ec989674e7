import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../core/catalog/index.ts';
import type { Snapshot } from '../model/snapshot.ts';
import { allowedSilence } from '../../core/catalog/index.ts';
import { deprecatedInUse, flowNeverObserved as neverObservedDetections, staleFlow as staleDetections, undocumentedFlow } from './estate-detectors.ts';
import type { DetectorContext } from './detector.ts';

// The findings each detector opens (its candidates; what it holds is asserted where a test is about it).
const flowNeverObserved = (ctx: DetectorContext) => neverObservedDetections(ctx).candidates;
const staleFlow = (ctx: DetectorContext) => staleDetections(ctx).candidates;
import { attributeEdges } from '../model/snapshot.ts';
import { daySnapshot, observedEdge } from '../test/snapshot-fixture.ts';

const catalogYaml = `owners: [{ id: icoe }]
systems: [{ id: crm }, { id: erp }, { id: billing }]
classes: [{ id: batch, staleAfter: 30m }]
flows:
  - { id: every-5m, source: crm, target: erp, owner: icoe, schedule: { every: 5m } }
  - { id: batch-class, source: erp, target: billing, owner: icoe, class: batch }
  - { id: unscheduled, source: crm, target: billing, owner: icoe }
`;

function snapshot(observingSince: string | null, pairedUntil = '2026-01-02T00:00:00.000Z'): Snapshot {
  const { catalog } = parseCatalog([{ file: 'c.yaml', text: catalogYaml }]);
  return {
    catalog,
    since: '2026-01-01T00:00:00.000Z',
    until: '2026-01-02T00:00:00.000Z',
    observingSince,
    pairedUntil,
    pending: { traces: 0, spans: 0 },
    edges: [],
    touches: [],
    lastSeen: [],
    systemLastSeen: {},
  };
}
const now = new Date('2026-01-02T00:00:00Z');
const missed = (observingSince: string | null, pairedUntil?: string) =>
  flowNeverObserved({ snapshot: snapshot(observingSince, pairedUntil), now }).map((f) => f.key);

describe('flowNeverObserved', () => {
  it('says nothing while Weft has observed nothing at all (a fresh install is not an alarm)', () => {
    expect(missed(null)).toEqual([]);
  });

  it('reports a flow only once Weft has observed for longer than it may be silent (class staleness, or twice its period)', () => {
    expect(missed('2026-01-01T23:52:00.000Z')).toEqual([]);
    expect(missed('2026-01-01T23:50:00.000Z')).toEqual(['every-5m']);
    expect(missed('2026-01-01T23:30:00.000Z')).toEqual(['every-5m', 'batch-class']);
  });

  // Regression: `Documented flow weekly-export (crm → erp) was not observed since …` a day after Weft was installed on a
  // Tuesday, for a job that runs on Mondays: the wait was capped at the window.
  it('waits for the whole allowed silence of a flow that may be silent longer than the window, never seen or not', () => {
    const yaml = `${catalogYaml}  - { id: weekly-export, source: crm, target: erp, owner: icoe, schedule: { cron: "0 3 * * 1" } }
  - { id: monthly-close, source: erp, target: crm, owner: icoe, schedule: { cron: "0 2 1 * *" } }
  - { id: quarterly, source: billing, target: crm, owner: icoe, staleAfter: 2160h }
`;
    const { catalog, problems } = parseCatalog([{ file: 'c.yaml', text: yaml }]);
    expect(problems).toEqual([]);
    const keys = (observingSince: string) =>
      flowNeverObserved({ snapshot: { ...snapshot(observingSince), catalog }, now })
        .map((f) => f.key)
        .filter((k) => !['every-5m', 'batch-class', 'unscheduled'].includes(k));
    // Two weeks for the weekly job (twice the time between its ticks), 62 days for the monthly one, 90 for the quarterly.
    expect(keys('2025-12-30T00:00:00.000Z')).toEqual([]);
    expect(keys('2025-12-19T01:00:00.000Z')).toEqual([]);
    expect(keys('2025-12-18T23:00:00.000Z')).toEqual(['weekly-export']);
    expect(keys('2025-10-31T00:00:00.000Z')).toEqual(['weekly-export', 'monthly-close']);
    expect(keys('2025-10-01T00:00:00.000Z')).toEqual(['weekly-export', 'monthly-close', 'quarterly']);
    // Seen before the window: within its silence it is not missing, past it it is, however long Weft has observed.
    const seen = (lastSeen: string) =>
      flowNeverObserved({
        snapshot: { ...snapshot('2025-10-01T00:00:00.000Z'), catalog, lastSeen: [{ source: 'crm', target: 'erp', integration: 'x', service: 'x', lastSeen }] },
        now,
      })
        .map((f) => f.key)
        .filter((k) => k === 'weekly-export');
    expect(seen('2025-12-22T03:10:00.000Z')).toEqual([]);
    expect(seen('2025-12-15T03:10:00.000Z')).toEqual(['weekly-export']);
  });

  it('counts observation only up to where traces have been paired (the late-arrival window)', () => {
    expect(missed('2026-01-01T23:50:00.000Z', '2026-01-01T23:58:00.000Z')).toEqual([]);
  });

  it('reports an unscheduled flow once the whole window has been observed', () => {
    expect(missed('2025-12-31T00:00:00.000Z')).toEqual(['every-5m', 'batch-class', 'unscheduled']);
  });

  // Regression: with a window shorter than a flow may be silent (--window 30s, a flow run every 60 s), the flow
  // was "never observed" whenever its last run fell just before the window: it flapped with stale-flow's peace.
  describe('over a window shorter than a flow may be silent', () => {
    const short = (lastSeen: Snapshot['lastSeen'], lineageRuns?: Snapshot['lineageRuns']): string[] =>
      flowNeverObserved({
        snapshot: { ...snapshot('2026-01-01T00:00:00.000Z'), since: '2026-01-01T23:59:00.000Z', lastSeen, ...(lineageRuns ? { lineageRuns } : {}) },
        now,
      }).map((f) => f.key);
    const seen = (source: string, target: string, at: string) => ({ source, target, integration: 'x', service: 'x', lastSeen: at });

    it('is not reported while its last run is within its allowed silence, and is once it is not', () => {
      // every-5m may be silent 10 min, batch-class 30 min; both last ran before the 1-minute window.
      expect(short([seen('crm', 'erp', '2026-01-01T23:52:00.000Z'), seen('erp', 'billing', '2026-01-01T23:31:00.000Z')])).toEqual(['unscheduled']);
      expect(short([seen('crm', 'erp', '2026-01-01T23:49:59.000Z'), seen('erp', 'billing', '2026-01-01T23:29:00.000Z')])).toEqual([
        'every-5m',
        'batch-class',
        'unscheduled',
      ]);
      // Never seen at all, or seen only between other systems: reported. A flow with no allowed silence (unscheduled)
      // is judged by the window alone.
      expect(short([])).toEqual(['every-5m', 'batch-class', 'unscheduled']);
      expect(short([seen('crm', 'billing', '2026-01-01T23:58:00.000Z')])).toEqual(['every-5m', 'batch-class', 'unscheduled']);
    });

    it("takes an OpenLineage job's last completed run, not a failed one, as its last run", () => {
      const yaml = `${catalogYaml}  - { id: etl, source: erp, target: crm, owner: icoe, schedule: { every: 5m }, runtime: { flow: airflow/etl } }\n`;
      const { catalog } = parseCatalog([{ file: 'c.yaml', text: yaml }]);
      const run = (lastCompleteDue: string | null) => ({
        job: 'airflow/etl',
        lastCompleteDue,
        lastCompleteRun: lastCompleteDue ? 'r1' : '',
        failedRuns: 1,
        lastFailedRun: 'r2',
        lookbackSince: '2026-01-01T23:40:00.000Z',
      });
      const keys = (lastCompleteDue: string | null) =>
        flowNeverObserved({
          snapshot: { ...snapshot('2026-01-01T00:00:00.000Z'), catalog, since: '2026-01-01T23:59:00.000Z', lineageRuns: [run(lastCompleteDue)] },
          now,
        })
          .map((f) => f.key)
          .filter((k) => k === 'etl');
      expect(keys('2026-01-01T23:55:00.000Z')).toEqual([]);
      expect(keys('2026-01-01T23:45:00.000Z')).toEqual(['etl']);
      expect(keys(null)).toEqual(['etl']);
    });
  });
});

describe('allowedSilence', () => {
  const { catalog } = parseCatalog([{ file: 'c.yaml', text: catalogYaml }]);
  const flow = (id: string) => catalog.flows.find((f) => f.id === id)!;

  it("is the flow's staleAfter, else its class's, else twice the schedule's period, else unknown (one rule for stale and never observed)", () => {
    expect(allowedSilence(flow('batch-class'), catalog.classes)).toEqual({ ms: 30 * 60_000, by: 'class' });
    expect(allowedSilence(flow('every-5m'), catalog.classes)).toEqual({ ms: 10 * 60_000, by: 'schedule' });
    expect(allowedSilence(flow('unscheduled'), catalog.classes)).toBeUndefined();
  });

  // Regression: a flow scheduled with cron was never stale (only `every` gave a silence), and its estate's intake gap
  // alert fired every night.
  it('is twice the longest time between the ticks of a cron schedule', () => {
    const cron = parseCatalog([
      { file: 'c.yaml', text: 'systems: [{ id: a }, { id: b }]\nflows:\n  - { id: nightly, source: a, target: b, schedule: { cron: "0 2 * * *" } }\n' },
    ]).catalog;
    expect(allowedSilence(cron.flows[0], cron.classes)).toEqual({ ms: 48 * 3_600_000, by: 'schedule' });
  });
});

describe('staleAfter per flow', () => {
  const yaml = `owners: [{ id: icoe }]
systems: [{ id: crm }, { id: erp }]
classes: [{ id: batch, staleAfter: 30m }]
flows:
  - { id: hourly, source: crm, target: erp, owner: icoe, class: batch, staleAfter: 2h, schedule: { every: 1h } }
`;
  const snap = (lastSeen: string): Snapshot => {
    const { catalog } = parseCatalog([{ file: 'c.yaml', text: yaml }]);
    return {
      catalog,
      since: '2026-01-01T00:00:00.000Z',
      until: '2026-01-02T00:00:00.000Z',
      observingSince: '2026-01-01T23:00:00.000Z',
      pairedUntil: '2026-01-02T00:00:00.000Z',
      edges: [],
      touches: [],
      lastSeen: [{ source: 'crm', target: 'erp', integration: 'x', service: 'x', lastSeen }],
      systemLastSeen: {},
    };
  };

  it('reports a nightly cron flow silent for more than two nights, not one', () => {
    const { catalog } = parseCatalog([
      {
        file: 'c.yaml',
        text: 'owners: [{ id: icoe }]\nsystems: [{ id: crm }, { id: erp }]\nflows:\n  - { id: nightly, source: crm, target: erp, owner: icoe, schedule: { cron: "0 2 * * *" } }\n',
      },
    ]);
    const cronSnap = (lastSeen: string): Snapshot => ({ ...snap(lastSeen), catalog, observingSince: '2025-12-29T00:00:00.000Z' });
    expect(staleFlow({ snapshot: cronSnap('2025-12-31T02:00:30.000Z'), now })).toEqual([]);
    const [stale] = staleFlow({ snapshot: cronSnap('2025-12-30T02:00:30.000Z'), now });
    expect([stale?.key, stale?.evidence.allowedBy, stale?.evidence.allowedMs]).toEqual(['nightly', 'schedule', 48 * 3_600_000]);
  });

  // Regression: `Flow hourly-sync has not run for 45m (allowed 30m)` between two of its hourly runs: the 30 minutes of the
  // class it shares with 5-minute flows held for it.
  it('lets a scheduled flow stay quiet between its runs whatever its class allows, and reports it past twice its period', () => {
    const { catalog } = parseCatalog([
      {
        file: 'c.yaml',
        text:
          'owners: [{ id: icoe }]\nsystems: [{ id: crm }, { id: erp }]\nclasses: [{ id: gold, staleAfter: 30m }]\nflows:\n' +
          '  - { id: hourly, source: crm, target: erp, owner: icoe, class: gold, schedule: { every: 1h } }\n',
      },
    ]);
    const hourly = (lastSeen: string) => staleFlow({ snapshot: { ...snap(lastSeen), catalog }, now }).map((f) => [f.key, f.evidence.allowedBy]);
    expect(hourly('2026-01-01T23:15:00.000Z')).toEqual([]);
    expect(hourly('2026-01-01T21:50:00.000Z')).toEqual([['hourly', 'schedule']]);
    // A class longer than the schedule's silence still holds, and a 5-minute flow of the class is stale after 30 minutes.
    expect(allowedSilence({ ...catalog.flows[0], schedule: { every: '5m' } }, catalog.classes)).toEqual({ ms: 30 * 60_000, by: 'class' });
    expect(allowedSilence({ ...catalog.flows[0], schedule: { cron: '0 * * * *' } }, catalog.classes)).toEqual({ ms: 2 * 3_600_000, by: 'schedule' });
    expect(allowedSilence({ ...catalog.flows[0], schedule: undefined }, catalog.classes)).toEqual({ ms: 30 * 60_000, by: 'class' });
  });

  it('lets an hourly flow in a 30-minute class stay quiet between runs, and reports it past its own limit', () => {
    expect(staleFlow({ snapshot: snap('2026-01-01T23:00:00.000Z'), now })).toEqual([]);
    expect(staleFlow({ snapshot: snap('2026-01-01T21:30:00.000Z'), now }).map((f) => [f.key, f.evidence.allowedBy])).toEqual([['hourly', 'flow']]);
  });

  // Regression: on a loaded machine the demo's invoice sync was "not run for 25s (allowed 24s)" while it ran every
  // 6 s: the pairing run that would have paired its last runs was late, and the silence was counted to the clock.
  // Runs after the pairing horizon may have arrived unpaired; the silence is known only up to that horizon.
  describe('when pairing is behind the clock', () => {
    const behind = (lastSeen: string, pairedUntil: string) => ({ ...snap(lastSeen), pairedUntil });

    it('counts the silence up to the pairing horizon, not to now', () => {
      // Last seen 2 h 30 min before now (allowed 2 h), but paired only up to 1 h 30 min after that run.
      expect(staleFlow({ snapshot: behind('2026-01-01T21:30:00.000Z', '2026-01-01T23:00:00.000Z'), now })).toEqual([]);
      const [late] = staleFlow({ snapshot: behind('2026-01-01T21:30:00.000Z', '2026-01-01T23:45:00.000Z'), now });
      expect(late.evidence).toMatchObject({ silentForMs: 135 * 60_000, observedUntil: '2026-01-01T23:45:00.000Z', allowedMs: 120 * 60_000 });
      expect(late.title).toContain('has not run for 2h15m (allowed 2h)');
    });

    it('never counts past now (a horizon ahead of the clock changes nothing)', () => {
      const [f] = staleFlow({ snapshot: behind('2026-01-01T21:30:00.000Z', '2026-01-02T01:00:00.000Z'), now });
      expect(f.evidence).toMatchObject({ silentForMs: 150 * 60_000, observedUntil: '2026-01-02T00:00:00.000Z' });
    });

    it('does not call a flow last seen within its silence of the horizon never observed', () => {
      const s = { ...behind('2026-01-01T21:30:00.000Z', '2026-01-01T23:00:00.000Z'), since: '2026-01-01T23:30:00.000Z' };
      expect(flowNeverObserved({ snapshot: s, now }).map((f) => f.key)).toEqual([]);
      const past = { ...s, pairedUntil: '2026-01-01T23:40:00.000Z' };
      expect(flowNeverObserved({ snapshot: past, now }).map((f) => f.key)).toEqual(['hourly']);
    });

    it("counts an OpenLineage job's silence to now: its run events are not paired", () => {
      const lineage = {
        job: 'airflow/etl',
        lastCompleteDue: '2026-01-01T21:30:00.000Z',
        lastCompleteRun: 'r1',
        failedRuns: 0,
        lastFailedRun: '',
        lookbackSince: '2026-01-01T00:00:00.000Z',
      };
      const yaml2 = `${yaml}  - { id: etl, source: erp, target: crm, owner: icoe, schedule: { every: 1h }, runtime: { flow: airflow/etl } }\n`;
      const { catalog } = parseCatalog([{ file: 'c.yaml', text: yaml2 }]);
      const s = { ...behind('2026-01-01T23:30:00.000Z', '2026-01-01T22:00:00.000Z'), catalog, lineageRuns: [lineage] };
      const found = staleFlow({ snapshot: s, now });
      expect(found.map((f) => [f.key, f.evidence.silentForMs])).toEqual([['etl', 150 * 60_000]]);
    });
  });

  it("waits for the flow's own staleAfter before calling it never observed", () => {
    expect(flowNeverObserved({ snapshot: { ...snap(''), lastSeen: [] }, now })).toEqual([]);
  });
});

// Regression: a flow whose runs were seen only as halves — a delta sync that found nothing to write (its runs read the
// source only), tail sampling that kept one side of a run, a read and a write paired apart — was "never observed" and,
// once its full runs stopped, "stale", although the same halves were that flow's for undocumented-flow (flowOfHalf).
describe('a flow seen through halves of its runs', () => {
  const yaml = `owners: [{ id: icoe }]
systems: [{ id: crm }, { id: erp }, { id: billing }]
flows:
  - { id: delta, source: crm, target: erp, owner: icoe, schedule: { every: 10m }, runtime: { service: delta-sync } }
  - { id: delta-billing, source: crm, target: billing, owner: icoe, schedule: { every: 10m }, runtime: { service: delta-sync } }
  - { id: push, source: crm, target: erp, owner: icoe, schedule: { every: 10m }, runtime: { service: push-sync } }
  - { id: other, source: billing, target: erp, owner: icoe, schedule: { every: 10m }, runtime: { service: other-sync } }
`;
  const { catalog } = parseCatalog([{ file: 'c.yaml', text: yaml }]);
  const now = new Date('2026-01-02T00:00:00Z');
  const seen = (source: string, target: string, service: string, at: string) => ({ source, target, integration: service, service, lastSeen: at });
  const snap = (edges: Snapshot['edges'], lastSeen: Snapshot['lastSeen']): Snapshot => ({
    catalog,
    since: '2026-01-01T23:30:00.000Z',
    until: '2026-01-02T00:00:00.000Z',
    observingSince: '2026-01-01T20:00:00.000Z',
    pairedUntil: '2026-01-02T00:00:00.000Z',
    edges: attributeEdges(catalog, edges),
    touches: [],
    lastSeen,
    systemLastSeen: {},
  });

  it('is observed when its runs only read its source, or only wrote its target', () => {
    const s = snap(
      [
        observedEdge('crm', 'integration:delta-sync', 'delta-sync', { service: 'delta-sync' }),
        observedEdge('integration:push-sync', 'erp', 'push-sync', { service: 'push-sync' }),
        // Another runtime's halves are not other's.
        observedEdge('billing', 'integration:delta-sync', 'delta-sync', { service: 'delta-sync' }),
        observedEdge('integration:push-sync', 'erp', 'push-sync', { service: 'push-sync' }),
      ],
      [],
    );
    expect(flowNeverObserved({ snapshot: s, now }).map((f) => f.key)).toEqual(['other']);
  });

  // A CRM's API posting a webhook to the integration's own endpoint (answered-calls.ts): the edge crm → integration:<runtime>
  // from the CRM's service, not from the runtime.
  it('is observed when its source handed data to its runtime, from any service', () => {
    const s = snap(
      [
        observedEdge('crm', 'integration:push-sync', 'crm-api', { service: 'crm-api' }),
        observedEdge('crm', 'integration:delta-sync', 'delta-sync', { service: 'delta-sync' }),
        // billing is no source of push-sync's flows: an undocumented flow into the integration.
        observedEdge('billing', 'integration:push-sync', 'billing-api', { service: 'billing-api' }),
      ],
      [],
    );
    expect(flowNeverObserved({ snapshot: s, now }).map((f) => f.key)).toEqual(['other']);
    expect(undocumentedFlow({ snapshot: s, now }).map((f) => f.title)).toEqual(['Undocumented flow billing → integration:push-sync (billing-api)']);
  });

  it('is not stale while halves of its runs keep coming, and is once they stop', () => {
    const s = snap(
      [],
      [
        seen('crm', 'erp', 'delta-sync', '2026-01-01T21:00:00.000Z'),
        seen('crm', 'integration:delta-sync', 'delta-sync', '2026-01-01T23:55:00.000Z'),
        seen('crm', 'erp', 'push-sync', '2026-01-01T21:00:00.000Z'),
        seen('integration:push-sync', 'erp', 'push-sync', '2026-01-01T23:55:00.000Z'),
        seen('billing', 'erp', 'other-sync', '2026-01-01T21:00:00.000Z'),
        seen('integration:delta-sync', 'erp', 'delta-sync', '2026-01-01T23:55:00.000Z'),
      ],
    );
    // delta-billing: the runtime's read of the CRM is a run of each of its flows that read the CRM.
    expect(staleFlow({ snapshot: s, now }).map((f) => f.key)).toEqual(['other']);
    const stopped = snap(
      [],
      [seen('crm', 'erp', 'delta-sync', '2026-01-01T21:00:00.000Z'), seen('crm', 'integration:delta-sync', 'delta-sync', '2026-01-01T22:00:00.000Z')],
    );
    expect(staleFlow({ snapshot: stopped, now }).map((f) => f.key)).toEqual(['delta', 'delta-billing']);
  });
});

// Regression: an undocumented flow carried by several services of one integration gave one undocumented-flow finding
// per service, all with the same key (so the same id): the audit listed the flow three times, each with one service's
// traces and domain, and the stored finding kept whichever came last (its domain not the flow's in the inventory).
describe('undocumentedFlow of an integration with several services', () => {
  it('is one finding per flow: the least non-empty domain, every service, the runs summed', () => {
    const { catalog } = parseCatalog([{ file: 'c.yaml', text: 'systems: [{ id: crm }, { id: erp }]\n' }]);
    const edges = [
      observedEdge('crm', 'erp', 'push', { service: 'push-a', domain: 'order', traces: 2, sampleTrace: 'a1' }),
      observedEdge('crm', 'erp', 'push', { service: 'push-b', domain: '', traces: 1, sampleTrace: 'b1' }),
      observedEdge('crm', 'erp', 'push', { service: 'push-c', domain: 'customer', traces: 4, sampleTrace: 'c1' }),
      observedEdge('erp', 'crm', 'back', { service: 'back', domain: '', traces: 1 }),
    ];
    for (const order of [edges, [...edges].reverse()]) {
      const found = undocumentedFlow({ snapshot: daySnapshot(catalog, { edges: attributeEdges(catalog, order) }), now: new Date('2026-01-02T00:00:00Z') });
      expect(found.map((f) => f.key).sort()).toEqual(['crm->erp@push', 'erp->crm@back']);
      const push = found.find((f) => f.key === 'crm->erp@push')!;
      expect(push.subject.domains).toEqual(['customer']);
      expect(push.evidence).toMatchObject({ integration: 'push', services: ['push-a', 'push-b', 'push-c'], traces: 7 });
      expect(found.find((f) => f.key === 'erp->crm@back')!.subject.domains).toEqual([]);
    }
  });
});

describe('deprecatedInUse', () => {
  const { catalog } = parseCatalog([
    {
      file: 'c.yaml',
      text: `owners: [{ id: icoe }]
systems: [{ id: crm }, { id: erp }, { id: legacy-ftp, lifecycle: retired }]
flows:
  - { id: old-export, source: crm, target: erp, owner: icoe, lifecycle: retired, runtime: { service: old-export } }
`,
    },
  ]);
  const at = (iso: string) => ({ lastSeen: iso });
  const found = (lifecycleSince?: Record<string, string>) =>
    deprecatedInUse({
      snapshot: daySnapshot(catalog, {
        edges: attributeEdges(catalog, [observedEdge('crm', 'erp', 'old-export', { service: 'old-export', ...at('2026-01-01T12:20:45.000Z') })]),
        touches: [
          {
            system: 'legacy-ftp',
            integration: 'nightly',
            service: 'nightly',
            direction: 'write',
            domain: '',
            spans: 3,
            errors: 0,
            records: 0,
            lastSeen: '2026-01-01T12:20:45.000Z',
            sampleTrace: 't1',
          },
        ],
        ...(lifecycleSince ? { lifecycleSince } : {}),
      }),
      now,
    }).map((f) => f.key);

  // Regression: a flow stopped at 12:20:45 and retired at 12:28 was "Retired flow … still runs" (high) for as long as
  // its last run stayed in the window: use before the lifecycle changed was counted as use after it.
  it('reports use after the flow or system became deprecated or retired, not before', () => {
    expect(found({ 'flow:old-export': '2026-01-01T12:28:00.000Z', 'system:legacy-ftp': '2026-01-01T12:28:00.000Z' })).toEqual([]);
    expect(found({ 'flow:old-export': '2026-01-01T12:20:00.000Z', 'system:legacy-ftp': '2026-01-01T12:20:45.000Z' })).toEqual(['flow:old-export']);
  });

  // Regression: a writer's clock 10 minutes ahead of Weft's put a run that ended (and arrived) at 12:19 at 12:29, after the
  // flow was retired at 12:28: "Retired flow … still runs".
  it('does not count a run Weft received before the change, whatever its own clock says', () => {
    const ahead = (arrived: string) =>
      deprecatedInUse({
        snapshot: daySnapshot(catalog, {
          edges: attributeEdges(catalog, [observedEdge('crm', 'erp', 'old-export', { service: 'old-export', ...at('2026-01-01T12:29:00.000Z') })]),
          lastSeen: [
            { source: 'crm', target: 'erp', integration: 'old-export', service: 'old-export', lastSeen: '2026-01-01T12:29:00.000Z', lastArrived: arrived },
          ],
          lifecycleSince: { 'flow:old-export': '2026-01-01T12:28:00.000Z' },
        }),
        now,
      }).map((f) => f.key);
    expect(ahead('2026-01-01T12:19:00.000Z')).toEqual([]);
    expect(ahead('2026-01-01T12:29:01.000Z')).toEqual(['flow:old-export']);
  });

  it('reports any use in the window when the lifecycle is not known to have changed (no catalog version stored)', () => {
    expect(found()).toEqual(['flow:old-export', 'system:legacy-ftp']);
  });
});

describe('undocumentedFlow and the halves of a documented flow', () => {
  const { catalog } = parseCatalog([
    {
      file: 'c.yaml',
      text: `owners: [{ id: icoe }]
systems: [{ id: crm }, { id: erp }, { id: billing }]
flows:
  - { id: steps, source: crm, target: erp, owner: icoe, runtime: { service: step-sync } }
  - { id: anywhere, source: billing, target: erp, owner: icoe }
`,
    },
  ]);
  const keys = (edges: ReturnType<typeof observedEdge>[]) =>
    undocumentedFlow({ snapshot: daySnapshot(catalog, { edges: attributeEdges(catalog, edges) }), now }).map((f) => f.key);
  const edge = (source: string, target: string, integration: string) => observedEdge(source, target, integration, { service: integration });

  // Regression: a run of integration.run.id steps further apart than the late-arrival window was paired as its read
  // step alone first, an undocumented flow crm → integration:step-sync that resolved once the write step came; a run
  // whose read and write are traces of their own stayed two such halves.
  it('does not report a half of a flow documented with its runtime (what it reads, what it writes)', () => {
    expect(keys([edge('crm', 'integration:step-sync', 'step-sync'), edge('integration:step-sync', 'erp', 'step-sync')])).toEqual([]);
  });

  it('reports a half no documented flow of the runtime has, and the halves of a flow documented without a runtime', () => {
    expect(
      keys([
        edge('billing', 'integration:step-sync', 'step-sync'),
        edge('integration:step-sync', 'billing', 'step-sync'),
        edge('crm', 'integration:other-sync', 'other-sync'),
        edge('billing', 'integration:nightly', 'nightly'),
      ]),
    ).toEqual([
      'billing->integration:step-sync@step-sync',
      'integration:step-sync->billing@step-sync',
      'crm->integration:other-sync@other-sync',
      'billing->integration:nightly@nightly',
    ]);
  });
});

// The rule for a flow's absence across Weft's own downtime, and while nothing of the window is paired (weft-downtime.test.ts
// runs it on a store): no verdict, with the reason a kept finding shows.
describe('flowNeverObserved and staleFlow without a verdict', () => {
  const downtime = { from: '2026-01-01T22:00:00.000Z', to: '2026-01-01T23:55:00.000Z' };
  const lastSeen = [{ source: 'crm', target: 'erp', integration: 'crm', service: 'crm', lastSeen: '2026-01-01T21:55:00.000Z' }];
  const evaluated = (over: Partial<Snapshot>) => {
    const snap = { ...snapshot('2025-12-01T00:00:00.000Z'), since: '2026-01-01T23:40:00.000Z', ...over };
    const never = neverObservedDetections({ snapshot: snap, now });
    const stale = staleDetections({ snapshot: snap, now });
    return [...never.candidates, ...stale.candidates]
      .map((c) => `${c.kind} ${c.key}`)
      .concat([...never.held, ...stale.held].map((h) => `${h.kind} ${h.key}: ${h.reason}`));
  };

  it("holds a flow silent across Weft's downtime until Weft has watched for its allowed silence since", () => {
    const held = (watch: string) => `Weft was not observing from ${downtime.from} to ${downtime.to}; judged again once it has watched for ${watch} since`;
    expect(evaluated({ lastSeen, downtime })).toEqual([
      `flow-never-observed every-5m: ${held('10m')}`,
      `flow-never-observed batch-class: ${held('30m')}`,
      // Without a schedule or staleAfter: for the window.
      `flow-never-observed unscheduled: ${held('20m')}`,
      `stale-flow every-5m: ${held('10m')}`,
    ]);
    // Back 10 minutes ago: every-5m is judged, the others are not yet.
    const back = { from: downtime.from, to: '2026-01-01T23:50:00.000Z' };
    expect(evaluated({ lastSeen, downtime: back }).map((v) => v.split(':')[0])).toEqual([
      'flow-never-observed every-5m',
      'stale-flow every-5m',
      'flow-never-observed batch-class',
      'flow-never-observed unscheduled',
    ]);
  });

  it('holds a flow missing from a window of which nothing is paired', () => {
    expect(evaluated({ pairedUntil: '2026-01-01T23:30:00.000Z' })).toEqual([
      'flow-never-observed every-5m: nothing in the window is paired yet (paired up to 2026-01-01T23:30:00.000Z)',
      'flow-never-observed batch-class: nothing in the window is paired yet (paired up to 2026-01-01T23:30:00.000Z)',
      'flow-never-observed unscheduled: nothing in the window is paired yet (paired up to 2026-01-01T23:30:00.000Z)',
    ]);
  });
});
