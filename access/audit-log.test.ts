import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../clickhouse/index.ts';
import { openMigratedStore } from '../test/migrated-store.ts';
import { rowHash } from './audit-chain.ts';
import { createAuditLog, systemActor } from './audit-log.ts';

const dir = mkdtempSync(join(tmpdir(), 'weft-audit-log-'));
let store: Store;

beforeAll(async () => {
  store = await openMigratedStore(join(dir, 'data'), { rawDays: 30, rollupDays: 400, recordDays: 730 });
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `store` as another process sees it: its inserts wait until `release` is called (a claim that reaches the engine late). */
function slowInserts(of: Store): { store: Store; release: () => void; waiting: Promise<void> } {
  let release!: () => void;
  let arrived!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const waiting = new Promise<void>((r) => (arrived = r));
  const client = new Proxy(of.client, {
    get(target, prop, receiver) {
      if (prop === 'command')
        return async (params: Parameters<typeof target.command>[0]) => {
          if (params.query.trimStart().startsWith('INSERT')) {
            arrived();
            await gate;
          }
          return target.command(params);
        };
      if (prop === 'insert')
        return async (params: Parameters<typeof target.insert>[0]) => {
          arrived();
          await gate;
          return target.insert(params);
        };
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { store: { ...of, client } as Store, release, waiting };
}

describe('audit log with several appending processes', () => {
  // Regression: a server's store split with --only has two appenders (the API's, and the analyzer's automatic
  // remediations and scheduled reports). Both read the same head, both wrote seq 1, and verify said the untouched log
  // had been altered.
  it('gives each row its own seq when two processes append at once, and the chain verifies', async () => {
    const api = createAuditLog(store);
    const slow = slowInserts(store);
    const analyzer = createAuditLog(slow.store);
    // The analyzer's process reads the head (empty) and sends its row; the row reaches the engine after the API's.
    const late = analyzer.append(systemActor, 'remediation.run', 'alert:0123', { auto: true });
    await slow.waiting;
    const first = await api.append({ name: 'sre-bob', role: 'sre' }, 'finding.acknowledge', 'finding:abc', { note: 'on it' });
    slow.release();
    const second = await late;

    expect([first.seq, second.seq]).toEqual([1, 2]);
    expect(second.prevHash).toBe(first.hash);
    const rows = await api.list();
    expect(rows.map((r) => [r.seq, r.actor, r.action])).toEqual([
      [1, 'sre-bob', 'finding.acknowledge'],
      [2, 'weft', 'remediation.run'],
    ]);
    expect(await api.verify()).toMatchObject({ ok: true, rows: 2, problems: [] });

    // And many at once from three appenders: every row its own seq, in one chain.
    const logs = [createAuditLog(store), createAuditLog(store), createAuditLog(store)];
    await Promise.all(logs.flatMap((log, i) => [1, 2, 3, 4].map((k) => log.append(systemActor, 'report.create', `run-${i}-${k}`))));
    const all = await api.list();
    expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    expect(await api.verify()).toMatchObject({ ok: true, rows: 14, problems: [] });
  });

  // Regression: two processes appending the same action by the same actor in the same millisecond wrote the same bytes
  // under the same claim token: the engine kept one row, both appenders found their hash at the seq, and one action was
  // not recorded. Siblings: the same with an identical detail, and three appenders.
  it('records both when two processes append the same action in the same millisecond', async () => {
    await store.client.command({ query: 'TRUNCATE TABLE weft_audit_log' });
    const at = new Date('2026-12-03T07:30:00.123Z');
    const slow = slowInserts(store);
    const api = createAuditLog(store, { now: () => at });
    const other = createAuditLog(slow.store, { now: () => at });
    const late = other.append(systemActor, 'report.create', 'weekly', { format: 'pdf' });
    await slow.waiting;
    const first = await api.append(systemActor, 'report.create', 'weekly', { format: 'pdf' });
    slow.release();
    const second = await late;
    expect([first.seq, second.seq]).toEqual([1, 2]);
    expect(first.nonce).not.toBe(second.nonce);
    const rows = await api.list();
    expect(rows.map((r) => [r.seq, r.at, r.action, r.subject, r.detail])).toEqual([
      [1, at.toISOString(), 'report.create', 'weekly', '{"format":"pdf"}'],
      [2, at.toISOString(), 'report.create', 'weekly', '{"format":"pdf"}'],
    ]);
    expect(await api.verify()).toMatchObject({ ok: true, rows: 2, problems: [] });

    const same = Array.from({ length: 3 }, () => createAuditLog(store, { now: () => at }));
    await Promise.all(same.map((log) => log.append(systemActor, 'catalog.reload', 'catalog')));
    expect((await api.list()).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(await api.verify()).toMatchObject({ ok: true, rows: 5, problems: [] });
  });

  // Rows stored before the nonce existed (migration 100) keep their hash, and a chain mixing them with new rows verifies.
  it('verifies rows stored without a nonce beside rows with one', async () => {
    await store.client.command({ query: 'TRUNCATE TABLE weft_audit_log' });
    const log = createAuditLog(store);
    const old = await log.append(systemActor, 'report.create', 'before');
    await store.client.command({ query: "ALTER TABLE weft_audit_log UPDATE nonce = '' WHERE seq = 1 SETTINGS mutations_sync = 2" });
    const { hash: _hash, ...rest } = old;
    await store.client.command({
      query: 'ALTER TABLE weft_audit_log UPDATE hash = {h:String} WHERE seq = 1 SETTINGS mutations_sync = 2',
      query_params: { h: rowHash({ ...rest, nonce: '' }) },
    });
    await log.append(systemActor, 'report.create', 'after');
    const rows = await log.list();
    expect(rows.map((r) => [r.seq, r.nonce === '' ? 'none' : 'drawn'])).toEqual([
      [1, 'none'],
      [2, 'drawn'],
    ]);
    expect(await log.verify()).toMatchObject({ ok: true, rows: 2, problems: [] });
  });

  // The claims of removed rows stay spent: a log whose last row was deleted took its seq again, and the deletion went
  // unseen; with the claim spent, an append would find no row of its own there.
  it('appends after a removed last row, leaving the gap for verify to name, instead of failing or hiding it', async () => {
    const log = createAuditLog(store);
    await log.append(systemActor, 'report.create', 'run-1');
    await log.append(systemActor, 'report.create', 'run-2');
    const before = (await log.list()).length;
    await store.client.command({ query: `ALTER TABLE weft_audit_log DELETE WHERE seq = ${before} SETTINGS mutations_sync = 2` });
    const next = await log.append(systemActor, 'report.create', 'run-after-removal');
    expect(next.seq).toBe(before + 1);
    const verdict = await log.verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.problems.map((p) => p.problem).join('\n')).toMatch(new RegExp(`row ${before} is missing`));
  });

  // Regression: with several busy appenders an append lost its seq 20 times in a row (each time to another process's
  // row, the log going on) and failed: 5 processes appending 20 rows each at once lost 1 to 3 rows of 100.
  it('records every row when eight processes append fifteen rows each at once', async () => {
    await store.client.command({ query: 'TRUNCATE TABLE weft_audit_log' });
    const logs = Array.from({ length: 8 }, () => createAuditLog(store));
    const settled = await Promise.allSettled(
      logs.flatMap((log, i) => Array.from({ length: 15 }, (_, k) => log.append(systemActor, 'report.create', `run-${i}-${k}`))),
    );
    expect(settled.filter((r) => r.status === 'rejected')).toEqual([]);
    expect((await logs[0].list()).map((r) => r.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(await logs[0].verify()).toMatchObject({ ok: true, rows: 120, problems: [] });
  }, 60_000);
});
