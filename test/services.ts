import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';

/**
 * Integration tests that need a machine service call this in a top-level `describe.skipIf`.
 * Absent service: skipped with a printed reason, or a failure under WEFT_REQUIRE_SERVICES=1 (CI).
 */
export async function serviceAvailable(name: string, port: number, host = '127.0.0.1'): Promise<boolean> {
  const up = await new Promise<boolean>((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
  if (!up) {
    if (process.env.WEFT_REQUIRE_SERVICES === '1') {
      throw new Error(`${name} is not reachable on ${host}:${port}, and WEFT_REQUIRE_SERVICES=1 requires it.`);
    }
    console.warn(`skipping ${name} tests: ${name} is not reachable on ${host}:${port}`);
  }
  return up;
}

/**
 * The browser the browser tests drive through playwright-core: Debian's chromium headless shell (package
 * chromium-headless-shell, the same engine without the full browser's layers, which playwright itself runs
 * headless), else Debian's chromium. The shell used 24–30 % less CPU on the two largest browser files (flow page
 * 29.2 CPU-s against 41.9, the rest of the UI 27.7 against 36.6, each file alone, 2026-12-02).
 */
export const chromiumPath =
  ['/usr/lib/chromium/chromium-headless-shell', '/usr/bin/chromium'].find((p) => existsSync(p)) ?? '/usr/lib/chromium/chromium-headless-shell';

/**
 * How the tests, benchmarks and scripts launch chromium (`chromiumPath`): headless, and without the
 * background networking that this machine's closed network refuses.
 */
export const chromiumLaunch = {
  executablePath: chromiumPath,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

/**
 * Browser tests call this in a top-level `describe.skipIf`: without chromium they are skipped with a
 * printed reason, or fail under WEFT_REQUIRE_SERVICES=1 (CI installs it: see .ci/run).
 */
export function browserAvailable(path = chromiumPath): boolean {
  if (existsSync(path)) return true;
  const reason = `chromium is not installed at ${path} (apt-get install -y --no-install-recommends chromium-headless-shell)`;
  if (process.env.WEFT_REQUIRE_SERVICES === '1') throw new Error(`${reason}, and WEFT_REQUIRE_SERVICES=1 requires it.`);
  console.warn(`skipping browser tests: ${reason}`);
  return false;
}

/**
 * Tests that run a command-line tool (pdftotext from poppler-utils…) call this in a top-level
 * `describe.skipIf`: absent, skipped with a printed reason, or a failure under WEFT_REQUIRE_SERVICES=1.
 */
export function toolAvailable(path: string, debianPackage: string): boolean {
  if (existsSync(path)) return true;
  const reason = `${path} is not installed (apt-get install -y --no-install-recommends ${debianPackage})`;
  if (process.env.WEFT_REQUIRE_SERVICES === '1') throw new Error(`${reason}, and WEFT_REQUIRE_SERVICES=1 requires it.`);
  console.warn(`skipping tests that need ${path}: ${reason}`);
  return false;
}
