import { isSecretName } from './secret-names.ts';
import { REDACTED } from './url-secrets.ts';
import { mayHoldValueSecret, redactCredentials } from './value-secrets.ts';

/**
 * Secrets inside free text — an exception's message and stack trace, an error message, a log record's body — and in a
 * process's command line, replaced before Weft stores or shows them.
 *
 * Free text (`redactFreeText`): the credentials value-secrets.ts recognises by their shape (a connection string's
 * password among them: `postgres://app:pw@db/x`), and the value of a `name=value` or `name:value` pair whose name
 * says a secret (secret-names.ts: `password=…`, `Password=…;` of an ADO.NET connection string, `api_key=…` in a
 * query, `"pwd": "…"` of JSON text, `PGPASSWORD=…`). A value is a quoted text (its content replaced, its quotes kept;
 * an unquoted value after a quoted name becomes `"REDACTED"`, so JSON stays JSON) or a run up to whitespace, `,`, `;`,
 * `&`, a quote or a closing bracket. After `:` followed by a space only a quoted value counts: `password: must be 8
 * characters` is prose.
 *
 * A command line (`redactCommandLine`, `redactCommandArgs`), besides free text's rules: the word after an option whose
 * name says a secret (`--password S3cr3t`, `-token T`, `--api-key K`; not `--no-password`, and not a next word that is
 * itself an option), and the options known to take a password in the programs that have them: `mysql -pS3cr3t` (and
 * mysqldump, mysqladmin, mariadb…: only attached, as `-p S3cr3t` there means a prompt and a database), `sshpass -p`,
 * `mongo`/`mongosh`/`mongodump…` `-p`, `redis-cli -a`, `docker login -p`, and the password of `curl -u user:password`.
 */

