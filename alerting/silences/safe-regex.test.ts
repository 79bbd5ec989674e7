import { describe, expect, it } from 'vitest';
import { matches, parseMatcher } from './matchers.ts';
import { unsafeRegexReason } from './safe-regex.ts';

describe('matcher regexes', () => {
  // Regression: `alertname=~(((.+)+)+)+Z` as a silence froze the whole process (API, UI, collector), again after a restart.
  it.each(['(((.+)+)+)+Z', '(a+)+$', '(.*)*x', '(a|aa)*b', '(x+){2,}', '(a)\\1', 'a'.repeat(300)])('refuses %s, which could backtrack without bound', (re) => {
    expect(unsafeRegexReason(re)).toBeDefined();
    expect(() => parseMatcher(`alertname=~${re}`)).toThrow(/refused/);
  });

  it.each(['flow-.*', 'erp|crm', '(erp|crm)-sync', '[a-z]+-(api|db)', '(ab)+', 'a{2,3}', '(foo)?bar'])('accepts %s', (re) => {
    expect(unsafeRegexReason(re)).toBeUndefined();
  });

  it('a stored unsafe matcher matches nothing instead of stalling', () => {
    expect(matches({ name: 'alertname', value: '(((.+)+)+)+Z', isRegex: true, isEqual: true }, { alertname: 'x'.repeat(40) })).toBe(false);
  });
});
