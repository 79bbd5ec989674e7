/** Characters of Windows-1252 above 0x7F that PDF's standard fonts (WinAnsiEncoding) can show. */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const REPLACE = new Map([
  ['→', '->'],
  ['←', '<-'],
  ['≥', '>='],
  ['≤', '<='],
  ['≠', '!='],
  ['✓', 'yes'],
  ['\u00a0', ' '],
]);

/** A character the standard fonts cannot draw, written so it stays distinguishable: 日 → "<U+65E5>". */
const codePointText = (code: number) => `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;

/**
 * Text as the standard PDF fonts can draw it: Latin-1 and the Windows-1252 extras kept, arrows and
 * comparison signs spelled out, control characters as a space, anything else (other scripts, emoji)
 * as its code point, `<U+65E5>`, so two names in another script never look alike. Very long cells are
 * cut at `max` characters of what is drawn (a code point written out counts its 8 or 9 characters, never cut
 * in two) so a single cell never outgrows a page.
 */
export function pdfText(value: unknown, max = 1200): string {
  const text = value === null || value === undefined ? '' : String(value);
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const swap = REPLACE.get(ch);
    const piece =
      swap !== undefined
        ? swap
        : ch === '\n' || (code >= 0x20 && code < 0x7f) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(ch)
          ? ch
          : code < 0x20 || code === 0x7f
            ? ' '
            : codePointText(code);
    if (out.length + piece.length > max) return `${out}…`;
    out += piece;
  }
  return out;
}
