import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromLocalInput, periodBefore, rangeProblem, toLocalInput, zoomRange } from './range.ts';

describe("the flow page's range", () => {
  // The inputs show local time: checked in a zone with daylight saving (restored after: files share a process).
  const zone = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = 'Europe/Berlin';
  });
  afterAll(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  // Regression: the custom range's inputs took minutes only; a range with seconds lost them.
  it('shows a time to the second in the inputs and keeps the seconds on the way back to the URL', () => {
    expect(toLocalInput('2026-11-30T09:08:12.000Z')).toBe('2026-11-30T10:08:12');
    expect(fromLocalInput('2026-11-30T10:08:12')).toBe('2026-11-30T09:08:12.000Z');
    // A whole minute, as the browser writes it without seconds.
    expect(fromLocalInput('2026-11-30T10:08')).toBe('2026-11-30T09:08:00.000Z');
    for (const iso of ['2026-11-30T09:08:12.000Z', '2026-07-01T22:59:59.000Z', '2026-03-29T00:30:05.000Z', '2026-10-25T00:30:05.000Z'])
      expect(fromLocalInput(toLocalInput(iso)), iso).toBe(iso);
  });

  // Regression: the inputs used today's offset for every date, an hour off across a daylight-saving change.
  it("writes a date in the other half of the year with that date's offset", () => {
    expect(toLocalInput('2026-07-01T09:00:00.000Z')).toBe('2026-07-01T11:00:00');
    expect(toLocalInput('2026-01-15T09:00:00.000Z')).toBe('2026-01-15T10:00:00');
  });

  it('keeps a cleared field apart from one that is not a time', () => {
    expect(fromLocalInput('')).toBeUndefined();
    expect(fromLocalInput('30/11/2026 10:08')).toBe('');
    expect(toLocalInput('')).toBe('');
    expect(toLocalInput('garbage')).toBe('');
  });

  // Regression: an inverted range in the URL was sent to the API, whose 400 replaced the whole page.
  it('says what to change in a range the API would refuse, and nothing for one it takes', () => {
    const berlin = { timeZone: 'Europe/Berlin' };
    const now = Date.parse('2026-11-30T12:00:00Z');
    expect(rangeProblem('2026-11-30T10:00:00Z', '2026-11-30T09:00:00Z', now, berlin)).toBe(
      "'from' must be before 'to': 'from' is 30 Nov 2026, 11:00:00, 'to' is 30 Nov 2026, 10:00:00. Pick an earlier 'from' or a later 'to'.",
    );
    expect(rangeProblem('2026-11-30T10:00:00Z', '2026-11-30T10:00:00Z', now, berlin)).toMatch(/^'from' must be before 'to'/);
    // An open range ends now: a 'from' in the future is after it.
    expect(rangeProblem('2026-11-30T13:00:00Z', '', now, berlin)).toBe(
      "'from' must be before 'to': 'from' is 30 Nov 2026, 14:00:00, 'to' is now (30 Nov 2026, 13:00:00). Pick an earlier 'from' or a later 'to'.",
    );
    expect(rangeProblem('yesterday', '', now)).toBe(
      "'from' is not a date and time (an existing day, with its UTC offset: 2026-11-29T08:00:00Z or 2026-11-29T09:00:00+01:00): pick one in the 'from' field.",
    );
    // As the API reads them (core/time/instant.ts): a URL edited by hand to a day the calendar lacks, a time
    // without its offset, a year past 9999 are refused, not read as 2 March, in the viewer's zone, or a far year.
    for (const bad of ['2026-02-30T10:00:00Z', '2025-02-29T10:00:00Z', '2026-11-30T10:00:00', '+010000-01-01T00:00:00Z', 'Nov 30 2026 10:00 GMT'])
      expect(rangeProblem(bad, '', now), bad).toMatch(/^'from' is not a date and time \(an existing day, with its UTC offset/);
    expect(rangeProblem('2024-02-29T10:00:00Z', '2024-03-01T10:00:00+01:00', now)).toBeNull();
    expect(rangeProblem('1899-12-31T23:59:59Z', '1900-01-02T00:00:00Z', now)).toBe(
      "'from' lies outside the years 1900 to 2299 that Weft stores: pick a 'from' between them.",
    );
    expect(rangeProblem('2026-11-30T10:00:00Z', '2400-01-01T00:00:00Z', now)).toMatch(/^'to' lies outside the years 1900 to 2299/);
    expect(rangeProblem('2026-11-30T10:00:00Z', 'soon', now)).toMatch(/^'to' is not a date and time/);
    expect(rangeProblem('2025-01-01T00:00:00Z', '2026-11-30T00:00:00Z', now)).toBe(
      "The range may cover at most 400 days; this one covers 698. Pick a later 'from' or an earlier 'to'.",
    );
    expect(rangeProblem('2026-11-30T10:00:00Z', '2026-11-30T10:00:01Z', now)).toBeNull();
    expect(rangeProblem('2026-11-30T10:00:00Z', '', now)).toBeNull();
  });

  it('zooms into whole minutes, at least one, whichever way the drag went', () => {
    const t = (iso: string) => Date.parse(iso);
    expect(zoomRange(t('2026-11-30T10:07:13.456Z'), t('2026-11-30T10:31:48.789Z'))).toEqual({
      from: '2026-11-30T10:07:00.000Z',
      to: '2026-11-30T10:32:00.000Z',
    });
    expect(zoomRange(t('2026-11-30T10:31:48Z'), t('2026-11-30T10:07:13Z'))).toEqual({ from: '2026-11-30T10:07:00.000Z', to: '2026-11-30T10:32:00.000Z' });
    expect(zoomRange(t('2026-11-30T10:07:10Z'), t('2026-11-30T10:07:20Z'))).toEqual({ from: '2026-11-30T10:07:00.000Z', to: '2026-11-30T10:08:00.000Z' });
  });

  it('takes the period before a window: as long, ending where it starts', () => {
    expect(periodBefore({ since: '2026-11-30T10:03:00.000Z', until: '2026-11-30T10:16:00.000Z' })).toEqual({
      since: '2026-11-30T09:50:00.000Z',
      until: '2026-11-30T10:03:00.000Z',
    });
  });

  // Regression: 10:44:07 – 10:46:33 was compared with 10:41:41 – 10:44:07 while the summary read whole minutes
  // (10:41 – 10:44): the previous period's points fell 26 s past each minute, and it counted the 10:44 minute.
  it('takes the period before a window with seconds on the whole minutes the API reads, sharing no minute with it', () => {
    expect(periodBefore({ since: '2026-11-30T10:44:07.000Z', until: '2026-11-30T10:46:33.000Z' })).toEqual({
      since: '2026-11-30T10:41:00.000Z',
      until: '2026-11-30T10:44:00.000Z',
    });
  });
});
