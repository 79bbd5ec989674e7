import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuditLog, Credentials } from '../../access/index.ts';
import { buildApiApp } from '../../api/index.ts';
import { migrate, openStore } from '../../clickhouse/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { main } from '../main.ts';

const retention = { rawDays: 30, rollupDays: 400, recordDays: 730 };

describe('weft token and weft audit-log verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'access-cli-'));
  const weft = async (argv: string[], env: Record<string, string> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env, cwd: dir });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const tokens = new Map<string, string>();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('regression: weft start refuses to bind beyond loopback without a token, and an empty token (":admin") does not count', async () => {
    const start = ['start', '--host', '0.0.0.0', '--port', '0', '--otlp-port', '0', '--data', dir, '--log-level', 'silent'];
    const none = await weft(start);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/The API binds to 0\.0\.0\.0, beyond this machine, and no token for it exists/);
    const empty = await weft(start, { WEFT_API_TOKENS: ':admin' });
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/WEFT_API_TOKENS item 1 has an empty token/);
    // Regression: a token given without a role was an admin's, and let the start go on.
    const roleless = await weft(start, { WEFT_API_TOKENS: 'roleless-token-0123456789' });
    expect(roleless.code).toBe(2);
    expect(roleless.err).toMatch(/WEFT_API_TOKENS item 1 has no role/);
    // Refused before its store was made: a refused start left an empty one behind.
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('makes tokens before Weft ever ran, prints each once, and lists them without secrets', async () => {
    // No-token mode ends with the first API token, and only admins make more: the first must be an admin.
    expect((await weft(['token', 'create', '--role', 'sre', '--name', 'early', '--data', dir])).err).toMatch(/first API token must be an admin/);
    // Regression: the refused command left an empty store behind, which `token list` and `audit-log verify` then read
    // as Weft's ("Audit log is empty.", exit 0). What it made is removed, up to the first directory that existed.
    expect(existsSync(join(dir, 'data'))).toBe(false);
    const nested = join(dir, 'new', 'weft');
    expect((await weft(['token', 'create', '--role', 'sre', '--name', 'early', '--data', nested])).code).toBe(2);
    expect(existsSync(join(dir, 'new'))).toBe(false);
    expect((await weft(['audit-log', 'verify', '--data', nested])).err).toMatch(/No Weft data in/);
    // The same with an empty data/ already there: it stays empty, and reading it makes no store either.
    const emptied = join(dir, 'emptied');
    mkdirSync(join(emptied, 'data'), { recursive: true });
    expect((await weft(['token', 'create', '--role', 'sre', '--name', 'early', '--data', emptied])).code).toBe(2);
    expect(readdirSync(join(emptied, 'data'))).toEqual([]);
    for (const command of [
      ['audit-log', 'verify'],
      ['token', 'list'],
    ]) {
      const r = await weft([...command, '--data', emptied]);
      expect([r.code, r.err]).toEqual([2, expect.stringMatching(/No Weft data in/)]);
    }
    expect(readdirSync(join(emptied, 'data'))).toEqual([]);
    const start = await weft(['start', '--host', '0.0.0.0', '--port', '0', '--otlp-port', '0', '--data', emptied, '--log-level', 'silent']);
    expect(start.code).toBe(2);
    expect(readdirSync(join(emptied, 'data'))).toEqual([]);
    for (const [name, role] of [
      ['root', 'admin'],
      ['ana', 'sre'],
      ['audra', 'auditor'],
      ['vic', 'viewer'],
    ]) {
      const r = await weft(['token', 'create', '--role', role, '--name', name, '--data', dir]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(new RegExp(`^weft_${role}_[a-z2-7]{10}_[a-z2-7]{38}$`));
      expect(r.err).toMatch(new RegExp(`for ${name} \\(${role}\\)\\. It is shown once`));
      tokens.set(name, r.out);
    }
    const list = await weft(['token', 'list', '--data', dir]);
    expect(list.out).toMatch(/ana\s+sre\s+\S+\s+never/);
    for (const t of tokens.values()) expect(list.out).not.toContain(t.split('_')[3]);
    expect((await weft(['token', 'create', '--role', 'root', '--name', 'x', '--data', dir])).err).toMatch(
      /--role takes ingest, viewer, sre, icoe, auditor, admin, got "root"/,
    );
    expect((await weft(['token', 'create', '--role', 'sre', '--data', dir])).code).toBe(2);
    // Fourteen commands, each opening (the first making and migrating) a store and taking its lease for a change: 27 s
    // alone, near vitest's 60 s at a load of 14 on two cores.
  }, 180_000);

  it('serves the tokens and the audit log through a running API: an auditor verifies it with --url, a viewer may not read it', async () => {
    const store = await openStore({ kind: 'embedded', path: join(dir, 'data') });
    await migrate(store, { retention });
    const auditLog = createAuditLog(store);
    const credentials = await Credentials.create({ store, auditLog });
    const app = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, credentials, logger: silentLogger(), services: { store, auditLog } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    try {
      const made = await weft(['token', 'create', '--role', 'icoe', '--name', 'ivy', '--url', url], { WEFT_TOKEN: tokens.get('root')! });
      expect(made.code, made.err).toBe(0);
      expect((await weft(['token', 'create', '--role', 'icoe', '--name', 'ivy2', '--url', url], { WEFT_TOKEN: tokens.get('ana')! })).err).toMatch(
        /answered 403/,
      );
      const verified = await weft(['audit-log', 'verify', '--url', url], { WEFT_TOKEN: tokens.get('audra')! });
      expect(verified.code, verified.err).toBe(0);
      expect(verified.out).toMatch(/^Audit log intact: 5 rows, head seq 5 hash [0-9a-f]{64}\.$/);
      expect((await weft(['audit-log', 'verify', '--url', url], { WEFT_TOKEN: tokens.get('vic')! })).err).toMatch(/answered 403/);
      // Regression: a refused WEFT_TOKEN was answered "wants a token: set WEFT_TOKEN", as if none had been given.
      expect((await weft(['token', 'list', '--url', url], { WEFT_TOKEN: 'weft_admin_aaaaaaaaaa_wrong' })).err).toMatch(
        /refused the token in WEFT_TOKEN \(revoked, mistyped, or made for another Weft\): set WEFT_TOKEN to a valid one \(an admin token\)/,
      );
      expect((await weft(['token', 'list', '--url', url], {})).err).toMatch(/wants a token: set WEFT_TOKEN \(an admin token\)/);
      const list = await weft(['token', 'list', '--url', url], { WEFT_TOKEN: tokens.get('root')! });
      expect(list.out).toMatch(/root\s+admin\s+\S+\s+20\d\d-/); // used just now
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('revokes a token, recorded in the audit log', async () => {
    const id = tokens.get('vic')!.split('_')[2];
    const r = await weft(['token', 'revoke', id, '--data', dir]);
    expect(r.out).toBe(`Revoked token ${id} (vic, viewer).`);
    expect((await weft(['token', 'revoke', id, '--data', dir])).err).toMatch(/No active token with id/);
    expect((await weft(['audit-log', 'verify', '--data', dir])).out).toMatch(/intact: 6 rows/);
  });

  it('regression: fails on a tampered store and names the altered and the removed row', async () => {
    const store = await openStore({ kind: 'embedded', path: join(dir, 'data') });
    try {
      await store.client.command({ query: "ALTER TABLE weft_audit_log UPDATE actor = 'mallory' WHERE seq = 2 SETTINGS mutations_sync = 2" });
      await store.client.command({ query: 'ALTER TABLE weft_audit_log DELETE WHERE seq = 4 SETTINGS mutations_sync = 2' });
    } finally {
      await store.close();
    }
    const r = await weft(['audit-log', 'verify', '--data', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Audit log FAILED verification (5 rows read)');
    expect(r.err).toContain('seq 2: row 2 was altered: its content does not match its hash');
    expect(r.err).toContain('seq 5: row 4 is missing (removed)');
  });
});
