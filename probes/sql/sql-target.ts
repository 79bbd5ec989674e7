import { ProbeError } from '../probe-error.ts';
import type { Secrets } from '../secrets.ts';
import type { SqlDialect, SqlTarget } from './sql-source.ts';

const dialects: Record<string, SqlDialect> = { 'postgres:': 'postgres', 'postgresql:': 'postgres', 'mysql:': 'mysql', 'mariadb:': 'mysql' };
const defaultPorts: Record<SqlDialect, number> = { postgres: 5432, mysql: 3306 };

/**
 * `dsn: env:NAME` (a whole URL, secret) or `url` + `password: env:NAME` → a connection target.
 * A secret DSN's parts are remembered for redaction and the target is labelled by its reference,
 * so no message built from it carries a part of the value. Throws ProbeError('config').
 */
export function sqlTarget(conn: { dsn?: string; url?: string; password?: string }, secrets: Secrets, what: string): SqlTarget {
  const text = conn.dsn ? secrets.resolve(conn.dsn, `${what} dsn`, false) : conn.url;
  if (!text) throw new ProbeError('config', `${what} names no database: give dsn: env:NAME or url`);
  if (conn.dsn) secrets.rememberUrl(text);
  const source = conn.dsn ? `the value of ${conn.dsn}` : 'the database URL';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ProbeError('config', `${what}: ${source} is not a URL like postgres://user@host:5432/db`);
  }
  const dialect = dialects[url.protocol];
  if (!dialect) {
    const got = conn.dsn ? '' : ` (got "${url.protocol}")`;
    throw new ProbeError('config', `${what}: ${source} is not a postgres://, postgresql://, mysql:// or mariadb:// URL${got}`);
  }
  const password = conn.password ? secrets.resolve(conn.password, `${what} password`) : decodeURIComponent(url.password);
  if (password) secrets.remember(password);
  return {
    dialect,
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : defaultPorts[dialect],
    user: decodeURIComponent(url.username) || (dialect === 'postgres' ? 'postgres' : 'root'),
    password,
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || (dialect === 'postgres' ? 'postgres' : ''),
    ...(conn.dsn ? { label: conn.dsn } : {}),
  };
}
