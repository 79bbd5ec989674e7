import { isSecretName } from './secret-names.ts';
import { REDACTED, userinfoEditsInText } from './url-userinfo.ts';
import { mayHoldValueSecret, redactCredentials, valueSecretAt } from './value-secrets.ts';

/**
 * Credentials written as literals in a database statement (`db.statement`, `db.query.text`), replaced before Weft
 * stores or shows them. The semantic conventions ask instrumentations to replace every literal of a statement they
 * did not receive parameterised by `?` (sanitization of `db.query.text`); not all do, and a statement that sets a
 * password (`CREATE USER app WITH PASSWORD 'S3cr3t'`) or authenticates (Redis `AUTH default S3cr3t`) then carries it.
 *
 * What is replaced (by `REDACTED`, inside the literal's own quotes):
 * - the literal after a word that names a secret (secret-names.ts: `PASSWORD 'p'`, `PASSWORD = 'p'`,
 *   `PASSWORD('p')`, `OLD_PASSWORD = 'p'`, `SECRET 'p'`, `SECRET_ACCESS_KEY 'k'`, `WHERE api_token = 'p'`,
 *   `SET PASSWORD FOR 'u'@'h' = 'p'`), and after a literal that names one followed by `:` or `=` (a JSON statement's
 *   `"pwd": "p"`);
 * - the literal or the unquoted word after `IDENTIFIED BY`, `IDENTIFIED WITH plugin BY|AS` (Oracle, MySQL, ClickHouse);
 * - Redis's `AUTH [user] password`, `HELLO … AUTH user password`, `MIGRATE … AUTH password | AUTH2 user password`,
 *   `CONFIG SET requirepass|masterauth password`, and `ACL SETUSER`'s `>password` and `<password`;
 * - the userinfo of a URL inside a literal (`'mongodb://u:p@h/'` → `'mongodb://REDACTED:REDACTED@h/'`), and a
 *   credential recognisable by its shape in a string literal (value-secrets.ts: `WHERE jwt = 'eyJ…'`);
 *
 * - a credential column's literal: the value an `INSERT … (name, password) VALUES ('bob', 'p')` gives that column
 *   (when the column list and each row's values can be counted, the value one literal), and after a column that
 *   holds a secret's hash (`SET password_hash = '…'`, `passwordDigest`, `token_hash`);
 *
 * What is not: a literal that no such word names (`INSERT INTO users VALUES ('bob', 'p')`: which is the password?); an
 * unquoted password holding a character that would change how the statement splits (`;`, a quote, `--`, `/*`, `$$`,
 * or `#` with more after it on its line); an unquoted password in a statement of another kind (SELECT, WITH, COPY, a
 * procedure call, a CREATE naming a TABLE).
 *
 * The statement's endpoints stay the same (collector/touches/sql-direction.ts reads a statement without its comments
 * and literals): literals and comments are found as that tokenizer finds them (the same expressions, with `#` a
 * comment and, for PostgreSQL, not), only a literal's content is replaced (delimiters kept) where both readings agree
 * it is one, and an unquoted word only where its statement's first word already decides the direction
 * (ALTER, CREATE of no TABLE, GRANT, AUTH, HELLO, MIGRATE, CONFIG, ACL) and the word adds no separator, quote or comment.
 */

/** What sql-direction.ts skips (NOISE there): comments, string literals, quoted identifiers, dollar-quoted bodies. */
const NOISE = /\/\*.*?\*\/|--[^\n]*|#[^\n]*|'(?:[^'\\]|''|\\.)*'|"(?:[^"]|"")*"|`[^`]*`|\$\$.*?\$\$/gs;
/** The same where `#` is an operator (PostgreSQL and its kin; NOISE_NO_HASH there). */
const NOISE_NO_HASH = /\/\*.*?\*\/|--[^\n]*|'(?:[^'\\]|''|\\.)*'|"(?:[^"]|"")*"|`[^`]*`|\$\$.*?\$\$/gs;

/**
 * Whether the statement `t[start…end)` (text, or UTF-8 bytes as the protobuf decoder holds it) may hold a credential
 * the rules below find: it holds one of these, in any ASCII case (every secret word holds one, secret-names.ts). Most
 * statements do not, and are neither decoded nor split. Allocates nothing.
 */
