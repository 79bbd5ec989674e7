import { createServer, type IncomingMessage, type Server } from 'node:http';
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
const seen: { method: string; path: string; auth: string }[] = [];
let system: Server;
let weft: Server;
let systemUrl = '';
let weftUrl = '';

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
};

/** A stand-in for a running Weft's API: the probe and reconciliation run routes and the probe list. */
function fakeWeft(req: IncomingMessage, res: import('node:http').ServerResponse) {
  seen.push({ method: req.method ?? '', path: req.url ?? '', auth: req.headers.authorization ?? '' });
  const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (req.headers.authorization !== 'Bearer weft_sre_test') return json(401, { message: 'A token is required.' });
  if (req.method === 'POST' && req.url === '/api/v1/probes/crm-count/run')
    return json(200, {
      probe: 'crm-count',
      sample: { at: new Date().toISOString(), ok: true, value: 42, metrics: { status: 200 }, latencyMs: 3.2, errorCode: '', error: '' },
      shapeChanged: false,
    });
  if (req.method === 'GET' && req.url === '/api/v1/probes')
    return json(200, { probes: [{ id: 'crm-count', kind: 'http', system: 'crm', domain: 'customer' }] });
  return json(404, { message: `No route ${req.method} ${req.url}.` });
}

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), env, cwd: dir } };
}

beforeAll(async () => {
  system = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"count":7}'));
  systemUrl = await listen(system);
  weft = createServer(fakeWeft);
  weftUrl = await listen(weft);
  writeFileSync(
    join(dir, 'estate.yaml'),
    `systems:\n  - { id: crm, kind: crm }\nprobes:\n  - { id: crm-count, kind: http, system: crm, url: "${systemUrl}/count", count: $.count, every: 5m }\n`,
  );
  const store = await openMigratedStore(join(dir, 'weft', 'data'), { rawDays: 30, rollupDays: 400, recordDays: 730 });
  await store.close();
});

afterAll(async () => {
  await new Promise((r) => system.close(r));
  await new Promise((r) => weft.close(r));
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

describe('weft probe run --url and weft reconcile --url (a running Weft)', () => {
  it('runs the probe in the running Weft, with WEFT_TOKEN, and says it recorded it there', async () => {
    seen.length = 0;
    const c = io({ WEFT_TOKEN: 'weft_sre_test' });
    expect(await main(['probe', 'run', 'crm-count', '--url', weftUrl], c.io)).toBe(0);
    expect(seen[0]).toEqual({ method: 'POST', path: '/api/v1/probes/crm-count/run', auth: 'Bearer weft_sre_test' });
    expect(c.out).toEqual([
      'probe crm-count (http on crm, domain customer)',
      '  ok       value 42  (status=200)',
      '  latency  3.2 ms',
      `  recorded yes, by the Weft at ${weftUrl} (in its store)`,
    ]);
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
    const c = io({ WEFT_TOKEN: 'weft_sre_test' });
    expect(await main(['probe', 'run', 'crm-count', '--url', weftUrl, '--catalog', 'estate.yaml'], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('--url asks a running Weft, which uses its own catalog, credentials and store; leave out the catalog files.');
    const r = io({ WEFT_TOKEN: 'weft_sre_test' });
    expect(await main(['reconcile', 'names', '--url', weftUrl, '--no-record'], r.io)).toBe(2);
    expect(r.err.join('\n')).toContain('leave out --no-record');
  });

  it('runs a reconciliation in the running Weft', async () => {
    seen.length = 0;
    const c = io({ WEFT_TOKEN: 'weft_sre_test' });
    expect(await main(['reconcile', 'names', '--url', weftUrl], c.io)).toBe(2);
    expect(seen[0]).toEqual({ method: 'POST', path: '/api/v1/reconciliations/names/run', auth: 'Bearer weft_sre_test' });
    expect(c.err.join('\n')).toContain(`Weft at ${weftUrl} answered 404`);
  });
});
