import { isSecretName, type NameText } from './secret-names.ts';
import { REDACTED } from './url-userinfo.ts';

/**
 * Secrets in a URL's path (url.full, http.url, url.original, http.target, url.path, and a URL inside any text),
 * replaced segment by segment; every other byte of the path is kept:
 *
 * - the segment after one that names a credential (secret-names.ts, read on the path up to it, a plural's `s`
 *   dropped: `/reset-password/<token>`, `/api/keys/<key>`, `/v1/tokens/<token>`, `/oauth/access_token/<token>`) when
 *   it holds a digit and 6+ characters, or has 20+: a route word after it (`/api/keys/rotate`,
 *   `/oauth/token/refresh`, `/password/v2`) is kept, and so is an id under any other name (`/orders/ORD-2026-000042`,
 *   `/customers/<uuid>`);
 * - the secret of a Slack incoming webhook, `/services/T…/B…/<secret>`, and of a Discord one,
 *   `/api/webhooks/<id>/<token>`: each is its path's last segment;
 * - a Telegram bot's token, `/bot<id>:<secret>/<method>`: all after `bot` (`/botREDACTED/sendMessage`).
 *
 * The endpoint the classification reads (the path's first two segments, collector/touches/endpoint-host.ts) loses
 * only a secret among them (`/reset-password/<token>` is `/reset-password/REDACTED`); the words its rules read
 * (`token`, `oauth`, `login`, `health`) are never replaced.
 */

