import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../core/config/index.ts';
import { catalogReloadCommand } from './catalog-reload.ts';

let server: Server;
let url = '';
const seen: Array<{ method?: string; url?: string; type?: string; auth?: string }> = [];
let answer: { status: number; body: unknown } = { status: 200, body: {} };

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], auth: req.headers.authorization });
    req.resume();
    req.on('end', () => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body)));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

async function reload(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await catalogReloadCommand.run(parseArgs(argv), { out: (t) => out.push(t), err: (t) => err.push(t), env: { WEFT_TOKEN: 't0ken' }, cwd: '/' });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('weft catalog reload', () => {
  it('posts to the running Weft and prints the counts and every warning (the command did not exist)', async () => {
    answer = {
      status: 200,
      body: {
        counts: { owners: 1, systems: 1, domains: 0, flows: 2, classes: 0, probes: 1, reconciliations: 0, sources: ['/etc/weft/estate.yaml'] },
        warnings: [
          {
            file: '/etc/weft/estate.yaml',
            line: 6,
            column: 12,
            path: 'systems[0].match',
            message: 'm',
            text: '/etc/weft/estate.yaml:6:12: systems[0].match: m',
          },
        ],
        run: { at: '', candidates: 0, findings: { opened: 1, updated: 0, resolved: 2, held: 1 }, errors: [] },
      },
    };
    const r = await reload('--url', url);
    expect(r.code).toBe(0);
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/api/v1/catalog/reload', type: 'application/json', auth: 'Bearer t0ken' });
    expect(r.out).toBe(
      '/etc/weft/estate.yaml: reloaded (1 owner, 1 system, 0 domains, 2 flows, 0 classes, 1 probe, 0 reconciliations)\nfindings: 1 opened, 0 updated, 2 resolved, 1 kept open without a verdict now',
    );
    expect(r.err).toBe('warning: /etc/weft/estate.yaml:6:12: systems[0].match: m');
  });

  it("fails with Weft's message when the catalog is invalid", async () => {
    answer = { status: 400, body: { code: 'WEFT_ERR_CATALOG', message: 'The estate catalog has 1 problem:\n  c.yaml:7:9: systems[1].id: duplicate id "crm"' } };
    await expect(reload('--url', url)).rejects.toThrow(/answered 400: The estate catalog has 1 problem:\n {2}c\.yaml:7:9/);
  });
});
