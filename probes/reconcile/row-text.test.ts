import { describe, expect, it } from 'vitest';
import { keyPartsOf, keyTextOf } from './row-text.ts';

describe('key texts (keyTextOf, keyPartsOf)', () => {
  const tuples: Array<Array<string | null>> = [
    ['a\x1fb', 'c'],
    ['a', 'b\x1fc'],
    ['a\x1f', 'b'],
    ['a', '\x1fb'],
    ['\x01', 'x'],
    [null, 'x'],
    ['\x1f', 'y'],
    ['\x01\x03', 'y'],
    ['\x01\x02', 'z'],
    ['\x01', 'z'],
    ['', ''],
    [null, null],
    ['\x01\x02\x02\x03', '\x1f\x1f'],
    ['\x1f\x04', 'z'],
    ['\x1f\x03', 'z'],
    ['\x1f', '\x03z'],
    ['\x1f\x02', ''],
    ['\x1f', '\x02'],
  ];

  it('gives different tuples different texts (("a\\x1fb", "c") and ("a", "b\\x1fc") shared one, so did "\\x01" and NULL)', () => {
    expect(new Set(tuples.map(keyTextOf)).size).toBe(tuples.length);
    const singles = ['\x01', null, '\x01\x02', '\x1f', '\x01\x03', '', '\x1f\x04', '\x1f\x03', '\x1f\x02', '\x04'];
    expect(new Set(singles.map((p) => keyTextOf([p]))).size).toBe(singles.length);
  });

  it('reads a text back into its parts', () => {
    for (const t of tuples) expect(keyPartsOf(keyTextOf(t))).toEqual(t);
    expect(keyPartsOf(keyTextOf(['k\x1fl']))).toEqual(['k\x1fl']);
  });
});
