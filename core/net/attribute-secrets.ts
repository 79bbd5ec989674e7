import { isSecretName, type NameText } from './secret-names.ts';
import { bytesMayHoldStatementSecret, mayHoldCredential, redactStatement } from './statement-secrets.ts';
import { bytesMayHoldPathSecret, mayHoldPathSecret } from './url-path-secrets.ts';
import { REDACTED, URL_REDACTORS, type Redactor } from './url-secrets.ts';
import { redactCommandArgs, redactCommandLine, redactFreeText, redactJsonText } from './text-secrets.ts';
import { bytesMayHold, mayHoldValueSecret, redactCredentials } from './value-secrets.ts';

export { MIN_SECRET_LENGTH } from './value-secrets.ts';

/**
 * Secrets in span, resource, event and link attributes (and those of logs and metrics), replaced by `REDACTED` before
 * Weft stores or shows them: the one rule both OTLP decoders (collector/otlp) and the API's trace view apply.
 *
 * - URL-valued keys (url-secrets.ts: `url.full`, `http.url`, `url.original`, `http.target`, `url.path`, `url.query`,
 *   `db.connection_string`): userinfo, secret path segments and secret query parameters;
 * - statements (`db.statement`, `db.query.text`; statement-secrets.ts): credentials written as literals;
 * - free text (`exception.message`, `exception.stacktrace`, `error.message`; text-secrets.ts): credentials by their
 *   shape and `password=…` pairs; command lines (`process.command_line`, `process.command_args`, a string array whose
 *   stored JSON text is redacted): those, and the arguments of options that take a password (`--password S3cr3t`,
 *   `mysql -pS3cr3t`);
 * - any other key whose name says a secret (secret-names.ts: `app.password`, `my.token`, `client_secret`,
 *   `http.request.header.authorization`, `http.response.header.set-cookie`, `rpc.grpc.request.metadata.x-api-key`):
 *   the whole value (`redactSecretValue`);
 * - every other key's string value: the credentials recognisable by their value alone (value-secrets.ts: `Bearer …`,
 *   `Basic …`, JWTs, AWS access key ids, PEM private keys, prefixed tokens such as `ghp_…`, a URL's password); in an
 *   array or kvlist value, and in a string that is JSON text, each string so, and the value of a key that says a
 *   secret (`redactStructuredValue`, `redactPlain`).
 *
 * None of these keys is one the classification of a span reads (collector/touches/span-record.ts SPAN_KEYS) other
 * than the URLs and the statements, whose rules keep what it reads.
 */

/**
 * How `secretKeyKind` says a key is read: by its value's shape only (`redactCredentials`), by its name, or by the rule
 * of one of BY_KEY's keys (2 + its index).
 */
export const KEY_PLAIN = 0;
export const KEY_NAMED = 1;

/** Whether a value (UTF-8 bytes, as sent) may hold something its key's rule redacts; false lets it be stored undecoded. */
type Gate = (v: Uint8Array, start: number, end: number) => boolean;

/** A URL only when it holds `@`, `?`, `#` or `=`, or a path segment that names a secret (url-path-secrets.ts). */
const mayHoldUrlSecret: Gate = (v, start, end) => {
  for (let i = start; i < end; i++) {
    const c = v[i];
    if (c === 0x40 || c === 0x3f || c === 0x23 || c === 0x3d) return true;
  }
  return mayHoldPathSecret(v, start, end);
};
/** Free text when it holds a credential's prefix or a pair whose name says a secret. */
const mayHoldTextSecret: Gate = (v, start, end) => bytesMayHold(v, start, end, true);
/** A statement when it holds a word a credential rule starts from, or a credential's prefix. */
const mayHoldStatementSecret: Gate = bytesMayHoldStatementSecret;
/** A command line always: its short options (`-pS3cr3t`) have no word to look for. */
const always: Gate = () => true;

