import { describe, expect, it } from 'vitest';
import { MAX_RECORDS, recordsCount, recordsValid } from './records-count.ts';

describe('recordsCount', () => {
  it('takes a whole number from 0 to 10^12 in decimal digits', () => {
    for (const [text, want] of [
      ['0', '0'],
      ['12', '12'],
      ['+7', '7'],
      ['007', '7'],
      ['1000000000000', '1000000000000'],
      ['+0001000000000000', '1000000000000'],
      ['0000000000000000000001000000000000', '1000000000000'],
    ])
      expect([text, recordsCount(text), recordsValid(text)]).toEqual([text, want, true]);
    expect(MAX_RECORDS).toBe(1e12);
  });

  // Regression: a count past 10^12 (a sentinel such as 2^63 - 1) was taken, and sums of it wrapped modulo 2^64.
  it('reads anything else as not reported', () => {
    for (const text of [
      '',
      '1000000000001',
      '9999999999999',
      '9223372036854775807',
      '18446744073709551615',
      '12.5',
      '12.0',
      '1e3',
      '1e+21',
      ' 7',
      '7 ',
      '-3',
      '-0',
      '+',
      '0x10',
      '1_000',
      '٣',
      'NaN',
      '+Inf',
      'true',
      '[5]',
    ])
      expect([text, recordsCount(text), recordsValid(text)]).toEqual([text, '0', false]);
  });
});
