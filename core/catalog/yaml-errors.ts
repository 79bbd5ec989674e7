import type { LineCounter, YAMLError } from 'yaml';
import { count } from '../text/index.ts';

/** A YAML syntax error said in the catalog author's words: where it is and what to change. */
export interface YamlProblem {
  line: number;
  column: number;
  message: string;
  /** The last line of the mistake when it spans several (a run of tab-indented lines); `line` otherwise. */
  endLine?: number;
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

/** A line whose indentation lines up with nothing above it, and the indentations it could have meant. */
export interface Misaligned {
  line: number;
  indent: number;
  /** Nearby indentations that would be valid, each with the line and key that sets it (nearest first). */
  candidates: { indent: number; line: number; key: string }[];
}

/** How a line is named in a message: its key, with the dash when it starts a list item ("- id"). */
const label = (content: string) => (content.startsWith('-') ? `- ${firstKey(content.replace(/^-\s*/, ''))}` : firstKey(content));
const firstKey = (content: string) =>
  /^(-\s+)?([^:#\s](?:[^:#\s]|\s+(?=[^:#\s]))*)\s*:(\s|$)/.exec(content)?.[2] ?? content.replace(/^-\s*/, '').split(/\s/)[0];

/**
 * The first line, up to line `upTo` (1-based), whose indentation matches no block open above it:
 * not the column of an enclosing entry, nor deeper under a key that opens a block (`key:` with no
 * value, or a list item's fields). Block scalars (`|`, `>`), flow collections spread over lines and
 * continuation lines of a plain value are skipped. Used only where the parser already failed, to say
 * which line is misaligned and with what.
 */
export function misalignedLine(text: string, upTo: number): Misaligned | undefined {
  const lines = text.split('\n');
  const stack: { indent: number; line: number; key: string }[] = [{ indent: 0, line: 0, key: '' }];
  let opens = false;
  let previous = '';
  let scalarAbove: number | undefined;
  let flowDepth = 0;
  for (let i = 0; i < Math.min(lines.length, upTo); i++) {
    const raw = lines[i];
    const content = raw.trim();
    const indent = raw.length - raw.trimStart().length;
    if (content === '' || content.startsWith('#')) continue;
    if (scalarAbove !== undefined) {
      if (indent > scalarAbove) continue;
      scalarAbove = undefined;
    }
    if (flowDepth > 0) {
      flowDepth += bracketBalance(content);
      continue;
    }
    if (/^(---|\.\.\.)(\s|$)/.test(content)) {
      stack.length = 1;
      opens = false;
      continue;
    }
    if (/\t/.test(raw.slice(0, indent + 1))) return undefined;
    const top = () => stack[stack.length - 1];
    if (indent > top().indent) {
      if (!opens) {
        // Deeper under a "key: value" line: a plain value continued (valid), unless it is a key or an item.
        if (!/:(\s|$)/.test(content) && !content.startsWith('- ')) continue;
        // Deeper under a line with no colon at all: that line is a key missing its colon (the parser says so there).
        if (!previous.includes(':') && !/^[-{[]/.test(previous)) return undefined;
        return { line: i + 1, indent, candidates: [top(), ...stack.slice(0, -1).reverse()].slice(0, 2) };
      }
      stack.push({ indent, line: i + 1, key: label(content) });
    } else {
      const popped: typeof stack = [];
      while (top().indent > indent) popped.push(stack.pop()!);
      if (top().indent !== indent) return { line: i + 1, indent, candidates: [...popped.slice(-1), top()] };
      // The latest line at this level is the one to name.
      Object.assign(top(), { line: i + 1, key: label(content) });
    }
    opens = false;
    let rest = content;
    let column = indent;
    while (/^-(\s+|$)/.test(rest)) {
      // A list item: its fields line up after the dash.
      const dash = /^-(\s*)/.exec(rest)!;
      column += 1 + dash[1].length;
      rest = rest.slice(dash[0].length);
      if (rest === '') {
        opens = true;
        break;
      }
      stack.push({ indent: column, line: i + 1, key: firstKey(rest) });
    }
    const value = /^[^#'"{[][^#]*?:(\s+(\S.*|))?$/.exec(rest)?.[2]?.replace(/(?<!\s)\s+#.*$/, '') ?? (rest === '' ? '' : undefined);
    if (value === '' || (value === undefined && rest.endsWith(':'))) opens = true;
    else if (value !== undefined && /^[|>][-+0-9]*$/.test(value)) scalarAbove = indent;
    flowDepth = bracketBalance(value ?? rest);
    previous = content;
  }
  return undefined;
}

/** `{`/`[` opened minus closed in a line, outside quotes. */
function bracketBalance(text: string): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) break;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return Math.max(0, depth);
}

function misalignedMessage(m: Misaligned): string {
  const like = m.candidates
    .filter((c) => c.line > 0)
    .map((c) => `${count(c.indent, 'space')} like "${c.key}" (line ${c.line})`)
    .join(', or ');
  return (
    `this line is indented ${count(m.indent, 'space')}, which lines up with no entry above it` +
    (like ? `: indent it ${like}` : ': indent it like the entry it belongs to') +
    ' — a field lines up with the other fields of its entry, a new list item with the "- " of the item before'
  );
}

const TAB_MESSAGE = 'this line is indented with a tab: indent it with spaces (YAML does not allow tabs in indentation)';

/** True for a line whose indentation holds a tab. */
const tabIndented = (line: string | undefined) => line !== undefined && /^[ \t]*\t/.test(line) && line.trim() !== '';

/**
 * The run of tab-indented lines that starts on the first error's line or the line after it (the
 * parser often complains about the line above a tab first), as one problem at its first line; undefined
 * when there is none. One tab makes the parser misread the lines around it, so its other errors there are
 * not mistakes of their own.
 */
function tabRun(text: string, firstLine: number): YamlProblem | undefined {
  const lines = text.split('\n');
  const start = [firstLine, firstLine + 1].find((l) => tabIndented(lines[l - 1]));
  if (start === undefined) return undefined;
  let end = start;
  while (tabIndented(lines[end])) end++;
  const message =
    end === start ? TAB_MESSAGE : `lines ${start}–${end} are indented with tabs: indent them with spaces (YAML does not allow tabs in indentation)`;
  return { line: start, column: lines[start - 1].indexOf('\t') + 1, endLine: end, message };
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
  TAB_AS_INDENT: () => TAB_MESSAGE,
  BAD_INDENT: () => 'this line is not aligned with the fields above it: the fields of one entry start in the same column (indent with spaces)',
  MISSING_CHAR: () => 'this line is indented like a list item\'s field but is not aligned with the fields above it; align it, or start a new item with "- "',
  MULTIPLE_DOCS: () =>
    'a catalog file is one YAML document and "---" here starts another: remove it, or put each part in a file of its own (several --catalog files merge)',
  UNEXPECTED_TOKEN: () => 'unexpected text here: check the indentation and the punctuation (":", "- ", brackets) of this line and the one above',
};

/**
 * Turns the yaml library's syntax errors into messages that say what to change, at the line where
 * the mistake is: an unterminated quote or bracket is reported where it was opened, not where the
 * parser noticed it (often lines later or at the end of the file).
 */
export function explainYamlErrors(text: string, errors: readonly YAMLError[], lines: LineCounter): YamlProblem[] {
  // One mistake often makes the parser report several errors on the same line or the line above;
  // when a line near the first error is indented with a tab, or lines up with nothing, that is the
  // mistake: one message, there, and the parser's other errors around it are dropped.
  const firstLine = errors.length > 0 ? Math.min(...errors.map((e) => lines.linePos(e.pos[0]).line)) : 0;
  const tab = errors.length > 0 ? tabRun(text, firstLine) : undefined;
  const misaligned = errors.length > 0 && !tab ? misalignedLine(text, firstLine + 1) : undefined;
  const cause: YamlProblem | undefined =
    tab ??
    (misaligned && misaligned.line >= firstLine - 1
      ? { line: misaligned.line, column: misaligned.indent + 1, message: misalignedMessage(misaligned) }
      : undefined);
  const problems: YamlProblem[] = cause ? [cause] : [];
  const explained = errors
    .filter((e) => {
      if (!cause) return true;
      const { line } = lines.linePos(e.pos[0]);
      return line < cause.line - 1 || line > (cause.endLine ?? cause.line) + 2;
    })
    .map((e) => explainOne(text, e, lines));
  // The same line said once (the first, most specific error the parser gave for it).
  const seen = new Set(problems.map((p) => p.line));
  for (const p of explained) if (!seen.has(p.line) && seen.add(p.line)) problems.push(p);
  return problems.sort((a, b) => a.line - b.line);
}

function explainOne(text: string, e: YAMLError, lines: LineCounter): YamlProblem {
  {
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
  }
}
