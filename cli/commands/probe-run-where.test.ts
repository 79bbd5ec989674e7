import { createServer, type Server } from 'node:http';
import { Credentials } from '../../access/index.ts';
import { buildApiApp, type ApiApp } from '../../api/app.ts';
import type { Store } from '../../clickhouse/index.ts';
import { loadCatalog } from '../../core/catalog/index.ts';
import type { ConfiguredToken } from '../../core/config/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { startProbes, type ProbesRuntime } from '../../probes/index.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedStore } from '../../test/migrated-store.ts';
import { main } from '../main.ts';

// Regression: `weft probe run` and `weft reconcile` said only "recorded yes" or "recorded no" (not which store, nor why
// not), and took no --url: a running Weft's probes could not be run from the command line, whereas audit and alerts
// ask a running Weft with --url.
const dir = mkdtempSync(join(tmpdir(), 'weft-probe-where-'));
let system: Server;
let systemUrl = '';
/** A sre's and a viewer's token of the running Weft (WEFT_API_TOKENS). */
const sre = 'cli-sre-token-0123456789abcdef';
const viewer = 'cli-viewer-token-0123456789abcd';

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
};

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), env, cwd: dir } };
}

beforeAll(async () => {
  system = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"count":7}'));
  systemUrl = await listen(system);
  writeFileSync(
    join(dir, 'estate.yaml'),
    `systems:\n  - { id: crm, kind: crm }\nprobes:\n  - { id: crm-count, kind: http, system: crm, url: "${systemUrl}/count", count: $.count, every: 5m }\n`,
  );
  const store = await openMigratedStore(join(dir, 'weft', 'data'), { rawDays: 30, rollupDays: 400, recordDays: 730 });
  await store.close();
});

afterAll(async () => {
  await new Promise((r) => system.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('weft probe run: where its result went', () => {
  it('names the store it recorded into', async () => {
    const c = io();
    expect(await main(['probe', 'run', 'crm-count', '--catalog', 'estate.yaml', '--data', join(dir, 'weft')], c.io)).toBe(0);
    expect(c.out.join('\n')).toContain(`  recorded yes, in the embedded store ${join(dir, 'weft', 'data')}`);
  });

  it('says why it recorded nothing', async () => {
    const off = io();
    expect(await main(['probe', 'run', 'crm-count', '--catalog', 'estate.yaml', '--no-record'], off.io)).toBe(0);
    expect(off.out.join('\n')).toContain('  recorded no (--no-record)');
    const none = io();
    expect(await main(['probe', 'run', 'crm-count', '--catalog', 'estate.yaml', '--data', join(dir, 'nothing')], none.io)).toBe(0);
    expect(none.out.join('\n')).toMatch(
      / {2}recorded no \(no Weft data: .*nothing does not exist; pass --data with the directory weft start uses, or --url for a running Weft\)/,
    );
  });
});

// After the local cases: the running Weft's store is open in this process from here on (chDB binds one directory).
describe('weft probe run --url and weft reconcile --url (a running Weft)', () => {
  let store: Store;
  let probes: ProbesRuntime;
  let api: ApiApp;
  let weftUrl = '';
  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'served', 'data'), { rawDays: 30, rollupDays: 400, recordDays: 730 });
    const catalog = loadCatalog([join(dir, 'estate.yaml')]);
    const logger = silentLogger();
    probes = startProbes({ store, catalog, logger, scheduled: false });
    const configured: ConfiguredToken[] = [
      { token: sre, role: 'sre', name: 'cli-sre', source: 'WEFT_API_TOKENS' },
      { token: viewer, role: 'viewer', name: 'cli-viewer', source: 'WEFT_API_TOKENS' },
    ];
    const credentials = await Credentials.create({ configured, store, logger });
    api = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, credentials, logger, services: { store, probes } });
    await api.listen({ host: '127.0.0.1', port: 0 });
    weftUrl = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await api?.close();
    await probes?.stop();
    await store?.close();
  });

  it('runs the probe in the running Weft, with WEFT_TOKEN, and says it recorded it there', async () => {
    const c = io({ WEFT_TOKEN: sre });
    expect(await main(['probe', 'run', 'crm-count', '--url', weftUrl], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/^probe crm-count \(http on crm\)\n {2}ok {7}value 7 {2}\(status=200[^)]*\)\n {2}latency {2}[0-9.]+ ms\n/);
    expect(c.out.at(-1)).toBe(`  recorded yes, by the Weft at ${weftUrl} (in its store)`);
    // Recorded in the running Weft's store, by its own probe run.
    const rows = await store.client
      .query({ query: "SELECT value FROM probe_samples WHERE probe_id = 'crm-count'", format: 'JSONEachRow' })
      .then((r) => r.json<{ value: number }>());
    expect(rows.map((r) => Number(r.value))).toEqual([7]);
    // A viewer may not run probes: the API's answer, said whole.
    const v = io({ WEFT_TOKEN: viewer });
    expect(await main(['probe', 'run', 'crm-count', '--url', weftUrl], v.io)).toBe(2);
    expect(v.err.join('\n')).toContain('answered 403');
  });

  it('says which token the running Weft wants', async () => {
    const c = io();
    expect(await main(['probe', 'run', 'crm-count', '--url', weftUrl], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain(`Weft at ${weftUrl} wants a token: set WEFT_TOKEN (an sre, icoe or admin token runs probes).`);
    // Regression: weft reconcile said a token that 'runs probes' was wanted.
    const r = io();
    expect(await main(['reconcile', 'names', '--url', weftUrl], r.io)).toBe(2);
    expect(r.err.join('\n')).toContain(`Weft at ${weftUrl} wants a token: set WEFT_TOKEN (an sre, icoe or admin token runs reconciliations).`);
  });

  it('refuses local flags beside --url instead of leaving them unused', async () => {
    const c = io({ WEFT_TOKEN: sre });
    expect(await main(['probe', 'run', 'crm-count', '--url', weftUrl, '--catalog', 'estate.yaml'], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('--url asks a running Weft, which uses its own catalog, credentials and store; leave out the catalog files.');
    const r = io({ WEFT_TOKEN: sre });
    expect(await main(['reconcile', 'names', '--url', weftUrl, '--no-record'], r.io)).toBe(2);
    expect(r.err.join('\n')).toContain('leave out --no-record');
  });

  it('runs a reconciliation in the running Weft', async () => {
    const c = io({ WEFT_TOKEN: sre });
    expect(await main(['reconcile', 'names', '--url', weftUrl], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain(`Weft at ${weftUrl} answered 404: No reconciliation "names" in the catalog`);
  });
});
