import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a real service, slowing its connections down, for tests of what a probe does
 * with a connect still under way when it gives up:
 * - `holdMs`: each connection reaches the service only that long after it was accepted (the client's bytes wait);
 * - `latencyMs`: every chunk, both ways, is passed on that long after it arrived (a handshake of n round trips takes
 *   about 2·n·latencyMs, without a silence longer than 2·latencyMs).
 * `open` holds the sockets to the service still open: a client connection closed at either end closes its pair.
 */
export interface DelayProxy {
  port: number;
  /** Client connections accepted so far. */
  accepted(): number;
  /** Sockets to the service that are open now. */
  readonly open: Set<Socket>;
  close(): Promise<void>;
}

export async function delayProxy(servicePort: number, delay: { holdMs?: number; latencyMs?: number }): Promise<DelayProxy> {
  const open = new Set<Socket>();
  const clients = new Set<Socket>();
  let accepted = 0;
  const later = (ms: number, fn: () => void) => (ms > 0 ? void setTimeout(fn, ms) : fn());
  const relay = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => later(delay.latencyMs ?? 0, () => to.destroyed || to.write(chunk)));
    from.on('close', () => later(delay.latencyMs ?? 0, () => to.destroy()));
  };
  const server: Server = createServer((client) => {
    accepted++;
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => undefined);
    client.pause();
    later(delay.holdMs ?? 0, () => {
      if (client.destroyed) return;
      const upstream = connect({ host: '127.0.0.1', port: servicePort });
      open.add(upstream);
      upstream.on('close', () => open.delete(upstream));
      upstream.on('error', () => undefined);
      relay(client, upstream);
      relay(upstream, client);
      client.resume();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    open,
    async close() {
      for (const s of [...clients, ...open]) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
