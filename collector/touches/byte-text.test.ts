import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8, validUtf8 } from './byte-text.ts';

/** Bytes as the latin1 string byte-text.ts reads (one character a byte). */
const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p)))).toString('latin1');

describe('firstInvalidUtf8: where validUtf8 first replaces, in one pass', () => {
  const cases: Array<[string, string, number]> = [
    ['ASCII', bytes('shadow'), -1],
    ['legal 2-, 3- and 4-byte characters and a U+FFFD the sender wrote', bytes('é€😀\ufffd'), -1],
    ['FF FE first', bytes([0xff, 0xfe], 'shadow'), 0],
    ['a lone continuation byte after text', bytes('ab', [0x80], 'c'), 2],
    ['a 2-byte sequence cut by the end', bytes('ab', [0xc3]), 2],
    ['a 3-byte sequence cut by the end', bytes('ab', [0xe2, 0x82]), 2],
    ['a 4-byte sequence cut by the end', bytes('€', [0xf0, 0x9f, 0x98]), 3],
    ['an overlong 2-byte', bytes('x', [0xc0, 0xaf]), 1],
    ['an overlong 3-byte', bytes('x', [0xe0, 0x80, 0xaf]), 1],
    ['a surrogate', bytes('x', [0xed, 0xa0, 0x80]), 1],
    ['past U+10FFFF', bytes('x', [0xf5, 0x80, 0x80, 0x80]), 1],
    ['a 5-byte lead', bytes('x', [0xf8, 0x88, 0x80, 0x80, 0x80]), 1],
    ['a sequence whose continuation is ASCII', bytes('x', [0xc3, 0x41]), 1],
  ];
  for (const [name, s, at] of cases)
    it(name, () => {
      expect(firstInvalidUtf8(s)).toBe(at);
      // The same verdict as the repair: nothing replaced before `at`, something replaced at it.
      expect(validUtf8(s) === s).toBe(at === -1);
      if (at >= 0) expect(validUtf8(s).startsWith(s.slice(0, at))).toBe(true);
    });
});
