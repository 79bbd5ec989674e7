import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpProbeSpec } from '../../core/catalog/index.ts';
import { Secrets } from '../secrets.ts';
import { httpProbe, MAX_REDIRECTS } from './http-probe.ts';

let server: Server;
let base: string;
const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const hop = /^\/loop\/(\d+)/.exec(req.url ?? '');
    if (hop) return void res.writeHead(302, { location: `/loop/${Number(hop[1]) + 1}` }).end();
    if (req.url?.startsWith('/moved')) return void res.writeHead(301, { location: '/count' }).end();
    if (req.url === '/ftp') return void res.writeHead(302, { location: 'ftp://example.com/x' }).end();
    res.end('{"count": 7}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => void server.close());

const env: Record<string, string> = { TOKEN: 'tok-123456', KEY: 'key-abcdef', PASS: 'p@ss:word' };
const run = (spec: Partial<HttpProbeSpec>) =>
  httpProbe(
    { id: 'h', kind: 'http', system: 's', every: '1m', url: `${base}/count`, count: '$.count', ...spec } as HttpProbeSpec,
    new Secrets((n) => env[n]),
  ).run(5000);

describe('http probe', () => {
  it('resolves query, header and basic-auth references, and keeps them on a same-origin redirect', async () => {
    seen.length = 0;
    const reading = await run({ url: `http://weft@${base.slice(7)}/moved?api_key=env:KEY`, password: 'env:PASS', headers: { 'x-api-key': 'env:KEY' } });
    expect(reading.value).toBe(7);
    expect(seen.map((s) => s.url)).toEqual(['/moved?api_key=key-abcdef', '/count']);
    for (const s of seen) {
      expect(s.headers.authorization).toBe(`Basic ${Buffer.from('weft:p@ss:word').toString('base64')}`);
      expect(s.headers['x-api-key']).toBe('key-abcdef');
    }
  });
  it(`follows at most ${MAX_REDIRECTS} redirects, and only to http(s)`, async () => {
    await expect(run({ url: `${base}/loop/0` })).rejects.toMatchObject({
      code: 'response',
      message: expect.stringContaining(`redirected more than ${MAX_REDIRECTS} times`),
    });
    await expect(run({ url: `${base}/ftp` })).rejects.toMatchObject({ code: 'response', message: expect.stringContaining('redirected to a ftp: URL') });
  });
});
