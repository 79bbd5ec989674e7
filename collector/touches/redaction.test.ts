import { describe, expect, it } from 'vitest';
import { KEY_NAMED, secretKeyKind } from '../../core/net/attribute-secrets.ts';
import { redactStatement } from '../../core/net/statement-secrets.ts';
import { SPAN_KEYS } from './span-record.ts';
import { dbOperation, statementDirection } from './sql-direction.ts';

/** The database systems whose statements the classification reads differently (`#` a comment or an operator; a command store's first word). */
const SYSTEMS = ['postgresql', 'mysql', 'oracle', 'mssql', 'redis', 'valkey', 'mongodb', 'clickhouse'];

/** What the classification reads of a statement (classify.ts: `dbText` goes to dbOperation and statementDirection, and nowhere else). */
const reading = (text: string, sys: string) => [text === '', dbOperation('', sys, text), statementDirection(text, sys)];

const PARTS = [
  'AUTH ', 'HELLO 3 AUTH ', 'MIGRATE h 1 k 0 5 AUTH2 ', 'CONFIG SET requirepass ', 'ACL SETUSER u >', 'CREATE USER u ', 'ALTER USER u ',
  'CREATE TABLE t ', 'SET ', 'GRANT ', 'SELECT ', 'WITH ', 'COPY ', 'CALL ', 'EXEC ', 'BEGIN ', '{call ', 'INSERT ', 'UPDATE ', 'DELETE ',
  'FROM ', 'JOIN ', 'INTO ', 'TABLE ', 'AS ', 'IDENTIFIED BY ', 'IDENTIFIED WITH p BY ', 'PASSWORD ', 'PASSWORD = ', 'PASSWORD FOR u = ',
  'api_token = ', '"pwd":', "'p'", "'p\\'", "'it''s'", "''", '"p"', '`p`', '$$p$$', '$$', '#', '#x\n', '--', '-- c\n', '/*', '*/', '/* c */',
  ';', '; ', '\\', '(', ')', '=', ':', ' ', '\n', 'p@ss#1', 'S3cr3t', 'x', 'pg_catalog.t', 'DUAL', 'mongodb://u:p@h', "'mongodb://u:p@h/'", "'it''s mongodb://u:p@ss@h/'", "'mongodb://u:p$1\\x@h/'", '$$mongodb://u:p@h$$',
  'GetCustomers', 'upsert_invoice', 'FOR UPDATE', '\u00e9',
  "'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnYXR1cmU'", 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnYXR1cmU', "'Bearer abc123def'",
  'INSERT INTO t (a, password) VALUES ', 'REPLACE INTO s.t ("password_hash") VALUE ', "('x', 'p')", "('p')", ', ', 'password_hash = ',
]; // prettier-ignore

describe('redaction changes nothing the classification reads', () => {
  it('reads every redacted statement as its original, for every database system (seeded random statements)', () => {
    let seed = 20261204;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    let changed = 0;
    for (let n = 0; n < 10_000; n++) {
      let text = '';
      for (let k = 1 + (next() % 10); k > 0; k--) text += PARTS[next() % PARTS.length];
      const red = redactStatement(text);
      if (red === text) continue;
      changed++;
      for (const sys of SYSTEMS) expect([text, sys, ...reading(red, sys)]).toEqual([text, sys, ...reading(text, sys)]);
    }
    // The corpus exercises the rules: a good share of the statements had something replaced.
    expect(changed).toBeGreaterThan(1_000);
  });

  it('names no key the classification reads as a secret', () => {
    for (const key of SPAN_KEYS) expect([key, secretKeyKind(key) === KEY_NAMED]).toEqual([key, false]);
  });
});
