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
