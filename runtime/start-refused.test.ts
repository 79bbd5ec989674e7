import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandIO } from '../cli/command.ts';
import { main } from '../cli/main.ts';

// Regression: `weft start` on a port already in use made and migrated a store in the data directory, then failed to
// listen, leaving the directory behind. The ports are checked before anything is made.
describe('weft start on a port in use', () => {
  const root = mkdtempSync(join(tmpdir(), 'weft-refused-'));
  let busy: Server;
  let port = 0;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    port = (busy.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((r) => busy.close(r));
    rmSync(root, { recursive: true, force: true });
  });

  const start = async (data: string, ports: string[]) => {
    const lines: string[] = [];
    const io: CommandIO = { out: (t) => lines.push(t), err: (t) => lines.push(t), env: {}, cwd: root };
    const code = await main(['start', '--no-demo', '--data', data, '--host', '127.0.0.1', ...ports], io);
    return { code, text: lines.join('\n') };
  };

  it.each([
    ['the API', (p: number) => ['--port', String(p), '--otlp-port', '0'], '--port'],
    ['the collector', (p: number) => ['--port', '0', '--otlp-port', String(p)], '--otlp-port'],
  ])('refuses when %s port is taken, says which and the option to change, and makes no data directory', async (_what, ports, option) => {
    const data = join(root, `fresh-${_what.replace(/\W/g, '')}`);
    const { code, text } = await start(data, ports(port));
    expect(code).not.toBe(0);
    expect(text).toContain(`127.0.0.1:${port} is already in use (EADDRINUSE): stop what listens there, or give another port (${option}).`);
    expect(existsSync(data)).toBe(false);
  });
});

// Regression (break test): `weft start --host 10.255.255.1` (an address of another machine) or `--host nosuch.invalid`
// (a name that does not resolve; also with --port 0) printed a stack trace and exited 1. It is a usage error: exit 2,
// naming the option to change, and no data directory is made.
describe('weft start on a host it cannot listen on', () => {
  const root = mkdtempSync(join(tmpdir(), 'weft-refused-host-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    ['an address of another machine', ['--host', '10.255.255.1', '--port', '0'], '10.255.255.1 is not an address of this machine (EADDRNOTAVAIL)', '--host'],
    ['a name that does not resolve', ['--host', 'nosuch.invalid', '--port', '0'], '"nosuch.invalid" is not a host name or address', '--host'],
    [
      'a collector host that does not resolve',
      ['--otlp-host', 'nosuch.invalid', '--otlp-port', '0'],
      '"nosuch.invalid" is not a host name or address',
      '--otlp-host',
    ],
  ])('refuses %s with exit 2, the option to change and no stack trace', async (what, flags, said, option) => {
    const data = join(root, what.replace(/\W/g, ''));
    const lines: string[] = [];
    const io: CommandIO = { out: (t) => lines.push(t), err: (t) => lines.push(t), env: {}, cwd: root };
    const code = await main(['start', '--no-demo', '--data', data, '--port', '0', '--otlp-port', '0', ...flags], io);
    const text = lines.join('\n');
    expect(code).toBe(2);
    expect(text).toContain(said);
    expect(text).toContain(`to ${option}.`);
    expect(text).not.toMatch(/\n\s+at /);
    expect(existsSync(data)).toBe(false);
  });
});
