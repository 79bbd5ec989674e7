import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stateHolderAddress } from '../core/fs/pid-lock.ts';
import { openEmbeddedStores, openStore, settingsClause } from './index.ts';

describe('openStore (embedded)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-store-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tells a second process in plain words that the data directory is in use', async () => {
    const store = await openStore({ kind: 'embedded', path: join(dir, 'data') });
    const start = async (ports = ['--port', '0']) => {
      const child = spawn(process.execPath, ['bin/weft.mjs', 'start', '--data', dir, ...ports, '--otlp-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b) => (stderr += b));
      const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
      return { code, stderr: stderr.trim() };
    };
    try {
      expect(await start()).toEqual({
        code: 2,
        stderr: `weft start: The data directory ${join(dir, 'data')} is in use by another Weft process. Stop that process, or start this one with a different --data directory (or point both at a ClickHouse server with --clickhouse URL).`,
      });
      // A holder whose API listens states its address (runtime/start-weft.ts): the message gives it.
      const unstate = stateHolderAddress(join(dir, 'data'), 'http://127.0.0.1:8123');
      expect((await start()).stderr).toBe(
        `weft start: The data directory ${join(dir, 'data')} is in use by another Weft process (its API answers at http://127.0.0.1:8123). Stop that process, or start this one with a different --data directory (or point both at a ClickHouse server with --clickhouse URL).`,
      );
      // Started with the ports the holder listens on: the directory is what it is told about, not a port in use.
      const taken = createServer();
      await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
      const port = (taken.address() as AddressInfo).port;
      try {
        expect((await start(['--port', String(port)])).stderr).toMatch(
          /^weft start: The data directory .* is in use by another Weft process \(its API answers at /,
        );
      } finally {
        taken.close();
      }
      unstate();
    } finally {
      await store.close();
    }
    // Three `weft start` processes, each loading the engine: over a minute on a loaded machine.
  }, 180_000);

  // What a test worker closes after a file that left its store open (test/file-priority.ts): a test that timed out left
  // one open, and every later file of its worker failed to open its own.
  it('lists the embedded stores it has open until each is closed, and closes one once however often asked', async () => {
    const before = openEmbeddedStores().length;
    // Two stores of one directory (the process may open it more than once): both listed, in order.
    const store = await openStore({ kind: 'embedded', path: join(dir, 'listed') });
    const also = await openStore({ kind: 'embedded', path: join(dir, 'listed') });
    expect(openEmbeddedStores().slice(before)).toEqual([store, also]);
    await Promise.all([also.close(), also.close()]);
    expect(openEmbeddedStores().slice(before)).toEqual([store]);
    await store.close();
    await store.close();
    expect(openEmbeddedStores()).toHaveLength(before);
    // Closed, the directory is free for the next.
    const next = await openStore({ kind: 'embedded', path: join(dir, 'listed') });
    expect(openEmbeddedStores().slice(before)).toEqual([next]);
    await next.close();
  });

  it("starts the engine with the embedded store's memory bounds (server settings that cannot be changed later)", async () => {
    const store = await openStore({ kind: 'embedded', path: join(dir, 'engine') });
    try {
      const rows = await store.client
        .query({
          query:
            "SELECT name, value FROM system.server_settings WHERE name IN ('background_merges_mutations_concurrency_ratio', 'mark_cache_size') ORDER BY name",
          format: 'JSONEachRow',
        })
        .then((r) => r.json<{ name: string; value: string }>());
      expect(rows).toEqual([
        { name: 'background_merges_mutations_concurrency_ratio', value: '1' },
        { name: 'mark_cache_size', value: String(128 * 1024 * 1024) },
      ]);
    } finally {
      await store.close();
    }
  });

  it('analyses every statement of the session without the rewrites that cost Weft more than they save (EMBEDDED_SESSION_SETTINGS)', async () => {
    const store = await openStore({ kind: 'embedded', path: join(dir, 'session') });
    try {
      const read = () =>
        store.client
          .query({
            query:
              "SELECT name, value FROM system.settings WHERE name IN ('optimize_and_compare_chain', 'optimize_aggregators_of_group_by_keys') ORDER BY name",
            format: 'JSONEachRow',
          })
          .then((r) => r.json<{ name: string; value: string }>());
      const expected = [
        { name: 'optimize_aggregators_of_group_by_keys', value: '0' },
        { name: 'optimize_and_compare_chain', value: '0' },
      ];
      expect(await read()).toEqual(expected);
      // Still so after other statements: a session setting, not one statement's.
      await store.client.command({ query: "CREATE TABLE t (x UInt8, dt DateTime('UTC'), d DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY dt" });
      await store.client.command({
        query: "INSERT INTO t VALUES (1, '2025-12-31 23:59:59', '2026-01-01 00:00:00.250'), (1, '2025-12-31 23:59:59', '2026-01-01 00:00:00.250')",
      });
      const answer = (query: string) => store.client.query({ query, format: 'JSONEachRow' }).then((r) => r.json<Record<string, number>>());
      // A max of the GROUP BY key answers as with the rewrite.
      expect(await answer('SELECT x, max(x) AS m, count() AS n FROM t WHERE x < 5 AND 0 < x GROUP BY x')).toEqual([{ x: 1, m: 1, n: 2 }]);
      // The derived comparison `dt < '…00.5'` is not a DateTime: with ClickHouse's default the chain fails (TYPE_MISMATCH).
      const chain = "SELECT count() AS n FROM t WHERE dt < d AND d < '2026-01-01 00:00:00.5'";
      expect(await answer(chain)).toEqual([{ n: 2 }]);
      await store.client.command({ query: 'SET optimize_and_compare_chain = 1' });
      await expect(answer(chain)).rejects.toThrow(/Cannot convert string '2026-01-01 00:00:00.5'/);
      await store.client.command({ query: 'SET optimize_and_compare_chain = 0' });
      expect(await read()).toEqual(expected);
    } finally {
      await store.close();
    }
  });

  it('regression: a setting given for one statement holds for that statement only (a deduplication token was kept for the session, and later inserts dropped as duplicates)', async () => {
    const store = await openStore({ kind: 'embedded', path: join(dir, 'settings') });
    try {
      const c = store.client;
      for (const t of ['loaded', 'later'])
        await c.command({ query: `CREATE TABLE ${t} (x UInt8) ENGINE = MergeTree ORDER BY x SETTINGS non_replicated_deduplication_window = 100` });
      // Settings beside the query would be SET for the whole session: refused, naming them.
      await expect(
        c.insert({ table: 'later', values: [{ x: 1 }], format: 'JSONEachRow', clickhouse_settings: { insert_deduplication_token: 't' } }),
      ).rejects.toThrow(/does not take clickhouse_settings \(insert_deduplication_token\).*Write them in the statement/);
      await expect(c.command({ query: 'SELECT 1', clickhouse_settings: { max_threads: 1 } })).rejects.toThrow(/max_threads/);
      // In the statement: the same token twice is one block; inserts after it without a token are all kept.
      const load = `INSERT INTO loaded (x)${settingsClause({ insert_deduplicate: 1, insert_deduplication_token: "seg-1'x" })} SELECT 7`;
      await c.command({ query: load });
      await c.command({ query: load });
      await c.insert({ table: 'later', values: [{ x: 1 }], format: 'JSONEachRow' });
      await c.insert({ table: 'later', values: [{ x: 2 }], format: 'JSONEachRow' });
      await c.insert({ table: 'loaded', values: [{ x: 8 }], format: 'JSONEachRow' });
      await c.insert({ table: 'loaded', values: [{ x: 9 }], format: 'JSONEachRow' });
      const rows = async (t: string) =>
        (await c.query({ query: `SELECT x FROM ${t} ORDER BY x`, format: 'JSONEachRow' }).then((r) => r.json<{ x: number }>())).map((r) => r.x);
      expect(await rows('loaded')).toEqual([7, 8, 9]);
      expect(await rows('later')).toEqual([1, 2]);
      const [token] = await c
        .query({ query: "SELECT value FROM system.settings WHERE name = 'insert_deduplication_token'", format: 'JSONEachRow' })
        .then((r) => r.json<{ value: string }>());
      expect(token.value).toBe('');
    } finally {
      await store.close();
    }
  });
});
