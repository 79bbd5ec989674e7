import { describe, expect, it } from 'vitest';
import { KEY_NAMED, KEY_PLAIN, redactAttribute, redactAttributes, redactSecretValue, secretKeyKind, VALUE_KEYS } from './attribute-secrets.ts';

describe('redactAttribute beyond URLs', () => {
  it.each([
    // Recorded headers (string arrays, stored as JSON text), gRPC metadata.
    ['http.request.header.authorization', '["Bearer eyJhbGciOi.T0k3n"]', '["REDACTED"]'],
    ['http.request.header.proxy-authorization', '["Basic dTpw"]', '["REDACTED"]'],
    ['http.request.header.cookie', '["sid=S3ss10n; theme=dark"]', '["REDACTED"]'],
    ['http.response.header.set-cookie', '["sid=S3ss10n; HttpOnly","b=2"]', '["REDACTED","REDACTED"]'],
    ['http.request.header.x-api-key', '["K3yK3y"]', '["REDACTED"]'],
    ['http.request.header.x-auth-token', '["T0k3n"]', '["REDACTED"]'],
    ['rpc.grpc.request.metadata.authorization', '["Bearer T0k3n"]', '["REDACTED"]'],
    ['http.request.header.authorization', 'Bearer T0k3n', 'REDACTED'],
    // Keys whose name says a secret.
    ['my.token', 'T0k3n', 'REDACTED'],
    ['app.password', 'S3cr3t', 'REDACTED'],
    ['client_secret', 'S3cr3t', 'REDACTED'],
    ['api_key', 'K3yK3y', 'REDACTED'],
    ['app.pin.token', '1234', 'REDACTED'],
    // Statements.
    ['db.statement', "CREATE USER app WITH PASSWORD 'S3cr3t'", "CREATE USER app WITH PASSWORD 'REDACTED'"],
    ['db.query.text', "ALTER USER app IDENTIFIED BY 'S3cr3t'", "ALTER USER app IDENTIFIED BY 'REDACTED'"],
    ['db.statement', 'AUTH default S3cr3t', 'AUTH REDACTED REDACTED'],
  ])('%s = %s → %s', (key, raw, want) => {
    expect(redactAttribute(key, raw)).toBe(want);
    expect(redactAttribute(key, want)).toBe(want);
  });

  it.each([
    ['http.request.header.content-type', '["application/json"]'],
    ['http.request.header.x-request-id', '["a1b2"]'],
    ['token_count', '12'],
    ['llm.usage.total_tokens', '12'],
    ['gen_ai.usage.input_tokens', '7'],
    ['messaging.kafka.message.key', 'order-42'],
    ['password_reset.requested', 'true'],
    ['user.has_password', 'false'],
    ['app.token', ''],
    ['http.request.header.authorization', '[]'],
    ['http.request.header.authorization', '[""]'],
    ['db.statement', 'SELECT id FROM orders WHERE id = $1'],
    ['server.address', 'u:p@h'],
  ])('keeps %s = %s byte for byte', (key, raw) => {
    expect(redactAttribute(key, raw)).toBe(raw);
  });

  it('reads a key the same as text and as UTF-8 bytes', () => {
    for (const key of [...VALUE_KEYS, 'my.token', 'http.request.header.cookie', 'token_count', 'db.statemenT', 'url.ful', 'x.ápi_key', '']) {
      expect(secretKeyKind(Buffer.from(`##${key}##`), 2, 2 + Buffer.byteLength(key))).toBe(secretKeyKind(key));
    }
    expect(secretKeyKind('url.full')).toBeGreaterThan(KEY_NAMED);
    expect(secretKeyKind('app.password')).toBe(KEY_NAMED);
    expect(secretKeyKind('app.name')).toBe(KEY_PLAIN);
  });

  it('redacts an array value item by item and never throws', () => {
    expect(redactSecretValue('[1,true,null,"x",""]')).toBe('["REDACTED",true,null,"REDACTED",""]');
    expect(redactSecretValue('[not json')).toBe('REDACTED');
    expect(redactSecretValue('{"a":"b"}')).toBe('REDACTED');
    expect(redactSecretValue('["REDACTED"]')).toBe('["REDACTED"]');
  });

  it('redactAttributes redacts every key of a map, and returns the same map when nothing changes', () => {
    const clean = { 'url.full': 'https://h/a', 'http.request.header.accept': '["*/*"]', token_count: '3' };
    expect(redactAttributes(clean)).toBe(clean);
    const raw = { 'http.request.header.authorization': '["Bearer T0k3n"]', 'app.password': 'S3cr3t', 'http.request.method': 'GET' };
    expect({ ...redactAttributes(raw) }).toEqual({
      'http.request.header.authorization': '["REDACTED"]',
      'app.password': 'REDACTED',
      'http.request.method': 'GET',
    });
  });
});
