import { distance } from 'fastest-levenshtein';

/**
 * Edits between two words, where swapping two neighbouring letters ("hihg" for "high") is one edit, as
 * with a typing slip, not two as plain Levenshtein counts it: the least of the Levenshtein distance and
 * 1 + the distance after one neighbouring swap in `a`.
 */
function edits(a: string, b: string): number {
  let best = distance(a, b);
  for (let i = 0; i + 1 < a.length && best > 1; i++) {
    if (a[i] === a[i + 1]) continue;
    best = Math.min(best, 1 + distance(a.slice(0, i) + a[i + 1] + a[i] + a.slice(i + 2), b));
  }
  return best;
}

/**
 * The name in `names` that `word` is most likely a misspelling of, or undefined when none is close.
 * Compared case-insensitively by edit distance (an insertion, deletion, substitution or swap of two
 * neighbouring letters is one edit; Levenshtein from fastest-levenshtein); close means fewer than ⌊0.4 × word length⌋ + 1 edits, so "sytems" finds "systems" and "knd"
 * finds "kind", while "colour" finds nothing among "owner", "name". Names shorter than 3 characters are
 * only found when they differ in case alone (so "ix" does not suggest "id"). `word` itself is never
 * suggested; of equally close names, the first in `names` wins.
 */
export function closestName(word: string, names: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const limit = Math.floor(word.length * 0.4) + 1;
  let best: string | undefined;
  let bestDistance = limit;
  for (const name of names) {
    if (name === word) continue;
    const candidate = name.toLowerCase();
    if (candidate === lower) return name;
    if (name.length < 3 || Math.abs(name.length - word.length) >= bestDistance) continue;
    const d = edits(lower, candidate);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * ` (did you mean "systems"?)` for a word close to one of `names` (see `closestName`), else the empty
 * string: written right after the quoted word in a message, `unknown field "sytems" (did you mean "systems"?)`.
 */
export function didYouMean(word: string, names: Iterable<string>): string {
  const name = closestName(word, names);
  return name === undefined ? '' : ` (did you mean "${name}"?)`;
}
