import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
// Not the analyzer's index: that loads the store (libchdb), which a report's worker thread must not.
import { describeStoppedPairing } from '../../analyzer/flows/stopped-pairing-text.ts';
import { formatDuration } from '../../core/time/index.ts';
import type { Report, Section } from '../model.ts';
import { fmtTime } from '../sections/helpers.ts';
import { chartToSvg } from './charts.ts';
import { drawTable, ensureSpace, ink } from './pdf-table.ts';
import { pdfText } from './pdf-text.ts';

type Doc = PDFKit.PDFDocument;
const MARGINS = { top: 56, bottom: 56, left: 48, right: 48 };

function cover(doc: Doc, report: Report): void {
  const w = doc.page.width;
  doc.rect(0, 0, w, 210).fill(ink.accent);
  doc.font('Helvetica').fontSize(11).fillColor('#c9d6e8').text('WEFT  ·  INTEGRATION OBSERVABILITY AND ESTATE AUDIT', MARGINS.left, 70);
  doc
    .font('Helvetica-Bold')
    .fontSize(26)
    .fillColor('#ffffff')
    .text(pdfText(report.title), MARGINS.left, 100, { width: w - 2 * MARGINS.left });
  doc
    .font('Helvetica')
    .fontSize(13)
    .fillColor('#ffffff')
    .text(pdfText(`${fmtTime(report.period.since)}  to  ${fmtTime(report.period.until)}`), MARGINS.left, 170);
  const facts: Array<[string, string]> = [
    ['Period', `${fmtTime(report.period.since)} – ${fmtTime(report.period.until)}`],
    [
      'Flow figures',
      report.flowWindow.since === report.flowWindow.until
        ? 'none: the period holds no whole minute (flows are counted by the whole minute)'
        : `${fmtTime(report.flowWindow.since)} – ${fmtTime(report.flowWindow.until)} (whole minutes, both ends rounded down)`,
    ],
    ['Generated', fmtTime(report.generatedAt)],
    // A report made before then (bundles of version 1 without it) shows no line.
    ...(report.dataAsOf ? [['Data as of', report.dataAsOf] as [string, string]] : []),
    ['Requested by', report.requestedBy],
    ['Report id', report.id],
    ['Catalog', report.catalog.sha256 ? `version ${report.catalog.sha256.slice(0, 16)}… loaded ${fmtTime(report.catalog.loadedAt)}` : report.catalog.note],
    ['Catalog files', report.catalog.sources.join(', ') || '—'],
    ...(report.pairing ? [['Pairing', describeStoppedPairing(report.pairing.pairedWith, formatDuration)] as [string, string]] : []),
  ];
  let y = 250;
  for (const [k, v] of facts) {
    doc.font('Helvetica-Bold').fontSize(9).fillColor(ink.muted).text(k.toUpperCase(), MARGINS.left, y, { width: 110 });
    doc
      .font('Helvetica')
      .fontSize(10)
      .fillColor(ink.text)
      .text(pdfText(v), MARGINS.left + 115, y - 1, { width: w - 2 * MARGINS.left - 115 });
    y = Math.max(doc.y, y + 14) + 8;
  }
  y += 14;
  doc.font('Helvetica-Bold').fontSize(12).fillColor(ink.accent).text('Key figures', MARGINS.left, y);
  doc.y += 6;
  for (const s of report.sections) {
    const first = s.figures
      .slice(0, 3)
      // "label: value": "1 third-country transfers" and "yes controller recorded" read badly the other way round.
      .map((f) => `${f.label}: ${f.value}`)
      .join(' · ');
    doc.font('Helvetica-Bold').fontSize(9).fillColor(ink.text).text(pdfText(s.title), MARGINS.left, doc.y, { continued: true });
    doc
      .font('Helvetica')
      .fillColor(ink.muted)
      .text(pdfText(`   ${s.notRecorded ? 'not recorded in this installation' : first}`));
    doc.y += 4;
  }
  doc
    .font('Helvetica')
    .fontSize(8)
    .fillColor(ink.muted)
    .text(
      'Assembled from data stored by Weft only. The evidence bundle holds this PDF, one CSV per table and report.json, listed with their SHA-256 in manifest.json, ' +
        'which is signed with the installation’s Ed25519 key: check it with "weft report verify BUNDLE" and compare the key with "weft report key".',
      MARGINS.left,
      doc.page.height - MARGINS.bottom - 40,
      { width: w - 2 * MARGINS.left },
    );
}

function figures(doc: Doc, s: Section): void {
  if (s.figures.length === 0) return;
  const left = MARGINS.left;
  const usable = doc.page.width - MARGINS.left - MARGINS.right;
  const perRow = s.figures.length <= 5 ? s.figures.length : Math.ceil(s.figures.length / 2);
  const gap = 8;
  const w = (usable - gap * (perRow - 1)) / perRow;
  for (let i = 0; i < s.figures.length; i += perRow) {
    ensureSpace(doc, 50);
    const y = doc.y;
    s.figures.slice(i, i + perRow).forEach((f, j) => {
      const x = left + j * (w + gap);
      doc.roundedRect(x, y, w, 42, 3).fill(ink.zebra);
      doc
        .font('Helvetica-Bold')
        .fontSize(15)
        .fillColor(ink.accent)
        .text(pdfText(f.value), x + 8, y + 6, { width: w - 16 });
      doc
        .font('Helvetica')
        .fontSize(7)
        .fillColor(ink.muted)
        .text(pdfText(f.label), x + 8, y + 26, { width: w - 16 });
    });
    doc.y = y + 42 + gap;
  }
  doc.x = left;
  doc.moveDown(0.5);
}

