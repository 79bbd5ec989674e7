import type { LineCounter, YAMLError } from 'yaml';

/** A YAML syntax error said in the catalog author's words: where it is and what to change. */
export interface YamlProblem {
  line: number;
  column: number;
  message: string;
}

type Explain = (text: string, at: number) => string;

/** The line (1-based) of the innermost `{` or `[` still open at `end`, outside quotes; undefined when none is. */
export function unclosedBracketLine(text: string, end: number): { line: number; char: '{' | '[' } | undefined {
  const stack: { line: number; char: '{' | '[' }[] = [];
  let line = 1;
  let quote: '"' | "'" | null = null;
  let comment = false;
  for (let i = 0; i < Math.min(end, text.length); i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      comment = false;
      continue;
    }
    if (comment) continue;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) comment = true;
    else if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '[') stack.push({ line, char: c });
    else if ((c === '}' || c === ']') && stack.length > 0) stack.pop();
  }
  return stack.at(-1);
}

/** The line of the last quote opened before `end` and not closed (where an unterminated string starts). */
function openQuoteLine(text: string, end: number): number | undefined {
  let line = 1;
  let open: { line: number; char: string } | undefined;
  for (let i = 0; i < Math.min(end, text.length); i++) {
    const c = text[i];
    if (c === '\n') line++;
    else if (open) {
      if (c === '\\' && open.char === '"') i++;
      else if (c === open.char) open = undefined;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s:,[{-]/.test(text[i - 1]))) open = { line, char: c };
  }
  return open?.line;
}

const keyAt = (text: string, at: number) => /^[^:\s]+/.exec(text.slice(at))?.[0] ?? 'this key';

/** Explanations by the yaml library's error code (a lookup table; unknown codes keep the library's text). */
const explanations: Partial<Record<YAMLError['code'], Explain>> = {
  BLOCK_AS_IMPLICIT_KEY: () =>
    'a value contains ": " (a colon and a space), which YAML reads as a mapping inside a one-line value. Quote the value ("CRM: sales"), or write the ' +
    'inner mapping on its own indented lines, or in braces: match: { hosts: [crm.internal] }',
  BLOCK_IN_FLOW: () => 'inside { … } or [ … ], write inner mappings in braces too: { id: crm, match: { hosts: [x] } }, not match: hosts: [x]',
  MULTILINE_IMPLICIT_KEY: () => 'a key has no colon after it, or a value continues on the next line: write "key: value" (e.g. "id: crm")',
  DUPLICATE_KEY: (text, at) => `"${keyAt(text, at)}" appears twice in the same entry; keep one (or start a new list item with "- ")`,
  TAB_AS_INDENT: () => 'this line is indented with a tab; YAML allows only spaces for indentation',
  BAD_INDENT: () => 'this line is not aligned with the fields above it: the fields of one entry start in the same column (indent with spaces)',
  MISSING_CHAR: () => 'this line is indented like a list item\'s field but is not aligned with the fields above it; align it, or start a new item with "- "',
  UNEXPECTED_TOKEN: () => 'unexpected text here: check the indentation and the punctuation (":", "- ", brackets) of this line and the one above',
};

/**
 * Turns the yaml library's syntax errors into messages that say what to change, at the line where
 * the mistake is: an unterminated quote or bracket is reported where it was opened, not where the
 * parser noticed it (often lines later or at the end of the file).
 */
export function explainYamlErrors(text: string, errors: readonly YAMLError[], lines: LineCounter): YamlProblem[] {
  return errors.map((e) => {
    const at = e.pos[0];
    const { line, col } = lines.linePos(at);
    const first = e.message.split('\n')[0];
    if (/^Missing closing .?quote/.test(first)) {
      const opened = openQuoteLine(text, at) ?? line;
      return { line: opened, column: 1, message: `a quoted string opened on this line is never closed: add the closing quote` };
    }
    if (/must be sufficiently indented and end with a [}\]]/.test(first) || /^Expected flow (map|sequence) to end/.test(first)) {
      const open = unclosedBracketLine(text, at);
      if (open)
        return {
          line: open.line,
          column: 1,
          message: `the "${open.char}" opened on this line is never closed: add "${open.char === '{' ? '}' : ']'}" at the end of the entry`,
        };
    }
    const explain = Object.hasOwn(explanations, e.code) ? explanations[e.code] : undefined;
    return { line, column: col, message: explain ? `${explain(text, at)} (YAML: ${first})` : `YAML syntax: ${first}` };
  });
}
