/**
 * Regular expressions built at run time (joined from lists of words and paths, or from a pattern kept as a string), which
 * the lint rules that bound a literal's matching time (eslint-plugin-regexp's `no-super-linear-backtracking` and
 * `no-super-linear-move`) cannot read. Each is built once, when its module loads, through `checkedRegExp`, which records
 * it; test/regexp-worst-case.test.ts loads every module that calls it and checks each recorded expression with the
 * analysis those rules use (scslre), as the strictest rule reads it (no rejecting suffix assumed away). A crafted span
 * attribute or request path against an expression that backtracks held the collector's only thread for seconds.
 */

const built: RegExp[] = [];

/**
 * `new RegExp(source, flags)`, recorded for the worst-case check. For expressions built once, at module load: one built
 * per call (from a caller's value) would be recorded without end, and such a one is built from Weft's own names or not
 * at all. Throws the SyntaxError `new RegExp` throws for an invalid source.
 */
export function checkedRegExp(source: string, flags = ''): RegExp {
  // eslint-disable-next-line no-restricted-syntax -- the one place an expression is built from a string: recorded here
  const re = new RegExp(source, flags);
  built.push(re);
  return re;
}

/** Every expression `checkedRegExp` built in this process, in the order built. */
export function checkedRegExps(): readonly RegExp[] {
  return built;
}
