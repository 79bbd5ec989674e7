import { describe, expect, it } from 'vitest';
import { Secrets } from './secrets.ts';

describe('Secrets', () => {
  const env: Record<string, string> = {
    TOKEN: 's3cr3t-value',
    DSN: 'postgres://u:pa55word@db/x',
    WEFT_API_TOKENS: 'admintoken:admin',
    CRM_TOKEN: 'crm-t0ken-123456',
  };
  const secrets = new Secrets((name) => env[name]);
  it('resolves env references and leaves literals alone', () => {
    expect(secrets.resolve('env:TOKEN', 'token')).toBe('s3cr3t-value');
    expect(secrets.resolveEmbedded('Bearer env:TOKEN', 'header')).toBe('Bearer s3cr3t-value');
    expect(secrets.resolveEmbedded('a=env:TOKEN;b=env:CRM_TOKEN', 'query')).toBe('a=s3cr3t-value;b=crm-t0ken-123456');
    expect(secrets.resolve('plain', 'x')).toBe('plain');
  });
  it('names a missing variable, never a value', () => {
    expect(() => secrets.resolve('env:MISSING', 'probe p password')).toThrow(
      'environment variable MISSING (probe p password) is not set: add MISSING=… to the secrets file (--secrets-file / WEFT_SECRETS_FILE, read again on weft catalog reload), or set it in the environment Weft starts with',
    );
  });
  it("refuses Weft's own settings and what the policy denies, naming the variable only (regression: env:WEFT_API_TOKENS)", () => {
    expect(() => secrets.resolve('env:WEFT_API_TOKENS', 'probe q url')).toThrow(/WEFT_\*/);
    expect(() => secrets.resolve('env:weft_api_tokens', 'probe q url')).toThrow(/WEFT_\*/);
    const strict = new Secrets((name) => env[name], { allow: ['CRM_*'], deny: ['CRM_TOKEN'] });
    expect(() => strict.resolve('env:TOKEN', 'x')).toThrow(/allow-list/);
    expect(() => strict.resolve('env:CRM_TOKEN', 'x')).toThrow(/deny-list/);
    try {
      secrets.resolve('env:WEFT_API_TOKENS', 'x');
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('admintoken');
    }
  });
  it('answers a secrets file that cannot be read as meant as a configuration error of the probe, naming the field', () => {
    const broken = new Secrets(() => {
      throw new Error('WEFT_SECRETS_FILE / --secrets-file /etc/weft.env: line 4: the value of ERP_PASSWORD holds a #');
    });
    expect(() => broken.resolve('env:CRM_TOKEN', 'probe crm url')).toThrow(
      expect.objectContaining({
        code: 'config',
        message: 'probe crm url: WEFT_SECRETS_FILE / --secrets-file /etc/weft.env: line 4: the value of ERP_PASSWORD holds a #',
      }),
    );
  });
  it('scrubs handed-out values and URL passwords from messages', () => {
    secrets.resolve('env:TOKEN', 'token');
    expect(secrets.redact('failed with s3cr3t-value at mysql://root:hunter2@h/db')).toBe('failed with *** at mysql://root:***@h/db');
  });
  it('scrubs a secret encoded on its way: percent, JSON, base64 (basic auth), hex, and as a JSON key', () => {
    const s = new Secrets((n) => ({ P: 'p@ss "w/rd"+1' })[n]);
    const v = s.resolve('env:P', 'p');
    for (const form of [encodeURIComponent(v), JSON.stringify(v).slice(1, -1), Buffer.from(v).toString('base64'), Buffer.from(v).toString('hex')]) {
      expect(s.redact(`got ${form} back`)).toBe('got *** back');
    }
    const deep = s.redactDeep({ [v]: 1, list: [`x ${v}`] });
    expect(JSON.stringify(deep)).not.toContain('ss');
  });
  it('scrubs the parts of a secret DSN: user, password, database, user:password in basic auth', () => {
    const s = new Secrets(() => undefined);
    s.rememberUrl('mysql://Tok3nUser:Pw%40ssw0rd@db.internal:3306/secretdb');
    expect(s.redact("Access denied for user 'Tok3nUser'@'10.0.0.1' to database 'secretdb' (Pw@ssw0rd)")).toBe(
      "Access denied for user '***'@'10.0.0.1' to database '***' (***)",
    );
    expect(s.redact(`Basic ${Buffer.from('Tok3nUser:Pw@ssw0rd').toString('base64')}`)).not.toMatch(/VG9r/);
  });
  it('survives truncation: a secret cut off at the end or start of a message leaves no part behind', () => {
    const s = new Secrets((n) => ({ K: 'abcdefghijklmnop-secret' })[n]);
    s.resolve('env:K', 'k');
    expect(s.redact('body was: abcdefghij')).toBe('body was: ***');
    expect(s.redact('jklmnop-secret and more')).toBe('*** and more');
    expect(s.redactTruncated('prefix abcdefghijklmnop-secret suffix', 12)).toBe('prefix *** s…');
    expect(s.redactTruncated('prefix abcdefghijklmnop-secret suffix', 12)).not.toMatch(/abcd/);
  });
  it('scrubs credentials recognisable by their form even when never handed out', () => {
    const s = new Secrets(() => undefined);
    expect(s.redact('GET https://api.example.com/x?api_key=LIVEKEY123&page=2 failed')).toBe('GET https://api.example.com/x?api_key=***&page=2 failed');
    expect(s.redact('sent Authorization: Bearer eyJhbGciOi.abc')).toBe('sent Authorization: Bearer ***');
  });
});

describe('Secrets.redact on prose', () => {
  it('leaves ordinary words alone: "the token was refused", "basic credentials"', () => {
    const s = new Secrets(() => undefined);
    expect(s.redact('NATS refused the token, check the basic credentials')).toBe('NATS refused the token, check the basic credentials');
  });
});
