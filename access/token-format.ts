import { createHash, randomBytes } from 'node:crypto';
import { isRole, type Role } from './roles.ts';

/**
 * Weft's own tokens: `weft_<role>_<id>_<secret><check>`, e.g.
 * `weft_sre_k2m4q7x9ab_3nq…(32)…7tx4kz`. `id` (10 base32 characters) is not secret: it names the
 * token in `weft token list` and finds its stored hash; `secret` is 32 base32 characters (160 bits);
 * `check` is 6 base32 characters of SHA-256 over everything before it, so a mistyped or truncated
 * token is refused before any lookup, and secret scanners can recognise the prefix.
 */
export interface ParsedToken {
  role: Role;
  id: string;
  /** The whole token, as presented. */
  token: string;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const ID_LEN = 10;
const SECRET_LEN = 32;
const CHECK_LEN = 6;
const SHAPE = /^weft_([a-z]+)_([a-z2-7]{10})_([a-z2-7]{32})([a-z2-7]{6})$/;

/** Longest token text looked at; longer bearer values are refused without hashing. */
export const MAX_TOKEN_LENGTH = 512;

function base32(bytes: Buffer, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i] & 31];
  return out;
}

/** The 6-character checksum of a token's text before its checksum. */
export function tokenChecksum(body: string): string {
  return base32(createHash('sha256').update(body).digest(), CHECK_LEN);
}

/** A new token for `role`: its text (shown once) and its non-secret id. */
export function generateToken(role: Role): { token: string; id: string } {
  const id = base32(randomBytes(ID_LEN), ID_LEN);
  const secret = base32(randomBytes(SECRET_LEN), SECRET_LEN);
  const body = `weft_${role}_${id}_${secret}`;
  return { token: `${body}${tokenChecksum(body)}`, id };
}

/** True when the text has Weft's token prefix (then it must also parse, or it is refused). */
export const looksLikeWeftToken = (text: string): boolean => text.startsWith('weft_');

/**
 * Parses a presented token; undefined when the shape, the role or the checksum is wrong. Does no
 * lookup and no KDF: a typo costs nothing.
 */
export function parseToken(text: string): ParsedToken | undefined {
  if (text.length > MAX_TOKEN_LENGTH) return undefined;
  const m = SHAPE.exec(text);
  if (!m || !isRole(m[1])) return undefined;
  const body = text.slice(0, text.length - CHECK_LEN);
  if (tokenChecksum(body) !== m[4]) return undefined;
  return { role: m[1], id: m[2], token: text };
}
