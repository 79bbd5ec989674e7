import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLease, type Store } from '../clickhouse/index.ts';
import { openMigratedStore } from '../test/migrated-store.ts';
import { createAuditLog } from './audit-log.ts';
import { apiRoles, Credentials, KDF_FAILURES_PER_ID } from './credentials.ts';
import { tokenChecksum } from './token-format.ts';

const by = { name: 'ops-admin', role: 'admin' as const };

describe('token changes made at the same time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'access-races-'));
  let store: Store;
  let credentials: Credentials;

  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 30, rollupDays: 400, recordDays: 730 });
    credentials = await Credentials.create({ store, auditLog: createAuditLog(store) });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('regression: two admin tokens revoked at once leave one (each revocation saw two admins, both went through, and a loopback API fell back to no-token mode: everyone admin)', async () => {
    const a = await credentials.createToken({ role: 'admin', name: 'race-a' }, by);
    const b = await credentials.createToken({ role: 'admin', name: 'race-b' }, by);
    const results = await Promise.allSettled([credentials.revokeToken(a.info.id, by), credentials.revokeToken(b.info.id, by)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(String((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.message)).toMatch(/last admin token/);
    expect((await credentials.listTokens()).filter((t) => t.role === 'admin' && !t.revokedAt)).toHaveLength(1);
    expect(await credentials.hasTokens(apiRoles)).toBe(true);
  });

  it('regression: two tokens made at once with one name leave one token of that name (each saw the name free)', async () => {
    const results = await Promise.allSettled([
      credentials.createToken({ role: 'viewer', name: 'race-same' }, by),
      credentials.createToken({ role: 'viewer', name: 'race-same' }, by),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await credentials.listTokens()).filter((t) => t.name === 'race-same' && !t.revokedAt)).toHaveLength(1);
  });

  it('regression: wrong secrets for one id sent at once run the KDF at most KDF_FAILURES_PER_ID times (each looked at the count before any had failed: all ran it)', async () => {
    const { token, info } = await credentials.createToken({ role: 'viewer', name: 'race-guessed' }, by);
    const forged = (i: number) => {
      const body = `${token.slice(0, token.lastIndexOf('_') + 1)}${String(i)
        .padStart(32, 'x')
        .replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)])}`;
      return `${body}${tokenChecksum(body)}`;
    };
    expect(await credentials.authenticate(`Bearer ${token}`)).toMatchObject({ name: 'race-guessed' });
    const runs = credentials.stats.kdfRuns;
    const answers = await Promise.all(Array.from({ length: KDF_FAILURES_PER_ID + 60 }, (_, i) => credentials.authenticate(`Bearer ${forged(i)}`)));
    expect(answers.every((a) => a === undefined)).toBe(true);
    expect(credentials.stats.kdfRuns - runs).toBe(KDF_FAILURES_PER_ID);
    // The right token, verified before, still passes.
    expect(await credentials.authenticate(`Bearer ${token}`)).toMatchObject({ name: 'race-guessed' });
    await credentials.revokeToken(info.id, by);
  });

  describe('in two processes sharing one store (two Credentials, each with its own queue, as two processes on one ClickHouse server)', () => {
    let other: Credentials;
    beforeAll(async () => {
      other = await Credentials.create({ store, auditLog: createAuditLog(store) });
    });
    const activeAdmins = async () => (await credentials.listTokens()).filter((t) => t.role === 'admin' && !t.revokedAt);

    it('regression: the last two admin tokens revoked at once, one in each process, leave one (each process saw another admin left; both went through)', async () => {
      await credentials.createToken({ role: 'admin', name: 'race-two-a' }, by);
      await other.createToken({ role: 'admin', name: 'race-two-b' }, by);
      for (let round = 0; round < 3; round++) {
        const admins = await activeAdmins();
        expect(admins.length).toBeGreaterThanOrEqual(2);
        const results = await Promise.allSettled(admins.map((a, i) => (i % 2 === 0 ? credentials : other).revokeToken(a.id, by)));
        expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason.message))).toEqual([
          expect.stringMatching(/last admin token/),
        ]);
        expect(await activeAdmins()).toHaveLength(1);
        await credentials.createToken({ role: 'admin', name: `race-two-${round}` }, by);
      }
    }, 60_000);

    it('regression: two tokens made at once with one name, one in each process, leave one token of that name', async () => {
      const results = await Promise.allSettled([
        credentials.createToken({ role: 'viewer', name: 'race-two-same' }, by),
        other.createToken({ role: 'viewer', name: 'race-two-same' }, by),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((await credentials.listTokens()).filter((t) => t.name === 'race-two-same' && !t.revokedAt)).toHaveLength(1);
    }, 60_000);

    it('waits for a change another process holds the lease for, and refuses with 503 having changed nothing when it outlasts the wait', async () => {
      const holder = createLease(store, 'another-process', { ttlMs: 60_000, name: 'token-changes' });
      expect(await holder.acquire(new Date())).toBe(true);
      const impatient = await Credentials.create({ store, auditLog: createAuditLog(store), tokenChangeWaitMs: 500 });
      await expect(impatient.createToken({ role: 'viewer', name: 'race-two-busy' }, by)).rejects.toMatchObject({
        code: 'WEFT_ERR_TOKEN_CHANGES_BUSY',
        statusCode: 503,
      });
      expect((await credentials.listTokens()).some((t) => t.name === 'race-two-busy')).toBe(false);
      // Released meanwhile: the waiting change goes through.
      const waiting = other.createToken({ role: 'viewer', name: 'race-two-busy' }, by);
      await new Promise((r) => setTimeout(r, 300));
      await holder.release();
      expect((await waiting).info.name).toBe('race-two-busy');
    }, 60_000);
  });
});