function section(doc: Doc, s: Section, n: number): void {
  const left = MARGINS.left;
  const usable = doc.page.width - MARGINS.left - MARGINS.right;
  doc.addNamedDestination(s.id);
  doc.outline.addItem(`${n}. ${s.title}`);
  doc
    .font('Helvetica-Bold')
    .fontSize(18)
    .fillColor(ink.accent)
    .text(pdfText(`${n}. ${s.title}`), left, MARGINS.top, { width: usable });
  doc
    .moveTo(left, doc.y + 4)
    .lineTo(left + usable, doc.y + 4)
    .lineWidth(1)
    .strokeColor(ink.accent)
    .stroke();
  doc.y += 12;
  for (const p of s.summary) {
    doc.font('Helvetica').fontSize(9.5).fillColor(ink.text).text(pdfText(p), left, doc.y, { width: usable, lineGap: 1.5 });
    doc.moveDown(0.6);
  }
  if (s.notRecorded) {
    const y = doc.y;
    const text = pdfText(`Not recorded: ${s.notRecorded}.`);
    const h =
      doc
        .font('Helvetica-Oblique')
        .fontSize(9)
        .heightOfString(text, { width: usable - 20 }) + 16;
    doc.rect(left, y, usable, h).fill(ink.zebra);
    doc.fillColor(ink.muted).text(text, left + 10, y + 8, { width: usable - 20 });
    doc.y = y + h + 10;
  }
  doc.moveDown(0.3);
  figures(doc, s);
  for (const chart of s.charts) {
    const height = chart.height ?? 200;
    ensureSpace(doc, height + 24);
    doc.font('Helvetica-Bold').fontSize(9).fillColor(ink.accent).text(pdfText(chart.title), left, doc.y, { width: usable });
    const y = doc.y + 4;
    SVGtoPDF(doc, chartToSvg(chart, Math.round(usable)), left, y, { width: usable, height, assumePt: true });
    doc.x = left;
    doc.y = y + height + 10;
  }
  for (const t of s.tables) drawTable(doc, t);
}

function tableOfContents(doc: Doc, report: Report, pages: number[]): void {
  const left = MARGINS.left;
  const usable = doc.page.width - MARGINS.left - MARGINS.right;
  doc.font('Helvetica-Bold').fontSize(18).fillColor(ink.accent).text('Contents', left, MARGINS.top);
  doc.y += 14;
  report.sections.forEach((s, i) => {
    const y = doc.y;
    const label = pdfText(`${i + 1}.  ${s.title}`);
    doc
      .font('Helvetica')
      .fontSize(11)
      .fillColor(ink.text)
      .text(label, left, y, { width: usable - 40 });
    const labelWidth = doc.widthOfString(label);
    const dots = '.'.repeat(Math.max(0, Math.floor((usable - 50 - labelWidth) / doc.widthOfString('.'))));
    doc.fillColor(ink.rule).text(dots, left + labelWidth + 6, y, { width: usable - labelWidth - 50, lineBreak: false });
    doc.fillColor(ink.text).text(String(pages[i]), left + usable - 36, y, { width: 36, align: 'right' });
    doc.goTo(left, y, usable, 14, s.id);
    doc.y = y + 16;
    const sub = s.tables.map((t) => t.title).join(' · ');
    if (sub) {
      doc
        .font('Helvetica')
        .fontSize(8)
        .fillColor(ink.muted)
        .text(pdfText(sub), left + 18, doc.y - 2, { width: usable - 70 });
      doc.y += 8;
    }
  });
}

function footers(doc: Doc, report: Report): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    if (i === 0) continue;
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - 36;
    doc
      .moveTo(MARGINS.left, y - 6)
      .lineTo(doc.page.width - MARGINS.right, y - 6)
      .lineWidth(0.5)
      .strokeColor(ink.rule)
      .stroke();
    doc.font('Helvetica').fontSize(7.5).fillColor(ink.muted);
    doc.text(
      pdfText(`Weft compliance report · ${fmtTime(report.period.since)} – ${fmtTime(report.period.until)} · report ${report.id.slice(0, 8)}`),
      MARGINS.left,
      y,
      { width: 400, lineBreak: false },
    );
    doc.text(`Page ${i + 1} of ${range.count}`, doc.page.width - MARGINS.right - 100, y, { width: 100, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
}

/**
 * The report as a PDF (A4): a cover, a table of contents with page numbers and links, one part per
 * section with its figures, charts (ECharts, server-side SVG) and tables that break across pages
 * with repeated headers, page numbers in the footer, bookmarks. Deterministic for the same report.
 */
export function renderPdf(report: Report): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGINS,
    bufferPages: true,
    autoFirstPage: true,
    info: {
      Title: report.title,
      Author: 'Weft',
      Subject: `${report.period.since} – ${report.period.until}`,
      CreationDate: new Date(report.generatedAt),
      ModDate: new Date(report.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  cover(doc, report);
  doc.addPage();
  const tocPage = doc.bufferedPageRange().count - 1;
  const pages: number[] = [];
  report.sections.forEach((s, i) => {
    // A section made of wide tables only starts on a landscape page (no half-empty portrait page before them).
    const landscape = s.charts.length === 0 && Boolean(s.tables[0]?.landscape);
    doc.addPage({ size: 'A4', layout: landscape ? 'landscape' : 'portrait', margins: MARGINS });
    pages.push(doc.bufferedPageRange().count);
    section(doc, s, i + 1);
  });
  doc.switchToPage(tocPage);
  tableOfContents(doc, report, pages);
  footers(doc, report);
  doc.end();
  return done;
}
