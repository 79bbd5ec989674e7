import { asciiLower, validUtf8 } from './byte-text.ts';

/**
 * A GraphQL document (the GraphQL spec, §2 Language) whose first definition is a query or subscription: the query
 * shorthand `{ … }` or the keyword, after the ignored tokens before it (whitespace, commas and `#` comments). The keywords
 * are case-sensitive.
 */
const READ_DOCUMENT = /^(?:[\t\n\r ,]|#[^\n\r]*)*(?:\{|(?:query|subscription)(?:[^_0-9A-Za-z]|$))/;
/** One whose first definition is a mutation. */
const WRITE_DOCUMENT = /^(?:[\t\n\r ,]|#[^\n\r]*)*mutation(?:[^_0-9A-Za-z]|$)/;

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
  return READ_DOCUMENT.test(text) ? 'read' : WRITE_DOCUMENT.test(text) ? 'write' : '';
}
