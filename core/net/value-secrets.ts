import { isSecretName } from './secret-names.ts';
// url-secrets.ts imports this module too (a parameter's value is redacted by its shape): each calls the other at run time only.
import { redactUrlsInText, SECRET_QUERY_PARAMS } from './url-secrets.ts';
import { mayHoldPathSecret } from './url-path-secrets.ts';
import { REDACTED } from './url-userinfo.ts';

/**
 * Credentials recognisable by their value alone, whatever the attribute's key: redacted in every string value Weft
 * stores or shows (attribute-secrets.ts applies it to keys no other rule reads), as the OpenTelemetry Collector's
 * redaction processor masks what matches its `blocked_values`, but with fixed shapes, each anchored on a prefix a
 * secret scanner (gitleaks) keys its rule on, so that identifiers never match:
 *
 * - an HTTP authorization value: `Bearer <token68>` (a token with a digit, or of 16+ characters mixing case or
 *   symbols: `Bearer authentication` is prose), `Basic <base64>` whose decoding is printable `user:password`, a
 *   `Digest` parameter list's `response` (the hash of the password), and `NTLM <base64>` or `Negotiate <base64>`
 *   (RFC 4559: an NTLM or SPNEGO/Kerberos token, 16+ base64 characters: `Negotiate` alone, a server's challenge
 *   offer, is kept); only the credential goes (`Bearer REDACTED`, `NTLM REDACTED`);
 * - a JWT: `eyJ…` (the base64url of `{"`) `.` `…` `.` `…`, 10+ characters in each of its first two segments;
 * - an AWS access key id: `AKIA` or `ASIA` and 16 base32 characters, as a whole word;
 * - a PEM private key block (`-----BEGIN … PRIVATE KEY-----`): the body between the markers (to the end of the text
 *   when the end marker is missing);
 * - prefixed tokens: GitHub `ghp_ gho_ ghu_ ghs_ ghr_` (36+) and `github_pat_` (80+), GitLab `glpat-` (20+), Slack
 *   `xoxa- xoxb- xoxp- xoxo- xoxr- xoxs-` (10+), Stripe `sk_live_ sk_test_ rk_live_ rk_test_` (16+), npm `npm_` (36),
 *   Google API keys `AIza` (35), Anthropic `sk-ant-` (20+), OpenAI `sk-proj-`, `sk-svcacct-`, `sk-admin-` (20+) and
 *   its older `sk-` with 32+ letters and digits, each as a whole word;
 * - in a URL anywhere in the text (url-secrets.ts `redactUrlsInText`): the userinfo with a password
 *   (`postgres://app:pw@db/x` → `postgres://REDACTED:REDACTED@db/x`; a user alone, `ssh://git@host`, is kept), the
 *   secret segments of its path (`/reset-password/<token>`, a Slack webhook's) and its secret query parameters
 *   (`?X-Amz-Signature=…`, `&sig=…`, `?token=…`), as in a URL attribute.
 *
 * Kept: trace and span ids, UUIDs, hex digests, order numbers, base64 payloads that decode to no `user:password`,
 * `Basic plan`, `Bearer token expired`: none has one of these shapes.
 */

/** The fewest characters a value holding one of the credentials above has (`Basic dTpw`: 10; a JSON text naming one, `{"pwd":1}`: 9). */
export const MIN_SECRET_LENGTH = 9;

/**
 * Two-character starts of the shapes above, ASCII lower case (`| 0x20`, as a 16-bit index), each with the third
 * characters (`| 0x20`, all below 0x80) that may follow it packed a byte each, or -1 for any (more than four): anything
 * else is passed over with one table lookup, and most English pairs a start shares (`be`fore, `as`ked, th`ey`) with
 * one comparison more.
 */
const STARTS = new Uint8Array(65536);
/** Those thirds, by the same index (a table apart, so that STARTS stays small enough for the fastest cache). */
const THIRD = new Int32Array(65536);
/** The prefixes each start leads to, with how they are compared (`true`: ASCII case ignored). */
const PREFIXES: (readonly [string, boolean][] | undefined)[] = new Array<readonly [string, boolean][] | undefined>(65536).fill(undefined);
const PREFIX_LIST: readonly [string, boolean][] = [
  ['eyJ', false],
  ['AKIA', false],
  ['ASIA', false],
  ['AIza', false],
  ['-----BEGIN', false],
  ['ghp_', false],
  ['gho_', false],
  ['ghu_', false],
  ['ghs_', false],
  ['ghr_', false],
  ['github_pat_', false],
  ['glpat-', false],
  ['xox', false],
  ['sk_live_', false],
  ['sk_test_', false],
  ['rk_live_', false],
  ['rk_test_', false],
  ['npm_', false],
  ['bearer ', true],
  ['basic ', true],
  ['digest ', true],
  ['ntlm ', true],
  ['negotiate ', true],
  ['sk-', false],
  ['://', false],
];
const THIRDS = new Map<number, Set<number>>();
for (const p of PREFIX_LIST) {
  const i = (p[0].charCodeAt(0) | 0x20) * 256 + (p[0].charCodeAt(1) | 0x20);
  PREFIXES[i] = [...(PREFIXES[i] ?? []), p];
  THIRDS.set(i, (THIRDS.get(i) ?? new Set()).add(p[0].charCodeAt(2) | 0x20));
}
for (const [i, thirds] of THIRDS) {
  STARTS[i] = 1;
  THIRD[i] = thirds.size > 4 ? -1 : [...thirds].reduce((packed, c, k) => packed | (c << (8 * k)), 0);
}

