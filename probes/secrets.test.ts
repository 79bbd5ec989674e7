import { describe, expect, it } from 'vitest';
import { Secrets } from './secrets.ts';

describe('Secrets', () => {
  const secrets = new Secrets((name) => ({ TOKEN: 's3cr3t-value', DSN: 'postgres://u:pa55word@db/x' })[name]);
  it('resolves env references and leaves literals alone', () => {
    expect(secrets.resolve('env:TOKEN', 'token')).toBe('s3cr3t-value');
    expect(secrets.resolveEmbedded('Bearer env:TOKEN', 'header')).toBe('Bearer s3cr3t-value');
    expect(secrets.resolve('plain', 'x')).toBe('plain');
  });
  it('names a missing variable, never a value', () => {
    expect(() => secrets.resolve('env:MISSING', 'probe p password')).toThrow('environment variable MISSING (probe p password) is not set');
  });
  it('scrubs handed-out values and URL passwords from messages', () => {
    secrets.resolve('env:TOKEN', 'token');
    expect(secrets.redact('failed with s3cr3t-value at mysql://root:hunter2@h/db')).toBe('failed with *** at mysql://root:***@h/db');
  });
});
