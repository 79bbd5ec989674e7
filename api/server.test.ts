import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log/logger.ts';
import { apiTimeouts, startApi } from './server.ts';
import type { ApiServices } from './services.ts';

describe('startApi', () => {
  it('regression: the API listener has header and whole-request deadlines (fastify turns Node’s off)', async () => {
    const api = await startApi({ config: { host: '127.0.0.1', port: 0 }, logger: silentLogger(), services: {} as ApiServices });
    try {
      expect([api.app.server.headersTimeout, api.app.server.requestTimeout]).toEqual([apiTimeouts.headersTimeoutMs, apiTimeouts.requestTimeoutMs]);
      expect(apiTimeouts).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 });
    } finally {
      await api.stop();
    }
  });
});
