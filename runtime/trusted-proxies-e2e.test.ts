import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, parseArgs } from '../core/config/index.ts';
import { createLogger } from '../core/log/logger.ts';
import { startedForFile } from '../test/started-for-file.ts';
import { startWeft, type RunningWeft } from './start-weft.ts';

const viewer = 'proxied-viewer-token-0123456789';
const ingest = 'proxied-ingest-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'weft-proxies-'));
const weftOfFile = startedForFile<RunningWeft>();
let weft: RunningWeft;
const logged: string[] = [];

/** One request from `from` (127.0.0.x) to `url` with `headers`; its status. */
function send(url: string, from: string, method: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname, localAddress: from, method, headers: { host: u.host, ...headers }, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

beforeAll(async () => {
  const args = parseArgs([
    '--no-demo',
    '--data',
    join(dir, 'weft'),
    '--port',
    '0',
    '--otlp-port',
    '0',
    '--trusted-proxies',
    '127.0.0.8',
    '--public-name',
    'weft.example',
  ]);
  const config = buildConfig(args, { WEFT_API_TOKENS: `${viewer}:viewer:proxied-viewer`, WEFT_INGEST_TOKENS: ingest }, dir);
  const logger = createLogger('info', new Writable({ write: (chunk, _e, done) => (logged.push(String(chunk)), done()) }));
  weft = await weftOfFile.open(() => startWeft(config, logger));
}, 120_000);
afterAll(async () => {
  await weftOfFile.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('weft start --trusted-proxies', () => {
  it("counts a trusted proxy's clients apart on the API and the collector, and an untrusted peer as itself whatever it forwards", async () => {
    const api = `${weft.api!.url}/api/v1/health`;
    const otlp = `${weft.collector!.url}/v1/traces`;
    const get = (from: string, client: string, token: string) => send(api, from, 'GET', { 'x-forwarded-for': client, authorization: `Bearer ${token}` });
    for (let i = 0; i < 30; i++) expect(await get('127.0.0.8', '198.51.100.1', `guess-${i}-0123456789abcdef`)).toBe(401);
    expect(await get('127.0.0.8', '198.51.100.1', viewer)).toBe(429);
    expect(await get('127.0.0.8', '198.51.100.2', viewer)).toBe(200);
    // Both listeners count together: the blocked client is blocked at the collector too, the other is not.
    const post = (from: string, client: string, token: string) =>
      send(otlp, from, 'POST', { 'x-forwarded-for': client, 'content-type': 'application/json', authorization: `Bearer ${token}` });
    expect(await post('127.0.0.8', '198.51.100.1', ingest)).toBe(429);
    expect(await post('127.0.0.8', '198.51.100.2', ingest)).toBe(200);
    // Not trusted: a new X-Forwarded-For for each guess does not make it a new client.
    for (let i = 0; i < 30; i++) expect(await get('127.0.0.9', `203.0.113.${i}`, `guess-${i}-0123456789abcdef`)).toBe(401);
    expect(await get('127.0.0.9', '203.0.113.200', viewer)).toBe(429);
    // A proxy is trusted: no warning that its clients share one count.
    expect(logged.join('')).not.toMatch(/no proxy is trusted/);
  }, 60_000);
});