export function mayHoldCredential(t: string | Uint8Array, start = 0, end = t.length): boolean {
  // One table lookup per character pair; only a pair some needle starts with is compared further.
  if (typeof t === 'string') {
    for (let i = start; i + 1 < end; i++)
      if (STARTS[((t.charCodeAt(i) | 0x20) & 0xff) * 256 + ((t.charCodeAt(i + 1) | 0x20) & 0xff)] === 1 && needleAt(t, i, end)) return true;
  } else {
    for (let i = start; i + 1 < end; i++) if (STARTS[(t[i] | 0x20) * 256 + (t[i + 1] | 0x20)] === 1 && needleAt(t, i, end)) return true;
  }
  return false;
}

/**
 * Whether the statement's UTF-8 bytes `b[start…end)` may hold a credential a rule below finds (`mayHoldCredential`) or
 * one recognisable by its shape in a string literal (value-secrets.ts): one pass over the bytes for both.
 */
export function bytesMayHoldStatementSecret(b: Uint8Array, start: number, end: number): boolean {
  // The shapes are looked for only inside a string literal: after its `'` or `$$` (most statements have none).
  let literal = false;
  for (let i = start; i + 1 < end; i++) {
    const c = b[i];
    if (c === 0x27 || (c === 0x24 && b[i + 1] === 0x24)) literal = true;
    const x = (c | 0x20) * 256 + (b[i + 1] | 0x20);
    if ((STARTS[x] === 1 && needleAt(b, i, end)) || (literal && valueSecretAt(b, x, i, start, end))) return true;
  }
  return false;
}

/** mayHoldCredential's needles (every secret word of secret-names.ts holds one). */
const NEEDLES = ['pass', 'pwd', 'secret', 'token', 'key', 'credential', 'identified', 'auth', 'cookie', 'acl', '://'];
/** Their first two characters (`| 0x20`, as a 16-bit index). */
const STARTS = new Uint8Array(65536);
for (const n of NEEDLES) STARTS[n.charCodeAt(0) * 256 + n.charCodeAt(1)] = 1;

/** Whether one of NEEDLES starts at `t[i]` and ends by `end`, in ASCII lower case (`| 0x20`). */
function needleAt(t: string | Uint8Array, i: number, end: number): boolean {
  for (const n of NEEDLES) {
    if (i + n.length > end) continue;
    let k = 0;
    while (k < n.length && ((typeof t === 'string' ? t.charCodeAt(i + k) : t[i + k]) | 0x20) === n.charCodeAt(k)) k++;
    if (k === n.length) return true;
  }
  return false;
}

const enum K {
  Word,
  Punct,
  Lit,
  Semi,
}
interface Token {
  k: K;
  s: number;
  e: number;
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c;
const isWordChar = (c: number) =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x24 || c === 0x2e || c >= 0x80;

/** The statement's tokens as NOISE reads it: words (letters, digits, `_`, `$`, `.`), single punctuation, literals, `;`; comments dropped. */
function tokens(text: string, noise: RegExp): Token[] {
  const out: Token[] = [];
  noise.lastIndex = 0;
  let at = 0;
  for (let m = noise.exec(text); m !== null; m = noise.exec(text)) {
    if (m[0] === '') {
      noise.lastIndex++;
      continue;
    }
    codeTokens(text, at, m.index, out);
    const c = text.charCodeAt(m.index);
    // A comment (`/*`, `--`, `#`) is dropped; a quoted text is a literal.
    if (!((c === 0x2f && text.charCodeAt(m.index + 1) === 0x2a) || c === 0x2d || c === 0x23)) out.push({ k: K.Lit, s: m.index, e: m.index + m[0].length });
    at = m.index + m[0].length;
  }
  codeTokens(text, at, text.length, out);
  return out;
}

/** The tokens of the code `text[from…to)` (no comment or literal in it), added to `out`. */
function codeTokens(text: string, from: number, to: number, out: Token[]): void {
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) i++;
    else if (isWordChar(c)) {
      const s = i;
      while (i < to && isWordChar(text.charCodeAt(i))) i++;
      out.push({ k: K.Word, s, e: i });
    } else {
      out.push({ k: c === 0x3b ? K.Semi : K.Punct, s: i, e: i + 1 });
      i++;
    }
  }
}

const wordIs = (text: string, t: Token | undefined, upper: string) =>
  t !== undefined && t.k === K.Word && t.e - t.s === upper.length && text.slice(t.s, t.e).toUpperCase() === upper;
