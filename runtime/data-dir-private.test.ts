import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, parseArgs } from '../core/config/index.ts';
import { createLogger } from '../core/log/logger.ts';
import { ensurePrivateDir } from '../core/fs/private-dir.ts';
import { startWeft, type RunningWeft } from './start-weft.ts';
import { startedForFile } from '../test/started-for-file.ts';

const auditor = 'private-auditor-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'weft-private-'));
const weftOfFile = startedForFile<RunningWeft>();
let weft: RunningWeft;
const logged: string[] = [];

beforeAll(async () => {
  const args = parseArgs(['--no-demo', '--data', join(dir, 'new', 'weft'), '--port', '0', '--otlp-port', '0']);
  const config = buildConfig(args, { WEFT_API_TOKENS: `${auditor}:auditor:private-auditor` }, dir);
  const logger = createLogger('info', new Writable({ write: (chunk, _e, done) => (logged.push(String(chunk)), done()) }));
  weft = await weftOfFile.open(() => startWeft(config, logger));
}, 120_000);
afterAll(async () => {
  await weftOfFile.stop();
  rmSync(dir, { recursive: true, force: true });
});

const mode = (path: string) => statSync(path).mode & 0o777;

describe("Weft's data directory", () => {
  it('regression: a new one is private to its user (umask 022 made the store, the spool and report bundles world-readable, though the API gives reports to auditors only)', async () => {
    // Weft is up and guards its API: what the directory holds is for tokens of some roles only.
    const res = await fetch(`${weft.api!.url}/api/v1/reports`);
    expect(res.status).toBe(401);
    expect((await fetch(`${weft.api!.url}/api/v1/reports`, { headers: { authorization: `Bearer ${auditor}` } })).status).toBe(200);
    expect(mode(join(dir, 'new', 'weft')).toString(8)).toBe('700');
    // The parents it made are its own too; what lies under it is closed to others by it.
    expect(mode(join(dir, 'new')).toString(8)).toBe('700');
    for (const under of ['data', 'spool']) expect(mode(join(dir, 'new', 'weft', under)).toString(8), under).toBe('700');
    expect(logged.join('')).not.toContain('open to other users');
  });

  it("regression: a report's bundle is written for Weft's user only (it was 0644: any user of the machine read what the API gives auditors)", async () => {
    const auth = { authorization: `Bearer ${auditor}`, 'content-type': 'application/json' };
    const made = await fetch(`${weft.api!.url}/api/v1/reports`, { method: 'POST', headers: auth, body: JSON.stringify({ since: '1h' }) });
    expect(made.status).toBe(202);
    const id = ((await made.json()) as { report: { id: string } }).report.id;
    await expect
      .poll(
        async () => ((await (await fetch(`${weft.api!.url}/api/v1/reports/${id}`, { headers: auth })).json()) as { report: { status: string } }).report.status,
        { timeout: 60_000, interval: 500 },
      )
      .toBe('done');
    const bundle = join(dir, 'new', 'weft', 'reports', `${id}.zip`);
    expect(mode(bundle).toString(8)).toBe('600');
    expect(mode(join(dir, 'new', 'weft', 'reports')).toString(8)).toBe('700');
  }, 90_000);

  it('says so, and how to fix it, when an existing one is open to other users (and leaves its mode alone)', () => {
    const existing = join(dir, 'existing');
    mkdirSync(existing);
    chmodSync(existing, 0o755);
    expect(ensurePrivateDir(existing)).toBe(
      `The data directory ${existing} is open to other users of this machine (mode 755): its store, spool and report bundles hold what the API gives only to tokens. Run "chmod 700 ${existing}".`,
    );
    expect(mode(existing).toString(8)).toBe('755');
    chmodSync(existing, 0o700);
    expect(ensurePrivateDir(existing)).toBeUndefined();
  });
});
