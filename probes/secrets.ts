import { defaultEnvPolicy, envRefRefusal, type EnvPolicy } from '../core/catalog/index.ts';
import { ProbeError } from './probe-error.ts';

/** Reads one environment variable (the process configuration's `env`), nothing else. */
export type EnvLookup = (name: string) => string | undefined;

const MASK = '***';
/** Shortest remembered text: shorter ones (a user "sa") would blank out ordinary words. */
const MIN_SECRET = 3;
/** Shortest tail of a message that is taken for the start of a cut-off secret. */
const MIN_PARTIAL = 4;
const REF = /env:([A-Za-z_][A-Za-z0-9_]*)/g;

/** Credentials in text whatever their source: URL passwords, secret query values, bearer and basic tokens. */
const genericPatterns: Array<[RegExp, string]> = [
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:)[^@\s/]*@/gi, `$1${MASK}@`],
  [/([?&;](?:[\w.-]*(?:token|secret|passw|api[-_]?key|access[-_]?key|auth|signature|credential|session)[\w.-]*|key|sig|code|pwd)=)[^&\s"'<>]+/gi, `$1${MASK}`],
  // A token has a digit or a symbol in it ("Bearer eyJ0e…", "Basic dXNlcjpw…="); "basic credentials" is prose.
  [/\b(bearer|basic)(\s+)(?=[A-Za-z0-9._~+/=-]*[0-9._~+/=-])[A-Za-z0-9._~+/=-]{6,}/gi, `$1$2${MASK}`],
];

/** The forms a secret takes once it has been encoded on its way into a message. */
function variants(value: string): string[] {
  const out = [value, encodeURIComponent(value), encodeURI(value), JSON.stringify(value).slice(1, -1)];
  const b64 = Buffer.from(value).toString('base64');
  out.push(b64, b64.replace(/(?<!=)=+$/, ''), Buffer.from(value).toString('base64url'), Buffer.from(value).toString('hex'));
  return out;
}

/**
 * Resolves `env:NAME` references when a probe runs and remembers every value it handed out (and
 * the parts and encodings of it a driver might print), so that messages can be scrubbed before
 * they reach logs, ClickHouse or the API. Names outside the catalog's env policy — always every
 * `WEFT_*` variable — are refused with a config error that names the variable, never a value.
 * Messages should not carry values in the first place; `redact` is the second line.
 */
export class Secrets {
  private readonly values = new Set<string>();
  private sorted: string[] | null = null;
  constructor(
    private readonly env: EnvLookup,
    private readonly policy: EnvPolicy = defaultEnvPolicy,
  ) {}

  /**
   * `env:NAME` → the variable's value; a missing or refused variable is a config error naming it (never the value).
   * `remember: false` is for values whose secret parts the caller remembers itself (`rememberUrl`).
   */
  resolve(ref: string, what: string, remember = true): string {
    const m = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(ref);
    if (!m) return ref;
    const refusal = envRefRefusal(m[1], this.policy);
    if (refusal) throw new ProbeError('config', `${what}: ${refusal}`);
    let value: string | undefined;
    try {
      value = this.env(m[1]);
    } catch (err) {
      // The secrets file holds lines it would read other than meant: its message names them, never a value.
      throw new ProbeError('config', `${what}: ${(err as Error).message}`);
    }
    if (value === undefined || value === '')
      throw new ProbeError(
        'config',
        `environment variable ${m[1]} (${what}) is not set: add ${m[1]}=… to the secrets file (--secrets-file / WEFT_SECRETS_FILE, read again on weft catalog reload), or set it in the environment Weft starts with`,
      );
    if (remember) this.remember(value);
    return value;
  }

  /**
   * A URL as the catalog writes it: a whole `env:NAME` is the URL itself (a Slack webhook); otherwise each query
   * value holding references is resolved and percent-encoded as a query value (`?token=env:T` with T = "a&b#c"
   * sends `token=a%26b%23c`, not a second parameter and a cut), as an http probe's query is. Throws like `resolve`;
   * a reference elsewhere in the URL (its path, its host) is refused, naming it.
   */
  resolveUrl(text: string, what: string): string {
    if (/^env:[A-Za-z_][A-Za-z0-9_]*$/.test(text)) return this.resolve(text, what);
    if (!text.includes('env:')) return text;
    const url = new URL(text);
    for (const [name, value] of [...url.searchParams])
      if (value.includes('env:')) url.searchParams.set(name, this.resolveEmbedded(value, `${what} query parameter ${name}`));
    if (url.toString().replace(url.search, '').includes('env:'))
      throw new ProbeError('config', `${what}: an env: reference may stand for the whole URL or a query value, not a part of its host or path`);
    return url.toString();
  }

  /** A text holding references ("Bearer env:TOKEN", "?key=env:KEY"): each is resolved and remembered. */
  resolveEmbedded(text: string, what: string): string {
    return text.replace(REF, (ref) => this.resolve(ref, what));
  }

  /** Remembers a secret value and its encodings (percent, JSON, base64, hex). */
  remember(value: string): void {
    if (value.length < MIN_SECRET) return;
    for (const v of variants(value)) if (v.length >= MIN_SECRET) this.values.add(v);
    this.sorted = null;
  }

  /**
   * Remembers what a secret URL (a DSN held in a variable) is made of: the whole text, the user,
   * the password (raw and decoded), the user-info as basic auth, the database name.
   */
  rememberUrl(text: string): void {
    this.remember(text);
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return;
    }
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    for (const part of [url.username, user, url.password, password, url.pathname.replace(/^\//, ''), decodeURIComponent(url.pathname.replace(/^\//, ''))])
      this.remember(part);
    if (user || password) this.remember(`${user}:${password}`);
    for (const [, v] of url.searchParams) this.remember(v);
  }

  /**
   * Replaces every secret handed out — also encoded, or cut off at the end or start of the text —
   * and any credential recognisable by its form (URL password, token query value, bearer token) with ***.
   */
  redact(text: string): string {
    let out = String(text);
    this.sorted ??= [...this.values].sort((a, b) => b.length - a.length);
    for (const v of this.sorted) if (out.includes(v)) out = out.split(v).join(MASK);
    for (const [re, to] of genericPatterns) out = out.replace(re, to);
    // A message cut short (or begun late) may hold only part of a secret.
    for (const v of this.sorted) {
      for (let n = Math.min(v.length - 1, out.length); n >= MIN_PARTIAL; n--) {
        if (out.endsWith(v.slice(0, n))) {
          out = out.slice(0, out.length - n) + MASK;
          break;
        }
      }
      for (let n = Math.min(v.length - 1, out.length); n >= MIN_PARTIAL; n--) {
        if (out.startsWith(v.slice(v.length - n))) {
          out = MASK + out.slice(n);
          break;
        }
      }
    }
    return out;
  }

  /** `redact`, then cut to `max` characters: the cut never exposes part of a secret. */
  redactTruncated(text: string, max: number): string {
    const clean = this.redact(text);
    return clean.length <= max ? clean : `${this.redact(clean.slice(0, max))}…`;
  }

  /** A structure with every key and string value redacted (evidence, log fields). */
  redactDeep<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v: unknown) => this.redactDeep(v)) as T;
    if (value && typeof value === 'object' && !(value instanceof Date)) {
      const out = Object.create(null) as Record<string, unknown>;
      for (const [k, v] of Object.entries(value)) out[this.redact(k)] = this.redactDeep(v);
      return out as T;
    }
    return value;
  }
}
