import { describe, expect, it } from 'vitest';
import { labelRegex, labelRegexProblem } from '../../core/catalog/index.ts';
import { formatMatcher, matches, parseMatcher } from './matchers.ts';

describe('matcher regexes (RE2, as Alertmanager)', () => {
  // Regression: `alertname=~(((.+)+)+)+Z` as a silence froze the whole process (API, UI, collector), again after a
  // restart; then `.*.*.*….*Z` (twenty `.*` in a row, which the nesting check let through) did the same. Matching is
  // now linear in the value's length whatever the pattern.
  it.each(['(((.+)+)+)+Z', '(a+)+$', '(.*)*x', '(a|aa)*b', '(x+){2,}', `${'.*'.repeat(20)}Z`, `${'(.*)'.repeat(30)}Z`, `${'a?'.repeat(40)}${'a'.repeat(40)}`])(
    'matches %s against long values without stalling',
    (re) => {
      const m = parseMatcher(`alertname=~${re}`);
      for (const value of ['record-count-drift', `${'y'.repeat(2000)}!`, `${'a'.repeat(200)}!`]) expect(matches(m, { alertname: value })).toBe(false);
    },
  );

  it('matches as Alertmanager does: anchored at both ends, RE2 syntax', () => {
    expect(labelRegex('flow-.*').test('flow-stale')).toBe(true);
    expect(labelRegex('flow-.*').test('a-flow-stale')).toBe(false);
    expect(labelRegex('erp|crm').test('crm')).toBe(true);
    expect(labelRegex('erp|crm').test('erpx')).toBe(false);
    expect(labelRegex('(?i)ERP').test('erp')).toBe(true);
  });

  it.each([
    ['(a)\\1', /not a regular expression in RE2 syntax.*invalid escape/],
    ['(?<=a)b', /not a regular expression in RE2 syntax/],
    ['(a', /missing closing \)/],
    ['a'.repeat(300), /longer than 256 characters/],
  ])('refuses %s, saying why', (re, why) => {
    expect(labelRegexProblem(re)).toMatch(why);
    expect(() => parseMatcher(`alertname=~${re}`)).toThrow(why);
  });

  it('a stored matcher RE2 cannot read matches nothing instead of failing', () => {
    expect(matches({ name: 'alertname', value: '(a)\\1', isRegex: true, isEqual: true }, { alertname: 'aa' })).toBe(false);
  });
});

// Regression: the escapes of a quoted matcher value were kept, so `summary="say \"hi\""` (as amtool writes it) silenced
// nothing, and a `"` inside a value was taken as part of it where Alertmanager refuses it.
describe('matcher values as Alertmanager reads them', () => {
  it.each([
    ['finding="say \\"hi\\""', 'say "hi"'],
    ['finding="C:\\\\data"', 'C:\\data'],
    ['finding="two\\nlines"', 'two\nlines'],
    ['flow=~"erp\\.cpq"', 'erp\\.cpq'],
    ['flow=~"erp\\\\.cpq"', 'erp\\.cpq'],
    ['flow=erp-cpq-sync', 'erp-cpq-sync'],
    ['flow = "erp.cpq(sync)" ', 'erp.cpq(sync)'],
    ['flow=""', ''],
  ])('reads %s as %j', (text, value) => {
    expect(parseMatcher(text).value).toBe(value);
  });

  it('silences the alert whose label has the quote or the backslash written escaped', () => {
    expect(matches(parseMatcher('finding="say \\"hi\\""'), { finding: 'say "hi"' })).toBe(true);
    expect(matches(parseMatcher('flow=~"erp\\.cpq-(sync|quote)"'), { flow: 'erp.cpq-sync' })).toBe(true);
    expect(matches(parseMatcher('flow=~"erp\\.cpq-(sync|quote)"'), { flow: 'erpxcpq-sync' })).toBe(false);
  });

  it('refuses a " inside a value, saying how to write it', () => {
    expect(() => parseMatcher('flow="a"b"')).toThrow(/has a " inside: write it as \\"/);
  });

  it('writes a matcher as text that reads back the same', () => {
    for (const text of ['finding="say \\"hi\\""', 'finding="C:\\\\data"', 'flow=~"erp\\.cpq"', 'flow!~"a|b"', 'finding="two\\nlines"']) {
      const m = parseMatcher(text);
      expect(parseMatcher(formatMatcher(m))).toEqual(m);
    }
  });
});
