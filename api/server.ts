import type { ApiApp } from './app.ts';
import { buildApiApp, type ApiAppOptions } from './app.ts';
import { clientUrlHost } from '../core/net/host-port.ts';

export interface ApiServer {
  app: ApiApp;
  /** Where a client on this machine reaches it (`clientUrlHost`: a wildcard bind on loopback, IPv6 in brackets). */
  url: string;
  stop(): Promise<void>;
}

/** The server only listens; the app is built by buildApiApp. */
export async function startApi(options: ApiAppOptions): Promise<ApiServer> {
  const app = await buildApiApp(options);
  await app.listen({ host: options.config.host, port: options.config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.config.port;
  return { app, url: `http://${clientUrlHost(options.config.host)}:${port}`, stop: () => app.close() };
}