/** Whether the third character `c` (`| 0x20`) may follow the start at index `i` of STARTS. */
const thirdFits = (i: number, c: number) => fits(THIRD[i], c);
const fits = (m: number, c: number) => m === -1 || (m & 0xff) === c || ((m >> 8) & 0xff) === c || ((m >> 16) & 0xff) === c || m >> 24 === c;

const codeAt = (t: string | Uint8Array, i: number) => (typeof t === 'string' ? t.charCodeAt(i) : t[i]);

/**
 * Whether `t[start…end)` (text, or UTF-8 bytes as the protobuf decoder holds them, never decoded) may hold one of the
 * credentials above: it holds one of their prefixes (`://` only with an `@` in the authority after it). False means
 * `redactCredentials` returns the text as it is. Allocates nothing; never throws.
 */
export function mayHoldValueSecret(t: string | Uint8Array, start = 0, end = t.length): boolean {
  if (end - start < MIN_SECRET_LENGTH) return false;
  return typeof t === 'string' ? textMayHold(t, start, end) : bytesMayHold(t, start, end, false);
}

/**
 * Whether the UTF-8 bytes `b[start…end)` may hold a credential (`mayHoldValueSecret`) or, with `pairs`, a `name=` /
 * `name:` whose name says a secret (text-secrets.ts' free text): one pass over the bytes for both.
 */
export function bytesMayHold(b: Uint8Array, start: number, end: number, pairs: boolean): boolean {
  let prev = start < end ? b[start] | 0x20 : 0;
  for (let i = start + 1; i < end; i++) {
    const raw = b[i];
    const cur = raw | 0x20;
    const x = prev * 256 + cur;
    prev = cur;
    // `=` and `:` fold to themselves (`| 0x20`).
    if (pairs && (raw === 0x3d || raw === 0x3a) && pairBefore(b, start, i)) return true;
    if (STARTS[x] === 0 || i + 1 >= end) continue;
    const m = THIRD[x];
    const c = b[i + 1] | 0x20;
    if ((m === -1 || (m & 0xff) === c || ((m >> 8) & 0xff) === c || ((m >> 16) & 0xff) === c || m >> 24 === c) && prefixAt(b, i - 1, start, end)) return true;
  }
  return false;
}

/**
 * Whether a credential's prefix starts at `b[i]`, whose two characters folded (`| 0x20`) make the index `x`
 * (`b[i] | 0x20) * 256 + (b[i + 1] | 0x20)`): for a caller's own pass over the bytes (statement-secrets.ts reads a
 * statement once for its words and these).
 */
export function valueSecretAt(b: Uint8Array, x: number, i: number, start: number, end: number): boolean {
  if (STARTS[x] === 0 || i + 2 >= end) return false;
  const m = THIRD[x];
  const c = b[i + 2] | 0x20;
  return (m === -1 || (m & 0xff) === c || ((m >> 8) & 0xff) === c || ((m >> 16) & 0xff) === c || m >> 24 === c) && prefixAt(b, i, start, end);
}

/** Whether the `=` or `:` at `b[at]` follows a name that says a secret (spaces and one quote between them allowed). */
function pairBefore(b: Uint8Array, start: number, at: number): boolean {
  let j = at;
  while (j > start + 1 && (b[j - 1] === 0x20 || b[j - 1] === 0x09)) j--;
  if (b[j - 1] === 0x22 || b[j - 1] === 0x27) j--;
  return j > start && isSecretName(b, start, j);
}

/** mayHoldValueSecret over text. */
function textMayHold(t: string, start: number, end: number): boolean {
  for (let i = start; i + 2 < end; i++) {
    const x = ((t.charCodeAt(i) | 0x20) & 0xff) * 256 + ((t.charCodeAt(i + 1) | 0x20) & 0xff);
    if (STARTS[x] === 1 && thirdFits(x, (t.charCodeAt(i + 2) | 0x20) & 0xff) && prefixAt(t, i, start, end)) return true;
  }
  return false;
}

