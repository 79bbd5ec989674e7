/**
 * Secrets in URL-valued span attributes, replaced before Weft stores or shows them.
 *
 * OpenTelemetry semantic conventions (url.full, url.query; 1.27+): credentials in a URL SHOULD be redacted as
 * `https://REDACTED:REDACTED@www.example.com/`, and the values of the query parameters `AWSAccessKeyId`,
 * `Signature`, `sig` and `X-Goog-Signature` SHOULD be replaced by `REDACTED`. Weft does both, also for the user
 * alone (`https://REDACTED@host/`: a user name in a URL is often a token, as GitHub's), and also for the common
 * parameters that carry a secret (SECRET_QUERY_PARAMS), in the query and in the fragment (OAuth's implicit flow
 * returns `#access_token=…`).
 *
 * Only the userinfo and those parameters' values change: scheme, host, port, path and every other byte stay as they
 * were, so the endpoint the classification reads (collector/touches, migration 033's `url_parts`) is the same
 * before and after. The URL is split as RFC 3986 does and as the classification does (authority after `//`, up to
 * the first `/`, `?` or `#`; userinfo up to its last `@`), not parsed and serialised by the WHATWG parser, which
 * would normalise the host, the port and the path (`/a/../b`, default ports) and so change the endpoint.
 */

import { redactPath } from './url-path-secrets.ts';
import { authorityEnd, REDACTED, userinfoEdit, userinfoEditsInText } from './url-userinfo.ts';
import { redactCredentials } from './value-secrets.ts';

export { REDACTED } from './url-userinfo.ts';

/**
 * Query (and fragment) parameter names whose value is replaced, compared in ASCII lower case after percent-decoding:
 * the semantic conventions' four, AWS Signature V4's presigned-URL credential parts, Azure SAS's `sig` (already
 * there), and the parameters APIs commonly take a key, a token or a password in. `code` (OAuth's authorization code)
 * and `key` (Google's API key) are in; names that only describe a secret (`token_type`, `expires_in`) are not.
 */
export const SECRET_QUERY_PARAMS: ReadonlySet<string> = new Set([
  'awsaccesskeyid',
  'signature',
  'sig',
  'x-goog-signature',
  'x-goog-credential',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'api_key',
  'apikey',
  'api-key',
  'key',
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'auth',
  'password',
  'passwd',
  'pwd',
  'secret',
  'client_secret',
  'code',
]);

/** A value's redaction: the same string when there is nothing to replace. */
export type Redactor = (value: string) => string;

/**
 * The attributes whose values are URLs or carry one, and how each is redacted (attribute-secrets.ts dispatches):
 * - `url.full`, `http.url` (before semconv 1.21), `url.original`: whole URLs (userinfo, query, fragment);
 * - `http.target` (before 1.21): path and query, no authority (a target `//a@b/x` is a path, as the classification reads it);
 * - `url.path`: a path (its secret segments, url-path-secrets.ts);
 * - `url.query`: a query without its `?`;
 * - `db.connection_string` (before 1.25): a URL (`postgresql://u:pw@h/db`, `jdbc:mysql://u:pw@h/db`), one without
 *   its scheme (`u:pw@h:5432/db`, Oracle's `u/pw@h:1521/svc`) or `key=value;` pairs (`Server=h;User Id=u;Password=pw`).
 */
export const URL_REDACTORS: ReadonlyMap<string, Redactor> = new Map<string, Redactor>([
  ['url.full', (v) => redactUrl(v)],
  ['http.url', (v) => redactUrl(v)],
  ['url.original', (v) => redactUrl(v)],
  ['http.target', (v) => redactAfterPath(v, 0)],
  ['url.path', (v) => redactPath(v)],
  ['url.query', (v) => redactParams(v)],
  ['db.connection_string', (v) => redactConnectionString(v)],
]);

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * A URL with its userinfo and its secret parameters redacted. The authority is where the classification finds it
 * (`scheme:` then `//`, or `//` at the start); failing that, after the first `://` (`jdbc:mysql://u:pw@h/db`, a URL
 * with a leading space), where the classification sees no host: the secret goes, whatever it reads there.
 */
export function redactUrl(url: string): string {
  const { start, end } = authority(url);
  const head = end < 0 ? '' : redactUserinfo(url, start, end);
  const rest = redactAfterPath(url, end < 0 ? 0 : end);
  return head === url.slice(0, Math.max(end, 0)) && rest === url.slice(Math.max(end, 0)) ? url : head + rest;
}

