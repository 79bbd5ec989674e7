import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { SqlDialect } from '../sql/sql-source.ts';

/**
 * Where a key lies in the bisected space of hashed keys (string, UUID, exact-number and composite
 * keys): its point, a 52-bit number made of the key's spread (32 bits, cheap to compute) above the
 * top 20 bits of its MD5 key hash. Coarse levels group by the spread alone, so they cost no MD5 of
 * the key; a level finer than one spread value reads the hash too, and only for rows whose spread
 * is in a differing segment. Both numbers are computed from the bytes of the canonical key text
 * (UTF-8), the same in PostgreSQL, MariaDB/MySQL and here, so a segment holds exactly the same keys
 * on both sides whatever their collations; how evenly keys spread changes only the speed.
 */

/** Bytes read from the end of the canonical key text for its spread. */
export const SPREAD_BYTES = 8;
/** Bits of the key hash under the spread in a key's point. */
export const HASH_BITS = 20;
/** Size of the bisected space of hashed keys: 2^52 points (safe integers). */
export const KEY_POINT_SPACE = 2 ** (32 + HASH_BITS);
/** Points per spread value. */
export const SPREAD_WIDTH = 2 ** HASH_BITS;
/** The byte length is mixed in with this odd multiplier, modulo 2^32. */
const LENGTH_FACTOR = 2654435761n;

/** The CRC-32 (zlib) register after `bytes` from `init`, without the final inversion. */
function crcRaw(bytes: number[], init: number): number {
  let c = init >>> 0;
  for (const b of bytes) {
    c = (c ^ b) >>> 0;
    for (let k = 0; k < 8; k++) c = c & 1 ? ((c >>> 1) ^ 0xedb88320) >>> 0 : c >>> 1;
  }
  return c;
}

/**
 * CRC-32 is linear: the CRC of an n-byte text is `lengthTerm[n]` XOR, for each byte, `byteTerm[d][byte]`
 * (d = bytes after it). PostgreSQL 15 has no CRC-32 function; it computes MariaDB's `CRC32` from these.
 */
const byteTerm = Array.from({ length: SPREAD_BYTES }, (_, d) => Array.from({ length: 256 }, (_, b) => crcRaw([b, ...new Array<number>(d).fill(0)], 0)));
const lengthTerm = Array.from({ length: SPREAD_BYTES + 1 }, (_, n) => (crcRaw(new Array<number>(n).fill(0), 0xffffffff) ^ 0xffffffff) >>> 0);

/** The spread of a canonical key text: (CRC-32 of its last 8 UTF-8 bytes + byte length × 2654435761) mod 2^32. */
export function keySpreadOf(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  const tail = crc32(bytes.subarray(Math.max(0, bytes.length - SPREAD_BYTES)));
  return Number((BigInt(tail) + BigInt(bytes.length) * LENGTH_FACTOR) % 2n ** 32n);
}

/** The 32-bit MD5 key hash of a canonical key text, as `keyHashExpr` computes it inside the databases. */
export function keyHashOf(text: string): number {
  return parseInt(createHash('md5').update(text, 'utf8').digest('hex').slice(0, 8), 16);
}

/** A canonical key text's point: spread × 2^20 + the key hash's top 20 bits. */
export function keyPointOf(text: string): number {
  return keySpreadOf(text) * SPREAD_WIDTH + Math.floor(keyHashOf(text) / 2 ** (32 - HASH_BITS));
}

/** PostgreSQL: the key text's UTF-8 bytes after 8 zero bytes (so that the last 8 can be read from any text); feeds `keySpreadExpr`. */
export function keyBytesExpr(keyText: string): string {
  return `'\\x${'00'.repeat(SPREAD_BYTES)}'::bytea || convert_to(${keyText}, 'UTF8')`;
}

/**
 * The spread as SQL. PostgreSQL: `operand` is the padded bytes of `keyBytesExpr`, named once (a
 * column of a subquery: each mention is evaluated again); MariaDB/MySQL: the key text itself
 * (`CRC32` of its last bytes costs about as much as reading one byte).
 */
export function keySpreadExpr(dialect: SqlDialect, operand: string): string {
  if (dialect === 'mysql') {
    const b = `CAST(${operand} AS BINARY)`;
    return `(CRC32(RIGHT(${b}, ${SPREAD_BYTES})) + LENGTH(${b}) * ${LENGTH_FACTOR}) % 4294967296`;
  }
  const n = `(octet_length(${operand}) - ${SPREAD_BYTES})`;
  const list = (xs: number[]) => `('{${xs.join(',')}}'::int8[])`;
  const terms = [`${list(lengthTerm)}[least(${n}, ${SPREAD_BYTES}) + 1]`];
  // The padding's zero bytes add nothing (byteTerm[d][0] = 0): short texts need no case of their own.
  for (let d = 0; d < SPREAD_BYTES; d++) terms.push(`${list(byteTerm[d])}[get_byte(${operand}, ${n} + ${SPREAD_BYTES - 1 - d}) + 1]`);
  return `((${terms.join(' # ')}) + ${n} * ${LENGTH_FACTOR}) % 4294967296`;
}
