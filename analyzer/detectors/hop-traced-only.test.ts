import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../core/catalog/index.ts';
import type { Detections } from '../../core/contracts/index.ts';
import type { EdgeLastSeen } from '../flows/observed.ts';
import { buildHopChains, type HopEdge, type LineageHopCount } from '../hops/hop-chain.ts';
import { daySnapshot } from '../test/snapshot-fixture.ts';
import { hopRecordLoss } from './hop-detectors.ts';

// One hop carries orders from the ERP to the lake, run by etl/orders_extract, which reports through OpenLineage and
// is traced as well (its spans name the same flow).
const { catalog } = parseCatalog([
  {
    file: 'c.yaml',
    text: `
owners: [{ id: icoe }]
systems:
  - { id: erp, owner: icoe, kind: erp, match: { hosts: [erp.internal] } }
  - { id: lake, owner: icoe, kind: storage, match: { hosts: [lake.internal] } }
domains:
  - { id: order, systemOfRecord: erp, replicas: [lake], drift: { toleranceAbsolute: 0, tolerancePercent: 0.5 } }
flows:
  - { id: orders-extract, source: erp, target: lake, owner: icoe, domain: order, runtime: { flow: etl/orders_extract } }
`,
  },
]);
const KEY = 'order:erp->lake@etl/orders_extract';
const edge: HopEdge = {
  source: 'erp',
  target: 'lake',
  integration: 'etl/orders_extract',
  flowId: 'orders-extract',
  effectiveDomain: 'order',
  traces: 3,
  records: 900,
  sampleTrace: 'a1',
};
const edgeSeen: EdgeLastSeen = { source: 'erp', target: 'lake', integration: 'etl/orders_extract', service: 'etl', lastSeen: '2026-01-01T12:00:00.000Z' };

/** The detector's verdicts over the fixture day, the hop seen in it as `lineage` says (none: through its traces only). */
function detect(lineage: LineageHopCount[]): Detections {
  const since = '2026-01-01T00:00:00.000Z';
  const until = '2026-01-02T00:00:00.000Z';
  const touch = (system: string, direction: 'read' | 'write', records: number) => ({
    integration: 'etl/orders_extract',
    system,
    direction,
    records,
    sampleTrace: 'a1',
  });
  const hopChains = buildHopChains({
    catalog,
    since,
    until,
    edges: [edge],
    touches: [touch('erp', 'read', 500), touch('lake', 'write', 400)],
    settledTouches: [],
    settleMs: 0,
    lineage,
    systemCounts: [],
  });
  const snapshot = daySnapshot(catalog, { hopChains, lastSeen: [edgeSeen] });
  return hopRecordLoss({ snapshot, now: new Date(until) });
}

// Regression: a hop whose OpenLineage runs opened a hop-record-loss finding, seen in a later window only through its
// traces (whose counts are shown, never compared), resolved that finding — "condition cleared" on no comparison at all.
describe('hop-record-loss on a hop the window saw through its traces only', () => {
  it('has no verdict on the hop: its open finding is kept, with the reason', () => {
    const { candidates, held } = detect([]);
    expect(candidates).toEqual([]);
    expect(held).toEqual([
      {
        kind: 'hop-record-loss',
        key: KEY,
        reason: 'the window saw this hop through its traces only (3 traces), whose record counts are shown, not compared; no OpenLineage run of it completed',
      },
    ]);
  });

  it('judges it on its counted OpenLineage runs when the window has them: none lost, a verdict (resolved)', () => {
    const whole = { source: 'erp', target: 'lake', job: 'etl/orders_extract', runs: 1, countedRuns: 1, read: 300, written: 300, lossiestRuns: [] };
    expect(detect([whole])).toEqual({ candidates: [], held: [] });
  });

  it('opens on counted OpenLineage runs that lost records, whatever its traces say', () => {
    const lossy = {
      source: 'erp',
      target: 'lake',
      job: 'etl/orders_extract',
      runs: 1,
      countedRuns: 1,
      read: 500,
      written: 480,
      lossiestRuns: [{ runId: 'r1', read: 500, written: 480, ended: '2026-01-01T12:00:00.000Z' }],
    };
    const { candidates, held } = detect([lossy]);
    expect(held).toEqual([]);
    expect(candidates.map((c) => [c.key, c.title])).toEqual([
      [KEY, '20 order records lost at hop erp → lake (job etl/orders_extract): read 500, wrote 480 over 1 run'],
    ]);
  });
});
