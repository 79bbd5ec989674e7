import type { Cell, Table } from '../model.ts';
import { checkedRegExp } from '../../core/text/checked-regexp.ts';

/**
 * What a spreadsheet may read as the start of a formula (OWASP CSV Injection: = + - @, tab, CR, LF; ASVS 5 1.2.10
 * adds NUL).
 */
const TRIGGER = '[=+\\-@\\t\\r\\n\\u0000]';

/**
 * Where a spreadsheet may start a cell inside a field's text: its start, and after a separator another reading of
 * the file splits on. Excel opens a .csv with the list separator of the machine's locale (`;` in much of Europe), and
 * then a field that does not start the line is not read as quoted: `crm;=1+1` or `crm<LF>=1+1` in one field gives a
 * cell `=1+1`. A tab-separated import splits on tab. (A run of separators is read from its first: tried from each of
 * them, a long run took the square of its length.)
 */
const CELL_START = checkedRegExp(`^(?=${TRIGGER})|(?<![;\\t\\r\\n])([;\\t\\r\\n]+)(?=[=+\\-@\\u0000])`, 'g');

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR, LF, `;` or tab, quotes doubled. Text a
 * spreadsheet would run as a formula gets an apostrophe where the formula would start — at the start (`=`, `+`, `-`,
 * `@`, tab, CR, LF, NUL first) and after each `;`, tab, CR or LF in it (see `CELL_START`) — so a spreadsheet shows it
 * instead of running it (OWASP CSV Injection). Numbers are written as they are (`-30` stays a number); report.json
 * keeps every text exactly.
 */
export function csvField(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  const text = String(cell).replace(CELL_START, "$1'");
  return /[",;\t\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A table as CSV: a header row of column labels, CRLF line ends, UTF-8 with a BOM (spreadsheets then read UTF-8). */
export function tableToCsv(table: Table): string {
  const lines = [table.columns.map((c) => csvField(c.label)), ...table.rows.map((r) => r.map(csvField))].map((cells) => cells.join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
