import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const alertmanagerPath = '/usr/bin/prometheus-alertmanager';
export const promtoolPath = '/usr/bin/promtool';

/**
 * Tests that need Debian's Alertmanager or promtool call this in a top-level `describe.skipIf`: absent,
 * they are skipped with a printed reason, or fail under WEFT_REQUIRE_SERVICES=1 (CI installs them: see .ci/run).
 */
export function toolAvailable(path: string, pkg: string): boolean {
  if (existsSync(path)) return true;
  const reason = `${path} is not installed (apt-get install -y ${pkg})`;
  if (process.env.WEFT_REQUIRE_SERVICES === '1') throw new Error(`${reason}, and WEFT_REQUIRE_SERVICES=1 requires it.`);
  console.warn(`skipping: ${reason}`);
  return false;
}

/** A free TCP port on 127.0.0.1, at or above `from` when possible. */
export async function freePort(from = 19093): Promise<number> {
  for (let port = from; port < from + 200; port++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error(`no free port from ${from}`);
}

export interface RunningAlertmanager {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a real Alertmanager with a temporary config and storage on a free port (at or above `portFrom`, plus a
 * random step of up to 50 so parallel test files rarely race for one), clustering off.
 */
export async function startAlertmanager(config: string, portFrom = 19093): Promise<RunningAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'alerting-am-'));
  writeFileSync(join(dir, 'alertmanager.yml'), config);
  const port = await freePort(portFrom + Math.floor(Math.random() * 50));
  const child: ChildProcess = spawn(
    alertmanagerPath,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${dir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`alertmanager exited: ${stderr}`);
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