/** A `name=` / `name:` (the name possibly quoted); the name's first character must not continue a word. */
const NAME_SEP = /(?<![A-Za-z0-9_.])(["']?)([A-Za-z_][A-Za-z0-9_.-]*)\1([ \t]*[=:][ \t]*)/g;
/**
 * A pair's value: a quoted text (quoted with `\"` too, inside JSON text's strings), or a run up to whitespace, `,`,
 * `;`, `&`, a quote, a backslash or a closing bracket (not starting with an opening one: `"pwd": {…}` is an object).
 */
const VALUE = /\\"(?:[^"\\\n]|\\[^"\n])*\\"|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[^\s"',;&)\]}<>{[\\][^\s"',;&)\]}<>\\]*/y;

const KEPT_VALUES = new Set(['', REDACTED, 'true', 'false', 'null', 'none', 'None', 'nil', 'yes', 'no']);

/** `text` with the values of pairs whose name says a secret redacted (see above); the same string when there are none. */
function redactPairs(text: string): string {
  if (!text.includes('=') && !text.includes(':')) return text;
  let out = '';
  let kept = 0;
  NAME_SEP.lastIndex = 0;
  for (let m = NAME_SEP.exec(text); m !== null; m = NAME_SEP.exec(text)) {
    const [, q, name, sep] = m;
    // A name that says nothing: its value is read on as text (it may hold a pair itself, `a=api_key=K`).
    if (!isSecretName(name)) continue;
    VALUE.lastIndex = m.index + m[0].length;
    const v = VALUE.exec(text);
    if (v === null) continue;
    const value = v[0];
    NAME_SEP.lastIndex = VALUE.lastIndex;
    const mark = value.startsWith('\\"') ? '\\"' : value[0] === '"' || value[0] === "'" ? value[0] : '';
    const inner = value.slice(mark.length, value.length - mark.length);
    if (KEPT_VALUES.has(inner)) continue;
    // `password: must be 8 characters` is prose; `"pwd": 12345` (a quoted name) is JSON.
    if (mark === '' && q === '' && sep.includes(':') && /[ \t]$/.test(sep)) continue;
    const red = mark !== '' ? `${mark}${REDACTED}${mark}` : q === '"' ? `"${REDACTED}"` : REDACTED;
    out += text.slice(kept, v.index) + red;
    kept = v.index + value.length;
  }
  return kept === 0 ? text : out + text.slice(kept);
}

/**
 * Whether `t[start…end)` (text, or UTF-8 bytes, never decoded) holds a `name=` or `name:` (the name possibly quoted,
 * spaces before the separator) whose name says a secret: the bytes looked at are the `=` and `:`, and before each the
 * last word (secret-names.ts, one table lookup for most). False means `redactPairs` finds nothing. Allocates nothing.
 */
export function mayHoldSecretPair(t: string | Uint8Array, start = 0, end = t.length): boolean {
  return typeof t === 'string' ? textHoldsPair(t, start, end) : bytesHoldPair(t, start, end);
}

/** mayHoldSecretPair over UTF-8 bytes (value-secrets.ts' pass without its credentials: those are looked for apart). */
function bytesHoldPair(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start + 1; i < end; i++) {
    const c = b[i];
    if (c !== 0x3d && c !== 0x3a) continue;
    let j = i;
    while (j > start + 1 && (b[j - 1] === 0x20 || b[j - 1] === 0x09)) j--;
    if (b[j - 1] === 0x22 || b[j - 1] === 0x27) j--;
    if (j > start && isSecretName(b, start, j)) return true;
  }
  return false;
}

/** mayHoldSecretPair over text. */
function textHoldsPair(t: string, start: number, end: number): boolean {
  for (let i = start + 1; i < end; i++) {
    const c = t.charCodeAt(i);
    if (c !== 0x3d && c !== 0x3a) continue;
    let j = i;
    while (j > start + 1 && (t.charCodeAt(j - 1) === 0x20 || t.charCodeAt(j - 1) === 0x09)) j--;
    if (t.charCodeAt(j - 1) === 0x22 || t.charCodeAt(j - 1) === 0x27) j--;
    if (j > start && isSecretName(t, start, j)) return true;
  }
  return false;
}

/** Free text with its credentials redacted (see above); the same string (byte for byte) when there are none. Never throws. */
export function redactFreeText(text: string): string {
  if (!mayHoldSecretPair(text) && !mayHoldValueSecret(text)) return text;
  let red = redactPairs(redactCredentials(text));
  // A replaced value can let a pair that followed it be read (`"pwd":x"pwd":y`): again until nothing changes, so
  // that redacting what is stored (the trace view) gives what was stored. Only text that changed pays for it.
  for (let round = 0; round < 4 && red !== text; round++) {
    const again = redactPairs(redactCredentials(red));
    if (again === red) break;
    red = again;
  }
  return red === text ? text : red;
}

/** Programs whose short option (the key) takes a password, and whether it may be given as the next word (else only attached, `-pS3cr3t`). */
interface ShortOption {
  option: string;
  next: boolean;
}
const SHORT_PASSWORD_OPTIONS: ReadonlyMap<string, ShortOption> = new Map<string, ShortOption>([
  ...['mysql', 'mysqldump', 'mysqladmin', 'mysqlimport', 'mysqlcheck', 'mysqlshow', 'mysqlpump', 'mysqlsh', 'mariadb', 'mariadb-dump', 'mariadb-admin'].map(
    (p): [string, ShortOption] => [p, { option: 'p', next: false }],
  ),
  ...['sshpass', 'mongo', 'mongosh', 'mongodump', 'mongorestore', 'mongoexport', 'mongoimport', 'mongostat', 'mongotop'].map((p): [string, ShortOption] => [
    p,
    { option: 'p', next: true },
  ]),
  ['redis-cli', { option: 'a', next: true }],
  ['valkey-cli', { option: 'a', next: true }],
]);
/** Words before the program itself. */
const WRAPPERS = new Set(['sudo', 'env', 'exec', 'nohup', 'time', 'nice', 'doas']);

/** One word of a command line: where it is, and its text without the quotes that group it. */
interface Word {
  s: number;
  e: number;
  text: string;
}

/** The words of a shell command line, split at unquoted whitespace; quotes group and are dropped from `text`. */
function words(line: string): Word[] {
  const out: Word[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) break;
    const s = i;
    let text = '';
    while (i < line.length && !/\s/.test(line[i])) {
      const c = line[i];
      if (c === '"' || c === "'") {
        const close = line.indexOf(c, i + 1);
        if (close < 0) {
          text += line.slice(i + 1);
          i = line.length;
        } else {
          text += line.slice(i + 1, close);
          i = close + 1;
        }
      } else {
        text += c;
        i++;
      }
    }
    out.push({ s, e: i, text });
  }
  return out;
}

/**
 * Which parts of the arguments `args` (a program's argv) hold a password: [index, offset in the argument from which
 * it is replaced]. Reads the option rules above; free text's rules are applied to each argument afterwards.
 */
function secretArgs(args: readonly string[]): [number, number][] {
  const out: [number, number][] = [];
  let p = 0;
  while (p < args.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(args[p]) || WRAPPERS.has(args[p]))) p++;
  const program = (args[p] ?? '').replace(/^.*[\\/]/, '').replace(/\.exe$/i, '');
  const short = SHORT_PASSWORD_OPTIONS.get(program);
  const dockerLogin = program === 'docker' && args.includes('login');
  const curl = program === 'curl';
  const isValue = (i: number) => i < args.length && args[i] !== '' && !args[i].startsWith('-');
  for (let i = p + 1; i < args.length; i++) {
    const a = args[i];
    if (a === '--') break;
    const long = /^--?([A-Za-z][A-Za-z0-9_.-]*)$/.exec(a);
    if (long && !/^no[-_]/i.test(long[1]) && isSecretName(long[1]) && isValue(i + 1)) {
      out.push([i + 1, 0]);
      i++;
      continue;
    }
    const opt = short?.option ?? (dockerLogin ? 'p' : '');
    if (opt !== '' && a.startsWith(`-${opt}`) && !a.startsWith('--')) {
      if (a.length > 2) out.push([i, 2]);
      else if ((short?.next ?? dockerLogin) && isValue(i + 1)) {
        out.push([i + 1, 0]);
        i++;
      }
      continue;
    }
    if (curl && (a === '-u' || a === '--user' || a === '-U' || a === '--proxy-user') && i + 1 < args.length) {
      const colon = args[i + 1].indexOf(':');
      if (colon >= 0) out.push([i + 1, colon + 1]);
      i++;
    }
  }
  return out;
}

