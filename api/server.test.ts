import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log/logger.ts';
import { apiTimeouts } from './app.ts';
import { startApi } from './server.ts';
import type { ApiServices } from './services.ts';

/** Opens a connection that announces `announced` bytes of JSON body and sends one byte every `everyMs`. */
function trickle(port: number, announced: number, everyMs: number): { answer: Promise<number>; socket: Socket } {
  const socket = connect({ host: '127.0.0.1', port });
  let timer: NodeJS.Timeout | undefined;
  const answer = new Promise<number>((resolve) => {
    let text = '';
    socket.on('data', (c) => (text += String(c)));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0));
    });
  });
  socket.write(`POST /api/v1/analyzer/run HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\ncontent-length: ${announced}\r\n\r\n{`);
  timer = setInterval(() => socket.write(' '), everyMs);
  return { answer, socket };
}

describe('API listener deadlines, over real sockets', () => {
  it('has header and whole-request deadlines by default (fastify turns Node’s off)', async () => {
    const api = await startApi({ config: { host: '127.0.0.1', port: 0 }, logger: silentLogger(), services: {} as ApiServices });
    try {
      expect([api.app.server.headersTimeout, api.app.server.requestTimeout]).toEqual([apiTimeouts.headersTimeoutMs, apiTimeouts.requestTimeoutMs]);
      expect(apiTimeouts).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, checkIntervalMs: 1000 });
    } finally {
      await api.stop();
    }
  });

  it('regression: slow bodies are cut with 408 at the deadline, and everyone else is answered meanwhile', async () => {
    const api = await startApi({
      config: { host: '127.0.0.1', port: 0 },
      logger: silentLogger(),
      services: {} as ApiServices,
      timeouts: { headersTimeoutMs: 1000, requestTimeoutMs: 2000, checkIntervalMs: 200 },
    });
    const port = Number(new URL(api.url).port);
    const slow = Array.from({ length: 4 }, () => trickle(port, 512 * 1024, 300));
    try {
      // While the four trickle, other requests are served.
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`${api.url}/api/v1/openapi.json`);
        expect(r.status).toBe(200);
      }
      // A body announced past the limit (1 MiB) is refused at once, before any of it is read.
      const big = trickle(port, 20 * 1024 * 1024, 300);
      expect(await big.answer).toBe(413);
      expect(await Promise.all(slow.map((s) => s.answer))).toEqual([408, 408, 408, 408]);
    } finally {
      for (const s of slow) s.socket.destroy();
      await api.stop();
    }
  });

  it('regression: states an address a client can use when bound to a wildcard or an IPv6 address (was http://:::PORT, no URL)', async () => {
    // weft start prints this address, and states it in weft.url for commands refused the data directory (--url it).
    for (const [host, stated] of [
      ['::', '127.0.0.1'],
      ['::1', '[::1]'],
      ['0.0.0.0', '127.0.0.1'],
      ['127.0.0.1', '127.0.0.1'],
    ]) {
      const api = await startApi({ config: { host, port: 0 }, logger: silentLogger(), services: {} as ApiServices });
      try {
        expect(new URL(api.url).hostname, host).toBe(stated);
        // It answers there (401 for a bind beyond loopback without tokens: it was reached).
        expect([200, 401], host).toContain((await fetch(`${api.url}/api/v1/openapi.json`)).status);
      } finally {
        await api.stop();
      }
    }
  });
});
