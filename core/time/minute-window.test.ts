import { describe, expect, it } from 'vitest';
import { minuteWindow } from './minute-window.ts';

const t = (iso: string) => Date.parse(iso);
const iso = (w: { since: number; until: number }) => [new Date(w.since).toISOString(), new Date(w.until).toISOString()];

describe('minuteWindow', () => {
  it('widens an absolute range to the whole minutes it touches', () => {
    expect(iso(minuteWindow(t('2026-11-30T10:44:07Z'), t('2026-11-30T10:46:33Z'), false))).toEqual(['2026-11-30T10:44:00.000Z', '2026-11-30T10:47:00.000Z']);
    // A range inside one minute is that minute.
    expect(iso(minuteWindow(t('2026-11-30T10:44:10Z'), t('2026-11-30T10:44:20Z'), false))).toEqual(['2026-11-30T10:44:00.000Z', '2026-11-30T10:45:00.000Z']);
  });

  it('keeps a window already on whole minutes as it is', () => {
    expect(iso(minuteWindow(t('2026-11-30T10:41:00Z'), t('2026-11-30T10:44:00Z'), false))).toEqual(['2026-11-30T10:41:00.000Z', '2026-11-30T10:44:00.000Z']);
  });

  it('keeps a preset its length in minutes, ending at the end of the current minute', () => {
    const now = t('2026-11-30T10:46:33Z');
    expect(iso(minuteWindow(now - 3_600_000, now, true))).toEqual(['2026-11-30T09:47:00.000Z', '2026-11-30T10:47:00.000Z']);
  });
});
