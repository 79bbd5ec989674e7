import { describe, expect, it } from 'vitest';
import { resolvePeriod } from './period.ts';

const now = new Date('2026-11-29T12:00:00.000Z');

describe('report period', () => {
  it('takes a duration back from now or ISO times', () => {
    expect(resolvePeriod({ since: '24h' }, now)).toEqual({ since: '2026-11-28T12:00:00.000Z', until: '2026-11-29T12:00:00.000Z' });
    expect(resolvePeriod({ since: '2026-11-01T00:00:00Z', until: '2026-11-02T00:00:00Z' }, now)).toEqual({
      since: '2026-11-01T00:00:00.000Z',
      until: '2026-11-02T00:00:00.000Z',
    });
  });

  it('refuses what is not a period, saying what to give', () => {
    expect(() => resolvePeriod({ since: 'yesterday' }, now)).toThrow(/duration back from now \(24h, 7d\) or an ISO 8601 time/);
    expect(() => resolvePeriod({ since: '1h', until: '2h' }, now)).toThrow(/must start before it ends/);
    expect(() => resolvePeriod({ since: '500d' }, now)).toThrow(/at most 400 days/);
  });
});
