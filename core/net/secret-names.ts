/**
 * Whether a name says that what it names is a secret: an attribute key (`app.password`, `my.token`, `client_secret`),
 * a recorded header (`http.request.header.authorization`, `…x-api-key`), a column or option in a statement
 * (`PASSWORD`, `SECRET_ACCESS_KEY`), a field of a JSON statement (`"pwd"`).
 *
 * The rule reads the name's last word only: words are split at any ASCII character that is not a letter or a digit
 * (`.`, `_`, `-`, space…) and where camel case starts one (`apiKey` → api, Key; `APIKey` → API, Key), and compared
 * in ASCII lower case. The name is secret when its last word is one of SECRET_WORDS, or is `key` after one of
 * KEY_QUALIFIERS (`api_key`, `x-api-key`, `privateKey`). So `token_count`, `llm.usage.total_tokens`,
 * `messaging.kafka.message.key`, `password_reset.requested`, `gen_ai.token.type`, `routing_key` are not: their last
 * word is a count, a plural, a key of a message, an event. This is the OpenTelemetry Collector redaction processor's
 * `blocked_key_patterns` made a fixed rule on words rather than a pattern on characters (a pattern such as
 * `.*token.*` hits token counts).
 *
 * The name is a string (UTF-16) or UTF-8 bytes (the protobuf decoder's keys, never decoded): only ASCII characters
 * count, every other code unit or byte is part of a word that matches nothing, so both read the same.
 */

/** Last words that make a name secret (ASCII lower case). */
export const SECRET_WORDS: readonly string[] = [
  'password',
  'pgpassword',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'token',
  'credential',
  'credentials',
  'authorization',
  'cookie',
  'apikey',
  'accesskey',
  'secretkey',
  'privatekey',
  'accesstoken',
  'authtoken',
  'refreshtoken',
  'idtoken',
  'sessiontoken',
  'clientsecret',
  'requirepass',
  'masterauth',
];

/** Words before a last word `key` that make it a secret key (`api_key`, `Ocp-Apim-Subscription-Key`); `routing_key`, `message.key`, `public_key` are not. */
export const KEY_QUALIFIERS: readonly string[] = [
  'api',
  'access',
  'secret',
  'private',
  'signing',
  'encryption',
  'master',
  'subscription',
  'shared',
  'session',
  'auth',
];

/** A name as text or as UTF-8 bytes. */
export type NameText = string | Uint8Array;

/** Words by length, as byte arrays (ASCII lower case): a word is compared only with those of its length. */
const byLength = (words: readonly string[]) => {
  const out: Uint8Array[][] = [];
  for (const w of words) (out[w.length] ??= []).push(Buffer.from(w, 'latin1'));
  return out;
};
const SECRET_BY_LENGTH = byLength(SECRET_WORDS);
const QUALIFIER_BY_LENGTH = byLength(KEY_QUALIFIERS);
const KEY_BY_LENGTH = byLength(['key']);
/** The last two characters (ASCII lower case, `| 0x20`, as a 16-bit index) of SECRET_WORDS and `key`; anything else fails at once. */
const ENDINGS = new Uint8Array(65536);
/** The same words (bytes) by those two characters. */
const TAILS: (Uint8Array[] | undefined)[] = new Array<Uint8Array[] | undefined>(65536).fill(undefined);
for (const w of [...SECRET_WORDS, 'key']) {
  const i = w.charCodeAt(w.length - 2) * 256 + w.charCodeAt(w.length - 1);
  ENDINGS[i] = 1;
  (TAILS[i] ??= []).push(Buffer.from(w, 'latin1'));
}

const code = (t: NameText, i: number): number => (typeof t === 'string' ? t.charCodeAt(i) : t[i]);
const isUpper = (c: number) => c >= 0x41 && c <= 0x5a;
const isLower = (c: number) => c >= 0x61 && c <= 0x7a;
/** A letter, a digit, or any non-ASCII code unit or byte (part of a word that matches nothing). */
const inWord = (c: number) => isUpper(c) || isLower(c) || (c >= 0x30 && c <= 0x39) || c >= 0x80;

/** Where the last word of `t[start…end)` starts and ends, left here so nothing is allocated (`lastWord`). */
let wordStart = 0;
let wordEnd = 0;

/** Sets wordStart/wordEnd to the last word of `t[start…end)`; an empty range when there is none. */
function lastWord(t: NameText, start: number, end: number): void {
  let e = end;
  while (e > start && !inWord(code(t, e - 1))) e--;
  let s = e;
  while (s > start) {
    const c = code(t, s - 1);
    if (!inWord(c)) break;
    // A camel-case start: `apiKey` (K after a lower-case letter or a digit), `APIKey` (K before a lower-case letter, after an upper-case one).
    const next = s < e ? code(t, s) : 0;
    const prev = s - 2 >= start ? code(t, s - 2) : 0;
    s--;
    if (isUpper(c) && (isLower(prev) || (prev >= 0x30 && prev <= 0x39) || (isUpper(prev) && isLower(next)))) break;
  }
  wordStart = s;
  wordEnd = e;
}

/** Whether `t[s…e)` is one of `words` (by length), in ASCII lower case. */
function isOneOf(t: NameText, s: number, e: number, words: Uint8Array[][]): boolean {
  const list = words[e - s];
  if (list === undefined) return false;
  for (const w of list) {
    let i = 0;
    while (i < w.length) {
      const c = code(t, s + i);
      if ((isUpper(c) ? c | 0x20 : c) !== w[i]) break;
      i++;
    }
    if (i === w.length) return true;
  }
  return false;
}

/**
 * Whether the name `t[start…end)` (all of it by default) says a secret: its last word is one of SECRET_WORDS, or `key`
 * after one of KEY_QUALIFIERS. Never throws; allocates nothing.
 */
export function isSecretName(t: NameText, start = 0, end = t.length): boolean {
  // The common case, bytes ending in a word character (the decoder's keys): the name must end with one of the words
  // that end with its last two characters (`operation` does not end with `authorization`), read from the end.
  if (typeof t !== 'string' && end - start >= 3 && inWord(t[end - 1])) {
    const words = TAILS[(t[end - 2] | 0x20) * 256 + (t[end - 1] | 0x20)];
    if (words === undefined) return false;
    let ends = false;
    for (let j = 0; j < words.length && !ends; j++) {
      const w = words[j];
      if (w.length > end - start) continue;
      let k = 2;
      while (k < w.length && (t[end - 1 - k] | 0x20) === w[w.length - 1 - k]) k++;
      ends = k === w.length;
    }
    if (!ends) return false;
  }
  let last = end;
  while (last > start && !inWord(code(t, last - 1))) last--;
  // Most names fail on their last two characters, which no secret word ends with: one table lookup.
  if (last - start < 3 || ENDINGS[((code(t, last - 2) | 0x20) & 0xff) * 256 + ((code(t, last - 1) | 0x20) & 0xff)] === 0) return false;
  lastWord(t, start, last);
  const s = wordStart;
  const e = wordEnd;
  if (isOneOf(t, s, e, SECRET_BY_LENGTH)) return true;
  if (!isOneOf(t, s, e, KEY_BY_LENGTH)) return false;
  lastWord(t, start, s);
  return isOneOf(t, wordStart, wordEnd, QUALIFIER_BY_LENGTH);
}
