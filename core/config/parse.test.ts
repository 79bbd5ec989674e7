import { describe, expect, it } from 'vitest';
import { buildConfig, parseArgs } from './index.ts';

const cfg = (argv: string[], env: Record<string, string> = {}) => buildConfig(parseArgs(argv), env, '/srv/weft');

describe('buildConfig', () => {
  it('defaults to the embedded store under .weft/data and loopback ports 4318 and 3000', () => {
    const c = cfg([]);
    expect(c.store).toEqual({ kind: 'embedded', path: '/srv/weft/.weft/data' });
    expect([c.collector.host, c.collector.port, c.api.host, c.api.port]).toEqual(['127.0.0.1', 4318, '127.0.0.1', 3000]);
  });

  it('reads the collector limits from the environment and leaves unset ones to the collector defaults', () => {
    const c = cfg([], { WEFT_ATTRIBUTE_COUNT_LIMIT: '64', WEFT_BODY_TIMEOUT_MS: '5000', WEFT_MAX_EXPANDED_BYTES: '' });
    expect(c.collector.limits).toEqual({ attributeCountLimit: 64, bodyTimeoutMs: 5000 });
    expect(() => cfg([], { WEFT_ATTRIBUTE_VALUE_LENGTH_LIMIT: 'lots' })).toThrow('WEFT_ATTRIBUTE_VALUE_LENGTH_LIMIT must be a whole number, got "lots".');
  });

  it('reads a ClickHouse server from --clickhouse with user, password and database', () => {
    const c = cfg(['--clickhouse', 'http://u:p%40ss@ch:8123/weft']);
    expect(c.store).toEqual({ kind: 'server', url: 'http://ch:8123', user: 'u', password: 'p@ss', database: 'weft', cluster: undefined });
  });

  it('takes WEFT_CLICKHOUSE_URL and its user/password/database variables', () => {
    const c = cfg([], { WEFT_CLICKHOUSE_URL: 'http://ch:8123', WEFT_CLICKHOUSE_USER: 'w', WEFT_CLICKHOUSE_PASSWORD: 'x', WEFT_CLICKHOUSE_DATABASE: 'd' });
    expect(c.store).toMatchObject({ kind: 'server', user: 'w', password: 'x', database: 'd' });
  });

  it('refuses --only on the embedded store, saying why', () => {
    expect(() => cfg(['--only', 'collector'])).toThrow(/embedded store cannot share.*--clickhouse/);
  });

  it('refuses to bind beyond loopback without tokens', () => {
    expect(() => cfg(['--host', '0.0.0.0'])).toThrow(/WEFT_API_TOKENS/);
    expect(() => cfg(['--otlp-host', '0.0.0.0'])).toThrow(/WEFT_INGEST_TOKENS/);
    expect(cfg(['--host', '0.0.0.0'], { WEFT_API_TOKENS: 'abc:viewer' }).api.tokens).toEqual({ abc: 'viewer' });
  });

  it('names the variable when a number is not one', () => {
    expect(() => cfg([], { WEFT_OTLP_PORT: 'http' })).toThrow(/WEFT_OTLP_PORT must be a whole number, got "http"/);
  });
});
