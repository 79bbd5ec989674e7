import { describe, expect, it } from 'vitest';
import { generateToken, parseToken, tokenChecksum } from './token-format.ts';

describe('token format', () => {
  it('makes tokens with a recognisable prefix, the role, a non-secret id and a checksum', () => {
    const { token, id } = generateToken('sre');
    expect(token).toMatch(/^weft_sre_[a-z2-7]{10}_[a-z2-7]{38}$/);
    expect(parseToken(token)).toEqual({ role: 'sre', id, token });
    expect(generateToken('sre').token).not.toBe(token);
  });

  it('refuses a typo, a wrong prefix, a changed role or a truncated token before any lookup', () => {
    const { token } = generateToken('viewer');
    const flip = (i: number) => token.slice(0, i) + (token[i] === 'a' ? 'b' : 'a') + token.slice(i + 1);
    expect(parseToken(flip(token.length - 10))).toBeUndefined(); // a typo in the secret
    expect(parseToken(flip(token.length - 1))).toBeUndefined(); // a typo in the checksum
    expect(parseToken(token.replace('weft_', 'wefd_'))).toBeUndefined();
    expect(parseToken(token.replace('weft_viewer_', 'weft_admin_'))).toBeUndefined();
    expect(parseToken(token.slice(0, -1))).toBeUndefined();
    // A well-formed token for a role that does not exist.
    const body = `weft_root_${'a'.repeat(10)}_${'b'.repeat(32)}`;
    expect(parseToken(body + tokenChecksum(body))).toBeUndefined();
    for (const hostile of ['', 'constructor', '__proto__', 'toString', 'x'.repeat(100_000)]) expect(parseToken(hostile)).toBeUndefined();
  });
});