/** Where the authority of `url` starts and ends (the first `/`, `?` or `#` after it, url-userinfo.ts); both -1 without one. */
function authority(url: string): { start: number; end: number } {
  let start = -1;
  if (url.startsWith('//')) start = 2;
  else {
    const m = SCHEME.exec(url);
    if (m && url.startsWith('//', m[0].length)) start = m[0].length + 2;
    else {
      const sep = url.indexOf('://');
      if (sep >= 0) start = sep + 3;
    }
  }
  if (start < 0) return { start: -1, end: -1 };
  return { start, end: authorityEnd(url, start, false) };
}

/** `url[0…end)` (scheme and the authority `url[start…end)`, `authority`) with its userinfo, a user alone too, redacted (url-userinfo.ts). */
function redactUserinfo(url: string, start: number, end: number): string {
  const edit = userinfoEdit(url, start, end, true);
  return edit === undefined ? url.slice(0, end) : url.slice(0, edit.s) + edit.to + url.slice(edit.e, end);
}

/**
 * A parameter value that is itself a URL (`?callback=https://svc:pw@hook.internal/x`, or percent-encoded,
 * `https%3A%2F%2Fsvc%3Apw%40hook.internal%2Fx%3Fapi_key%3DK`): its userinfo and, when encoded (an unencoded `?` or
 * `&` already ended the value), its own secret parameters redacted, one level deep (a URL in it is not looked into),
 * re-encoded as it came; other values as they are.
 */
