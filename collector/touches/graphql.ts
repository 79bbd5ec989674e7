import { asciiLower, validUtf8 } from './byte-text.ts';

const HASH = 0x23;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LF = 0x0a;
const CR = 0x0d;

/** Whether `c` is a char of a name or a number (`[_0-9A-Za-z]`). */
function wordChar(c: number): boolean {
  return c === 0x5f || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Whether `doc` holds `"""` at `i`. */
function tripleQuote(doc: string, i: number): boolean {
  return doc.charCodeAt(i) === QUOTE && doc.charCodeAt(i + 1) === QUOTE && doc.charCodeAt(i + 2) === QUOTE;
}

/**
 * The end of the block string opened at `i` (`"""…"""`, GraphQL spec §2.9.4): after the first `"""` that is not the
 * escape `\"""`, else the end of `doc` (an unterminated one runs to the end).
 */
function blockStringEnd(doc: string, i: number): number {
  for (i += 3; i < doc.length;) {
    if (tripleQuote(doc, i)) return i + 3;
    i += doc.charCodeAt(i) === BACKSLASH && tripleQuote(doc, i + 1) ? 4 : 1;
  }
  return doc.length;
}

/**
 * The end of the string opened at `i` (`"…"`, §2.9.4): after its closing `"`, an escape (`\` and the char after it)
 * taking two chars; else before the line terminator or the `\` that ends a line, or at the end of `doc`.
 */
function stringEnd(doc: string, i: number): number {
  for (i++; i < doc.length;) {
    const c = doc.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c === LF || c === CR) return i;
    if (c !== BACKSLASH) i++;
    else if (i + 1 < doc.length && doc.charCodeAt(i + 1) !== LF && doc.charCodeAt(i + 1) !== CR) i += 2;
    else return i;
  }
  return doc.length;
}

/**
 * The direction of a GraphQL document's operation (the GraphQL spec, §2 Language), in one pass: the first definition
 * that is not a fragment — `{ … }` (the query shorthand), `query` or `subscription` is 'read', `mutation` 'write',
 * anything else ''. Read as a lexer reads it: ignored are whitespace, commas, other punctuators and `#` comments, each
 * to the end of its line; a string or block string is one token, whatever `#`, `{` or `"` it holds; a name is a run
 * of `[_0-9A-Za-z]` (keywords are case-sensitive). A definition starts the document, or follows a `}` that closes all
 * of `{`, `(` and `[` opened before it (a fragment's selection set; `@dir(arg: {…})` and `[…]` values nest).
 * The views read the same tokens with one regular expression (migration 130).
 */
function operationDirection(doc: string): string {
  let nesting = 0;
  let starts = true;
  for (let i = 0; i < doc.length;) {
    const c = doc.charCodeAt(i);
    let end: number;
    if (c === HASH) {
      while (i < doc.length && doc.charCodeAt(i) !== LF && doc.charCodeAt(i) !== CR) i++;
      continue;
    }
    if (c === QUOTE) end = tripleQuote(doc, i) ? blockStringEnd(doc, i) : stringEnd(doc, i);
    else if (wordChar(c)) for (end = i + 1; end < doc.length && wordChar(doc.charCodeAt(end)); end++);
    else if (c === 0x7b || c === 0x28 || c === 0x5b || c === 0x7d || c === 0x29 || c === 0x5d) end = i + 1;
    else {
      i++;
      continue;
    }
    if (starts) {
      const token = doc.slice(i, end);
      if (token !== 'fragment') return token === '{' || token === 'query' || token === 'subscription' ? 'read' : token === 'mutation' ? 'write' : '';
    }
    if (c === 0x7b || c === 0x28 || c === 0x5b) nesting++;
    else if (c === 0x7d || c === 0x29 || c === 0x5d) nesting--;
    starts = c === 0x7d && nesting === 0;
    i = end;
  }
  return '';
}

/**
 * The direction of a GraphQL operation, which HTTP carries as a POST whether it reads or writes: 'read' for a query or a
 * subscription, 'write' for a mutation, by `graphql.operation.type` (the semantic conventions' `query`, `mutation`,
 * `subscription`, in any case: the Grafbase gateway puts it on its span of a request to a subgraph), else by the document's
 * first operation (operationDirection: after its fragments, comments read to their line's end); '' when neither says
 * (no operation, no document) — migrations 128 and 130. Byte strings in; the document is read as valid UTF-8.
 */
export function graphqlDirection(operationType: string, document: string): string {
  const type = asciiLower(operationType);
  if (type === 'query' || type === 'subscription') return 'read';
  if (type === 'mutation') return 'write';
  if (document === '') return '';
  return operationDirection(validUtf8(document));
}
