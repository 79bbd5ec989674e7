import { describe, expect, it } from 'vitest';
import { catalogFrom } from '../../analyzer/test/estate-fixture.ts';
import type { CountBucket } from '../source/report-data.ts';
import { domainDrift } from './integrity-drift.ts';

const catalog = catalogFrom(`owners: [{ id: o }]
systems: [{ id: crm, owner: o }, { id: billing, owner: o }]
domains: [{ id: customer, systemOfRecord: crm, replicas: [billing], owner: o, drift: { toleranceAbsolute: 5, tolerancePercent: 0.5 } }]
`);
const bucket = (system: string, bucket: string, value: number, mean: number): CountBucket => ({
  probeId: `${system}-count`,
  system,
  domain: 'customer',
  bucket,
  value,
  mean,
});

// Regression: with a bucket's count taken as its last sample alone, billing's loss of 40 customers for most of a bucket
// that it made up before the bucket ended showed "largest difference 0, 0 of 3 buckets out of tolerance" (the demo's
// replica-drift fault, switched off before its report); with the average alone, "count (last)" read 1987.75.
describe('domainDrift', () => {
  it('compares each bucket on its average and reports the last samples at the end', () => {
    const counts = [
      bucket('crm', '2026-12-02T16:00:00.000Z', 2000, 2000),
      bucket('billing', '2026-12-02T16:00:00.000Z', 2000, 2000),
      bucket('crm', '2026-12-02T16:20:00.000Z', 2086, 2050),
      bucket('billing', '2026-12-02T16:20:00.000Z', 2086, 2010),
      bucket('crm', '2026-12-02T16:40:00.000Z', 2086, 2086),
      bucket('billing', '2026-12-02T16:40:00.000Z', 2086, 2086),
    ];
    const [row] = domainDrift(catalog, counts).rows;
    expect(row).toMatchObject({
      sorLast: 2086,
      replicaLast: 2086,
      diffAtEnd: 0,
      largestDiff: -40,
      largestAt: '2026-12-02T16:20:00.000Z',
      outOfTolerance: 1,
      compared: 3,
    });
  });
});
