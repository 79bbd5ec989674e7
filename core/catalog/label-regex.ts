import { RE2JS } from 're2js';

/** The longest regular expression a label matcher may hold (characters). */
export const MAX_LABEL_REGEX_LENGTH = 256;

/** A compiled label regex: `test(value)` is true when the whole value matches (anchored at both ends). */
export interface LabelRegex {
  test(value: string): boolean;
}

const cache = new Map<string, LabelRegex | string>();

/**
 * Compiles a label matcher's regular expression (a silence's or inhibition's `=~`/`!~`, a route's
 * `matchRe`) with RE2 syntax and semantics, as Alertmanager does (Go's regexp package: RE2,
 * https://github.com/google/re2/wiki/Syntax), anchored at both ends. Matching takes time linear in the
 * value's length whatever the pattern, so no pattern can stall the process (JavaScript's backtracking
 * engine took seconds on `.*.*….*Z`). Throws an Error saying what to change when the pattern is longer
 * than MAX_LABEL_REGEX_LENGTH or is not RE2 syntax (back-references and look-arounds are not).
 */
export function labelRegex(pattern: string): LabelRegex {
  const hit = cache.get(pattern) ?? compile(pattern);
  if (typeof hit === 'string') throw new Error(hit);
  return hit;
}

/** Why `pattern` cannot be a label regex, or undefined when it can. */
export function labelRegexProblem(pattern: string): string | undefined {
  const hit = cache.get(pattern) ?? compile(pattern);
  return typeof hit === 'string' ? hit : undefined;
}

function compile(pattern: string): LabelRegex | string {
  let result: LabelRegex | string;
  if (pattern.length > MAX_LABEL_REGEX_LENGTH) result = `"${pattern.slice(0, 40)}…" is refused: it is longer than ${MAX_LABEL_REGEX_LENGTH} characters`;
  else {
    try {
      const re = RE2JS.compile(`(?:${pattern})`);
      result = { test: (value: string) => re.matches(value) };
    } catch (err) {
      const why = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
      result = `"${pattern}" is not a regular expression in RE2 syntax, as Alertmanager reads it (${why})`;
    }
  }
  if (cache.size >= 1000) cache.clear();
  cache.set(pattern, result);
  return result;
}
