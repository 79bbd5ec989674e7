import { describe, expect, it } from 'vitest';
import { redactAttribute, redactSpanName, redactText } from './attribute-secrets.ts';
import { mayHoldPathSecret, redactPath } from './url-path-secrets.ts';

const UUID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('redactPath', () => {
  it.each([
    ['/reset-password/8f2c1e0b9a7d4c3e2f1a0b9c8d7e6f5a', '/reset-password/REDACTED'],
    ['/api/keys/ak_live_2x9QmZ8pLk3', '/api/keys/REDACTED'],
    ['/api/keys/ak_live_2x9QmZ8pLk3/usage', '/api/keys/REDACTED/usage'],
    ['/v1/tokens/tok_9f8e7d6c5b4a', '/v1/tokens/REDACTED'],
    ['/account/password-reset-token/AbCdEfGhIjKlMnOpQrStUv', '/account/password-reset-token/REDACTED'],
    [`/invite/secret/${UUID}`, '/invite/secret/REDACTED'],
    ['/services/T0001ABCD/B0002EFGH/XyZ123abcDEF456ghiJKL789', '/services/T0001ABCD/B0002EFGH/REDACTED'],
    ['/api/webhooks/123456789012345678/AbC-dEf_GhI123456789', '/api/webhooks/123456789012345678/REDACTED'],
    ['/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ/sendMessage', '/botREDACTED/sendMessage'],
    ['/file/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ/photos/f.jpg', '/file/botREDACTED/photos/f.jpg'],
  ])('%s → %s', (raw, want) => {
    expect(redactPath(raw)).toBe(want);
    expect(redactPath(want)).toBe(want);
    expect(mayHoldPathSecret(Buffer.from(raw))).toBe(true);
  });

  it.each([
    '/api/keys/rotate',
    '/oauth/token',
    '/oauth/token/refresh',
    '/oauth2/v2/token',
    '/password/v2',
    '/reset-password/confirm',
    '/api/orders/ORD-2026-000042',
    `/api/customers/${UUID}`,
    `/traces/${TRACE}`,
    `/blobs/sha256/${SHA}`,
    '/services/orders/list/all',
    '/api/webhooks',
    '/api/tokens',
    '/keys/abc123def',
    '/bot123/status',
    '/bots/42/runs',
    '',
    '/',
  ])('keeps %s byte for byte', (raw) => {
    expect(redactPath(raw)).toBe(raw);
  });
});

describe('secrets in URL paths and query strings, wherever a URL is', () => {
  it('redacts a secret path segment in every URL key, and a URL inside any text', () => {
    const url = 'https://hooks.slack.com/services/T0001ABCD/B0002EFGH/XyZ123abcDEF456ghiJKL789';
    const want = 'https://hooks.slack.com/services/T0001ABCD/B0002EFGH/REDACTED';
    for (const key of ['url.full', 'http.url', 'url.original', 'app.webhook_url']) expect([key, redactAttribute(key, url)]).toEqual([key, want]);
    expect(redactAttribute('http.target', '/reset-password/8f2c1e0b9a7d4c3e?lang=en')).toBe('/reset-password/REDACTED?lang=en');
    expect(redactAttribute('url.path', '/api/keys/ak_live_2x9QmZ8pLk3')).toBe('/api/keys/REDACTED');
    expect(redactText(`posting to ${url}.`)).toBe(`posting to ${want}.`);
  });

  it('redacts the secret parameters of a URL inside any text, as of a URL attribute (signed URLs)', () => {
    for (const [raw, want] of [
      [
        'https://b.s3.amazonaws.com/o?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=ab12cd34&x=1',
        'https://b.s3.amazonaws.com/o?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&x=1',
      ],
      ['https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sig=abc%2Bdef%3D', 'https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sig=REDACTED'],
      ['https://h/cb#access_token=T0k3n&token_type=bearer', 'https://h/cb#access_token=REDACTED&token_type=bearer'],
    ]) {
      expect(redactAttribute('app.download_url', raw)).toBe(want);
      // In text, the punctuation after a URL is no part of it.
      expect(redactText(`upload to (${raw}), failed.`)).toBe(`upload to (${want}), failed.`);
      expect(redactText(`"${raw}";`)).toBe(`"${want}";`);
    }
  });

  it('keeps URLs and ids without a secret byte for byte', () => {
    for (const raw of [
      `https://crm.internal/api/customers/${UUID}?page=2`,
      'https://erp.internal/api/orders/ORD-2026-000042',
      `https://tempo.internal/trace/${TRACE}#span=00f067aa0ba902b7`,
      `https://registry.internal/v2/app/manifests/sha256:${SHA}`,
      'see https://h/a?b=c.',
    ])
      for (const r of [redactAttribute('url.full', raw), redactAttribute('app.link', raw), redactText(raw), redactSpanName(`GET ${raw}`).slice(4)])
        expect(r).toBe(raw);
  });
});

describe('redactSpanName', () => {
  it.each([
    ['GET https://api.example.com/v1/export?token=T0k3nT0k3n&page=2', 'GET https://api.example.com/v1/export?token=REDACTED&page=2'],
    ['GET /reset-password/8f2c1e0b9a7d4c3e2f1a0b9c8d7e6f5a', 'GET /reset-password/REDACTED'],
    ['POST /oauth/callback?code=Sp1xlOBeZQQYbYS6WxSbIA&state=x', 'POST /oauth/callback?code=REDACTED&state=x'],
    [
      'POST https://hooks.slack.com/services/T0001ABCD/B0002EFGH/XyZ123abcDEF456ghiJKL789',
      'POST https://hooks.slack.com/services/T0001ABCD/B0002EFGH/REDACTED',
    ],
    ['GET https://svc:S3cr3tPw@crm.internal/x', 'GET https://REDACTED:REDACTED@crm.internal/x'],
  ])('%s → %s', (raw, want) => {
    expect(redactSpanName(raw)).toBe(want);
    expect(redactSpanName(want)).toBe(want);
  });

  it.each(['GET /api/orders/{id}', 'SELECT orders', 'sql.conn.prepare', 'amq.gen-JzTY20BRgKO-HjmUJj0wLg send', `GET /api/customers/${UUID}`, 'HTTP GET'])(
    'keeps %s',
    (raw) => expect(redactSpanName(raw)).toBe(raw),
  );
});

describe('URLs in text, redacted', () => {
  const PARTS = [
    'https://', '//', 'u:p@', '@', 'h', '/', 'services/', 'T1/', 'B2/', 'api/', 'keys/', 'webhooks/', 'reset-password/', 'tokens/', 'ak_live_2x9QmZ8pLk3',
    '?', '#', '&', ';', '=', 'token=', 'sig=', 'x=1', '.', ',', ')', '(', ']', ' ', '"', "'", '%2F', 'ORD-2026-000042', 'REDACTED',
  ]; // prettier-ignore

  it('never throws, and gives what it gives again when given its own output (seeded random texts)', () => {
    let seed = 20261205;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let n = 0; n < 5_000; n++) {
      let text = '';
      for (let k = 1 + (next() % 12); k > 0; k--) text += PARTS[next() % PARTS.length];
      for (const redact of [redactText, redactSpanName, (t: string) => redactAttribute('url.full', t), (t: string) => redactAttribute('app.x', t)]) {
        const once = redact(text);
        expect([text, redact(once)]).toEqual([text, once]);
      }
    }
  });
});
