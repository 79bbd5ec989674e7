import type { ApiApp } from './app.ts';
import { buildApiApp, type ApiAppOptions } from './app.ts';

export interface ApiServer {
  app: ApiApp;
  url: string;
  stop(): Promise<void>;
}

/**
 * Deadlines of the API listener (docs/security-limits.md): a request's headers within 10 s and
 * the whole request, body included, within 30 s, or Node answers 408 and closes the connection
 * (checked every 30 s, Node's interval, so a slow sender is cut within a minute at worst).
 * Fastify turns Node's request timeout off by default; without these a trickling body held a
 * connection for as long as it liked.
 */
export const apiTimeouts = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 } as const;

/** The server only listens; the app is built by buildApiApp. */
export async function startApi(options: ApiAppOptions): Promise<ApiServer> {
  const app = await buildApiApp(options);
  app.server.headersTimeout = apiTimeouts.headersTimeoutMs;
  app.server.requestTimeout = apiTimeouts.requestTimeoutMs;
  await app.listen({ host: options.config.host, port: options.config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.config.port;
  return { app, url: `http://${options.config.host}:${port}`, stop: () => app.close() };
}
