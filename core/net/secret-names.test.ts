import { describe, expect, it } from 'vitest';
import { isSecretName } from './secret-names.ts';

const secret = [
  'my.token',
  'app.password',
  'PGPASSWORD',
  'client_secret',
  'api_key',
  'apiKey',
  'APIKey',
  'X-API-KEY',
  'http.request.header.authorization',
  'http.request.header.proxy-authorization',
  'http.request.header.cookie',
  'http.response.header.set-cookie',
  'http.request.header.x-api-key',
  'http.request.header.x-auth-token',
  'http.request.header.ocp-apim-subscription-key',
  'rpc.grpc.request.metadata.authorization',
  'db.operation.parameter.password',
  'aws.secret_access_key',
  'SECRET_ACCESS_KEY',
  'OLD_PASSWORD',
  'u.passwd',
  'pwd',
  'authToken',
  'sessionToken',
  'requirepass',
  'app.credentials',
];
const notSecret = [
  'token_count',
  'llm.usage.total_tokens',
  'gen_ai.usage.input_tokens',
  'gen_ai.token.type',
  'messaging.kafka.message.key',
  'messaging.rabbitmq.destination.routing_key',
  'password_reset.requested',
  'feature_flag.key',
  'aws.s3.key',
  'public_key',
  'cache.key',
  'http.request.header.content-type',
  'http.request.header.x-request-id',
  'session.id',
  'tokenizer',
  'token2',
  'tokens',
  'key',
  'db.statement',
  'url.full',
  '',
  'ke',
  '.',
  'pässword',
  'tökén',
];

describe('isSecretName', () => {
  it.each(secret)('%s names a secret', (name) => {
    expect(isSecretName(name)).toBe(true);
    expect(isSecretName(Buffer.from(name))).toBe(true);
  });
  it.each(notSecret)('%s does not', (name) => {
    expect(isSecretName(name)).toBe(false);
    expect(isSecretName(Buffer.from(name))).toBe(false);
  });
  it('reads a range of bytes as the same name as text, whatever the bytes around it', () => {
    const b = Buffer.from('xx.app.password.yy');
    expect(isSecretName(b, 3, 15)).toBe(true);
    expect(isSecretName(b, 3, 18)).toBe(false);
    for (const n of [...secret, ...notSecret, 'a\u00e9_token', '\u{1F511}.token', 'x\uffffKey', 'API\u0000Key']) {
      expect(isSecretName(Buffer.from(n))).toBe(isSecretName(n));
    }
  });
});
