import type { Table } from '../model.ts';
import { pdfText } from './pdf-text.ts';

type Doc = PDFKit.PDFDocument;

export const ink = { text: '#1f2933', muted: '#616e7c', rule: '#cbd2d9', header: '#e4e7eb', zebra: '#f5f7fa', accent: '#2a4d7a' };
const FONT_SIZE = 7;
const PAD = 3;
/** Ends a cell cut to fit one page. */
export const CUT = '… (cut to fit the page: the CSV and report.json hold the whole text)';

/** The lowest y content may reach on the current page. */
export const bottomOf = (doc: Doc) => doc.page.height - doc.page.margins.bottom;
/** Starts a new page when fewer than `height` points remain on this one. */
export function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > bottomOf(doc)) doc.addPage();
}

/**
 * Draws a table that breaks across pages, repeating its header row (and the table title, marked
 * "continued") on each new page. Column widths follow the columns' relative widths.
 */
export function drawTable(doc: Doc, table: Table): void {
  const layout = table.landscape ? 'landscape' : 'portrait';
  const newPage = () => doc.addPage({ size: 'A4', layout, margins: doc.page.margins });
  const onLandscape = doc.page.width > doc.page.height;
  if (Boolean(table.landscape) !== onLandscape) newPage();
  const keep = table.columns.map((c, i) => ({ c, i })).filter(({ c }) => !(table.pdfOmit ?? []).includes(c.key));
  const left = doc.page.margins.left;
  const usable = doc.page.width - left - doc.page.margins.right;
  const total = keep.reduce((n, { c }) => n + (c.width ?? 1), 0);
  const widths = keep.map(({ c }) => ((c.width ?? 1) / total) * usable);
  const cellHeight = (text: string, w: number, bold: boolean) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(FONT_SIZE);
    return doc.heightOfString(text || ' ', { width: w - 2 * PAD });
  };
  const labels = keep.map(({ c }) => pdfText(c.label));
  const headerHeight = Math.max(...labels.map((l, j) => cellHeight(l, widths[j], true))) + 2 * PAD;

  const title = (continued: boolean) => {
    doc
      .font('Helvetica-Bold')
      .fontSize(9)
      .fillColor(ink.accent)
      .text(pdfText(`${table.title}${continued ? ' (continued)' : ''}`), left, doc.y, { width: usable });
    doc.moveDown(0.3);
  };
  const header = () => {
    const y = doc.y;
    doc.rect(left, y, usable, headerHeight).fill(ink.header);
    let x = left;
    labels.forEach((l, j) => {
      doc
        .font('Helvetica-Bold')
        .fontSize(FONT_SIZE)
        .fillColor(ink.text)
        .text(l, x + PAD, y + PAD, { width: widths[j] - 2 * PAD });
      x += widths[j];
    });
    doc.y = y + headerHeight;
  };

  // A row never outgrows a page: a cell taller than a page under the title and header is cut to fit, saying so. (A
  // taller one ran onto pages pdfkit added itself, and the row's other cells were drawn on those pages, out of line.)
  const titleHeight = (() => {
    doc.font('Helvetica-Bold').fontSize(9);
    return doc.heightOfString(pdfText(`${table.title} (continued)`), { width: usable }) + doc.currentLineHeight() * 0.3;
  })();
  const maxCell = doc.page.height - doc.page.margins.top - doc.page.margins.bottom - titleHeight - headerHeight - 2 * PAD - 2;
  const fit = (text: string, w: number) => {
    if (cellHeight(text, w, false) <= maxCell) return text;
    let lo = 0;
    let hi = text.length;
    const cut = (n: number) => `${text.slice(0, n).replace(/<U\+[0-9A-F]*$/, '')}${CUT}`;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (cellHeight(cut(mid), w, false) <= maxCell) lo = mid;
      else hi = mid - 1;
    }
    return cut(lo);
  };
  const rows = table.rows.map((r) => keep.map(({ i }, j) => fit(pdfText(r[i]), widths[j])));
  const firstRow = rows.length ? Math.max(...rows[0].map((t, j) => cellHeight(t, widths[j], false))) + 2 * PAD : 14;
  if (doc.y + 20 + headerHeight + firstRow > bottomOf(doc)) newPage();
  title(false);
  if (rows.length === 0) {
    doc.font('Helvetica-Oblique').fontSize(8).fillColor(ink.muted).text(pdfText(table.empty), left, doc.y, { width: usable });
    doc.moveDown(1);
    return;
  }
  header();
  rows.forEach((cells, n) => {
    const h = Math.max(...cells.map((t, j) => cellHeight(t, widths[j], false))) + 2 * PAD;
    if (doc.y + h > bottomOf(doc)) {
      newPage();
      title(true);
      header();
    }
    const y = doc.y;
    if (n % 2 === 1) doc.rect(left, y, usable, h).fill(ink.zebra);
    let x = left;
    cells.forEach((t, j) => {
      doc
        .font('Helvetica')
        .fontSize(FONT_SIZE)
        .fillColor(ink.text)
        .text(t, x + PAD, y + PAD, { width: widths[j] - 2 * PAD });
      x += widths[j];
    });
    doc
      .moveTo(left, y + h)
      .lineTo(left + usable, y + h)
      .lineWidth(0.3)
      .strokeColor(ink.rule)
      .stroke();
    doc.y = y + h;
  });
  doc.x = left;
  doc.moveDown(1);
}
