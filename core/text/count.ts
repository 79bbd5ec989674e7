/**
 * The plural of an English noun (or of a phrase's last word): "system" → "systems", "class" →
 * "classes", "entry" → "entries", "key" → "keys". Only the regular rules; a noun that breaks them is
 * given its plural where it is counted (`count(n, 'person', 'people')`).
 */
export function pluralOf(noun: string): string {
  if (/(s|x|z|ch|sh)$/.test(noun)) return `${noun}es`;
  if (/[^aeiou]y$/.test(noun)) return `${noun.slice(0, -1)}ies`;
  return `${noun}s`;
}

/**
 * The one way the server writes a count and its noun: "1 trace", "0 traces", "2 classes",
 * "1 documented system". The noun is singular when `n` is exactly 1 and plural otherwise (0, 2, 1.5,
 * -1); `plural` overrides the regular plural (see `pluralOf`). The number is written as given (no
 * thousands separators), so CLI output stays easy to parse. The UI's equivalent is `count()` in
 * ui/src/lib/format.ts.
 */
export function count(n: number, noun: string, plural = pluralOf(noun)): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
