import { describe, expect, it } from 'vitest';
import { mayHoldSecretPair, redactCommandArgs, redactCommandLine, redactFreeText, redactJsonText } from './text-secrets.ts';

describe('redactFreeText', () => {
  it.each([
    ['login failed with password=S3cr3t for app', 'login failed with password=REDACTED for app'],
    ['Server=db1;Database=x;User Id=app;Password=S3cr3t;', 'Server=db1;Database=x;User Id=app;Password=REDACTED;'],
    ["retry: api_key='K3yK3y', attempt=2", "retry: api_key='REDACTED', attempt=2"],
    ['GET /login?user=a&access_token=T0k3n&x=1 failed', 'GET /login?user=a&access_token=REDACTED&x=1 failed'],
    ['{"user":"app","password":"S3cr3t","n":1}', '{"user":"app","password":"REDACTED","n":1}'],
    ['{"pwd": 12345}', '{"pwd": "REDACTED"}'],
    ['token:T0k3nT0k3n', 'token:REDACTED'],
    ['PGPASSWORD=S3cr3t psql -h db1', 'PGPASSWORD=REDACTED psql -h db1'],
    [
      'FATAL: could not connect to postgresql://app:S3cr3t@db1:5432/orders\n\tat Pool.connect (pool.js:45)',
      'FATAL: could not connect to postgresql://REDACTED:REDACTED@db1:5432/orders\n\tat Pool.connect (pool.js:45)',
    ],
    ['401 for Authorization: Bearer abc123def456', '401 for Authorization: Bearer REDACTED'],
  ])('%s → %s', (raw, want) => {
    expect(redactFreeText(raw)).toBe(want);
    expect(redactFreeText(want)).toBe(want);
  });

  it.each([
    'password authentication failed for user "app"',
    "Access denied for user 'root'@'localhost' (using password: YES)",
    'password: must be at least 8 characters',
    'token_count=12 total_tokens=40',
    'password_reset=true',
    'at com.acme.Auth.token(Auth.java:42)',
    'key=order-42',
    'NullPointerException: Cannot invoke "String.length()" because "password" is null',
  ])('keeps %s byte for byte', (raw) => {
    expect(redactFreeText(raw)).toBe(raw);
  });

  it('finds a pair whose name says a secret from its bytes, and passes over other text', () => {
    for (const raw of ['password=x', 'a "pwd" : 1', "PGPASSWORD='x'", 'x;Password=y']) expect([raw, mayHoldSecretPair(Buffer.from(raw))]).toEqual([raw, true]);
    for (const raw of ['at f (a.js:1:2)', 'https://h/a?b=c', 'token_count=3', 'password reset'])
      expect([raw, mayHoldSecretPair(Buffer.from(raw)), mayHoldSecretPair(raw)]).toEqual([raw, false, false]);
  });
});

