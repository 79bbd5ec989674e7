import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../core/catalog/index.ts';
import type { Snapshot } from '../model/snapshot.ts';
import { allowedSilenceMs, flowNeverObserved } from './estate-detectors.ts';

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
  return { catalog, since: '2026-01-01T00:00:00.000Z', until: '2026-01-02T00:00:00.000Z', observingSince, pairedUntil, edges: [], touches: [], lastSeen: [], systemLastSeen: {} };
}
const now = new Date('2026-01-02T00:00:00Z');
const missed = (observingSince: string | null, pairedUntil?: string) => flowNeverObserved({ snapshot: snapshot(observingSince, pairedUntil), now }).map((f) => f.key);

describe('flowNeverObserved', () => {
  it('says nothing while Weft has observed nothing at all (a fresh install is not an alarm)', () => {
    expect(missed(null)).toEqual([]);
  });

  it('reports a flow only once Weft has observed for longer than it may be silent (class staleness, or twice its period)', () => {
    expect(missed('2026-01-01T23:52:00.000Z')).toEqual([]);
    expect(missed('2026-01-01T23:50:00.000Z')).toEqual(['every-5m']);
    expect(missed('2026-01-01T23:30:00.000Z')).toEqual(['every-5m', 'batch-class']);
  });

  it('counts observation only up to where traces have been paired (the late-arrival window)', () => {
    expect(missed('2026-01-01T23:50:00.000Z', '2026-01-01T23:58:00.000Z')).toEqual([]);
  });

  it('reports an unscheduled flow once the whole window has been observed', () => {
    expect(missed('2025-12-31T00:00:00.000Z')).toEqual(['every-5m', 'batch-class', 'unscheduled']);
  });
});

describe('allowedSilenceMs', () => {
  const { catalog } = parseCatalog([{ file: 'c.yaml', text: catalogYaml }]);
  const flow = (id: string) => catalog.flows.find((f) => f.id === id)!;

  it("is the class's staleAfter, else twice the schedule's period, else unknown (the one rule of stale-flow and never-observed)", () => {
    expect(allowedSilenceMs(flow('batch-class'), catalog.classes)).toBe(30 * 60_000);
    expect(allowedSilenceMs(flow('every-5m'), catalog.classes)).toBe(10 * 60_000);
    expect(allowedSilenceMs(flow('unscheduled'), catalog.classes)).toBeUndefined();
  });
});
