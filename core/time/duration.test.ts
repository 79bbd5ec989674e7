import { describe, expect, it } from 'vitest';
import { MAX_DURATION_MS, parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it('reads simple and compound durations', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('100ms')).toBe(100);
  });
  it('refuses an overflowing duration instead of returning a number no date can hold (regression: since=99999999999999999999999d)', () => {
    expect(() => parseDuration('99999999999999999999999d', 'since')).toThrow(/since is longer than the longest duration Weft accepts/);
    expect(() => parseDuration(`${MAX_DURATION_MS + 1}ms`)).toThrow(/longest duration/);
    expect(() => parseDuration('1'.repeat(400) + 's', 'step')).toThrow(/step must be a duration like 30s, 5m, 2h or 7d, got a 401-character text/);
    expect(parseDuration('36500d')).toBe(MAX_DURATION_MS);
  });
});
