import { describe, expect, it } from 'vitest';
import { lastTickAtOrBefore } from './due-tick.ts';

const at = (iso: string) => new Date(iso);

describe('lastTickAtOrBefore', () => {
  it('is the tick the schedule was due, not the moment the timer fired', () => {
    expect(lastTickAtOrBefore('* * * * *', at('2026-03-02T09:44:00.006Z'))).toEqual(at('2026-03-02T09:44:00.000Z'));
    expect(lastTickAtOrBefore('* * * * *', at('2026-03-02T09:45:00.059Z'))).toEqual(at('2026-03-02T09:45:00.000Z'));
    expect(lastTickAtOrBefore('*/15 * * * *', at('2026-03-02T09:44:59.999Z'))).toEqual(at('2026-03-02T09:30:00.000Z'));
  });

  it('counts a tick that falls exactly on the given time as due', () => {
    expect(lastTickAtOrBefore('0 6 * * *', at('2026-03-02T06:00:00.000Z'))).toEqual(at('2026-03-02T06:00:00.000Z'));
  });

  it('finds a daily, weekly and yearly tick long before the given time', () => {
    expect(lastTickAtOrBefore('0 6 * * *', at('2026-03-02T05:59:59.999Z'))).toEqual(at('2026-03-01T06:00:00.000Z'));
    expect(lastTickAtOrBefore('0 6 * * 1', at('2026-03-01T12:00:00.000Z'))).toEqual(at('2026-02-23T06:00:00.000Z'));
    expect(lastTickAtOrBefore('0 0 1 1 *', at('2026-12-31T23:59:59.000Z'))).toEqual(at('2026-01-01T00:00:00.000Z'));
    expect(lastTickAtOrBefore('30 * * * * *', at('2026-03-02T09:44:29.000Z'))).toEqual(at('2026-03-02T09:43:30.000Z'));
  });
});
