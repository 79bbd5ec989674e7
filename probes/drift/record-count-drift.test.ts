import { describe, expect, it } from 'vitest';
import type { Domain } from '../../core/catalog/index.ts';
import { align, driftCandidates, evaluateDomainDrift, toleranceFor } from './record-count-drift.ts';

const domain: Domain = {
  id: 'customer',
  name: 'Customer',
  systemOfRecord: 'crm',
  replicas: ['erp'],
  allowedWriters: [],
  regulated: [],
  drift: { toleranceAbsolute: 5, tolerancePercent: 1, settle: '10m' },
};
const t = (min: number) => new Date(Date.UTC(2026, 0, 1, 0, min));
const series = (values: Array<[number, number]>) => values.map(([min, value]) => ({ ts: t(min), value }));

describe('toleranceFor', () => {
  it('takes the larger of the absolute and the percent tolerance', () => {
    expect(toleranceFor(100, domain.drift)).toBe(5);
    expect(toleranceFor(10_000, domain.drift)).toBe(100);
  });
});

describe('align', () => {
  it('pairs each reading with the latest reading of the other side, skipping times before both were read', () => {
    expect(
      align(
        series([
          [0, 10],
          [5, 12],
        ]),
        series([
          [1, 9],
          [6, 11],
        ]),
      ).map((p) => [p.ts.getUTCMinutes(), p.sor, p.replica]),
    ).toEqual([
      [1, 10, 9],
      [5, 12, 9],
      [6, 12, 11],
    ]);
  });
});

describe('evaluateDomainDrift', () => {
  it('does not call a divergence younger than the settle time drift', () => {
    const [s] = evaluateDomainDrift(
      domain,
      {
        crm: series([
          [0, 1000],
          [5, 1000],
        ]),
        erp: series([
          [0, 1000],
          [5, 900],
        ]),
      },
      t(9),
    );
    expect(s).toMatchObject({ diverging: true, drift: false, difference: -100, divergingSince: t(5) });
  });

  it('calls a divergence that outlasted the settle time drift, with its trend', () => {
    const states = evaluateDomainDrift(
      domain,
      {
        crm: series([
          [0, 1000],
          [5, 1000],
          [20, 1000],
        ]),
        erp: series([
          [0, 1000],
          [5, 900],
          [20, 850],
        ]),
      },
      t(20),
    );
    expect(states[0]).toMatchObject({ drift: true, trend: 'growing', difference: -150, differencePercent: -15, ratePerHour: 200 });
    const [c] = driftCandidates(states);
    expect(c).toMatchObject({ kind: 'record-count-drift', key: 'customer:erp', severity: 'high' });
    expect(c.evidence).toMatchObject({ sorCount: 1000, replicaCount: 850, settle: '10m', divergingSince: t(5).toISOString() });
  });

  it('restarts the clock when the counts come back within tolerance', () => {
    const [s] = evaluateDomainDrift(
      domain,
      {
        crm: series([
          [0, 1000],
          [5, 1000],
          [10, 1000],
          [15, 1000],
        ]),
        erp: series([
          [0, 900],
          [5, 900],
          [10, 998],
          [15, 900],
        ]),
      },
      t(20),
    );
    expect(s).toMatchObject({ diverging: true, drift: false, divergingSince: t(15) });
  });

  it('reports a shrinking divergence as shrinking, and nothing once it is within tolerance', () => {
    const [shrinking] = evaluateDomainDrift(
      domain,
      {
        crm: series([
          [0, 1000],
          [30, 1000],
        ]),
        erp: series([
          [0, 800],
          [30, 950],
        ]),
      },
      t(30),
    );
    expect(shrinking).toMatchObject({ drift: true, trend: 'shrinking' });
    const healed = evaluateDomainDrift(
      domain,
      {
        crm: series([
          [0, 1000],
          [30, 1000],
        ]),
        erp: series([
          [0, 800],
          [30, 997],
        ]),
      },
      t(30),
    );
    expect(healed[0]).toMatchObject({ diverging: false, drift: false });
    expect(driftCandidates(healed)).toEqual([]);
  });

  it('skips a replica that has no counts yet', () => {
    expect(evaluateDomainDrift(domain, { crm: series([[0, 1]]) }, t(1))).toEqual([]);
  });
});

describe('a side whose count probe stopped answering', () => {
  // Regression: the CRM's count probe went down, its last count (2,280) stayed in use while the ERP kept growing:
  // a false drift (+37) fired and flapped, and the real drift of another replica resolved.
  it('is not compared with the other side after twice its usual interval, so no drift is made up and none resolved', () => {
    const minutes = Array.from({ length: 31 }, (_, m) => m);
    const sor = series(minutes.filter((m) => m <= 10).map((m) => [m, 2280 + m] as [number, number]));
    const erp = series(minutes.map((m) => [m, 2280 + m + (m > 10 ? (m - 10) * 3 : 0)] as [number, number]));
    const [state] = evaluateDomainDrift(domain, { crm: sor, erp }, t(30));
    expect(state).toMatchObject({ sorCount: 2290, replicaCount: 2298, diverging: false, drift: false });
    expect(state.at).toEqual(t(12));
    // A real drift found while both answered stays found once one side goes quiet.
    const short = series(minutes.map((m) => [m, 2270 + m] as [number, number]));
    const [real] = evaluateDomainDrift(
      { ...domain, drift: { ...domain.drift, settle: '5m' } },
      { crm: series(minutes.map((m) => [m, 2300 + m] as [number, number])).slice(0, 20), erp: short },
      t(30),
    );
    expect(real).toMatchObject({ drift: true, difference: -28 });
  });
});
