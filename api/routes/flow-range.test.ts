import { describe, expect, it } from 'vitest';
import { boundedRange } from './bounds.ts';
import { autoStep, keptPart } from './flows.ts';

describe('flow range (series and summary)', () => {
  const now = Date.parse('2026-11-29T12:00:00Z');
  it('reads a relative window, or an absolute one with from and to', () => {
    expect(boundedRange({ since: '1h' }, now)).toEqual({ since: new Date('2026-11-29T11:00:00Z'), until: new Date(now) });
    expect(boundedRange({}, now).since).toEqual(new Date('2026-11-28T12:00:00Z'));
    expect(boundedRange({ from: '2026-11-29T08:00:00Z', to: '2026-11-29T09:30:00Z' }, now)).toEqual({
      since: new Date('2026-11-29T08:00:00Z'),
      until: new Date('2026-11-29T09:30:00Z'),
    });
    expect(boundedRange({ from: '2026-11-29T08:00:00Z' }, now).until).toEqual(new Date(now));
  });

  it('refuses ranges it cannot read, with what to change', () => {
    expect(() => boundedRange({ from: 'yesterday' }, now)).toThrow('from must be an ISO 8601 date-time such as 2026-11-29T08:00:00Z, got "yesterday".');
    expect(() => boundedRange({ from: '2026-11-29T10:00:00Z', to: '2026-11-29T09:00:00Z' }, now)).toThrow(
      'from must be before to, got from=2026-11-29T10:00:00.000Z and to=2026-11-29T09:00:00.000Z.',
    );
    expect(() => boundedRange({ from: '2026-11-29T10:00:00Z', to: '2026-11-29T10:00:00Z' }, now)).toThrow('from must be before to');
    expect(() => boundedRange({ from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, now)).toThrow(
      'The range may cover at most 400 days, got 2192 days (from=2020-01-01T00:00:00.000Z, to=2026-01-01T00:00:00.000Z).',
    );
    expect(() => boundedRange({ since: '1h', from: '2026-11-29T08:00:00Z' }, now)).toThrow('Give either since, or from and to, not both.');
    expect(() => boundedRange({ to: '2026-11-29T08:00:00Z' }, now)).toThrow('to needs from: give from too (or since, for a window ending now).');
    expect(() => boundedRange({ since: '401d' }, now)).toThrow('Invalid querystring field "since": at most 400d');
  });

  // Regression: a year from 10000 on reached the store's SQL and answered 500 (CANNOT_PARSE_DATETIME).
  it('refuses a time outside the years the store holds (1900–2299), naming it; takes their first and last instants', () => {
    expect(() => boundedRange({ from: '+010000-01-01T00:00:00Z', to: '+010000-01-02T00:00:00Z' }, now)).toThrow(
      'from must lie between the years 1900 and 2299 (what the store holds), got +010000-01-01T00:00:00.000Z.',
    );
    expect(() => boundedRange({ from: '2299-12-31T00:00:00Z', to: '+275760-09-13T00:00:00Z' }, now)).toThrow(
      'to must lie between the years 1900 and 2299 (what the store holds), got +275760-09-13T00:00:00.000Z.',
    );
    expect(() => boundedRange({ from: '1899-12-31T23:00:00Z', to: '1900-01-01T01:00:00Z' }, now)).toThrow('from must lie between the years 1900 and 2299');
    expect(() => boundedRange({ from: '-000001-01-01T00:00:00Z', to: '1900-01-01T01:00:00Z' }, now)).toThrow('from must lie between the years 1900 and 2299');
    expect(() => boundedRange({ from: '2300-01-01T00:00:00Z', to: '2300-01-02T00:00:00Z' }, now)).toThrow('from must lie between the years 1900 and 2299');
    expect(boundedRange({ from: '1900-01-01T00:00:00Z', to: '1900-01-02T00:00:00Z' }, now).since).toEqual(new Date('1900-01-01T00:00:00Z'));
    expect(boundedRange({ from: '2299-12-30T00:00:00Z', to: '2299-12-31T23:59:59.999Z' }, now).until).toEqual(new Date('2299-12-31T23:59:59.999Z'));
  });

  it('reads the part of a window Weft still keeps, and says where it starts', () => {
    const day = 86_400_000;
    const kept = new Date(now - 400 * day);
    const inside = { since: new Date(now - 10 * day), until: new Date(now) };
    expect(keptPart(inside.since, inside.until, 400 * day, now)).toEqual({ read: inside, keptSince: null });
    const partly = { since: new Date(now - 410 * day), until: new Date(now - 300 * day) };
    expect(keptPart(partly.since, partly.until, 400 * day, now)).toEqual({ read: { since: kept, until: partly.until }, keptSince: kept.toISOString() });
    // Wholly before: nothing to read (an empty window), and the answer says what is kept.
    const before = { since: new Date(now - 500 * day), until: new Date(now - 450 * day) };
    expect(keptPart(before.since, before.until, 400 * day, now)).toEqual({ read: { since: before.until, until: before.until }, keptSince: kept.toISOString() });
  });

  it('picks a step giving at most 200 buckets', () => {
    expect(autoStep(3_600_000)).toBe('1m');
    expect(autoStep(6 * 3_600_000)).toBe('5m');
    expect(autoStep(86_400_000)).toBe('15m');
    expect(autoStep(7 * 86_400_000)).toBe('1h');
    expect(autoStep(90 * 86_400_000)).toBe('1d');
  });
});