describe('redactCommandLine and redactCommandArgs', () => {
  it.each([
    ['pg_dump --password=S3cr3t orders', 'pg_dump --password=REDACTED orders'],
    ['app --db-password S3cr3t --port 8080', 'app --db-password REDACTED --port 8080'],
    ['java -jar sync.jar --token "T0k 3n" --verbose', 'java -jar sync.jar --token "REDACTED" --verbose'],
    ['worker -api-key K3yK3y', 'worker -api-key REDACTED'],
    ['PGPASSWORD=S3cr3t psql -h db1 -p 5432 orders', 'PGPASSWORD=REDACTED psql -h db1 -p 5432 orders'],
    ['/usr/bin/mysql -u root -pS3cr3t orders', '/usr/bin/mysql -u root -pREDACTED orders'],
    ['sshpass -p S3cr3t ssh app@host', 'sshpass -p REDACTED ssh app@host'],
    ['mongosh -u app -p S3cr3t --host m1', 'mongosh -u app -p REDACTED --host m1'],
    ['redis-cli -h cache -a S3cr3t PING', 'redis-cli -h cache -a REDACTED PING'],
    ['docker login -u ci -p S3cr3t registry.internal', 'docker login -u ci -p REDACTED registry.internal'],
    ['curl -u app:S3cr3t https://api.internal/x', 'curl -u app:REDACTED https://api.internal/x'],
    ['sudo env MYSQL_PWD=S3cr3t mysqldump db', 'sudo env MYSQL_PWD=REDACTED mysqldump db'],
    ['psql postgresql://app:S3cr3t@db1/orders', 'psql postgresql://REDACTED:REDACTED@db1/orders'],
  ])('%s → %s', (raw, want) => {
    expect(redactCommandLine(raw)).toBe(want);
    expect(redactCommandLine(want)).toBe(want);
    const args = JSON.stringify(raw.split(' ').map((w) => w.replaceAll('"', '')));
    const wantArgs = JSON.stringify(want.split(' ').map((w) => w.replaceAll('"', '')));
    if (!raw.includes('"')) expect(redactCommandArgs(args)).toBe(wantArgs);
  });

  it.each([
    'psql -h db1 -p 5432 orders',
    'ssh -p 22 app@host',
    'docker run -p 8080:80 img',
    'mkdir -p /var/lib/weft',
    'cp -p a b',
    'mysql -u root -p orders',
    'pg_dump --no-password orders',
    'app --password-file /run/secrets/pw',
    'app --token --verbose',
    'node --max-old-space-size=4096 dist/server.js',
  ])('keeps %s byte for byte', (raw) => {
    expect(redactCommandLine(raw)).toBe(raw);
    const args = JSON.stringify(raw.split(' '));
    expect(redactCommandArgs(args)).toBe(args);
  });
});

describe('redactJsonText (a structured log body, an array or kvlist attribute)', () => {
  const PIECES = [
    'password=', 'pwd: ', '"pwd":', 'token=', 'api_key=', 'Password=', 'S3cr3t', 'x', ' ', '"', '\\', '\\"', "'", ';', ',', '{', '}', '[', '\n',
    'Bearer ', 'abc123def', 'Basic ', 'dXNlcjpwYXNz', 'Digest username="u", response=', '"6629fae4"', '-----BEGIN PRIVATE KEY-----', 'MIIE',
    '-----END PRIVATE KEY-----', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig', 'postgres://u:p@h/x', 'AKIAIOSFODNN7EXAMPLE', '://', '@',
  ]; // prettier-ignore

  it('keeps it JSON, and redacting twice changes nothing more (seeded random values)', () => {
    let seed = 20261205;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const text = () => {
      let t = '';
      for (let k = 1 + (next() % 8); k > 0; k--) t += PIECES[next() % PIECES.length];
      return t;
    };
    let changed = 0;
    for (let n = 0; n < 5_000; n++) {
      const value = n % 2 === 0 ? { [['password', 'note', 'pwd', 'msg'][next() % 4]]: text(), n: next() % 100, [text()]: text() } : [text(), text()];
      const json = JSON.stringify(value);
      const red = redactJsonText(json);
      if (red !== json) changed++;
      expect(() => JSON.parse(red), `${json} → ${red}`).not.toThrow();
      expect(redactJsonText(red)).toBe(red);
      // Each string is redacted as free text.
      if (Array.isArray(value)) expect(JSON.parse(red)).toEqual(value.map((v) => redactFreeText(v)));
    }
    expect(changed).toBeGreaterThan(1_000);
  });

  it.each([
    ['{"n":3,"password":"S3cr3t","user":"app"}', '{"n":3,"password":"REDACTED","user":"app"}'],
    ['{"db":{"pwd":12345,"host":"h"},"ok":true}', '{"db":{"pwd":"REDACTED","host":"h"},"ok":true}'],
    ['{"password":null,"api_key":["K1","K2"]}', '{"password":null,"api_key":["K1","K2"]}'],
    ['["Bearer abc123def","ok"]', '["Bearer REDACTED","ok"]'],
    ['{"msg":"retry password=S3cr3t \\"x\\""}', '{"msg":"retry password=REDACTED \\"x\\""}'],
    ['{"a":"no secret","b":[1,2]}', '{"a":"no secret","b":[1,2]}'],
    ['not json "password":"x', 'not json "password":"x'],
  ])('%s → %s', (raw, want) => {
    expect(redactJsonText(raw)).toBe(want);
  });
});
