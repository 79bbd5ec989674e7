import { describe, expect, it } from 'vitest';
import { canRetry, changeHint } from './retry.ts';

describe('canRetry', () => {
  // Regression: every failed load offered Retry, a 400 (a bad filter in the address) and a 404 too.
  it('offers a retry for what can pass: no answer, 408, 429 and 5xx, never another 4xx', () => {
    expect([0, 408, 429, 500, 502, 503, 504].filter(canRetry)).toEqual([0, 408, 429, 500, 502, 503, 504]);
    expect([400, 401, 403, 404, 405, 409, 413, 422].filter(canRetry)).toEqual([]);
  });

  it('says what to change instead when a retry cannot help, and nothing when it can', () => {
    expect(changeHint(400)).toMatch(/^Change what the message names/);
    expect(changeHint(403)).toMatch(/role/);
    expect(changeHint(503)).toBe('');
  });
});