const BY_KEY: readonly (readonly [string, Redactor, Gate])[] = [
  ...[...URL_REDACTORS].map(([k, r]) => [k, r, mayHoldUrlSecret] as const),
  ['db.statement', redactStatement, mayHoldStatementSecret],
  ['db.query.text', redactStatement, mayHoldStatementSecret],
  ...['exception.message', 'exception.stacktrace', 'error.message'].map((k) => [k, redactFreeText, mayHoldTextSecret] as const),
  ['process.command_line', redactCommandLine, always],
  ['process.command_args', redactCommandArgs, always],
];
/** The kind of `process.command_args`, whose value (an array) is redacted as its stored JSON text, not only as a string. */
export const KEY_COMMAND_ARGS = 2 + BY_KEY.findIndex(([k]) => k === 'process.command_args');
/** BY_KEY's keys read by their value's text, of which the decoders pass only string values (and `process.command_args`' arrays). */
export const VALUE_KEYS: readonly string[] = BY_KEY.map(([k]) => k);
const KIND_OF = new Map(BY_KEY.map(([k], i) => [k, 2 + i]));
/** BY_KEY's keys as UTF-8 bytes, by length. */
const BYTES_BY_LENGTH: ({ bytes: Uint8Array; kind: number }[] | undefined)[] = [];
BY_KEY.forEach(([k], i) => (BYTES_BY_LENGTH[k.length] ??= []).push({ bytes: Buffer.from(k), kind: 2 + i }));
for (let n = 0; n < BYTES_BY_LENGTH.length; n++) BYTES_BY_LENGTH[n] ??= undefined;

/**
 * How the attribute `key` (all of it, or the UTF-8 bytes `key[start…end)`) is redacted: KEY_PLAIN (credentials
 * recognisable by their shape, `redactCredentials`), KEY_NAMED
 * (`redactSecretValue`), or a kind above those, read from its value (`redactValue`). Allocates nothing; never throws.
 */
export function secretKeyKind(key: NameText, start = 0, end = key.length): number {
  if (typeof key === 'string') {
    const kind = KIND_OF.get(key);
    if (kind !== undefined) return kind;
  } else if (end - start < BYTES_BY_LENGTH.length) {
    const list = BYTES_BY_LENGTH[end - start];
    if (list !== undefined)
      for (let j = 0; j < list.length; j++) {
        const bytes = list[j].bytes;
        let i = 0;
        while (i < bytes.length && key[start + i] === bytes[i]) i++;
        if (i === bytes.length) return list[j].kind;
      }
  }
  return isSecretName(key, start, end) ? KEY_NAMED : KEY_PLAIN;
}

/**
 * Whether the string value `v[start…end)` (UTF-8 bytes, as sent) of an attribute of kind `kind` other than KEY_NAMED
 * may have something to redact, read without decoding it: a plain key's only when it holds a credential's prefix
 * (`mayHoldValueSecret`); a URL only when it holds `@`, `?`, `#` or `=`; a statement only when it holds a word a
 * credential rule starts from (`mayHoldCredential`); free text when it holds either; a command line always. False
 * means `redactValue` returns it as it is.
 */
export function mayRedact(kind: number, v: Uint8Array, start: number, end: number): boolean {
  if (kind === KEY_PLAIN)
    return mayHoldValueSecret(v, start, end) || (end > start && (v[start] === 0x7b || v[start] === 0x5b) && mayHoldCredential(v, start, end));
  return BY_KEY[kind - 2][2](v, start, end);
}

/**
 * A plain key's string value: its credentials by their shape (`redactCredentials`); one that is JSON text (starts with
 * `{` or `[`: a recorded request body, a serialised config) read as a structured value is, string by string and with
 * its secret-named keys' values replaced (`redactJsonText`).
 */
function redactPlain(text: string): string {
  const c = text.charCodeAt(0);
  return c === 0x7b || c === 0x5b ? redactJsonText(text, redactCredentials) : redactCredentials(text);
}

/** `text` of an attribute of kind `kind` (`secretKeyKind`) with its secrets replaced; the same string when there are none. */
export function redactValue(kind: number, text: string): string {
  if (kind === KEY_PLAIN) return redactPlain(text);
  if (kind === KEY_NAMED) return redactSecretValue(text);
  return BY_KEY[kind - 2][1](text);
}

/**
 * The value of an attribute whose name says a secret, as stored text: `REDACTED`; an array (JSON text, as a recorded
 * header's `["Bearer …"]`) keeps its length, each item `REDACTED`. Kept as they are: an empty value, `true` and
 * `false` (a flag such as `user.has_password` says no secret), and what is already redacted. Never throws.
 */
