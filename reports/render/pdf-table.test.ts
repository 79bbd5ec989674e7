import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import type { Table } from '../model.ts';
import { CUT, drawTable } from './pdf-table.ts';

/** Draws `table` on a fresh A4 document (the report's margins); returns the pages the table added and the text drawn. */
function draw(table: Table): { pagesAdded: number; texts: string[] } {
  const doc = new PDFDocument({ size: 'A4', margins: { top: 56, bottom: 56, left: 48, right: 48 } });
  let pagesAdded = 0;
  doc.on('pageAdded', () => pagesAdded++);
  const texts: string[] = [];
  const text = doc.text.bind(doc);
  doc.text = ((t: string, ...rest: unknown[]) => (texts.push(String(t)), text(t, ...(rest as [number, number, PDFKit.Mixins.TextOptions])))) as typeof doc.text;
  drawTable(doc, table);
  doc.end();
  return { pagesAdded, texts };
}

describe('drawTable', () => {
  // regression: a 1,200-character cell in a narrow column ran past the page's foot; pdfkit added pages for it, and the
  // row's other cells were drawn on those pages at the row's first y, out of line with it and with no header (68 pages
  // for 31 rows)
  it('keeps every row on one page: a cell taller than a page is cut to fit, saying so', () => {
    const long = 'x'.repeat(1200);
    const table: Table = {
      id: 't',
      title: 'Ten narrow columns',
      columns: Array.from({ length: 10 }, (_, i) => ({ key: `c${i}`, label: `Col ${i}` })),
      rows: [Array.from({ length: 10 }, (_, i) => (i === 9 ? 'last cell' : long))],
      empty: '',
    };
    const { pagesAdded, texts } = draw(table);
    expect(pagesAdded).toBeLessThanOrEqual(1);
    const cells = texts.filter((t) => t.startsWith('xxx'));
    expect(cells).toHaveLength(9);
    for (const c of cells) expect(c.endsWith(CUT)).toBe(true);
    expect(texts).toContain('last cell');
  });

  it('leaves a cell that fits as it is, and never cuts a code point written out in two', () => {
    const table: Table = {
      id: 't',
      title: 'T',
      columns: Array.from({ length: 10 }, (_, i) => ({ key: `c${i}`, label: `Col ${i}` })),
      rows: [['short', '日'.repeat(600), ...Array.from({ length: 8 }, () => 'x')]],
      empty: '',
    };
    const { texts } = draw(table);
    expect(texts).toContain('short');
    const cjk = texts.find((t) => t.startsWith('<U+65E5>'))!;
    expect(cjk.endsWith(CUT)).toBe(true);
    expect(cjk.slice(0, -CUT.length)).toMatch(/^(<U\+65E5>)+$/);
  });
});
