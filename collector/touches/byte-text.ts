import { isUtf8 } from 'node:buffer';

/**
 * Text as ClickHouse's String functions see it: bytes. The classification works on "byte strings"
 * (one JavaScript char per byte, char codes 0–255, as `buffer.toString('latin1')` gives them), so that
 * `lower`, `position`, `substring`, `startsWith` and the regular expressions act on the same bytes
 * as in SQL, whatever the bytes are, and the result is written back byte for byte.
 */

/** Whether every char of a byte string is ASCII (below 0x80). */
function ascii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** ClickHouse `lower()`: ASCII letters only (bytes 0x80–0xFF stay as they are). */
export function asciiLower(s: string): string {
  if (ascii(s)) return s.toLowerCase();
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** ClickHouse `upper()`: ASCII letters only. */
export function asciiUpper(s: string): string {
  if (ascii(s)) return s.toUpperCase();
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

/** ClickHouse `trimBoth(s)` without characters: leading and trailing spaces (only ' '). */
export function trimSpaces(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) === 0x20) a++;
  while (b > a && s.charCodeAt(b - 1) === 0x20) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

const REPLACEMENT = '\xef\xbf\xbd';

/** Bytes a sequence starting with `lead` claims (ClickHouse's table: 5 and 6 are never legal). */
function claimed(lead: number): number {
  if (lead < 0xc0) return 1;
  if (lead < 0xe0) return 2;
  if (lead < 0xf0) return 3;
  if (lead < 0xf8) return 4;
  if (lead < 0xfc) return 5;
  return 6;
}

/** Whether the `n` bytes at `s[p]` are one legal UTF-8 character (Unicode's ConvertUTF rules, as Poco applies them). */
function legal(s: string, p: number, n: number): boolean {
  const lead = s.charCodeAt(p);
  if (n === 1) return lead < 0x80;
  for (let i = n - 1; i >= 2; i--) {
    const c = s.charCodeAt(p + i);
    if (c < 0x80 || c > 0xbf) return false;
  }
  const second = s.charCodeAt(p + 1);
  const [lo, hi] = lead === 0xe0 ? [0xa0, 0xbf] : lead === 0xed ? [0x80, 0x9f] : lead === 0xf0 ? [0x90, 0xbf] : lead === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
  if (second < lo || second > hi) return false;
  return lead >= 0xc2 && lead <= 0xf4;
}

/**
 * ClickHouse `toValidUTF8()` on a byte string: every byte that does not start a legal sequence
 * becomes U+FFFD (as the bytes EF BF BD), a run of them one U+FFFD; a sequence cut short by the
 * end of the value is one U+FFFD too.
 */
export function validUtf8(s: string): string {
  if (ascii(s)) return s;
  let out = '';
  let valid = 0;
  let replaced = false;
  let p = 0;
  const n = s.length;
  while (p < n) {
    const lead = s.charCodeAt(p);
    if (lead < 0x80) {
      p++;
      continue;
    }
    const len = claimed(lead);
    if (len <= 4 && p + len > n) break;
    if (len <= 4 && legal(s, p, len)) {
      p += len;
      continue;
    }
    if (p > valid) {
      out += s.slice(valid, p);
      replaced = false;
    }
    if (!replaced) out += REPLACEMENT;
    replaced = true;
    p++;
    valid = p;
  }
  if (p > valid) {
    out += s.slice(valid, p);
    replaced = false;
  }
  if (p !== n && !replaced) out += REPLACEMENT;
  return out;
}

/**
 * Where the first byte `validUtf8` would replace is in `s` (bytes as latin1 characters: one a byte), or -1 when every
 * sequence in it is legal UTF-8: the offset of a byte that starts no legal sequence, or of a sequence the end cuts short.
 * One pass, linear in the length of `s`.
 */
export function firstInvalidUtf8(s: string): number {
  const n = s.length;
  let p = 0;
  while (p < n) {
    const lead = s.charCodeAt(p);
    if (lead < 0x80) {
      p++;
      continue;
    }
    const len = claimed(lead);
    if (len > 4 || p + len > n || !legal(s, p, len)) return p;
    p += len;
  }
  return -1;
}

/**
 * The text of the bytes `b[s, e)` as ClickHouse's `toValidUTF8()` reads them (`validUtf8`): a run of bytes that are not
 * UTF-8 becomes one U+FFFD (`FF FE shadow` → `\ufffdshadow`). WHATWG's decoder (TextDecoder, Buffer's `toString`)
 * writes one U+FFFD per maximal subpart instead (`FF FE` → two, an overlong `E0 80 AF` → three): the collector's repair
 * of a sender's bytes and the SQL classification of another writer's same bytes named two different hosts.
 */
export function validUtf8Text(b: Uint8Array, s: number, e: number): string {
  const bytes = Buffer.from(b.buffer, b.byteOffset + s, e - s);
  if (isUtf8(bytes)) return bytes.toString('utf8');
  return Buffer.from(validUtf8(bytes.toString('latin1')), 'latin1').toString('utf8');
}
