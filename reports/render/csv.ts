import type { Cell, Table } from '../model.ts';

/**
 * A separator another reading of the file splits a field on, so that a cell starts after it: Excel opens a .csv with
 * the list separator of the machine's locale (`;` in much of Europe), and then a field that does not start the line is
 * not read as quoted: `crm;=1+1` or `crm<LF>=1+1` in one field gives a cell `=1+1`. A tab-separated import splits on
 * tab.
 */
const SEPARATOR = /[;\t\r\n]/;

/**
 * What may stand before a formula's first character and still leave it first to a spreadsheet: white space (Unicode
 * White_Space, U+00A0 and U+3000 too), control characters (NUL, ESC, …) and format characters (BOM, zero-width space
 * and joiners, bidi marks). LibreOffice's and Google Sheets' imports trim leading spaces, and an invisible character is
 * not seen by a reader checking the cell.
 */
const LEAD = /[\p{White_Space}\p{Cc}\p{Cf}]/u;

/** Characters read as a minus sign that Unicode compatibility normalisation does not turn into `-` (U+2212 MINUS SIGN). */
const MINUS_SIGN = '\u2212';

/**
 * Whether one character starts a formula (OWASP CSV Injection: `=`, `+`, `-`, `@`), under any compatibility form a
 * spreadsheet or the reader's input method folds into one: full-width `＝＋－＠` (U+FF1D, U+FF0B, U+FF0D, U+FF20), small
 * forms `﹦﹢﹣﹫` (U+FE66, U+FE62, U+FE63, U+FE6B), and the minus sign U+2212 with its super- and subscript forms.
 */
function isTrigger(ch: string): boolean {
  const n = ch.normalize('NFKC');
  return n === '=' || n === '+' || n === '-' || n === '@' || n === MINUS_SIGN;
}

/** A plain decimal number (`-30`, `12.5`, `-0.25`): a spreadsheet reads it as that number and runs nothing. */
const PLAIN_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

/**
 * Whether the cell a spreadsheet starts at `at` in `text` would be read as a formula: after any white space, control
 * and format characters (`LEAD`) its first character is a trigger (`isTrigger`). A separator ends the cell.
 */
function formulaAt(text: string, at: number): boolean {
  for (let i = at; i < text.length; i++) {
    const ch = text[i];
    if (SEPARATOR.test(ch)) return false;
    if (LEAD.test(ch)) continue;
    return isTrigger(ch);
  }
  return false;
}

/**
 * `text` with an apostrophe where a spreadsheet would start a cell that it reads as a formula: at the field's start,
 * and after each run of separators inside it (`SEPARATOR`). Each cell's lead is read once, up to its first other
 * character or separator, so the time is linear in the text. A field that starts with tab, CR, LF or NUL gets one
 * whatever follows (OWASP lists tab and CR as triggers, ASVS 5 1.2.10 NUL). The apostrophe goes before any leading
 * white space, so the cell starts with it.
 */
function defuse(text: string): string {
  if (PLAIN_NUMBER.test(text)) return text;
  let out = '';
  let inRun = false;
  for (let i = 0; i <= text.length; i++) {
    const ch = text[i];
    const sep = ch !== undefined && SEPARATOR.test(ch);
    if (i === 0 && (/^[\t\r\n\u0000]/.test(text) || formulaAt(text, 0))) out += "'";
    else if (inRun && !sep && formulaAt(text, i)) out += "'";
    if (ch !== undefined) out += ch;
    inRun = sep;
  }
  return out;
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR, LF, `;` or tab, quotes doubled. Text a
 * spreadsheet would run as a formula gets an apostrophe where its cell would start (see `defuse`) — the field's start
 * and after each `;`, tab, CR or LF in it — so a spreadsheet shows it instead of running it (OWASP CSV Injection).
 * Numbers are written as they are (`-30` stays a number), so is text that is a plain decimal number; report.json keeps
 * every text exactly.
 */
export function csvField(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  const text = defuse(String(cell));
  return /[",;\t\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A table as CSV: a header row of column labels, CRLF line ends, UTF-8 with a BOM (spreadsheets then read UTF-8). */
export function tableToCsv(table: Table): string {
  const lines = [table.columns.map((c) => csvField(c.label)), ...table.rows.map((r) => r.map(csvField))].map((cells) => cells.join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
