import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credentials } from '../../access/index.ts';
import { openStore, type Store } from '../../clickhouse/index.ts';
import type { ConfiguredToken, Role } from '../../core/config/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { buildApiApp, type ApiApp } from '../app.ts';

const roles: Role[] = ['viewer', 'sre', 'icoe', 'auditor', 'admin'];
const tokenOf = (role: Role) => `health-${role}-token-0123456789`;
const configured: ConfiguredToken[] = roles.map((role) => ({ token: tokenOf(role), role, name: `health-${role}`, source: 'WEFT_API_TOKENS' }));

describe('GET /api/v1/health', () => {
  let dir: string;
  let store: Store;
  let api: ApiApp;
  let open: ApiApp;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weft-health-'));
    store = await openStore({ kind: 'embedded', path: join(dir, 'data') });
    const build = async (credentials: Credentials) =>
      buildApiApp({ config: { host: '127.0.0.1', port: 0 }, credentials, logger: silentLogger(), services: { store } as never });
    api = await build(await Credentials.create({ configured }));
    open = await build(await Credentials.create({}));
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await open?.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const health = (app: ApiApp, role?: Role) =>
    app.inject({ method: 'GET', url: '/api/v1/health', headers: { host: '127.0.0.1', ...(role ? { authorization: `Bearer ${tokenOf(role)}` } : {}) } });

  it("regression: tells the ClickHouse version only to the roles that run Weft's setup (icoe, admin), not to viewers, sre or auditors (every reader was told it)", async () => {
    for (const role of roles) {
      const answer = await health(api, role);
      expect(answer.statusCode, role).toBe(200);
      const body = answer.json();
      expect(body, role).toMatchObject({ status: 'ok', store: 'embedded' });
      if (role === 'icoe' || role === 'admin') expect(body.version, role).toMatch(/^\d+\.\d+/);
      else expect(Object.keys(body).sort(), role).toEqual(['status', 'store']);
    }
  });

  it('tells a request without a token nothing (401), and the local admin of no-token mode the version', async () => {
    const anonymous = await health(api);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).not.toMatch(/version|\d+\.\d+\.\d+/);
    expect((await health(open)).json().version).toMatch(/^\d+\.\d+/);
  });
});