const punctIs = (text: string, t: Token | undefined, chars: string) => t !== undefined && t.k === K.Punct && chars.includes(text[t.s]);

/** Statement verbs whose direction no other word changes (sql-direction.ts' oneStatementDirection), where an unquoted password may be replaced. */
const BARE_VERBS = new Set(['ALTER', 'CREATE', 'GRANT', 'AUTH', 'HELLO', 'MIGRATE', 'CONFIG', 'ACL']);
const UNSAFE_BARE = /[;'"`\\]|--|\/\*|\$\$/;

/**
 * `text` with the credentials the rules above find replaced by REDACTED; the same string (byte for byte) when there
 * are none. Never throws.
 */
export function redactStatement(text: string): string {
  if (!mayHoldCredential(text) && !mayHoldValueSecret(text)) return text;
  const r = new Redaction(text);
  const { toks } = r;
  let piece = 0;
  while (piece < toks.length) {
    let end = piece;
    while (end < toks.length && toks[end].k !== K.Semi) end++;
    r.piece = piece;
    r.end = end;
    r.scanPiece();
    piece = end + 1;
  }
  return r.result();
}

/**
 * One statement being redacted: its tokens, the literals both readings agree on (when it holds `#`), the edits found,
 * and the statement (`;`-separated piece) being read, toks[piece…end). Its methods are the rules above.
 */
class Redaction {
  readonly toks: Token[];
  private readonly firstHash: number;
  /** Where `#` is an operator the literals may differ: only one both readings find is replaced. */
  private readonly agreed: Set<string> | undefined;
  private readonly edits: { s: number; e: number; to: string }[] = [];
  piece = 0;
  end = 0;

  constructor(private readonly text: string) {
    this.toks = tokens(text, NOISE);
    this.firstHash = text.indexOf('#');
    if (this.firstHash >= 0) {
      this.agreed = new Set();
      for (const t of tokens(text, NOISE_NO_HASH)) if (t.k === K.Lit) this.agreed.add(`${t.s}:${t.e}`);
    }
  }

  /** Token `i` of the statement being read, or undefined past its end. */
  private at(i: number): Token | undefined {
    return i < this.end ? this.toks[i] : undefined;
  }

  /** Whether the literal `t` is one both readings find. */
  private isAgreed(t: Token): boolean {
    return this.agreed === undefined || this.agreed.has(`${t.s}:${t.e}`);
  }

  /** Replaces the content of `t` when it is a literal (both readings agreeing); whether it is one. */
  private literal(t: Token | undefined): boolean {
    if (t === undefined || t.k !== K.Lit) return false;
    if (!this.isAgreed(t)) return true;
    const text = this.text;
    const q = text[t.s] === '$' ? 2 : 1;
    const inner = text.slice(t.s + q, t.e - q);
    if (inner !== '' && inner !== REDACTED) this.edits.push({ s: t.s + q, e: t.e - q, to: REDACTED });
    return true;
  }

  /**
   * The unquoted word starting at token `t` (up to whitespace; a literal there is one), replaced from its `keep`th
   * character when that splits the statement as before; returns where it ends (t's start when there is none).
   */
  bare(t: Token | undefined, keep = 0): number {
    const text = this.text;
    if (t === undefined || t.k === K.Semi) return t?.s ?? text.length;
    if (this.literal(t)) return t.e;
    let e = t.s;
    while (e < text.length && !isSpace(text.charCodeAt(e))) e++;
    if (this.firstHash >= 0 && this.firstHash <= t.s) return e;
    const word = text.slice(t.s, e);
    if (UNSAFE_BARE.test(word)) return e;
    if (word.includes('#')) {
      const nl = text.indexOf('\n', e);
      if (text.slice(e, nl < 0 ? text.length : nl).trim() !== '') return e;
    }
    if (word.length > keep && word.slice(keep) !== REDACTED) this.edits.push({ s: t.s + keep, e, to: REDACTED });
    return e;
  }

  /** `n` unquoted words or literals after token `i`, each replaced (`bare`). */
  private args(i: number, n: number): void {
    let pos = this.toks[i].e;
    let j = i + 1;
    for (let k = 0; k < n; k++) {
      while (j < this.end && this.toks[j].s < pos) j++;
      pos = this.bare(this.at(j));
    }
  }

  /** Applies the rules to the statement toks[piece…end). */
  scanPiece(): void {
    const { text, toks, piece, end } = this;
    const first = toks[piece];
    const verb = first?.k === K.Word ? (/^[A-Za-z]+/.exec(text.slice(first.s, first.e))?.[0] ?? '').toUpperCase() : '';
    const bareOk = BARE_VERBS.has(verb) && !(verb === 'CREATE' && /table/i.test(text.slice(first.s, end < toks.length ? toks[end].s : text.length)));
    for (let i = piece; i < end; i++) {
      const t = toks[i];
      if (t.k === K.Lit) {
        // A JSON statement's `"pwd": "p"`; and a URL's userinfo in any literal.
        if (isSecretName(text, t.s + 1, t.e - 1) && punctIs(text, this.at(i + 1), ':=')) this.literal(this.at(i + 2));
        else if (this.isAgreed(t)) {
          urlUserinfo(text, t, this.edits);
          literalCredentials(text, t, this.edits);
        }
        continue;
      }
      if (t.k !== K.Word) continue;
      if (wordIs(text, t, 'IDENTIFIED')) {
        let j = i + 1;
        if (wordIs(text, this.at(j), 'WITH')) j += 2;
        if (wordIs(text, this.at(j), 'BY') || wordIs(text, this.at(j), 'AS')) {
          if (bareOk) this.bare(this.at(j + 1));
          else this.literal(this.at(j + 1));
        }
        continue;
      }
      if (bareOk && i === piece && verb === 'AUTH') {
        this.args(i, 2);
        continue;
      }
      if (bareOk && i > piece && (verb === 'HELLO' || verb === 'MIGRATE') && (wordIs(text, t, 'AUTH') || wordIs(text, t, 'AUTH2'))) {
        this.args(i, verb === 'HELLO' || wordIs(text, t, 'AUTH2') ? 2 : 1);
        continue;
      }
      if (isCredentialColumn(text, t.s, t.e)) {
        let j = i + 1;
        // `PASSWORD FOR 'u'@'h' = 'p'`: the user is a few tokens (bounded, so a run of FORs stays linear).
        if (wordIs(text, this.at(j), 'FOR')) for (const stop = j + 12; j < end && j < stop && !punctIs(text, this.at(j), '=');) j++;
        while (punctIs(text, this.at(j), '=:(')) j++;
        if (!this.literal(this.at(j)) && bareOk && verb === 'CONFIG') this.bare(this.at(j));
      }
    }
    if (verb === 'INSERT' || verb === 'REPLACE') this.insertValues();
    // ACL SETUSER's `>password`, `<password` (added, removed): all after the first character.
    if (bareOk && verb === 'ACL')
      for (let i = piece + 1; i < end; i++) {
        const t = toks[i];
        const c = text[t.s];
        if (t.k === K.Punct && (c === '>' || c === '<') && (t.s === 0 || isSpace(text.charCodeAt(t.s - 1)))) this.bare(t, 1);
      }
  }

  /**
   * `INSERT [INTO] t (c1, c2, …) VALUES (v1, v2, …)[, (…)]`: the literal given for a column whose name says a
   * credential (`isCredentialColumn`). Only where the reading is sure: a column list of plain or quoted names, and in
   * each row as many values as columns (counted at bracket depth 0), the value a single literal; otherwise nothing.
   */
  private insertValues(): void {
    const { text, toks, piece, end } = this;
    let j = piece + 1;
    // Up to the column list: INTO, IGNORE, OR REPLACE, the table's (qualified, quoted) name.
    for (let n = 0; j < end && n < 8 && !punctIs(text, toks[j], '('); n++, j++)
      if (toks[j].k === K.Semi || (toks[j].k === K.Punct && !punctIs(text, toks[j], '.'))) return;
    if (!punctIs(text, this.at(j), '(')) return;
    const credential: boolean[] = [];
    for (j++; ; j++) {
      const t = this.at(j);
      if (t === undefined) return;
      const quoted = t.k === K.Lit && (text[t.s] === '"' || text[t.s] === '`');
      if (t.k !== K.Word && !quoted) return;
      credential.push(quoted ? isCredentialColumn(text, t.s + 1, t.e - 1) : isCredentialColumn(text, t.s, t.e));
      j++;
      if (punctIs(text, this.at(j), ')')) break;
      if (!punctIs(text, this.at(j), ',')) return;
    }
    if (!credential.includes(true)) return;
    j++;
    if (!(wordIs(text, this.at(j), 'VALUES') || wordIs(text, this.at(j), 'VALUE'))) return;
    j++;
    // Each row: its values' token ranges at depth 0.
    while (punctIs(text, this.at(j), '(')) {
      const items: [number, number][] = [];
      let depth = 0;
      let from = j + 1;
      let k = j + 1;
      for (; k < end; k++) {
        const t = toks[k];
        if (punctIs(text, t, '(')) depth++;
        else if (punctIs(text, t, ')')) {
          if (depth === 0) break;
          depth--;
        } else if (depth === 0 && punctIs(text, t, ',')) {
          items.push([from, k]);
          from = k + 1;
        }
      }
      if (k >= end) return;
      items.push([from, k]);
      if (items.length === credential.length)
        items.forEach(([a, b], i) => {
          if (credential[i] && b === a + 1) this.literal(toks[a]);
        });
      j = k + 1;
      if (!punctIs(text, this.at(j), ',')) return;
      j++;
    }
  }

  /** The statement with the edits applied; the same string when there are none. */
  result(): string {
    const { text, edits } = this;
    if (edits.length === 0) return text;
    edits.sort((a, b) => a.s - b.s);
    let out = '';
    let kept = 0;
    for (const ed of edits) {
      if (ed.s < kept) continue;
      out += text.slice(kept, ed.s) + ed.to;
      kept = ed.e;
    }
    return out + text.slice(kept);
  }
}

/** Last words of a column that holds a secret's derivative: `password_hash`, `passwordDigest`, `token_hash`, `secret_enc`. */
const DERIVED = new Set(['hash', 'hashed', 'digest', 'enc', 'encrypted', 'crypt', 'ciphertext', 'bcrypt']);

/**
 * Whether the name `text[s…e)` says a credential: a secret's name (secret-names.ts), or one of DERIVED after one
 * (`password_hash`: a hash of a password is cracked offline).
 */
function isCredentialColumn(text: string, s: number, e: number): boolean {
  if (isSecretName(text, s, e)) return true;
  let w = e;
  while (w > s && /[A-Za-z0-9]/.test(text[w - 1])) w--;
  // camelCase: `passwordHash`.
  const word = text.slice(w, e);
  const camel = /[a-z0-9]([A-Z][a-z0-9]*)$/.exec(word);
  const last = camel ? camel[1] : word;
  if (!DERIVED.has(last.toLowerCase())) return false;
  let before = e - last.length;
  while (before > s && !/[A-Za-z0-9]/.test(text[before - 1])) before--;
  return before > s && isSecretName(text, s, before);
}

/**
 * An edit replacing the credentials recognisable by their shape (value-secrets.ts: a JWT, an AWS key id, `Bearer …`,
 * a prefixed token) inside the string literal `t` (`'…'` or `$$…$$`, not a quoted name), when its content holds no
 * quote, backslash or `$` (so that what replaces them cannot end the literal elsewhere).
 */
function literalCredentials(text: string, t: Token, edits: { s: number; e: number; to: string }[]): void {
  const q = text[t.s] === "'" ? 1 : text.startsWith('$$', t.s) ? 2 : 0;
  if (q === 0) return;
  const inner = text.slice(t.s + q, t.e - q);
  if (/['"`\\$]/.test(inner) || !mayHoldValueSecret(inner)) return;
  const red = redactCredentials(inner);
  if (red !== inner) edits.push({ s: t.s + q, e: t.e - q, to: red });
}

/**
 * Edits replacing the userinfo of each URL in the literal `t` (a user alone too; url-userinfo.ts), its delimiters
 * excluded. What replaces it (letters and `:`) lies between the URL's `//` and `@`, so the literal still ends where it did.
 */
function urlUserinfo(text: string, t: Token, edits: { s: number; e: number; to: string }[]): void {
  const q = text.startsWith('$$', t.s) ? 2 : 1;
  if (t.e - t.s < 2 * q) return;
  const inner = text.slice(t.s + q, t.e - q);
  if (!inner.includes('://') || !inner.includes('@')) return;
  for (const ed of userinfoEditsInText(inner, true)) edits.push({ s: t.s + q + ed.s, e: t.s + q + ed.e, to: ed.to });
}