/** `text` from `from` on replaced by REDACTED (unless that part is empty or already REDACTED). */
const replaceFrom = (text: string, from: number) => (text.length <= from || text.slice(from) === REDACTED ? text : text.slice(0, from) + REDACTED);

/** A command line (`process.command_line`) with its secrets redacted (see above); the same string when there are none. Never throws. */
export function redactCommandLine(line: string): string {
  const ws = words(line);
  const edits = secretArgs(ws.map((w) => w.text));
  let out = line;
  // From the last word back, so earlier positions stay valid; a quoted word keeps its quotes around REDACTED.
  for (let k = edits.length - 1; k >= 0; k--) {
    const [i, from] = edits[k];
    const w = ws[i];
    const raw = line.slice(w.s, w.e);
    let red: string;
    if (raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw.endsWith(raw[0]) && raw.indexOf(raw[0], 1) === raw.length - 1)
      red = raw[0] + replaceFrom(raw.slice(1, -1), from) + raw[0];
    else if (raw === w.text) red = replaceFrom(raw, from);
    else red = from === 0 ? REDACTED : replaceFrom(raw, from);
    out = out.slice(0, w.s) + red + out.slice(w.e);
  }
  const red = redactFreeText(out);
  return red === line ? line : red;
}

/**
 * `process.command_args` as stored (JSON text of a string array, or a plain string) with its secrets redacted: the
 * option rules on the arguments, then free text's on each; a string that is no JSON array is read as a command line.
 * The same string when there are none. Never throws.
 */
export function redactCommandArgs(text: string): string {
  if (!text.startsWith('[')) return redactCommandLine(text);
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch {
    return redactFreeText(text);
  }
  if (!Array.isArray(items)) return redactFreeText(text);
  const args = (items as unknown[]).map((v) => (typeof v === 'string' ? v : ''));
  const red: unknown[] = [...(items as unknown[])];
  for (const [i, from] of secretArgs(args)) if (typeof red[i] === 'string') red[i] = replaceFrom(red[i] as string, from);
  for (let i = 0; i < red.length; i++) if (typeof red[i] === 'string') red[i] = redactFreeText(red[i] as string);
  return red.every((v, i) => v === (items as unknown[])[i]) ? text : JSON.stringify(red);
}

/**
 * The JSON text of a structured value (an array or kvlist attribute, a structured log body, as `anyValueText` writes
 * it) with each string redacted by `redactString`, and the string or number under a key that says a secret
 * (`{"password":"p"}`, `{"pin_token":1234}`) replaced by `"REDACTED"`; every other byte kept. Strings are found by
 * reading the JSON, not by a pattern over it, so a secret's rule never reaches across a string's quotes. Text that is
 * no JSON is returned as it is. The same string when nothing changes. Never throws.
 */
export function redactJsonText(text: string, redactString: (s: string) => string = redactFreeText): string {
  let out = '';
  let kept = 0;
  let secretValue = false;
  let i = 0;
  const n = text.length;
  const skipSpace = (k: number) => {
    while (k < n && (text[k] === ' ' || text[k] === '\n' || text[k] === '\t' || text[k] === '\r')) k++;
    return k;
  };
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= n) return text;
      const literal = text.slice(i, j + 1);
      let value: string;
      try {
        value = JSON.parse(literal) as string;
      } catch {
        return text;
      }
      const isKey = text[skipSpace(j + 1)] === ':';
      if (isKey) secretValue = isSecretName(value);
      else {
        const red = secretValue ? (KEPT_VALUES.has(value) ? value : REDACTED) : redactString(value);
        if (red !== value) {
          out += text.slice(kept, i) + JSON.stringify(red);
          kept = j + 1;
        }
        secretValue = false;
      }
      i = j + 1;
    } else if (secretValue && (c === '-' || (c >= '0' && c <= '9'))) {
      let j = i + 1;
      while (j < n && /[0-9eE+.-]/.test(text[j])) j++;
      out += `${text.slice(kept, i)}"${REDACTED}"`;
      kept = j;
      secretValue = false;
      i = j;
    } else {
      // An object or array under a secret key is read item by item; `true`, `false`, `null` are kept.
      if (c === '{' || c === '[' || c === ',' || c === 't' || c === 'f' || c === 'n') secretValue = false;
      i++;
    }
  }
  return kept === 0 ? text : out + text.slice(kept);
}
