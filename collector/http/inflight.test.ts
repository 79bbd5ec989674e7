import { describe, expect, it } from 'vitest';
import { InflightBudget } from './inflight.ts';

describe('InflightBudget', () => {
  it('refuses bytes past the whole budget or past one peer share, and frees them on release', () => {
    const b = new InflightBudget(100, 60);
    b.take('a', 50);
    b.take('b', 40);
    expect(() => b.take('a', 20)).toThrow(/in-flight limit/); // a would hold 70 > 60
    expect(() => b.take('c', 20)).toThrow(/in-flight limit/); // 110 > 100 in all
    b.release('a', 50);
    b.take('c', 20);
    expect(b.held).toBe(60);
  });

  it('always lets a first chunk through so one body larger than a share is still read', () => {
    const b = new InflightBudget(100, 10);
    b.take('a', 50);
    expect(b.held).toBe(50);
  });
});
