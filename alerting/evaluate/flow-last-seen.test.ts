import { describe, expect, it } from 'vitest';
import { catalogFrom } from '../../analyzer/test/estate-fixture.ts';
import { flowLastSeen } from './observe.ts';

// Regression: a delta sync whose runs found nothing to write (they read the CRM only) had no last run, so the flow-stale
// alert measured its silence from its last run that wrote, while the runtime kept running every few minutes.
describe('flowLastSeen', () => {
  const catalog = catalogFrom(`owners: [{ id: icoe }]
systems: [{ id: crm }, { id: erp }, { id: billing }]
flows:
  - { id: delta, source: crm, target: erp, owner: icoe, schedule: { every: 10m }, runtime: { service: delta-sync } }
  - { id: other, source: billing, target: erp, owner: icoe, schedule: { every: 10m }, runtime: { service: other-sync } }
`);
  const seen = (source: string, target: string, service: string, lastSeen: string) => ({ source, target, integration: service, service, lastSeen });

  it("counts a half of the flow's run (its runtime reading the source alone) as a run, not another runtime's", () => {
    const lastSeen = [
      seen('crm', 'erp', 'delta-sync', '2026-01-01T21:00:00.000Z'),
      seen('crm', 'integration:delta-sync', 'delta-sync', '2026-01-01T23:55:00.000Z'),
      seen('billing', 'erp', 'other-sync', '2026-01-01T21:00:00.000Z'),
      seen('billing', 'integration:delta-sync', 'delta-sync', '2026-01-01T23:56:00.000Z'),
    ];
    expect(Object.fromEntries(flowLastSeen({ catalog, lastSeen }))).toEqual({ delta: '2026-01-01T23:55:00.000Z', other: '2026-01-01T21:00:00.000Z' });
  });

  // Regression: a writer whose clock was 25 minutes behind Weft's fired flow-stale a minute after its run (its run's end
  // by its own clock), while stale-flow counted from when Weft received the run.
  it("takes the later of a run's end and its arrival, as stale-flow does", () => {
    const lastSeen = [
      { ...seen('crm', 'erp', 'delta-sync', '2026-01-01T21:00:00.000Z'), lastArrived: '2026-01-01T21:25:00.000Z' },
      { ...seen('billing', 'erp', 'other-sync', '2026-01-01T21:00:00.000Z'), lastArrived: '2026-01-01T20:59:59.000Z' },
    ];
    expect(Object.fromEntries(flowLastSeen({ catalog, lastSeen }))).toEqual({ delta: '2026-01-01T21:25:00.000Z', other: '2026-01-01T21:00:00.000Z' });
  });
});
