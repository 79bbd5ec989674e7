/** What a `*` of a name pattern does not stand for (a regular expression's `.` does not either). */
const LINE_BREAKS = new Set(['\n', '\r', '\u2028', '\u2029']);

/**
 * `value` against a name pattern with `*` wildcards (any run of characters but line breaks, the empty one too; exact
 * otherwise, letter case included): the one owner of such patterns — a catalog's host and endpoint names against a
 * span's, a catalog's `env:NAME` against the operator's allow- and deny-lists. Matched by moving through both once,
 * going back only to the last `*` (time at most the product of the two lengths); the regular expression this was
 * (`^a.*b.*c$`) took the value's length to the power of the pattern's stars.
 */
export function nameMatches(value: string, pattern: string): boolean {
  if (!pattern.includes('*')) return value === pattern;
  let v = 0;
  let p = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = v;
    } else if (p < pattern.length && pattern[p] === value[v]) {
      p++;
      v++;
    } else if (star !== -1 && !LINE_BREAKS.has(value[resume])) {
      p = star + 1;
      v = ++resume;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