/** Whether `c` (a character code) is a letter or a digit. */
const isAlnum = (c: number) => (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
const codeAt = (t: NameText, i: number) => (typeof t === 'string' ? t.charCodeAt(i) : t[i]);

/** Whether the segment ending at `t[end]` (exclusive), read with the path from `start`, names a credential (its plural too). */
function namesSecret(t: NameText, start: number, end: number): boolean {
  if (end - start < 3) return false;
  if (isSecretName(t, start, end)) return true;
  return (codeAt(t, end - 1) | 0x20) === 0x73 && isAlnum(codeAt(t, end - 2)) && isSecretName(t, start, end - 1);
}

/** Whether the segment `t[s…e)` is a value (6+ characters with a digit, or 20+), not a route word; REDACTED is kept. */
function isValueSegment(t: NameText, s: number, e: number): boolean {
  if (e - s < 6) return false;
  if (e - s >= 20) return true;
  let digit = false;
  for (let i = s; i < e && !digit; i++) {
    const c = codeAt(t, i);
    digit = c >= 0x30 && c <= 0x39;
  }
  return digit;
}

/** Whether `t[s…e)` is the ASCII text `w` (exactly). */
function isWord(t: NameText, s: number, e: number, w: string): boolean {
  if (e - s !== w.length) return false;
  for (let i = 0; i < w.length; i++) if (codeAt(t, s + i) !== w.charCodeAt(i)) return false;
  return true;
}

/** The segments of the path `t[start…end)`: [s, e) pairs, the first after the first `/` (a path without one: itself). */
function segments(t: NameText, start: number, end: number): number[] {
  const out: number[] = [];
  let s = start;
  for (let i = start; i <= end; i++) {
    if (i === end || codeAt(t, i) === 0x2f) {
      if (i > start || i === end) out.push(s, i);
      s = i + 1;
    }
  }
  return out;
}

/** The [s, e) ranges of the secret segments of the path `t[start…end)` (see above), in order. */
function secretSegments(t: NameText, start: number, end: number): number[] {
  const seg = segments(t, start, end);
  const out: number[] = [];
  const n = seg.length / 2;
  for (let k = 0; k < n; k++) {
    const [s, e] = [seg[2 * k], seg[2 * k + 1]];
    if (isWord(t, s, e, REDACTED)) continue;
    if (k < n - 1 && isBotSegment(t, s, e)) out.push(s + 3, e);
    else if (k === 0) continue;
    else if (isValueSegment(t, s, e) && namesSecret(t, start, seg[2 * k - 1])) out.push(s, e);
    else if (k === n - 1 && e > s && webhookSecret(t, seg, k)) out.push(s, e);
  }
  return out;
}

/** A Telegram bot's token as its API takes it, a segment before the method: `bot<id>:<secret>` (5+ digits, 30+ characters). */
const BOT_TOKEN = /^bot[0-9]{5,}:[A-Za-z0-9_-]{30,}$/;

/** Whether `t[s…e)` is `bot<id>:<secret>`, whose part after `bot` is replaced (`/botREDACTED/sendMessage`). */
function isBotSegment(t: NameText, s: number, e: number): boolean {
  if (!botStart(t, s, e)) return false;
  const text = typeof t === 'string' ? t.slice(s, e) : Buffer.from(t.buffer, t.byteOffset + s, e - s).toString('latin1');
  return BOT_TOKEN.test(text);
}

/** Whether `t[s…e)` starts as a bot token does: `bot` and a digit. */
const botStart = (t: NameText, s: number, e: number) =>
  e - s > 4 && codeAt(t, s) === 0x62 && codeAt(t, s + 1) === 0x6f && codeAt(t, s + 2) === 0x74 && codeAt(t, s + 3) >= 0x30 && codeAt(t, s + 3) <= 0x39;

/** Whether segment `k`, the last, is a Slack (`/services/T…/B…/<secret>`) or Discord (`/api/webhooks/<id>/<token>`) webhook's secret. */
function webhookSecret(t: NameText, seg: number[], k: number): boolean {
  if (k < 3) return false;
  const at = (j: number, w: string) => isWord(t, seg[2 * j], seg[2 * j + 1], w);
  const first = (j: number) => codeAt(t, seg[2 * j]);
  if (at(k - 3, 'services') && first(k - 2) === 0x54 && first(k - 1) === 0x42) return true;
  return at(k - 3, 'api') && at(k - 2, 'webhooks');
}

/**
 * Whether the path `t[start…end)` (text, or UTF-8 bytes as the protobuf decoder holds them) may hold a secret the
 * rules above replace: a segment naming a credential before another, or a webhook's shape. False means
 * `redactPath` returns it as it is. Never throws.
 */
export function mayHoldPathSecret(t: NameText, start = 0, end = t.length): boolean {
  if (typeof t !== 'string') return bytesMayHoldPathSecret(t, start, end, false);
  let seg = codeAt(t, start) === 0x2f ? start + 1 : start;
  for (let i = start + 1; i < end; i++)
    if (t.charCodeAt(i) === 0x2f) {
      if (slashMayEndSecret(t, start, i) || botStart(t, seg, i)) return true;
      seg = i + 1;
    }
  return false;
}

/**
 * `mayHoldPathSecret` over UTF-8 bytes, one pass; with `query`, also true at a `?` or `#` (a span name's, whose
 * query parameters are read apart). Allocates nothing.
 */
export function bytesMayHoldPathSecret(b: Uint8Array, start: number, end: number, query: boolean): boolean {
  let seg = b[start] === 0x2f ? start + 1 : start;
  for (let i = start + 1; i < end; i++) {
    const c = b[i];
    if (c === 0x2f) {
      if (slashMayEndSecret(b, start, i) || botStart(b, seg, i)) return true;
      seg = i + 1;
    } else if (query && (c === 0x3f || c === 0x23)) return true;
  }
  return false;
}

/** Whether the segment that the `/` at `t[i]` ends names a credential, or is `services` or `webhooks` (both end in `s`). */
function slashMayEndSecret(t: NameText, start: number, i: number): boolean {
  // Every such segment ends with a letter (`https:/`, `//` end none).
  const last = codeAt(t, i - 1);
  if (!isAlnum(last)) return false;
  if (isSecretName(t, start, i)) return true;
  if ((last | 0x20) !== 0x73) return false;
  return (
    (i - start >= 3 && isAlnum(codeAt(t, i - 2)) && isSecretName(t, start, i - 1)) ||
    (i - start >= 8 && (isWord(t, i - 8, i, 'services') || isWord(t, i - 8, i, 'webhooks')))
  );
}

/** The path `path` with its secret segments (see above) replaced by REDACTED; the same string when there are none. */
export function redactPath(path: string): string {
  if (!mayHoldPathSecret(path)) return path;
  const secret = secretSegments(path, 0, path.length);
  if (secret.length === 0) return path;
  let out = '';
  let kept = 0;
  for (let j = 0; j < secret.length; j += 2) {
    out += path.slice(kept, secret[j]) + REDACTED;
    kept = secret[j + 1];
  }
  return out + path.slice(kept);
}
