import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedStore } from '../test/migrated-store.ts';
import { mergeTreeTables } from './cluster.ts';
import { listMigrations, renderMigration } from './migrate.ts';
import { emptyTable, emptyTableStatement, onEveryNode } from './cluster-aware.ts';
import { openStore, type Store } from './store.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const retention = { rawDays: 30, rollupDays: 400, recordDays: 730 };

/** The product's TypeScript sources (not tests, benches, the UI or dependencies), relative to the root. */
function productSources(dir = root): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (['node_modules', 'ui', 'bench', 'test', '.git', '.weft'].includes(name) || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...productSources(path));
    else if (/\.m?ts$/.test(name) && !/\.test\.ts$/.test(name)) out.push(relative(root, path));
  }
  return out;
}

describe('statements for one node or a cluster', () => {
  it('is TRUNCATE on one node and the local tables on every node of a cluster', () => {
    expect(emptyTableStatement({ database: 'default' }, 'weft_pairing_spans')).toBe('TRUNCATE TABLE IF EXISTS weft_pairing_spans');
    // On a cluster the plain name is a Distributed table, which TRUNCATE leaves as it is (its shards keep their rows).
    expect(emptyTableStatement({ database: 'observability', cluster: 'weft' }, 'weft_staged_pairing_runs')).toBe(
      'TRUNCATE TABLE IF EXISTS `observability`.`weft_staged_pairing_runs_local` ON CLUSTER `weft` SYNC',
    );
    expect(emptyTableStatement({ database: 'ob`s', cluster: 'we\\ft' }, 't')).toBe('TRUNCATE TABLE IF EXISTS `ob\\`s`.`t_local` ON CLUSTER `we\\\\ft` SYNC');
    for (const bad of ['', 'weft_pairing_spans; DROP TABLE x', 'Weft', 'a.b', 'x`y'])
      expect(() => emptyTableStatement({ database: 'default' }, bad)).toThrow(/not a scratch table name/);
  });

  it('goes through emptyTable everywhere in the product', () => {
    const offenders = productSources()
      .filter((f) => f !== join('clickhouse', 'cluster-aware.ts'))
      .filter((f) => /['"`]\s*TRUNCATE\s+TABLE/i.test(readFileSync(join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('names only MergeTree tables, which a cluster has as `_local` twins', () => {
    const created = mergeTreeTables(listMigrations().flatMap((m) => renderMigration(m.sql, retention)));
    const named = new Set<string>();
    for (const f of productSources()) {
      const text = readFileSync(join(root, f), 'utf8');
      if (!text.includes('emptyTable(')) continue;
      for (const m of text.matchAll(/'(weft_(?:pairing|staged)_[a-z_0-9]+)'/g)) named.add(m[1]);
    }
    // The staged twins are named through `staged()`: weft_staged_<table without weft_>.
    for (const t of ['transport_ledger', 'endpoint_rollup_1m', 'endpoint_rollup_1h', 'flow_edges_1m', 'pairing_ledger', 'pairing_runs'])
      named.add(`weft_staged_${t}`);
    const scratch = [...named].filter((t) => t !== 'weft_pairing_ledger' && t !== 'weft_pairing_runs' && !t.startsWith('weft_pairing_pieces'));
    expect(scratch.length).toBeGreaterThan(15);
    expect(scratch.filter((t) => !created.has(t))).toEqual([]);
  });

  it('reads a system table on every node of a cluster', () => {
    expect(onEveryNode({}, 'system.processes')).toBe('system.processes');
    expect(onEveryNode({ cluster: 'weft' }, 'system.processes')).toBe("clusterAllReplicas('weft', system.processes)");
    expect(onEveryNode({ cluster: "we'ft\\" }, 'system.processes')).toBe("clusterAllReplicas('we\\'ft\\\\', system.processes)");
    for (const bad of ['processes', 'system.processes; DROP TABLE x', 'otel_traces'])
      expect(() => onEveryNode({ cluster: 'weft' }, bad)).toThrow(/not a system table/);
  });

  it('empties a table on the embedded engine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-aware-'));
    const store = await openMigratedStore(join(dir, 'data'), retention);
    try {
      await store.client.command({ query: "INSERT INTO weft_pairing_unnamed (trace_id, service, flow) VALUES ('t', 's', 'f')" });
      await emptyTable(store, 'weft_pairing_unnamed');
      const [row] = await store.client
        .query({ query: 'SELECT count() AS n FROM weft_pairing_unnamed', format: 'JSONEachRow' })
        .then((r) => r.json<{ n: string }>());
      expect(Number(row.n)).toBe(0);
      // The engine's own parser takes the cluster form (parse only: chDB has no cluster).
      const [parsed] = await store.client
        .query({
          query: 'SELECT formatQuery({q:String}) AS f',
          query_params: { q: emptyTableStatement({ database: 'observability', cluster: 'weft' }, 'weft_pairing_spans') },
          format: 'JSONEachRow',
        })
        .then((r) => r.json<{ f: string }>());
      expect(parsed.f).toMatch(/^TRUNCATE TABLE IF EXISTS observability\.weft_pairing_spans_local ON CLUSTER weft SYNC$/);
      const [read] = await store.client
        .query({
          query: 'SELECT formatQuery({q:String}) AS f',
          query_params: { q: `SELECT count() FROM ${onEveryNode({ cluster: 'weft' }, 'system.processes')}` },
          format: 'JSONEachRow',
        })
        .then((r) => r.json<{ f: string }>());
      expect(read.f.replace(/\s+/g, ' ')).toBe("SELECT count() FROM clusterAllReplicas('weft', system.processes)");
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a store on a cluster', () => {
  let server: Server;
  let store: Store;
  const sent: { query: string; settings: Record<string, string> }[] = [];

  beforeAll(async () => {
    // A stand-in for the server's HTTP interface: records each statement and the settings it came with.
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://x');
        if (u.pathname !== '/ping') {
          const settings = Object.fromEntries([...u.searchParams].filter(([k]) => k !== 'query' && k !== 'query_id' && k !== 'database'));
          sent.push({ query: u.searchParams.get('query') ?? Buffer.concat(chunks).toString(), settings });
        }
        res.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8' });
        res.end(u.pathname === '/ping' ? 'Ok.\n' : '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    store = await openStore({ kind: 'server', url, user: 'weft', password: 'not-a-real-secret', database: 'observability', cluster: 'weft' });
  });
  afterAll(async () => {
    await store?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('sends every statement with synchronous distributed inserts, GLOBAL subqueries and no deduplication without a token', async () => {
    await emptyTable(store, 'weft_pairing_spans');
    expect(sent).toHaveLength(1);
    expect(sent[0].query).toBe('TRUNCATE TABLE IF EXISTS `observability`.`weft_pairing_spans_local` ON CLUSTER `weft` SYNC');
    expect(sent[0].settings).toMatchObject({ insert_distributed_sync: '1', distributed_product_mode: 'global', insert_deduplicate: '0' });
  });
});
