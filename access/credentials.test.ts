import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../clickhouse/index.ts';
import { openMigratedStore } from '../test/migrated-store.ts';
import { createLogger } from '../core/log/logger.ts';
import { createAuditLog, type AuditLog } from './audit-log.ts';
import { Credentials, KDF_FAILURES_PER_ID } from './credentials.ts';
import { generateToken, tokenChecksum } from './token-format.ts';

const admin = { name: 'ops-admin', role: 'admin' };
const hostile = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  '',
  ' ',
  'x'.repeat(10_000),
  'wft_admin_aaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbcccccc',
];

describe('credentials (tokens in the store, configured tokens)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'access-cred-'));
  let store: Store;
  let auditLog: AuditLog;
  let credentials: Credentials;
  const logged: string[] = [];

  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 30, rollupDays: 400, recordDays: 730 });
    const logger = createLogger('debug', new Writable({ write: (chunk, _enc, done) => (logged.push(String(chunk)), done()) }));
    auditLog = createAuditLog(store, { logger });
    credentials = await Credentials.create({
      configured: [{ token: 'configured-viewer-token-0001', role: 'viewer', name: 'dashboard', source: 'WEFT_API_TOKENS' }],
      store,
      auditLog,
      logger,
    });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes a token, checks it with the KDF once, then from memory, and records its last use', async () => {
    const { token, info } = await credentials.createToken({ role: 'sre', name: 'ana' }, admin);
    expect(info).toMatchObject({ name: 'ana', role: 'sre', createdBy: 'ops-admin', revokedAt: null });
    const before = { ...credentials.stats };
    const results = await Promise.all(Array.from({ length: 20 }, () => credentials.authenticate(`Bearer ${token}`)));
    for (const r of results) expect(r).toEqual({ name: 'ana', role: 'sre', via: 'token', tokenId: info.id });
    expect(credentials.stats.kdfRuns - before.kdfRuns).toBe(1);
    expect(await credentials.authenticate(`bearer   ${token}`)).toMatchObject({ name: 'ana' });
    expect(credentials.stats.kdfRuns - before.kdfRuns).toBe(1);
    await expect.poll(async () => (await credentials.listTokens()).find((t) => t.id === info.id)?.lastUsedAt).not.toBeNull();
  });

  it('refuses a revoked token at once, and a token whose secret or role was changed', async () => {
    const { token, info } = await credentials.createToken({ role: 'icoe', name: 'bob' }, admin);
    expect(await credentials.authenticate(`Bearer ${token}`)).toMatchObject({ name: 'bob' });
    // The same id and secret with another role, re-checksummed: the stored role decides.
    const body = token.slice(0, -6).replace('weft_icoe_', 'weft_admin_');
    expect(await credentials.authenticate(`Bearer ${body}${tokenChecksum(body)}`)).toBeUndefined();
    await credentials.revokeToken(info.id, admin);
    expect(await credentials.authenticate(`Bearer ${token}`)).toBeUndefined();
    expect((await credentials.listTokens()).find((t) => t.id === info.id)).toMatchObject({ revokedBy: 'ops-admin' });
    await expect(credentials.revokeToken(info.id, admin)).rejects.toThrow(/No active token with id/);
  });

  it('refuses duplicate, reserved and malformed names and unknown roles', async () => {
    await expect(credentials.createToken({ role: 'viewer', name: 'ana' }, admin)).rejects.toThrow(/already named "ana"/);
    await expect(credentials.createToken({ role: 'viewer', name: 'dashboard' }, admin)).rejects.toThrow(/already named "dashboard"/);
    await expect(credentials.createToken({ role: 'viewer', name: 'local' }, admin)).rejects.toThrow(/reserved/);
    await expect(credentials.createToken({ role: 'viewer', name: 'a b' }, admin)).rejects.toThrow(/not allowed/);
    await expect(credentials.createToken({ role: 'root', name: 'x' }, admin)).rejects.toThrow(/Unknown role "root"/);
  });

  it('checks configured tokens by digest in a Map, and refuses hostile bearer values', async () => {
    expect(await credentials.authenticate('Bearer configured-viewer-token-0001')).toEqual({ name: 'dashboard', role: 'viewer', via: 'configured' });
    expect(await credentials.authenticate('Bearer configured-viewer-token-000')).toBeUndefined();
    for (const h of hostile) {
      expect(await credentials.authenticate(`Bearer ${h}`), h.slice(0, 20)).toBeUndefined();
      expect(await credentials.authenticate(h), h.slice(0, 20)).toBeUndefined();
    }
    expect(await credentials.authenticate(undefined)).toBeUndefined();
  });

  it('costs no KDF for a well-formed token with an unknown id, and looks it up once per few seconds', async () => {
    const body = `weft_admin_${'q'.repeat(10)}_${'r'.repeat(32)}`;
    const unknown = `Bearer ${body}${tokenChecksum(body)}`;
    const before = { ...credentials.stats };
    for (let i = 0; i < 50; i++) expect(await credentials.authenticate(unknown)).toBeUndefined();
    expect(credentials.stats.kdfRuns).toBe(before.kdfRuns);
    expect(credentials.stats.lookups - before.lookups).toBeLessThanOrEqual(1);
  });

  it('records token create and revoke in the audit log, and the chain verifies', async () => {
    const entries = await auditLog.list();
    expect(entries.map((e) => `${e.actor}:${e.action}`)).toEqual(['ops-admin:token.create', 'ops-admin:token.create', 'ops-admin:token.revoke']);
    expect(JSON.parse(entries[0].detail)).toEqual({ name: 'ana', role: 'sre' });
    expect(await auditLog.verify()).toMatchObject({ ok: true, rows: 3 });
  });

  // Regression: any since/until answered 500 — the WHERE compared the text alias `at` (toString(at)) with a DateTime64.
  it('lists the rows between since and until, inclusive, by the stored time', async () => {
    const all = await auditLog.list();
    const first = new Date(all[0].at);
    const last = new Date(all[all.length - 1].at);
    expect(await auditLog.list({ since: first, until: last })).toEqual(all);
    expect(await auditLog.list({ since: new Date(last.getTime() + 1) })).toEqual([]);
    expect(await auditLog.list({ until: new Date(first.getTime() - 1) })).toEqual([]);
    expect((await auditLog.list({ since: last })).map((e) => e.seq)).toEqual(all.filter((e) => e.at === all[all.length - 1].at).map((e) => e.seq));
  });

  it('appends concurrent actions as one chain', async () => {
    await Promise.all(Array.from({ length: 10 }, (_, i) => auditLog.append({ name: 'weft', role: 'system' }, 'test.concurrent', `s${i}`, { i })));
    const v = await auditLog.verify();
    expect(v).toMatchObject({ ok: true, rows: 13, head: { seq: 13 } });
  });

  // Regression: revoking the only admin token left nobody able to make tokens, and the API on loopback silently
  // ran without tokens again (anyone on the machine became admin).
  it('keeps the last admin token: it cannot be revoked until another admin token exists', async () => {
    const admins = (await credentials.listTokens()).filter((t) => t.role === 'admin' && !t.revokedAt);
    const { info: first } = admins.length > 0 ? { info: admins[0] } : await credentials.createToken({ role: 'admin', name: 'first-admin' }, admin);
    for (const other of admins.slice(1)) await credentials.revokeToken(other.id, admin);
    await expect(credentials.revokeToken(first.id, admin)).rejects.toThrow(/is the last admin token: .*Make another admin token first/);
    expect(await credentials.hasTokens(['admin'])).toBe(true);
    const { info: second } = await credentials.createToken({ role: 'admin', name: 'second-admin' }, admin);
    await credentials.revokeToken(first.id, admin);
    await expect(credentials.revokeToken(second.id, admin)).rejects.toThrow(/last admin token/);
    // Reserved names are reserved in any letter case.
    await expect(credentials.createToken({ role: 'viewer', name: 'Local' }, admin)).rejects.toThrow(/reserved/);
    await expect(credentials.createToken({ role: 'viewer', name: 'WEFT' }, admin)).rejects.toThrow(/reserved/);
  });

  // Regression: once a stored ingest token closed the collector, the demo (which knew only configured tokens) had
  // every span refused, silently. It now gets a token of this process's own, which closes nothing for anyone else.
  it("makes a process's own token that authenticates and does not end no-token mode", async () => {
    const before = await credentials.hasTokens(['ingest']);
    const token = credentials.processToken('weft:demo', 'ingest');
    expect(await credentials.authenticate(`Bearer ${token}`)).toEqual({ name: 'weft:demo', role: 'ingest', via: 'process' });
    expect(await credentials.hasTokens(['ingest'])).toBe(before);
    expect(credentials.processToken('weft:demo', 'ingest')).not.toBe(token);
  });

  // Regression: token ids are not secret, and each made-up secret for a real id cost a KDF run: 400 at once slowed
  // everyone's requests to seconds. Past KDF_FAILURES_PER_ID failures in a minute, an id's secrets cost none.
  it('stops running the KDF for an id after many wrong secrets in a minute', async () => {
    const { token, info } = await credentials.createToken({ role: 'viewer', name: 'guessed' }, admin);
    const forged = (i: number) => {
      const secret = [...String(i).padStart(4, '0')]
        .map((d) => 'abcdefghij'[Number(d)])
        .join('')
        .padStart(32, 'x');
      const body = `${token.slice(0, token.lastIndexOf('_') + 1)}${secret}`;
      return `${body}${tokenChecksum(body)}`;
    };
    const runs = credentials.stats.kdfRuns;
    for (let i = 0; i < KDF_FAILURES_PER_ID + 30; i++) expect(await credentials.authenticate(`Bearer ${forged(i)}`)).toBeUndefined();
    expect(credentials.stats.kdfRuns - runs).toBe(KDF_FAILURES_PER_ID);
    expect(logged.some((l) => l.includes('many wrong secrets for one token id') && l.includes(info.id))).toBe(true);
    await credentials.revokeToken(info.id, admin);
  });

  it('never writes a token to the log', async () => {
    const { token } = await credentials.createToken({ role: 'admin', name: 'carol' }, admin);
    await credentials.authenticate(`Bearer ${token}`);
    await credentials.authenticate(`Bearer ${token.slice(0, -1)}x`);
    expect(logged.length).toBeGreaterThanOrEqual(0);
    const text = logged.join('\n');
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('_')[3]);
    expect(text).not.toContain('configured-viewer-token-0001');
  });

  // Regression: a check that read a token's row before it was revoked, and finished after the revocation returned,
  // cached the token as verified, so it kept working for a minute after "weft token revoke" said it was revoked.
  it('refuses a token whose check was running while it was revoked, then and afterwards', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held = false;
    // The row is read (not yet revoked), but its answer arrives only after the revocation has returned.
    const client = new Proxy(store.client, {
      get(target, prop, receiver) {
        if (prop !== 'query') return Reflect.get(target, prop, receiver) as unknown;
        return async (params: { query: string }) => {
          const result = await target.query(params as never);
          if (!held && params.query.includes('FROM weft_tokens FINAL WHERE id =')) {
            held = true;
            await gate;
          }
          return result;
        };
      },
    });
    const slowStore = { ...store, client } as Store;
    const racing = await Credentials.create({ store: slowStore, auditLog, cacheMs: 60_000 });
    const { token, info } = await credentials.createToken({ role: 'viewer', name: 'racing' }, admin);
    const inflight = racing.authenticate(`Bearer ${token}`);
    await expect.poll(() => held).toBe(true);
    await racing.revokeToken(info.id, admin);
    release();
    expect(await inflight).toBeUndefined();
    expect(await racing.authenticate(`Bearer ${token}`)).toBeUndefined();
  });
  // Regression: token ids are not secret (they are in the token's text and in `weft token list`); 20 made-up secrets a
  // minute for an id locked out the token's own holder once its verified entry expired (60 s), for as long as they went on.
  it('keeps a token its holder already used working while strangers flood its id with wrong secrets', async () => {
    const shortCache = await Credentials.create({ store, auditLog, cacheMs: 1 });
    const { token, info } = await credentials.createToken({ role: 'sre', name: 'flooded' }, admin);
    expect(await shortCache.authenticate(`Bearer ${token}`)).toMatchObject({ name: 'flooded' });
    const prefix = token.slice(0, token.lastIndexOf('_') + 1);
    const forged = (i: number) => {
      const body = `${prefix}${String(i)
        .padStart(32, 'z')
        .replace(/\d/g, (d) => 'abcdefghij'[Number(d)])}`;
      return `Bearer ${body}${tokenChecksum(body)}`;
    };
    for (let i = 0; i < KDF_FAILURES_PER_ID + 5; i++) expect(await shortCache.authenticate(forged(i))).toBeUndefined();
    await new Promise((r) => setTimeout(r, 5));
    const runs = shortCache.stats.kdfRuns;
    expect(await shortCache.authenticate(`Bearer ${token}`)).toMatchObject({ name: 'flooded', role: 'sre' });
    expect(await shortCache.authenticate(forged(999))).toBeUndefined();
    expect(shortCache.stats.kdfRuns).toBe(runs);
    // Revoked: refused, though its digest was known.
    await shortCache.revokeToken(info.id, admin);
    await new Promise((r) => setTimeout(r, 5));
    expect(await shortCache.authenticate(`Bearer ${token}`)).toBeUndefined();
  });

  it('regression: made-up ids cost no store query each (every well-formed token with a new id was a query), and a token made by another process is accepted at its first use', async () => {
    const before = credentials.stats.lookups;
    const started = Date.now();
    const made = Array.from({ length: 200 }, () => `Bearer ${generateToken('viewer').token}`);
    expect(await Promise.all(made.map((t) => credentials.authenticate(t)))).toEqual(made.map(() => undefined));
    // One re-read of the active ids a second at most, shared by all of them.
    expect(credentials.stats.lookups - before).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 1000) + 1);
    // Another process on the same store makes a token: this one accepts it at once.
    const other = await Credentials.create({ store, auditLog });
    const { token, info } = await other.createToken({ role: 'viewer', name: 'from-elsewhere' }, admin);
    expect(await credentials.authenticate(`Bearer ${token}`)).toMatchObject({ name: 'from-elsewhere', tokenId: info.id });
    await other.revokeToken(info.id, admin);
  });
});
