import { describe, expect, it } from 'vitest';
import { jsonValueCount } from './json-value-count.ts';

describe('jsonValueCount', () => {
  it('counts the objects and arrays outside strings, in text and in bytes', () => {
    for (const text of ['{"a":[{},{"b":"[{\\"x\\"}]"}],"c":{}}', '{"s":"\\\\","t":"{["}', '[[1,2],{"k":"\\u007b"}]'])
      expect([jsonValueCount(text), jsonValueCount(Buffer.from(text))]).toEqual([count(JSON.parse(text)), count(JSON.parse(text))]);
  });

  it('stops past the maximum', () => {
    expect(jsonValueCount('[[[[[[', 3)).toBe(4);
    expect(jsonValueCount(`[${'{},'.repeat(1_000_000)}{}]`, 10)).toBe(11);
  });
});

/** The objects and arrays of a parsed value. */
function count(v: unknown): number {
  if (Array.isArray(v)) return 1 + v.reduce((n: number, x) => n + count(x), 0);
  if (v && typeof v === 'object') return 1 + Object.values(v).reduce((n: number, x) => n + count(x), 0);
  return 0;
}
