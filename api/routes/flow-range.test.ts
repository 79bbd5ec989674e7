import { describe, expect, it } from 'vitest';
import { boundedRange, queryInstant } from './bounds.ts';
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
    expect(() => boundedRange({ from: 'yesterday' }, now)).toThrow(
      'from must be a date and time that exists, with its UTC offset (RFC 3339), such as 2026-11-29T08:00:00Z or 2026-11-29T09:00:00+01:00; got "yesterday".',
    );
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

  // Regression: a year from 10000 on reached the store's SQL and answered 500 (CANNOT_PARSE_DATETIME); the
  // extended years (+010000, +275760, -000001) are not RFC 3339 and are refused as such, years 0000–9999 the
  // store cannot hold by their range.
  it('refuses a time outside the years the store holds (1900–2299), naming it; takes their first and last instants', () => {
    for (const extended of ['+010000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '-000001-01-01T00:00:00Z'])
      expect(() => boundedRange({ from: extended, to: '2026-01-01T00:00:00Z' }, now), extended).toThrow(`from must be a date and time that exists`);
    expect(() => boundedRange({ from: '2299-12-31T00:00:00Z', to: '9999-12-31T23:59:59Z' }, now)).toThrow(
      'to must lie between the years 1900 and 2299 (what the store holds), got 9999-12-31T23:59:59.000Z.',
    );
    expect(() => boundedRange({ from: '1899-12-31T23:00:00Z', to: '1900-01-01T01:00:00Z' }, now)).toThrow('from must lie between the years 1900 and 2299');
    expect(() => boundedRange({ from: '0000-01-01T00:00:00Z', to: '1900-01-01T01:00:00Z' }, now)).toThrow('from must lie between the years 1900 and 2299');
    expect(() => boundedRange({ from: '2300-01-01T00:00:00Z', to: '2300-01-02T00:00:00Z' }, now)).toThrow('from must lie between the years 1900 and 2299');
    expect(boundedRange({ from: '1900-01-01T00:00:00Z', to: '1900-01-02T00:00:00Z' }, now).since).toEqual(new Date('1900-01-01T00:00:00Z'));
    expect(boundedRange({ from: '2299-12-30T00:00:00Z', to: '2299-12-31T23:59:59.999Z' }, now).until).toEqual(new Date('2299-12-31T23:59:59.999Z'));
  });

  // Regression: Date.parse read 2026-02-30 as 2 March, a time without an offset in the server's zone, and
  // text such as "Nov 30 2026 10:00 GMT"; each answered 200 for a window other than the one asked for.
  it('reads a time only as RFC 3339 with its offset, on a day the calendar has', () => {
    const refused = [
      '2026-02-30T10:00:00Z',
      '2026-02-29T10:00:00Z',
      '2026-04-31T10:00:00Z',
      '2026-13-01T10:00:00Z',
      '2026-11-29T24:00:00Z',
      '2026-11-29T10:60:00Z',
      '2016-12-31T23:59:60Z',
      '2026-11-29T10:00:00',
      '2026-11-29T10:00',
      '2026-11-29T10:00Z',
      '2026-11-29',
      '2026-11-29T10:00:00+01',
      '2026-11-29T10:00:00+24:00',
      'Nov 29 2026 10:00 GMT',
      'Sun, 29 Nov 2026 10:00:00 GMT',
      '1795939200000',
      ' 2026-11-29T10:00:00Z',
    ];
    for (const bad of refused) {
      expect(() => boundedRange({ from: bad, to: '2026-11-29T11:00:00Z' }, now), bad).toThrow('from must be a date and time that exists, with its UTC offset');
      expect(() => boundedRange({ from: '2026-11-29T09:00:00Z', to: bad }, now), bad).toThrow('to must be a date and time that exists, with its UTC offset');
    }
    const read = (from: string) => boundedRange({ from }, Date.parse(from.slice(0, 10)) + 2 * 86_400_000).since.toISOString();
    expect(read('2024-02-29T10:00:00Z')).toBe('2024-02-29T10:00:00.000Z');
    expect(read('2000-02-29T10:00:00Z')).toBe('2000-02-29T10:00:00.000Z');
    expect(read('2026-11-29T10:00:00+01:00')).toBe('2026-11-29T09:00:00.000Z');
    expect(read('2026-11-29T10:00:00-05:30')).toBe('2026-11-29T15:30:00.000Z');
    expect(read('2026-11-29T10:00:00+0100')).toBe('2026-11-29T09:00:00.000Z');
    expect(read('2026-11-29t10:00:00z')).toBe('2026-11-29T10:00:00.000Z');
    expect(read('2026-11-29 10:00:00Z')).toBe('2026-11-29T10:00:00.000Z');
    expect(read('2026-11-29T10:00:00.123456789Z')).toBe('2026-11-29T10:00:00.123Z');
  });

  // Regression: `?from=2026-11-29T10:00:00+01:00` typed unencoded reaches the server with a space for the +, and
  // the 400 showed that space without saying why; a - offset and a real space elsewhere are not hinted at.
  it('says to send %2B when an offset arrives with a space where its + was', () => {
    for (const [sent, offset] of [
      ['2026-11-29T10:00:00 01:00', '01:00'],
      ['2026-11-29T10:00:00.250 0530', '0530'],
      ['2026-11-29 10:00:00 00:00', '00:00'],
    ])
      expect(() => queryInstant(sent, 'from'), sent).toThrow(
        `from must be a date and time that exists, with its UTC offset (RFC 3339), such as 2026-11-29T08:00:00Z or 2026-11-29T09:00:00+01:00; got ${JSON.stringify(sent)}. A + in a query string arrives as a space: send the offset as %2B${offset}.`,
      );
    for (const sent of ['2026-11-29T10:00:00 24:00', '2026-02-30T10:00:00 01:00', '2026-11-29T10:00 01:00', '2026-11-29T10:00:00Z 01:00'])
      expect(() => queryInstant(sent, 'from'), sent).toThrow(new RegExp(`got ${JSON.stringify(sent)}\\.$`));
  });

  // Regression: the audit log's since/until took any text new Date() reads (2026-02-30 as 2 March).
  it('reads a date alone as its midnight UTC where a route allows it (the audit log), and nothing else more', () => {
    expect(new Date(queryInstant('2026-11-01', 'since', { dateAlone: true })).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(new Date(queryInstant('2024-02-29', 'since', { dateAlone: true })).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    for (const bad of ['2026-02-30', '2026-11-1', '2026-11-01T00:00:00', 'November 2026'])
      expect(() => queryInstant(bad, 'since', { dateAlone: true }), bad).toThrow(
        `since must be a date and time that exists, with its UTC offset (RFC 3339), such as 2026-11-29T08:00:00Z or 2026-11-29T09:00:00+01:00, or a date alone (its midnight UTC); got ${JSON.stringify(bad)}.`,
      );
    expect(() => queryInstant('2026-11-01', 'from'), 'a date alone where a route does not allow it').toThrow('from must be a date and time that exists');
    expect(() => queryInstant('1899-12-31', 'until', { dateAlone: true })).toThrow('until must lie between the years 1900 and 2299');
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
