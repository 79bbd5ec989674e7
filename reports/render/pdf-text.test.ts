import { describe, expect, it } from 'vitest';
import { pdfText } from './pdf-text.ts';

describe('pdfText', () => {
  it('keeps Latin-1 and Windows-1252 text, spells out arrows, replaces what standard PDF fonts cannot draw', () => {
    expect(pdfText('crm → erp – Zoë “ok” ≥ 5 €')).toBe('crm -> erp – Zoë “ok” >= 5 €');
    expect(pdfText('日本\u0007x')).toBe('?? x');
    expect(pdfText('x'.repeat(20), 5)).toBe('xxxxx…');
  });
});