/** Whether one of PREFIXES starts at `t[i]` (and, for `://`, an `@` follows before the authority ends). */
function prefixAt(t: string | Uint8Array, i: number, start: number, end: number): boolean {
  const list = PREFIXES[((codeAt(t, i) | 0x20) & 0xff) * 256 + ((codeAt(t, i + 1) | 0x20) & 0xff)];
  if (list === undefined) return false;
  for (const [p, fold] of list) {
    if (i + p.length > end) continue;
    let k = 0;
    while (k < p.length && (fold ? codeAt(t, i + k) | 0x20 : codeAt(t, i + k)) === p.charCodeAt(k)) k++;
    if (k < p.length) continue;
    if (fold) {
      if (authSchemeAt(t, i, i + p.length, start, end, p)) return true;
      continue;
    }
    if (p !== '://') return true;
    if (urlMayHold(t, i + 3, end)) return true;
  }
  return false;
}

/**
 * Whether the URL whose authority starts at `t[start]` (up to whitespace or a quote) may hold a secret
 * `redactUrlsInText` replaces: an `@` in its authority, a query or fragment parameter named as a secret
 * (SECRET_QUERY_PARAMS), or a path segment that names a secret (url-path-secrets.ts). A parameter's value that is a
 * credential by its shape has its own prefix.
 */
function urlMayHold(t: string | Uint8Array, start: number, end: number): boolean {
  let path = -1;
  let query = -1;
  let j = start;
  for (; j < end; j++) {
    const c = codeAt(t, j);
    if (c <= 0x20 || c === 0x22 || c === 0x27 || c === 0x3c || c === 0x3e || c === 0x60) break;
    if (c === 0x40 && path < 0 && query < 0) return true;
    if (c === 0x2f && path < 0 && query < 0) path = j;
    if (c === 0x3f || c === 0x23) query = query < 0 ? j : query;
    if (query >= 0 && (c === 0x3f || c === 0x23 || c === 0x26 || c === 0x3b) && secretParamAt(t, j + 1, end)) return true;
  }
  return path >= 0 && mayHoldPathSecret(t, path, query < 0 ? j : query);
}

/** Whether the parameter whose name starts at `t[from]` is one of SECRET_QUERY_PARAMS (a name percent- or `+`-encoded may be). */
function secretParamAt(t: string | Uint8Array, from: number, end: number): boolean {
  let name = '';
  for (let k = from; k < end && k - from <= 20; k++) {
    const c = codeAt(t, k);
    if (c === 0x3d) return SECRET_QUERY_PARAMS.has(name);
    if (c === 0x25 || c === 0x2b) return true;
    name += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c | 0x20 : c);
  }
  return false;
}

/** A credential-like character of a token68 (`-._~+/` and letters and digits). */
const isTokenChar = (c: number) => isAlnum(c) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e || c === 0x2b || c === 0x2f;
const isAlnum = (c: number) => (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);

/**
 * Whether the authorization scheme `scheme` (`bearer `, `basic `, `digest `, `ntlm `, `negotiate `) at `t[i…after)` is
 * a word of its own followed by what its rule takes: Bearer a token with a digit (4+) or of 16+ characters, Basic
 * base64 of a multiple of 4 characters, Digest `name=`, NTLM and Negotiate base64 of 16+ characters.
 */
function authSchemeAt(t: string | Uint8Array, i: number, after: number, start: number, end: number, scheme: string): boolean {
  if (i > start && isAlnum(codeAt(t, i - 1))) return false;
  let j = after;
  while (j < end && (codeAt(t, j) === 0x20 || codeAt(t, j) === 0x09)) j++;
  const from = j;
  let digit = false;
  let b64 = true;
  for (; j < end && isTokenChar(codeAt(t, j)); j++) {
    const c = codeAt(t, j);
    if (c >= 0x30 && c <= 0x39) digit = true;
    else if (c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e) b64 = false;
  }
  const run = j - from;
  if (scheme === 'bearer ') return (run >= 4 && digit) || run >= 16;
  if (scheme === 'ntlm ' || scheme === 'negotiate ') return run >= 16 && b64;
  if (scheme === 'basic ') {
    let pad = j;
    while (pad < end && codeAt(t, pad) === 0x3d) pad++;
    return run >= 4 && b64 && (pad - from) % 4 === 0;
  }
  while (j < end && codeAt(t, j) === 0x20) j++;
  return run > 0 && j < end && codeAt(t, j) === 0x3d;
}

const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{7,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?/g;
const AWS_KEY_ID = /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z2-7]{16}(?![A-Za-z0-9])/g;
const PREFIXED =
  /(?<![A-Za-z0-9_-])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{80,255}|glpat-[A-Za-z0-9_-]{20,255}|xox[abposr]-[A-Za-z0-9-]{10,255}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,255}|npm_[A-Za-z0-9]{36}|AIza[A-Za-z0-9_-]{35}|sk-(?:ant|proj|svcacct|admin)-[A-Za-z0-9_-]{20,255}|sk-[A-Za-z0-9]{32,255})(?![A-Za-z0-9_-])/g;
