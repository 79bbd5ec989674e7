import { describe, expect, it } from 'vitest';
import { canRetry, changeHint, retryAfterSeconds, tooManyRequestsText, waitText } from './retry.ts';

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

describe('a 429 as a person reads it', () => {
  it('reads Retry-After as seconds or an HTTP-date, at least 1 s, and nothing else', () => {
    const now = Date.parse('2026-12-05T04:00:00Z');
    expect(retryAfterSeconds('42', now)).toBe(42);
    expect(retryAfterSeconds(' 0 ', now)).toBe(1);
    expect(retryAfterSeconds('Sat, 05 Dec 2026 04:01:30 GMT', now)).toBe(90);
    expect(retryAfterSeconds('Sat, 05 Dec 2026 03:59:00 GMT', now)).toBe(1);
    for (const bad of [null, undefined, '', '-5', '1.5', '42s', 'soon', '99999999999']) expect(retryAfterSeconds(bad, now), String(bad)).toBeUndefined();
  });

  it('writes the wait in seconds and minutes', () => {
    expect([0.2, 1, 45, 59.5, 60, 65, 120, 3599].map(waitText)).toEqual(['1 s', '1 s', '45 s', '1 min', '1 min', '1 min 5 s', '2 min', '59 min 59 s']);
  });

  it('regression: says for how long no token is checked after too many wrong ones, and what to do then (the page showed "Could not load (429)" and the raw answer)', () => {
    expect(tooManyRequestsText('WEFT_ERR_AUTH_FAILURES', 'Too many requests with a wrong token…', 42)).toBe(
      'Too many wrong tokens were sent from this address: Weft checks no token from it for 42 s. Then try again with a right token (weft token list shows which exist).',
    );
    // Weft's own 429s say when to ask again; the wait was said twice ("…try again in 30 s (Retry-After)… Try again in 30 s.").
    const busy = 'Weft is assembling 1 report and has 4 waiting, as many as it takes at once: try again in 30 s (Retry-After); …';
    expect(tooManyRequestsText('WEFT_ERR_REPORTS_BUSY', busy, 30)).toBe(busy);
    expect(tooManyRequestsText('', '429 Too Many Requests ', 65)).toBe('429 Too Many Requests Try again in 1 min 5 s.');
  });
});