function redactNestedUrl(value: string): string {
  const encoded = value.includes('%');
  if (!value.includes('@') && !(encoded && /%(?:40|3f|23)/i.test(value))) return value;
  let decoded = value;
  if (encoded) {
    try {
      decoded = decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  const { start, end } = authority(decoded);
  if (end < 0) return value;
  const head = redactUserinfo(decoded, start, end);
  const rest = decoded === value ? decoded.slice(end) : redactAfterPath(decoded, end, false);
  if (head === decoded.slice(0, end) && rest === decoded.slice(end)) return value;
  const redacted = head + rest;
  return decoded === value ? redacted : encodeURIComponent(redacted);
}

/**
 * `text[from…]` (a path, then `?query`, then `#fragment`) with the secret segments of the path (url-path-secrets.ts)
 * and the secret parameters of query and fragment redacted (and URLs in their values, when `nested`).
 */
function redactAfterPath(text: string, from: number, nested = true): string {
  const q = text.indexOf('?', from);
  const h = text.indexOf('#', from);
  if (q < 0 && h < 0) return redactPath(from === 0 ? text : text.slice(from));
  const queryStart = q >= 0 && (h < 0 || q < h) ? q + 1 : -1;
  const queryEnd = h >= 0 ? h : text.length;
  const pathEnd = queryStart >= 0 ? queryStart - 1 : queryEnd;
  let out = redactPath(text.slice(from, pathEnd)) + text.slice(pathEnd, queryStart >= 0 ? queryStart : queryEnd);
  if (queryStart >= 0) out += redactParams(text.slice(queryStart, queryEnd), nested);
  if (h >= 0) out += `#${redactParams(text.slice(h + 1), nested)}`;
  return out;
}

/** Punctuation that ends a sentence after a URL rather than the URL itself (`see https://h/x?a=1.`); `)` and `]` when the URL opens none. */
const TRAILING = '.,;:!?\'"';

/**
 * `text` with every URL in it (`://`, up to whitespace, a quote, `<` or `>`, less the punctuation after it that ends a
 * sentence: `.`, `,`, `;`, `:`, `!`, `?`, and a `)` or `]` it does not open) redacted as a URL attribute is: its
 * userinfo (a user alone kept, url-userinfo.ts), its secret path segments (url-path-secrets.ts) and its secret query
 * and fragment parameters (`redactParams`). value-secrets.ts applies it to every value and text Weft stores (a plain
 * attribute, a span name, an exception message, a log body). The same string when nothing changes.
 */
export function redactUrlsInText(text: string): string {
  let out = '';
  let kept = 0;
  for (let sep = text.indexOf('://'); sep >= 0; sep = text.indexOf('://', sep + 3)) {
    const start = sep + 3;
    const authEnd = authorityEnd(text, start, true);
    let end = authEnd;
    while (end < text.length && !endsUrlInText(text.charCodeAt(end))) end++;
    while (end > authEnd && (TRAILING.includes(text[end - 1]) || unopened(text, authEnd, end))) end--;
    const info = userinfoEditsInText(text.slice(sep, authEnd), false)[0];
    const tail = text.slice(authEnd, end);
    const red = redactAfterPath(tail, 0);
    if (info === undefined && red === tail) continue;
    out += text.slice(kept, info === undefined ? authEnd : sep + info.s) + (info === undefined ? '' : info.to + text.slice(sep + info.e, authEnd)) + red;
    kept = end;
    sep = Math.max(sep, end - 3);
  }
  return kept === 0 ? text : out + text.slice(kept);
}

/** Whether `c` ends a URL inside text: whitespace, a control character, a quote, `<` or `>` (url-userinfo.ts' authority ends there too). */
const endsUrlInText = (c: number) => c <= 0x20 || c === 0x22 || c === 0x27 || c === 0x60 || c === 0x3c || c === 0x3e || c === 0x7f;

/** Whether `text[end - 1]` is a `)` or `]` that `text[from…end)` does not open. */
function unopened(text: string, from: number, end: number): boolean {
  const c = text[end - 1];
  if (c !== ')' && c !== ']') return false;
  const open = c === ')' ? '(' : '[';
  let depth = 0;
  for (let i = from; i < end; i++) depth += text[i] === open ? 1 : text[i] === c ? -1 : 0;
  return depth < 0;
}

/** The end of the parameter starting at `from`: the next `&`, `;` (the separator HTML 4 and many servers also take) or `?` (a query's second `?`), or the end. */
function paramEnd(query: string, from: number): number {
  for (let i = from; i < query.length; i++) {
    const c = query.charCodeAt(i);
    if (c === 0x26 || c === 0x3b || c === 0x3f) return i;
  }
  return query.length;
}

/**
 * `name=value&…` (or `;`-separated, or with a second `?`) with the values of SECRET_QUERY_PARAMS replaced, the
 * credentials of a URL given as a value (`nested`, by default), and credentials recognisable by their shape in any
 * value (value-secrets.ts: `?state=eyJ…` → `?state=REDACTED`); a name without `=`, or with an empty value, has no
 * secret and is kept.
 */
export function redactParams(query: string, nested = true): string {
  let out = '';
  let kept = 0;
  let from = 0;
  // One pass over `name=value&…`; nothing is built unless a value is replaced.
  while (from <= query.length) {
    const amp = paramEnd(query, from);
    const eq = query.indexOf('=', from);
    if (eq >= 0 && eq < amp && eq + 1 < amp) {
      const value = query.slice(eq + 1, amp);
      let red = value === REDACTED ? value : SECRET_QUERY_PARAMS.has(paramName(query.slice(from, eq))) ? REDACTED : nested ? redactNestedUrl(value) : value;
      // A value that is itself a credential by its shape, whatever the parameter's name (`?state=eyJ…`).
      if (red === value) red = redactCredentials(value);
      if (red !== value) {
        out += `${query.slice(kept, eq + 1)}${red}`;
        kept = amp;
      }
    }
    if (eq < 0) break;
    from = amp + 1;
  }
  return kept === 0 ? query : out + query.slice(kept);
}

/** A parameter's name as compared: `+` as a space, percent-decoded when it decodes, ASCII lower case. */
function paramName(raw: string): string {
  let name = raw.replaceAll('+', ' ');
  if (name.includes('%')) {
    try {
      name = decodeURIComponent(name);
    } catch {
      // An invalid escape: compared as written.
    }
  }
  return name.trim().toLowerCase();
}

/**
 * A database connection string (`redactUrl`, then `redactKeyValuePairs`); one with no `//` whose text before its first
 * `?`, `;`, `#`, `=` or space holds an `@` (`u:pw@h:5432/db`, `u/pw@h:1521/svc`) has what comes before its last `@`
 * there redacted as userinfo (`REDACTED:REDACTED@h:5432/db`, `REDACTED/REDACTED@h:1521/svc`).
 */
function redactConnectionString(text: string): string {
  if (!text.includes('//')) {
    let stop = 0;
    while (stop < text.length && !'?;#= \t\n'.includes(text[stop])) stop++;
    const at = text.lastIndexOf('@', stop - 1);
    if (at > 0) {
      const info = text.slice(0, at);
      const sep = info.includes(':') ? ':' : info.includes('/') ? '/' : '';
      const red = sep === '' ? REDACTED : `${REDACTED}${sep}${REDACTED}`;
      if (info !== red) text = red + text.slice(at);
    }
  }
  return redactKeyValuePairs(redactUrl(text));
}

const PASSWORD_PAIR = /(^|;)(\s*(?:password|pwd)\s*=\s*)("(?:[^"]|"")*"|'(?:[^']|'')*'|[^;]*)/gi;

/** An ADO.NET / ODBC connection string (`key=value;` pairs) with its `Password` and `Pwd` values redacted. */
function redactKeyValuePairs(text: string): string {
  if (!text.includes('=')) return text;
  return text.replace(PASSWORD_PAIR, (whole, lead: string, name: string, value: string) => (value === REDACTED ? whole : `${lead}${name}${REDACTED}`));
}
