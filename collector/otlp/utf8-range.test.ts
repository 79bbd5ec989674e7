import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { isUtf8Range } from './field-writer.ts';

// The trace decoder's UTF-8 check walks short non-ASCII text itself (Node's `isUtf8` per string cost the decoder 70% on
// such spans): it must answer as Node's check does, for every range of every buffer.
describe('isUtf8Range', () => {
  it("answers as Node's isUtf8 for short ranges of bytes around UTF-8's boundaries, and for every cut of valid text", () => {
    const pool = [
      0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff,
    ];
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const wrong: string[] = [];
    for (let t = 0; t < 200_000; t++) {
      const n = 1 + Math.floor(next() * 9);
      const b = new Uint8Array(n + 4);
      for (let i = 0; i < b.length; i++) b[i] = next() < 0.7 ? pool[Math.floor(next() * pool.length)] : Math.floor(next() * 256);
      const s = Math.floor(next() * 3);
      if (isUtf8Range(b, s, s + n) !== isUtf8(b.subarray(s, s + n))) wrong.push(Buffer.from(b.subarray(s, s + n)).toString('hex'));
    }
    const text = Buffer.from(`a\u00e9\u4e2d\u{1d11e}\u20ac\u{10ffff}\ufffd${'x'.repeat(300)}\u00e9`, 'utf8');
    for (let s = 0; s < 24; s++) for (let e = s; e <= text.length; e++) if (isUtf8Range(text, s, e) !== isUtf8(text.subarray(s, e))) wrong.push(`${s}-${e}`);
    expect(wrong).toEqual([]);
  });
});