// Without its end marker, the body ends at a quote (a PEM body holds none: the JSON text of a structured value stays JSON) or the text's end.
const PEM = /(-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----)([\s\S]*?)(-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|(?=\\?")|$)/g;
const BEARER = /(?<![A-Za-z0-9])([Bb]earer|BEARER)([ \t]+)([A-Za-z0-9\-._~+/]+=*)(?![A-Za-z0-9\-._~+/=])/g;
const BASIC = /(?<![A-Za-z0-9])([Bb]asic|BASIC)([ \t]+)([A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])/g;
const NTLM_NEGOTIATE = /(?<![A-Za-z0-9])(NTLM|[Nn]tlm|NEGOTIATE|[Nn]egotiate)([ \t]+)([A-Za-z0-9+/]{16,}={0,2})(?![A-Za-z0-9+/=])/g;
const DIGEST = /(?<![A-Za-z0-9])(?:[Dd]igest|DIGEST)[ \t]+[A-Za-z][\w-]*[ \t]*=(?:[^\n"]|"(?:[^"\\\n]|\\.)*")*/g;
// The value's quote may be escaped (`response=\"…\"` in JSON text): kept as it is, the value never holds a backslash.
const DIGEST_RESPONSE = /(\bresponse[ \t]*=[ \t]*)(\\?"?)([^",\s\\]*)/gi;

/** A bearer token that is a credential, not a word: a digit in it, or 16+ characters mixing case or with a symbol. */
function isBearerToken(t: string): boolean {
  if (t === REDACTED) return false;
  let digit = false;
  let upper = false;
  let lower = false;
  let symbol = false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digit = true;
    else if (c >= 0x41 && c <= 0x5a) upper = true;
    else if (c >= 0x61 && c <= 0x7a) lower = true;
    else symbol = true;
  }
  return (digit && t.length >= 4) || (t.length >= 16 && ((upper && lower) || symbol));
}

/** A Basic credential: base64 (length a multiple of 4) decoding to printable text with a `:` after at least nothing (`user:password`, `:password`). */
function isBasicCredential(t: string): boolean {
  if (t.length % 4 !== 0) return false;
  const decoded = Buffer.from(t, 'base64').toString('latin1');
  if (!decoded.includes(':') || decoded.endsWith(':')) return false;
  for (let i = 0; i < decoded.length; i++) {
    const c = decoded.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

/**
 * `text` with the credentials above replaced by `REDACTED`; the same string (byte for byte) when there are none.
 * Idempotent; never throws.
 */
export function redactCredentials(text: string): string {
  if (!mayHoldValueSecret(text)) return text;
  let t = text;
  if (t.includes('-----BEGIN'))
    t = t.replace(PEM, (whole, begin: string, body: string, finish: string | undefined) => {
      const lead = /^\s*/.exec(body)![0];
      const trail = /(?<!\s)\s*$/.exec(body.slice(lead.length))![0];
      const inner = body.slice(lead.length, body.length - trail.length);
      return inner === '' || inner === REDACTED ? whole : `${begin}${lead}${REDACTED}${trail}${finish ?? ''}`;
    });
  if (t.includes('eyJ')) t = t.replace(JWT, REDACTED);
  if (t.includes('AKIA') || t.includes('ASIA')) t = t.replace(AWS_KEY_ID, REDACTED);
  t = t.replace(PREFIXED, REDACTED);
  const lower = t.length < 4096 ? t.toLowerCase() : '';
  const has = (w: string) => (lower === '' ? true : lower.includes(w));
  if (has('bearer'))
    t = t.replace(BEARER, (whole, scheme: string, gap: string, token: string) => (isBearerToken(token) ? `${scheme}${gap}${REDACTED}` : whole));
  if (has('basic'))
    t = t.replace(BASIC, (whole, scheme: string, gap: string, token: string) => (isBasicCredential(token) ? `${scheme}${gap}${REDACTED}` : whole));
  if (has('ntlm') || has('negotiate')) t = t.replace(NTLM_NEGOTIATE, (whole, scheme: string, gap: string) => `${scheme}${gap}${REDACTED}`);
  if (has('digest'))
    t = t.replace(DIGEST, (params: string) =>
      params.replace(DIGEST_RESPONSE, (whole, name: string, q: string, v: string) => (v === '' || v === REDACTED ? whole : `${name}${q}${REDACTED}`)),
    );
  if (t.includes('://')) t = redactUrlsInText(t);
  return t === text ? text : t;
}
