import { ERR_OTLP_BAD_INPUT } from './bad-input.ts';
import { intText } from './any-value.ts';

const HEX = /^[0-9a-fA-F]*$/;

/**
 * A trace or span id as lowercase hex, '' when absent or all zeros (as the ClickHouse exporter
 * stores it). Protobuf gives bytes, OTLP/JSON gives hex; a wrong length or a non-hex character
 * is the sender's mistake and is reported with the field's path.
 */
export function idHex(v: unknown, bytes: number, where: string): string {
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) return '';
  let hex: string;
  if (typeof v === 'string') {
    if (v.length === 0) return '';
    if (v.length !== bytes * 2 || !HEX.test(v)) {
      throw ERR_OTLP_BAD_INPUT(`${where} must be ${bytes * 2} hex characters, got "${v.length > 40 ? `${v.slice(0, 40)}…` : v}".`);
    }
    hex = v.toLowerCase();
  } else if (v instanceof Uint8Array) {
    if (v.length === 0) return '';
    if (v.length !== bytes) throw ERR_OTLP_BAD_INPUT(`${where} must be ${bytes} bytes, got ${v.length}.`);
    hex = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  } else {
    throw ERR_OTLP_BAD_INPUT(`${where} must be a hex string.`);
  }
  return /^0+$/.test(hex) ? '' : hex;
}

/** True for the base64 text of `bytes` bytes (what protobuf's JSON mapping, not OTLP/JSON, writes for an id). */
export function looksBase64(v: unknown, bytes: number): boolean {
  return typeof v === 'string' && v.length === Math.ceil(bytes / 3) * 4 && /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === bytes;
}

const DIGITS = /^\d+$/;
const UINT64_MAX = '18446744073709551615';

/**
 * Nanoseconds since the epoch as decimal text without leading zeros, from a fixed64 Long or an OTLP/JSON string or
 * number ('0' when absent); undefined when it is not a uint64 (negative, a fraction in text, more than 2^64 - 1,
 * not digits). Leading zeros are read as the OpenTelemetry Collector's JSON reader reads them (`"007"` is 7).
 */
export function readNanos(v: unknown): string | undefined {
  if (v === undefined || v === null) return '0';
  // `true`, `{}`, `[]` are no time (intText would read them as 0, an absent time).
  if (typeof v === 'boolean' || (typeof v === 'object' && !('low' in v))) return undefined;
  const s = intText(v);
  if (!DIGITS.test(s)) return undefined;
  const t = s.length > 1 && s[0] === '0' ? s.replace(/^0+(?=\d)/, '') : s;
  return t.length < 20 || (t.length === 20 && t <= UINT64_MAX) ? t : undefined;
}

/** Nanoseconds since the epoch as decimal text (`readNanos`); a value that is not a uint64 is a 400 naming `where`. */
export function nanosText(v: unknown, where: string): string {
  const s = readNanos(v);
  if (s === undefined) throw ERR_OTLP_BAD_INPUT(`${where} must be nanoseconds since the epoch as a whole number, got ${JSON.stringify(v)}.`);
  return s;
}

/** end - start in nanoseconds, 0 when the end precedes the start. */
export function durationNanos(start: string, end: string): string {
  if (start.length < 16 && end.length < 16) return String(Math.max(0, Number(end) - Number(start)));
  const d = BigInt(end) - BigInt(start);
  return d > 0n ? d.toString() : '0';
}

/**
 * An enum that OTLP/JSON may send as a number or (leniently) as its name. OTLP enums are open:
 * a name this collector does not know (upper case, as enum names are) comes back as -1, and any int32 number as it is,
 * for the caller to keep the item with a default when it knows no such value; a value of the wrong type or outside
 * int32 throws ERR_OTLP_BAD_INPUT (the item is refused: `readItem`).
 */
export function enumNumber(v: unknown, names: readonly string[], where: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string') {
    const i = names.indexOf(v);
    if (i >= 0) return i;
    if (/^[A-Z_0-9]+$/.test(v) && !/^\d+$/.test(v)) return -1;
  }
  // Protobuf enums are int32: a number outside it (2^40, 1.5) is no value of the field's type, as a time that is no
  // uint64 is not (it was kept as an unknown value, or cut to 255 for a severity).
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d{1,10}$/.test(v) ? Number(v) : NaN;
  if (Number.isInteger(n) && n >= -2147483648 && n <= 2147483647) return n;
  const t = JSON.stringify(v) ?? String(v);
  const got = t.length > 40 ? `${t.slice(0, 40)}…` : t;
  const named = names.length > 6 ? `${names[0]} to ${names[names.length - 1]}` : names.join(', ');
  throw ERR_OTLP_BAD_INPUT(`${where} must be one of ${named} or an int32 number, got ${got}.`);
}
