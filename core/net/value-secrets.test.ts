import { describe, expect, it } from 'vitest';
import { mayHoldValueSecret, redactCredentials } from './value-secrets.ts';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const GHP = `ghp_${'aB3'.repeat(12)}`;
const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7yn3bRHQ\nq8hB==\n-----END RSA PRIVATE KEY-----';

describe('redactCredentials', () => {
  it.each([
    // Authorization values: only the credential goes.
    ['Bearer T0k3nT0k3n', 'Bearer REDACTED'],
    ['bearer abcDEF0123456789', 'bearer REDACTED'],
    ['Authorization: Bearer 9f8e7d6c5b4a; retrying', 'Authorization: Bearer REDACTED; retrying'],
    ['Basic dXNlcjpwYXNz', 'Basic REDACTED'],
    ['call failed: Basic YXBwOlMzY3IzdA== was refused', 'call failed: Basic REDACTED was refused'],
    [
      'Digest username="app", realm="erp", nonce="dcd98b", uri="/api", response="6629fae49393a05397450978507c4ef1"',
      'Digest username="app", realm="erp", nonce="dcd98b", uri="/api", response="REDACTED"',
    ],
    // NTLM and Negotiate (SPNEGO, Kerberos) tokens, RFC 4559.
    ['NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw==', 'NTLM REDACTED'],
    ['Authorization: Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnagMDAuBgkqhkiC9xIBAgIGCSqGSIb3EgEC, retry', 'Authorization: Negotiate REDACTED, retry'],
    ['WWW-Authenticate: negotiate oYG2MIGzoAMKAQChCwYJKoZIgvcSAQICooGeBIGbYIGYBgkqhkiG9xIBAgICAG+B', 'WWW-Authenticate: negotiate REDACTED'],
    // JWTs, alone and inside text, and after Bearer.
    [JWT, 'REDACTED'],
    [`session ${JWT} expired`, 'session REDACTED expired'],
    [`Bearer ${JWT}`, 'Bearer REDACTED'],
    [`{"id_token":"${JWT}"}`, '{"id_token":"REDACTED"}'],
    // AWS access key ids.
    ['AKIAIOSFODNN7EXAMPLE', 'REDACTED'],
    ['key ASIAY34FZKBOKMUTVV7A used', 'key REDACTED used'],
    // PEM private keys: markers kept, body gone; without its end marker, to the end.
    [PEM, '-----BEGIN RSA PRIVATE KEY-----\nREDACTED\n-----END RSA PRIVATE KEY-----'],
    ['k=-----BEGIN PRIVATE KEY-----MIIEvQIBADANBg', 'k=-----BEGIN PRIVATE KEY-----REDACTED'],
    [
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nREDACTED\n-----END OPENSSH PRIVATE KEY-----',
    ],
    // Prefixed tokens.
    [GHP, 'REDACTED'],
    [`token ${GHP.replace('ghp_', 'ghs_')}.`, 'token REDACTED.'],
    [`github_pat_${'A1b'.repeat(27)}`, 'REDACTED'],
    ['glpat-AbCdEf0123456789xyzW', 'REDACTED'],
    ['xoxb-1234567890-abcdefghij', 'REDACTED'],
    ['sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'REDACTED'],
    ['rk_test_4eC39HqLyjWDarjtT1zdp7dc', 'REDACTED'],
    [`npm_${'a1B2'.repeat(9)}`, 'REDACTED'],
    ['AIzaSyA-1234567890abcdefghijklmnopqrstu', 'REDACTED'],
    // OpenAI and Anthropic API keys.
    ['sk-proj-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv-Wx_Yz', 'REDACTED'],
    ['OPENAI_API_KEY is sk-svcacct-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9', 'OPENAI_API_KEY is REDACTED'],
    ['sk-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2Yz3Ab4Cd5Ef6', 'REDACTED'],
    ['x-api-key: sk-ant-api03-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv-Wx_Yz-AA', 'x-api-key: REDACTED'],
    ['sk-ant-admin01-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8', 'REDACTED'],
    // URLs with a password, anywhere in the text.
    ['connect postgres://app:S3cr3t@pg01:5432/orders failed', 'connect postgres://REDACTED:REDACTED@pg01:5432/orders failed'],
    ['amqp://guest:p@ss@mq01/vhost', 'amqp://REDACTED:REDACTED@mq01/vhost'],
    ['a https://u:p@h/x b redis://:S3cr3t@cache:6379', 'a https://REDACTED:REDACTED@h/x b redis://REDACTED:REDACTED@cache:6379'],
  ])('%s → %s', (raw, want) => {
    expect(redactCredentials(raw)).toBe(want);
    expect(redactCredentials(want)).toBe(want);
    expect(mayHoldValueSecret(Buffer.from(raw))).toBe(true);
  });

  it.each([
    '4bf92f3577b34da6a3ce929d0e0e4736',
    '00f067aa0ba902b7',
    '3fa85f64-5717-4562-b3fc-2c963f66afa6',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    'ORD-2026-000042',
    'eyJ0eXAiOiJub3RpY2UifQ==',
    'SGVsbG8gd29ybGQsIHRoaXMgaXMgYSBwYXlsb2Fk',
    'Basic plan',
    'Basic SGVsbG8gd29ybGQ=',
    'Bearer token expired',
    'Bearer authentication required',
    'Bearer realm="api"',
    'Digest email sent to 4 users',
    'AKIAIOSFODNN7EXAMPLEX',
    'xAKIAIOSFODNN7EXAMPLE',
    `ghp_short`,
    'sk_live_',
    'ssh://git@github.com/org/repo.git',
    'https://crm.internal:8443/api?x=1',
    'see https://h/a@b and mailto:x@y',
    '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
    '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----',
    'postgres://REDACTED:REDACTED@pg01/x',
    'the basics of digest authentication',
    'Negotiate',
    'NTLM authentication failed for CORP\\svc',
    'negotiate a new contract',
    'sk-learn',
    'desk-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2',
    'sk-ant-short',
    '',
  ])('keeps %s byte for byte', (raw) => {
    expect(redactCredentials(raw)).toBe(raw);
  });

  it('passes over text with none of the prefixes without looking further', () => {
    for (const raw of [
      'GET /api/customers',
      'orders-sync',
      'SELECT id FROM orders',
      'https://crm.internal/a?b=c',
      'they said okay, as before',
      // English that holds the schemes' words: no token of theirs follows.
      'they asked before the basic digest of keys was passed to the token bucket; see the database',
      'Basic plans, Bearer bonds, Digest email',
      'we need to negotiate with the network team; see the sketch',
    ])
      expect([raw, mayHoldValueSecret(raw), mayHoldValueSecret(Buffer.from(raw))]).toEqual([raw, false, false]);
  });

  it('reads a value of the bytes it is given only: the byte before it does not make a scheme part of a word', () => {
    const b = Buffer.from('xBearer abc123def456');
    expect(mayHoldValueSecret(b, 1, b.length)).toBe(true);
    expect(mayHoldValueSecret(b, 0, b.length)).toBe(false);
  });
});