export function redactSecretValue(text: string): string {
  if (text === '' || text === 'true' || text === 'false' || text === REDACTED) return text;
  if (text.startsWith('[')) {
    let items: unknown;
    try {
      items = JSON.parse(text);
    } catch {
      return REDACTED;
    }
    if (!Array.isArray(items)) return REDACTED;
    const list = items as unknown[];
    const red = list.map((v): unknown => (v === '' || v === null || typeof v === 'boolean' ? v : REDACTED));
    return red.every((v, i) => v === list[i]) ? text : JSON.stringify(red);
  }
  return REDACTED;
}

/**
 * `value` of the attribute `key` with its secrets replaced by `REDACTED`; the same string (byte for byte) when there
 * are none. Never throws, whatever the value.
 */
export function redactAttribute(key: string, value: string): string {
  return redactValue(secretKeyKind(key), value);
}

/**
 * A string map (span, resource or event attributes) with `redactAttribute` applied: the same object when nothing
 * changed, else a copy with no prototype.
 */
export function redactAttributes(attributes: Record<string, string>): Record<string, string> {
  let out: Record<string, string> | undefined;
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (typeof value !== 'string') continue;
    const red = redactAttribute(key, value);
    if (red === value) continue;
    out ??= Object.assign(Object.create(null) as Record<string, string>, attributes);
    out[key] = red;
  }
  return out ?? attributes;
}

/**
 * Free text that is no attribute — a span's status message, a log record's body (its text, or the JSON text of a
 * structured body) — with its secrets redacted as `exception.message`'s (text-secrets.ts `redactFreeText`); the same
 * string when there are none. Never throws.
 */
export function redactText(text: string): string {
  return redactFreeText(text);
}

/** A word of a span name that is a request target: a path from its `/` (with its query), up to whitespace. */
const TARGET_WORD = /(^|\s)(\/[^\s]*)/g;
const redactTarget = URL_REDACTORS.get('http.target')!;

/**
 * A span's name (or an event's) with its secrets redacted: as free text (`redactText`: a URL in it loses its userinfo, secret path
 * segments and secret parameters, `GET https://h/x?token=…`; a `token=…` pair its value), and each word that is a
 * request target as `http.target` is (`GET /reset-password/<token>`, `POST /cb?code=…`). The same string when there
 * are none. Never throws.
 */
export function redactSpanName(name: string): string {
  const red = redactFreeText(name);
  const out = red.includes('/') ? red.replace(TARGET_WORD, (whole, lead: string, target: string) => lead + redactTarget(target)) : red;
  return out === name ? name : out;
}

/** Whether `redactSpanName` may change the name whose UTF-8 bytes are `v[start…end)`, read without decoding them. Allocates nothing. */
export function mayRedactSpanName(v: Uint8Array, start: number, end: number): boolean {
  return end - start >= 8 && (bytesMayHoldPathSecret(v, start, end, true) || mayHoldTextSecret(v, start, end));
}

/** Whether `redactText` may change the text whose UTF-8 bytes are `v[start…end)`, read without decoding them. Allocates nothing. */
export function mayRedactText(v: Uint8Array, start: number, end: number): boolean {
  return mayHoldTextSecret(v, start, end);
}

/**
 * The stored JSON text of an array or kvlist value (`anyValueText`) of an attribute of kind `kind` other than
 * KEY_NAMED, with its secrets redacted: under a plain key each string as a plain string value is
 * (`redactCredentials`) and the value of a kvlist key that says a secret (`{"password":"p"}`) replaced
 * (`redactJsonText`); `process.command_args` as an argv (`redactCommandArgs`); any other kind's as it is (their rules
 * read strings). The same string when nothing changes. Never throws.
 */
export function redactStructuredValue(kind: number, json: string): string {
  if (kind === KEY_PLAIN) return redactJsonText(json, redactCredentials);
  if (kind === KEY_COMMAND_ARGS) return redactCommandArgs(json);
  return json;
}

/** A structured log body's JSON text (a kvlist or array body) with its strings redacted as free text (`redactText`) and its secret-named keys' values replaced. */
export function redactJsonBody(json: string): string {
  return redactJsonText(json, redactFreeText);
}
