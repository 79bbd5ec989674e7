import type { Cell, Table } from '../model.ts';

/** Text that a spreadsheet would run as a formula (=, +, -, @, or a leading tab / carriage return). */
const FORMULA = /^[=+\-@\t\r]/;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, quotes doubled. Text
 * starting with = + - @ (or tab / CR) gets a leading apostrophe so a spreadsheet shows it instead of
 * running it (OWASP CSV injection); numbers are written as they are.
 */
export function csvField(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  const text = FORMULA.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A table as CSV: a header row of column labels, CRLF line ends, UTF-8 with a BOM (spreadsheets then read UTF-8). */
export function tableToCsv(table: Table): string {
  const lines = [table.columns.map((c) => csvField(c.label)), ...table.rows.map((r) => r.map(csvField))].map((cells) => cells.join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
