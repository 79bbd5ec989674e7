import { describe, expect, it } from 'vitest';
import { count, pluralOf } from './index.ts';

describe('count', () => {
  it('writes the noun singular for exactly one, plural otherwise', () => {
    expect(count(1, 'trace')).toBe('1 trace');
    expect(count(0, 'trace')).toBe('0 traces');
    expect(count(2, 'span')).toBe('2 spans');
    expect(count(1.5, 'day')).toBe('1.5 days');
    expect(count(1, 'documented system')).toBe('1 documented system');
    expect(count(3, 'documented system')).toBe('3 documented systems');
  });

  it('follows the regular English rules, and takes an irregular plural when given', () => {
    expect(count(2, 'class')).toBe('2 classes');
    expect(count(2, 'entry')).toBe('2 entries');
    expect(count(2, 'key')).toBe('2 keys');
    expect(count(2, 'reconciliation')).toBe('2 reconciliations');
    expect(count(2, 'person', 'people')).toBe('2 people');
    expect(count(1, 'person', 'people')).toBe('1 person');
    expect(pluralOf('match')).toBe('matches');
    expect(pluralOf('box')).toBe('boxes');
  });
});
