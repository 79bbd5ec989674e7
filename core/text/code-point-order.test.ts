import { describe, expect, it } from 'vitest';
import { compareCodePoints } from './code-point-order.ts';

describe('compareCodePoints', () => {
  it('sorts as UTF-8 bytes do, beyond U+FFFF too', () => {
    const words = ['\u{1F600}', '\uFF21', 'z', 'é', 'a', 'ab', '', 'a\u{1F600}', 'a\uFFFD'];
    const bytes = [...words].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...words].sort(compareCodePoints)).toEqual(bytes);
    expect(compareCodePoints('same', 'same')).toBe(0);
  });
});
