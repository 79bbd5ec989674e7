import { describe, expect, it } from 'vitest';
import { dataAsOfText, flowWindowText, resolvePeriod } from './period.ts';

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
    expect(() => resolvePeriod({ since: 'yesterday' }, now)).toThrow(/duration back from now \(24h, 7d\) or an RFC 3339 time/);
    expect(() => resolvePeriod({ since: '1h', until: '2h' }, now)).toThrow(/must start before it ends/);
    expect(() => resolvePeriod({ since: '500d' }, now)).toThrow(/at most 400 days/);
    // Regression: an empty until was taken as now (an empty since already failed).
    expect(() => resolvePeriod({ since: '1h', until: '' }, now)).toThrow(/^until takes a duration back from now \(24h, 7d\) or an RFC 3339 time .*got ""\.$/);
    expect(() => resolvePeriod({ since: '' }, now)).toThrow(/^since takes a duration back from now/);
  });

  // Regression: new Date() read 2026-02-30 as 2 March and a time without its offset in this machine's zone, so a
  // report stated and covered a period other than the one asked for; a year the store cannot hold reached its SQL.
  it('reads a time as RFC 3339 with its offset, or a date alone as its midnight UTC, and nothing else', () => {
    expect(resolvePeriod({ since: '2026-11-01', until: '2026-11-02' }, now)).toEqual({ since: '2026-11-01T00:00:00.000Z', until: '2026-11-02T00:00:00.000Z' });
    expect(resolvePeriod({ since: '2026-11-01T00:00:00+01:00', until: '2026-11-01T12:00:00Z' }, now).since).toBe('2026-10-31T23:00:00.000Z');
    expect(resolvePeriod({ since: '2024-02-29', until: '2024-03-01' }, now).since).toBe('2024-02-29T00:00:00.000Z');
    for (const bad of ['2026-02-30', '2026-02-30T00:00:00Z', '2026-11-01T00:00:00', '2026-11-01T00:00', '2026-11-1', '2026-11-01 garbage'])
      expect(() => resolvePeriod({ since: bad, until: '2026-11-29T00:00:00Z' }, now), bad).toThrow(
        `since "${bad}" is not a date and time that exists with its UTC offset (RFC 3339: 2026-11-29T08:00:00Z or 2026-11-29T09:00:00+01:00), nor a date alone (2026-11-01, its midnight UTC).`,
      );
    expect(() => resolvePeriod({ since: '1899-12-01', until: '1899-12-02' }, now)).toThrow(
      'until 1899-12-02 lies outside the years 1900 to 2299 that Weft stores.',
    );
    expect(() => resolvePeriod({ since: '2026-11-01', until: '2300-01-01' }, now)).toThrow('until 2300-01-01 lies outside the years 1900 to 2299');
  });

  // Regression: `until` a month ahead was taken, and a report signed for a period that had not happened yet.
  it('refuses an end in the future, and reads an end within a minute ahead (a clock running ahead) as now', () => {
    expect(() => resolvePeriod({ since: '1h', until: '2026-12-29T12:00:00Z' }, now)).toThrow(
      'until 2026-12-29T12:00:00.000Z lies in the future (it is 2026-11-29T12:00:00.000Z): a report covers what has happened; give a time up to now, or leave it out for now.',
    );
    expect(() => resolvePeriod({ since: '1h', until: '2026-11-29T12:01:01Z' }, now, { since: '--since', until: '--until' })).toThrow(
      /^--until 2026-11-29T12:01:01\.000Z lies in the future/,
    );
    expect(resolvePeriod({ since: '1h', until: '2026-11-29T12:00:30Z' }, now)).toEqual({
      since: '2026-11-29T11:00:00.000Z',
      until: '2026-11-29T12:00:00.000Z',
    });
  });

  // Regression: the PDF said flows were observed "between <since> and <until>" while they are counted over whole
  // minutes with both ends rounded down: a report of 09:44:00-09:44:59 said 0 flows beside findings from 09:44:16.
  it('states the exact window flow figures cover, and says so when it holds no whole minute', () => {
    expect(flowWindowText({ since: '2026-03-02T09:44:00.000Z', until: '2026-03-02T09:44:59.000Z' })).toBe(
      'No flow is counted in this report: flows are counted over whole minutes, both ends of the period rounded down to the minute, and this period holds no whole minute (both ends round down to 2026-03-02 09:44:00 UTC).',
    );
    expect(flowWindowText({ since: '2026-03-02T09:44:16.000Z', until: '2026-03-02T09:46:05.000Z' })).toBe(
      'Flow figures (runs, records, errors, last seen) cover 2026-03-02 09:44:00 UTC to 2026-03-02 09:46:00 UTC (until excluded): flows are counted over whole minutes, both ends of the period rounded down to the minute.',
    );
  });
});

// regression: a report said nothing of when its figures were read, so two reports of one period, one made 30 s after
// its end and one made a day later (with the runs that were in flight stored since), gave different counts, neither
// saying why
describe('what a report is as of', () => {
  const period = { since: '2026-11-29T11:00:00.000Z', until: '2026-11-29T12:00:00.000Z' };
  it('says it counts what was stored when it was made, and that a later report of the period can differ', () => {
    expect(dataAsOfText(period, new Date('2026-11-30T12:00:00.000Z'))).toBe(
      'What Weft had stored at 2026-11-30 12:00:00 UTC. Data about the period that is stored later (a run still going at its end, ' +
        'spans an exporter sent late) is not counted here; a report of this period made later can count it, and then differ.',
    );
  });
  it('says how soon after the period ended it was made, when that was within the hour', () => {
    expect(dataAsOfText(period, new Date('2026-11-29T12:00:30.000Z'))).toMatch(
      /This period ended 30s before the report was made: runs in flight at its end may not be stored yet\.$/,
    );
    expect(dataAsOfText(period, new Date('2026-11-29T13:00:00.000Z'))).not.toMatch(/This period ended/);
  });
});
