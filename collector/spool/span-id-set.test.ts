import { describe, expect, it } from 'vitest';
import { SpanIdSet } from './span-id-set.ts';

const pairs = (n: number, seed: number) => Uint32Array.from({ length: 2 * n }, (_, i) => (Math.imul(i + 1, 0x9e3779b1) ^ seed) >>> 0);

describe('SpanIdSet', () => {
  it('finds a pair added before, past its first table, and no pair that was not', () => {
    const set = new SpanIdSet();
    const first = pairs(20_000, 7);
    expect(set.addAll(first)).toBe(true);
    expect(set.addAll(pairs(20_000, 11))).toBe(true);
    // A pair sharing only its first hash with one there is another pair.
    expect(set.addAll(Uint32Array.from([first[0], first[1] ^ 2]))).toBe(true);
    expect(set.addAll(Uint32Array.from([0, 0, first[10], first[11]]))).toBe(false);
    expect(new SpanIdSet().addAll(Uint32Array.from([5, 6, 5, 6]))).toBe(false);
  });
});
