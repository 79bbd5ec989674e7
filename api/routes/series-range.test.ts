import { describe, expect, it } from 'vitest';
import { autoStep, seriesRange } from './graph.ts';

describe('flow series range', () => {
  const now = Date.parse('2026-11-29T12:00:00Z');
  it('reads a relative window, or an absolute one with from and to', () => {
    expect(seriesRange({ since: '1h' }, now)).toEqual({ since: new Date('2026-11-29T11:00:00Z'), until: new Date(now) });
    expect(seriesRange({}, now).since).toEqual(new Date('2026-11-28T12:00:00Z'));
    expect(seriesRange({ from: '2026-11-29T08:00:00Z', to: '2026-11-29T09:30:00Z' }, now)).toEqual({
      since: new Date('2026-11-29T08:00:00Z'),
      until: new Date('2026-11-29T09:30:00Z'),
    });
    expect(seriesRange({ from: '2026-11-29T08:00:00Z' }, now).until).toEqual(new Date(now));
  });

  it('refuses ranges it cannot read, with what to change', () => {
    expect(() => seriesRange({ from: 'yesterday' }, now)).toThrow('from must be an ISO 8601 date-time');
    expect(() => seriesRange({ from: '2026-11-29T10:00:00Z', to: '2026-11-29T09:00:00Z' }, now)).toThrow('from must be before to');
    expect(() => seriesRange({ from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, now)).toThrow('at most 400 days');
    expect(() => seriesRange({ since: '1h', from: '2026-11-29T08:00:00Z' }, now)).toThrow('either since, or from and to');
  });

  it('picks a step giving at most 200 buckets', () => {
    expect(autoStep(3_600_000)).toBe('1m');
    expect(autoStep(6 * 3_600_000)).toBe('5m');
    expect(autoStep(86_400_000)).toBe('15m');
    expect(autoStep(7 * 86_400_000)).toBe('1h');
    expect(autoStep(90 * 86_400_000)).toBe('1d');
  });
});
