import { describe, expect, it } from 'vitest';
import { mayHoldCredential, redactStatement } from './statement-secrets.ts';

describe('redactStatement', () => {
  it.each([
    // SQL: the literal after a word naming a secret, or after IDENTIFIED BY.
    ["CREATE USER app WITH PASSWORD 'S3cr3t'", "CREATE USER app WITH PASSWORD 'REDACTED'"],
    ["ALTER ROLE app ENCRYPTED PASSWORD 'md5abc' VALID UNTIL 'infinity'", "ALTER ROLE app ENCRYPTED PASSWORD 'REDACTED' VALID UNTIL 'infinity'"],
    ["ALTER USER app IDENTIFIED BY 'S3cr3t'", "ALTER USER app IDENTIFIED BY 'REDACTED'"],
    ['ALTER USER app IDENTIFIED BY S3cr3t', 'ALTER USER app IDENTIFIED BY REDACTED'],
    ['CREATE USER app IDENTIFIED BY "S3;cr3t" DEFAULT TABLESPACE users', 'CREATE USER app IDENTIFIED BY "REDACTED" DEFAULT TABLESPACE users'],
    ["CREATE USER 'u'@'%' IDENTIFIED WITH mysql_native_password BY 'S3cr3t'", "CREATE USER 'u'@'%' IDENTIFIED WITH mysql_native_password BY 'REDACTED'"],
    ["CREATE USER u IDENTIFIED WITH sha256_password BY 'S3cr3t'", "CREATE USER u IDENTIFIED WITH sha256_password BY 'REDACTED'"],
    ["SET PASSWORD = 'S3cr3t'", "SET PASSWORD = 'REDACTED'"],
    ["SET PASSWORD FOR 'u'@'localhost' = 'S3cr3t'", "SET PASSWORD FOR 'u'@'localhost' = 'REDACTED'"],
    ["SET PASSWORD = PASSWORD('S3cr3t')", "SET PASSWORD = PASSWORD('REDACTED')"],
    ["ALTER LOGIN app WITH PASSWORD = 'n3w' OLD_PASSWORD = '0ld'", "ALTER LOGIN app WITH PASSWORD = 'REDACTED' OLD_PASSWORD = 'REDACTED'"],
    ["UPDATE users SET api_token = 'T0k3n' WHERE id = 1", "UPDATE users SET api_token = 'REDACTED' WHERE id = 1"],
    ["UPDATE users SET `password` = 'S3cr3t'", "UPDATE users SET `password` = 'REDACTED'"],
    ["CREATE SECRET (TYPE s3, KEY_ID 'AKIA', SECRET 'S3cr3t')", "CREATE SECRET (TYPE s3, KEY_ID 'AKIA', SECRET 'REDACTED')"],
    ["COPY t FROM 's3://b/k' CREDENTIALS 'aws_access_key_id=A;aws_secret_access_key=S'", "COPY t FROM 's3://b/k' CREDENTIALS 'REDACTED'"],
    ["ALTER USER u PASSWORD 'it''s'; INSERT INTO t VALUES ('x')", "ALTER USER u PASSWORD 'REDACTED'; INSERT INTO t VALUES ('x')"],
    // A credential column: named by an INSERT's column list, or a secret's derivative (a hash) set or compared.
    ["INSERT INTO users (name, password) VALUES ('bob','p')", "INSERT INTO users (name, password) VALUES ('bob','REDACTED')"],
    [
      "INSERT INTO app.users (\"name\", \"password_hash\", age) VALUES ('bob', '$2b$12$abc', 3), ('amy', '$2b$12$def', 4)",
      "INSERT INTO app.users (\"name\", \"password_hash\", age) VALUES ('bob', 'REDACTED', 3), ('amy', 'REDACTED', 4)",
    ],
    ["INSERT IGNORE INTO `users` (`id`, `api_token`) VALUE (7, 'T0k3n')", "INSERT IGNORE INTO `users` (`id`, `api_token`) VALUE (7, 'REDACTED')"],
    ["REPLACE INTO creds (k, secret) VALUES (lower('A'), 'S3cr3t')", "REPLACE INTO creds (k, secret) VALUES (lower('A'), 'REDACTED')"],
    ["UPDATE users SET password_hash = '$2b$12$abc' WHERE id = 7", "UPDATE users SET password_hash = 'REDACTED' WHERE id = 7"],
    [
      "UPDATE users SET passwordDigest = 'e3b0c442', tokenHash='x' WHERE id = 7",
      "UPDATE users SET passwordDigest = 'REDACTED', tokenHash='REDACTED' WHERE id = 7",
    ],
    // A credential by its shape in a string literal, whatever names it.
    [
      "SELECT * FROM sessions WHERE jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.SflKxwRJSMeKKF2QT4fw' LIMIT 1",
      "SELECT * FROM sessions WHERE jwt = 'REDACTED' LIMIT 1",
    ],
    ["INSERT INTO audit (note) VALUES ('called with Bearer abc123def456')", "INSERT INTO audit (note) VALUES ('called with Bearer REDACTED')"],
    ["UPDATE deploys SET key_id = 'AKIAIOSFODNN7EXAMPLE' WHERE id = 1", "UPDATE deploys SET key_id = 'REDACTED' WHERE id = 1"],
    // Redis.
    ['AUTH S3cr3t', 'AUTH REDACTED'],
    ['AUTH default S3cr3t', 'AUTH REDACTED REDACTED'],
    ['auth default P@ss#1', 'auth REDACTED REDACTED'],
    ['HELLO 3 AUTH default S3cr3t SETNAME app', 'HELLO 3 AUTH REDACTED REDACTED SETNAME app'],
    ['MIGRATE h 6379 k 0 5000 AUTH S3cr3t', 'MIGRATE h 6379 k 0 5000 AUTH REDACTED'],
    ['MIGRATE h 6379 k 0 5000 AUTH2 u S3cr3t KEYS a', 'MIGRATE h 6379 k 0 5000 AUTH2 REDACTED REDACTED KEYS a'],
    ['CONFIG SET requirepass S3cr3t', 'CONFIG SET requirepass REDACTED'],
    ['CONFIG SET masterauth S3cr3t', 'CONFIG SET masterauth REDACTED'],
    ['ACL SETUSER app on >S3cr3t <0ld ~* +@all', 'ACL SETUSER app on >REDACTED <REDACTED ~* +@all'],
    // MongoDB and URLs in literals.
    ['{"createUser":"app","pwd":"S3cr3t","roles":[]}', '{"createUser":"app","pwd":"REDACTED","roles":[]}'],
    ['{"uri":"mongodb://app:S3cr3t@mongo:27017/db","x":1}', '{"uri":"mongodb://REDACTED:REDACTED@mongo:27017/db","x":1}'],
    ["SELECT dblink_connect('postgresql://app:S3cr3t@pg02/x')", "SELECT dblink_connect('postgresql://REDACTED:REDACTED@pg02/x')"],
  ])('%s → %s', (raw, want) => {
    expect(redactStatement(raw)).toBe(want);
    expect(redactStatement(want)).toBe(want);
  });

  it('returns a statement without credentials byte for byte, the same string', () => {
    for (const raw of [
      'SELECT id, status, total FROM orders WHERE updated_at > $1',
      "SELECT * FROM users WHERE password_reset = 'yes'",
      "SELECT token_count FROM usage WHERE k = 'token'",
      'CREATE TABLE keys (id int PRIMARY KEY, api_key text)',
      "INSERT INTO audit (msg) VALUES ('password changed')",
      "SELECT * FROM spans WHERE trace_id = '4bf92f3577b34da6a3ce929d0e0e4736'",
      'SELECT * FROM "AKIAIOSFODNN7EXAMPLE"',
      "SELECT 'it''s eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.SflKxwRJSMeKKF2QT4fw'",
      // Not sure which value is the password: kept.
      "INSERT INTO users VALUES ('bob', 'p')",
      "INSERT INTO users (name, password) VALUES ('bob', crypt('p', gen_salt('bf')))",
      "INSERT INTO users (name, password) VALUES ('bob')",
      "INSERT INTO users (name, password) SELECT 'bob', 'p'",
      "INSERT INTO users (name, password) VALUES ('bob', E'p')",
      "INSERT INTO users (name, password) VALUES ('bob', ?), ('amy', ?)",
      "INSERT INTO users (name, hash) VALUES ('bob', 'e3b0c442')",
      "UPDATE files SET sha256_hash = 'e3b0c442' WHERE id = 1",
      '-- password: x\nSELECT 1',
      "SELECT 'PASSWORD' || 'x'",
      'GET session:42',
      'SET user:1:name bob',
      'SELECT * FROM t WHERE password = ?',
      'UPDATE users SET password = $1 WHERE id = $2',
      '',
    ]) {
      expect(redactStatement(raw)).toBe(raw);
    }
  });

  it('keeps an unquoted password that would change how the statement splits, and one of a statement of another kind', () => {
    for (const raw of [
      'AUTH p;INSERT',
      "AUTH it's",
      'AUTH a--b',
      'AUTH a$$b',
      'AUTH P#ss more',
      'SELECT x IDENTIFIED BY p',
      'CREATE TABLE t IDENTIFIED BY p AS SELECT 1',
      'GET PASSWORD p',
    ]) {
      expect(redactStatement(raw)).toBe(raw);
    }
  });

  it('never throws on hostile input', () => {
    const parts = [
      "'",
      '"',
      '`',
      '$$',
      '#',
      '--',
      '/*',
      '*/',
      ';',
      '\\',
      'PASSWORD',
      'IDENTIFIED',
      'BY',
      'AUTH',
      '=',
      '(',
      '://',
      '@',
      ' ',
      '\n',
      '\u0000',
      '\ud800',
    ];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let n = 0; n < 3000; n++) {
      let s = '';
      for (let k = next() % 12; k > 0; k--) s += parts[next() % parts.length];
      expect(() => redactStatement(s)).not.toThrow();
    }
    expect(() => redactStatement(`PASSWORD ${"'".repeat(100_000)}`)).not.toThrow();
  });

  it('mayHoldCredential (the decoder asks it of the bytes before decoding) reads bytes as text, and passes every statement redacted', () => {
    for (const t of ['SELECT 1', 'AUTH x', 'x PASSWORD', 'PaSsWoRd', 'mongodb://', 'ACL', 'k\u00e9y', '\u{1F511} token', 'pas', '']) {
      expect([t, mayHoldCredential(Buffer.from(t))]).toEqual([t, mayHoldCredential(t)]);
    }
    expect(mayHoldCredential(Buffer.from('..AUTH..'), 2, 5)).toBe(false);
    expect(mayHoldCredential(Buffer.from('..AUTH..'), 2, 6)).toBe(true);
    expect(mayHoldCredential('SELECT id FROM orders WHERE updated_at > $1')).toBe(false);
  });
});
