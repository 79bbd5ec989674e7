import { describe, expect, it } from 'vitest';
import { KEY_NAMED, secretKeyKind } from '../../core/net/attribute-secrets.ts';
import { redactStatement } from '../../core/net/statement-secrets.ts';
import { traceColumns } from '../rows/trace-columns.ts';
import { storedSpanRow, touchesOfRow } from '../test/stored-span.ts';
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

/**
 * One CLIENT span named `name` with the string attributes `attrs`, classified twice: as stored (the object path redacts
 * its name and attributes) and as sent (the same row with the name and attributes put back).
 */
function classifiedBothWays(name: string, attrs: Record<string, string>) {
  const row = storedSpanRow(name, attrs);
  const raw = [...row];
  raw[traceColumns.findIndex((c) => c.column === 'SpanName')] = name;
  raw[traceColumns.findIndex((c) => c.column === 'SpanAttributes')] = { ...attrs };
  return { stored: touchesOfRow(row), sent: touchesOfRow(raw), storedRow: row };
}

/** [span name, attributes, the secrets they hold (each with what replaces it, REDACTED by default)]: HTTP client spans whose URL or name carries a secret, or none. */
const URL_SPANS: [string, Record<string, string>, (string | [string, string])[]][] = [
  ['POST', { 'http.request.method': 'POST', 'url.full': 'https://hooks.slack.com/services/T0001ABCD/B0002EFGH/XyZ123abcDEF456ghiJKL789' }, ['XyZ123abcDEF456ghiJKL789']],
  ['POST', { 'http.request.method': 'POST', 'url.full': 'https://discord.com/api/webhooks/123456789012345678/AbC-dEf_GhI123456789' }, ['AbC-dEf_GhI123456789']],
  ['POST', { 'http.request.method': 'POST', 'url.full': 'https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ/sendMessage' }, ['123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ']],
  ['GET', { 'http.request.method': 'GET', 'url.full': 'https://app.example.com/reset-password/8f2c1e0b9a7d4c3e2f1a0b9c' }, ['8f2c1e0b9a7d4c3e2f1a0b9c']],
  ['GET', { 'http.request.method': 'GET', 'url.full': 'https://api.example.com/api/keys/ak_live_2x9QmZ8pLk3/usage' }, ['ak_live_2x9QmZ8pLk3']],
  ['GET', { 'http.method': 'GET', 'net.peer.name': 'api.example.com', 'http.target': '/api/keys/ak_live_2x9QmZ8pLk3?x=1' }, ['ak_live_2x9QmZ8pLk3']],
  ['GET', { 'http.request.method': 'GET', 'server.address': 'api.example.com', 'url.path': '/v1/tokens/tok_9f8e7d6c5b4a' }, ['tok_9f8e7d6c5b4a']],
  ['GET', { 'http.request.method': 'GET', 'url.full': 'https://b.s3.amazonaws.com/o.csv?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=ab12cd34ef' }, ['AKIA%2F1', 'ab12cd34ef']],
  ['PUT', { 'http.request.method': 'PUT', 'url.full': 'https://acct.blob.core.windows.net/c/b.csv?sv=2022-11-02&sig=abc%2Bdef%3D' }, ['abc%2Bdef%3D']],
  ['GET https://api.example.com/v1/export?token=T0k3nT0k3n', { 'http.request.method': 'GET', 'url.full': 'https://api.example.com/v1/export' }, ['T0k3nT0k3n']],
  ['GET /reset-password/8f2c1e0b9a7d4c3e', { 'http.request.method': 'GET', 'server.address': 'app.example.com', 'url.path': '/reset-password/x' }, ['8f2c1e0b9a7d4c3e']],
  ['POST', { 'http.request.method': 'POST', 'url.full': 'https://u:S3cr3tPw@idp.example.com/oauth/token' }, [['u:S3cr3tPw', 'REDACTED:REDACTED']]],
  ['POST', { 'http.request.method': 'POST', 'url.full': 'https://idp.example.com/oauth/token/refresh' }, []],
  ['GET', { 'http.request.method': 'GET', 'url.full': 'https://crm.internal/api/customers/3fa85f64-5717-4562-b3fc-2c963f66afa6' }, []],
  ['GET', { 'http.request.method': 'GET', 'url.full': 'https://erp.internal/api/orders/ORD-2026-000042?page=2' }, []],
  ['GET', { 'http.request.method': 'GET', 'url.full': 'https://h/healthz?token=T0k3nT0k3n' }, ['T0k3nT0k3n']],
  ['GET', { 'http.request.method': 'GET', 'url.full': 'https://h/socket.io/?token=T0k3nT0k3n&transport=websocket' }, ['T0k3nT0k3n']],
]; // prettier-ignore

describe('redaction of URLs and span names changes nothing the classification reads but the secret', () => {
  it.each(URL_SPANS)('%s %j: the touches as sent, with each secret REDACTED', (name, attrs, secrets) => {
    const { stored, sent, storedRow } = classifiedBothWays(name, attrs);
    let want = JSON.stringify(sent);
    // A secret within the endpoint's first two segments (`/reset-password/<token>`) is no longer shown there; nothing else changes.
    for (const s of secrets) want = typeof s === 'string' ? want.replaceAll(s, 'REDACTED') : want.replaceAll(s[0], s[1]);
    expect(JSON.stringify(stored)).toBe(want);
    const text = JSON.stringify(storedRow);
    for (const s of secrets) expect(text).not.toContain(typeof s === 'string' ? s : s[0]);
    if (secrets.length === 0) expect(text).toContain(JSON.stringify(attrs).slice(1, -1));
  });
});
