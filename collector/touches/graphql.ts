import { asciiLower, validUtf8 } from './byte-text.ts';

/** Whether `doc` holds the keyword `word` at `at`, not followed by a name character (the keywords are case-sensitive). */
function keywordAt(doc: string, at: number, word: string): boolean {
  if (!doc.startsWith(word, at)) return false;
  const next = doc.charCodeAt(at + word.length);
  return !(next === 0x5f || (next >= 0x30 && next <= 0x39) || (next >= 0x41 && next <= 0x5a) || (next >= 0x61 && next <= 0x7a));
}

/**
 * What the first definition of a GraphQL document may be (the GraphQL spec, §2 Language): a query or subscription (the
 * query shorthand `{ … }` or the keyword) is `read`, a mutation `write`, after the ignored tokens before it (whitespace,
 * commas and `#` comments), read as the views read it (migration 128): a comment may end before its line does, so a
 * definition may start at any place on a comment's line. One pass: the regular expression this was
 * (`^(?:[\t\n\r ,]|#[^\n\r]*)*…`) could split a run of `#`s into comments in 2^n ways, and a 40-byte document of
 * them held the collector's thread for minutes.
 */
function firstDefinitions(doc: string): { read: boolean; write: boolean } {
  let read = false;
  let write = false;
  const at = (i: number) => {
    if (doc.charCodeAt(i) === 0x7b || keywordAt(doc, i, 'query') || keywordAt(doc, i, 'subscription')) read = true;
    else if (keywordAt(doc, i, 'mutation')) write = true;
  };
  let comment = false;
  for (let i = 0; i < doc.length; i++) {
    const c = doc.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) comment = false;
    else if (comment) at(i);
    else if (c === 0x23) comment = true;
    else if (c !== 0x09 && c !== 0x20 && c !== 0x2c) {
      at(i);
      break;
    }
  }
  return { read, write };
}

/**
 * The direction of a GraphQL operation, which HTTP carries as a POST whether it reads or writes: 'read' for a query or a
 * subscription, 'write' for a mutation, by `graphql.operation.type` (the semantic conventions' `query`, `mutation`,
 * `subscription`, in any case: the Grafbase gateway puts it on its span of a request to a subgraph), else by the first
 * definition of `graphql.document`; '' when neither says (a document that starts with a fragment, none at all) — migration
 * 128. Byte strings in; the document is read as valid UTF-8.
 */
export function graphqlDirection(operationType: string, document: string): string {
  const type = asciiLower(operationType);
  if (type === 'query' || type === 'subscription') return 'read';
  if (type === 'mutation') return 'write';
  if (document === '') return '';
  const text = validUtf8(document);
  const first = firstDefinitions(text);
  return first.read ? 'read' : first.write ? 'write' : '';
}
