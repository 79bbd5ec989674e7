import { describe, expect, it } from 'vitest';
import { pdfText } from './pdf-text.ts';

describe('pdfText', () => {
  it('keeps Latin-1 and Windows-1252 text, spells out arrows, writes what standard PDF fonts cannot draw as its code point', () => {
    expect(pdfText('crm → erp – Zoë “ok” ≥ 5 €')).toBe('crm -> erp – Zoë “ok” >= 5 €');
    expect(pdfText('日本\u0007x')).toBe('<U+65E5><U+672C> x');
    expect(pdfText('x'.repeat(20), 5)).toBe('xxxxx…');
  });

  // Regression: every character outside the standard fonts became "?", so two systems named in Japanese
  // (or Greek, Cyrillic, emoji) looked identical in the signed PDF.
  it('keeps names in other scripts distinguishable', () => {
    const names = ['日本', '日立', 'Αθήνα', 'Москва', 'München', 'ship 🚢', 'ship 🚀'];
    const shown = names.map((n) => pdfText(n));
    expect(new Set(shown).size).toBe(names.length);
    expect(shown).toEqual([
      '<U+65E5><U+672C>',
      '<U+65E5><U+7ACB>',
      '<U+0391><U+03B8><U+03AE><U+03BD><U+03B1>',
      '<U+041C><U+043E><U+0441><U+043A><U+0432><U+0430>',
      'München',
      'ship <U+1F6A2>',
      'ship <U+1F680>',
    ]);
  });

  // Regression (break test): the cut at 1200 characters counted the original text, so a 1200-character name in
  // Japanese became 9,600 characters of code points: one table row ran over 80 pages of the PDF.
  it('cuts a long cell at what is drawn, never inside a code point', () => {
    const shown = pdfText('日'.repeat(1200));
    expect(shown.length).toBeLessThanOrEqual(1201);
    expect(shown).toBe(`${'<U+65E5>'.repeat(150)}…`);
    expect(pdfText('ab日', 9)).toBe('ab…');
    expect(pdfText('🚀'.repeat(3), 20)).toBe('<U+1F680><U+1F680>…');
  });
});
