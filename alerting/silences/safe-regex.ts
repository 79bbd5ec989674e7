/** The longest regular expression a matcher may hold (characters). */
export const MAX_REGEX_LENGTH = 256;

/**
 * Why a matcher's regular expression could take exponential time on JavaScript's backtracking
 * engine, or undefined when it cannot. Alertmanager matches with RE2, which has no such case;
 * here a pattern is refused when it repeats a group that itself repeats or alternates
 * (`(a+)+`, `(.*)*`, `(a|aa)*`), uses a back-reference, or is longer than MAX_REGEX_LENGTH —
 * the forms that make a silence or a route stall the process.
 */
export function unsafeRegexReason(pattern: string): string | undefined {
  if (pattern.length > MAX_REGEX_LENGTH) return `it is longer than ${MAX_REGEX_LENGTH} characters`;
  if (/\\[1-9]|\\k</.test(pattern)) return 'it uses a back-reference';
  // Each open group: whether something inside it repeats or alternates.
  const stack: { risky: boolean }[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') stack.push({ risky: false });
    else if (c === '|' && stack.length > 0) stack[stack.length - 1].risky = true;
    else if (c === '*' || c === '+' || c === '{' || (c === '?' && pattern[i - 1] !== '(')) {
      if (stack.length > 0 && c !== '?') stack[stack.length - 1].risky = true;
    } else if (c === ')') {
      const group = stack.pop();
      const next = pattern[i + 1];
      const repeated =
        next === '*' ||
        next === '+' ||
        (next === '{' && /^\{\d*,\d*\}|^\{\d+\}/.test(pattern.slice(i + 1)) && !/^\{[01]\}|^\{0,1\}/.test(pattern.slice(i + 1)));
      if (group?.risky && repeated) return 'it repeats a group that itself repeats or alternates (write it without the nesting, e.g. "(ab)+" or "a+")';
      if (group?.risky && stack.length > 0) stack[stack.length - 1].risky = true;
    }
  }
  return undefined;
}
