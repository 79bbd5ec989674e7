/**
 * Compares two strings by code point, which is the order of their UTF-8 bytes: the order ClickHouse's
 * `ORDER BY` gives String columns. JavaScript's `<` compares UTF-16 code units, which puts a character
 * beyond U+FFFF (a surrogate pair, 0xD800–0xDFFF) before U+E000–U+FFFF. Negative, 0 or positive, as
 * `Array.prototype.sort` expects.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(j)!;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return a.length - i - (b.length - j);
}
